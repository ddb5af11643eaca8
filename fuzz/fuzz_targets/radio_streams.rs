//! The radio-mode link codecs of `borealis-node` on hostile input (`borealis pass --link radio`):
//! the whole input as an uplink CLTU stream and as a downlink CADU stream never panics and
//! never yields a bundle larger than the configured cap; bundles cut from the input, coded
//! each way, come back identical; the same streams with up to eight input-chosen octets damaged
//! never panic, and on the downlink either decode to exactly the original bundles or are
//! refused: eight octets are within what RS(255,223) corrects in any codeword, so a frame comes
//! back whole or (damaged marker) goes missing — never different. (The uplink's BCH corrects
//! one bit per codeblock and may miscorrect more, leaving the frame's CRC-16 to catch it with
//! probability 1 − 2⁻¹⁶: not a property a fuzzer should assert.)
#![no_main]

use borealis_node::node::MissionConfig;
use borealis_node::radio::{
    RadioConfig, RadioError, downlink_decode, downlink_encode, uplink_decode, uplink_encode,
};
use libfuzzer_sys::fuzz_target;

/// Largest bundle the decoders reassemble here: keeps each run's memory small.
const MAX_BUNDLE: usize = 4096;

fn config() -> RadioConfig {
    let mut cfg = RadioConfig::for_mission(&MissionConfig::default()).expect("default mission");
    cfg.max_bundle_len = MAX_BUNDLE;
    cfg
}

/// Up to four non-empty bundles cut from `data` (first octet: the cut lengths).
fn bundles(data: &[u8]) -> Vec<&[u8]> {
    let Some((&seed, mut rest)) = data.split_first() else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for i in 0..4 {
        let len = (usize::from(seed.rotate_left(i * 2)) * 17 % 900 + 1).min(rest.len());
        if len == 0 {
            break;
        }
        let (bundle, tail) = rest.split_at(len);
        out.push(bundle);
        rest = tail;
    }
    out
}

/// Overwrites octets of `stream` at positions and with values taken from `damage`.
fn corrupt(stream: &mut [u8], damage: &[u8]) {
    if stream.is_empty() {
        return;
    }
    for pair in damage.chunks_exact(3).take(8) {
        let at = usize::from(u16::from_be_bytes([pair[0], pair[1]])) % stream.len();
        stream[at] ^= pair[2] | 1;
    }
}

fuzz_target!(|data: &[u8]| {
    let cfg = config();
    for decoded in [uplink_decode(data, &cfg), downlink_decode(data, &cfg)]
        .into_iter()
        .flatten()
    {
        assert!(decoded.iter().all(|b| b.len() <= MAX_BUNDLE));
    }

    let originals = bundles(data);
    if originals.is_empty() {
        return;
    }
    type Encode = fn(&[&[u8]], &RadioConfig) -> Result<Vec<u8>, RadioError>;
    type Decode = fn(&[u8], &RadioConfig) -> Result<Vec<Vec<u8>>, RadioError>;
    let codecs: [(Encode, Decode, bool); 2] = [
        (uplink_encode, uplink_decode, false),
        (downlink_encode, downlink_decode, true),
    ];
    for (encode, decode, corrects_all) in codecs {
        let mut stream: Vec<u8> = encode(&originals, &cfg).expect("encodable bundles");
        let back: Vec<Vec<u8>> = decode(&stream, &cfg).expect("clean stream decodes");
        assert_eq!(back, originals, "clean round trip");
        corrupt(&mut stream, data.get(1..).unwrap_or_default());
        if let Ok(back) = decode(&stream, &cfg)
            && corrects_all
        {
            assert_eq!(back, originals, "a damaged stream decoded to other bundles");
        }
    }
});
