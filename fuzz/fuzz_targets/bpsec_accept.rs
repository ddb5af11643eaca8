//! BPSec acceptor and verifier (`bpsec::accept`, `bpsec::verify`) on hostile input. The first
//! byte picks the mode: arbitrary bytes as a bundle, or edits applied to a genuinely sealed
//! bundle (primary block signed, payload encrypted). Never panics; and whatever an edited
//! bundle is turned into, if it is accepted, what is delivered is exactly the original
//! plaintext bundle — an edit can only touch what no security operation covers (e.g. a
//! re-encoding of the security block's own fields), never what reaches the application.
#![no_main]

use std::sync::OnceLock;

use bpsec::context::Scope;
use bpsec::context::bcb_aes_gcm::AesVariant;
use bpsec::context::bib_hmac_sha2::ShaVariant;
use bpsec::{
    Context, IvCounter, KeyId, Options, Policy, ReplayFilter, Rule, StaticKeys, Targets, accept,
    verify,
};
use bpv7::block::BlockFlags;
use bpv7::bundle::BundleBuilder;
use bpv7::crc::CrcType;
use bpv7::eid::Eid;
use bpv7::primary::{BundleFlags, CreationTimestamp, PrimaryBlock};
use libfuzzer_sys::fuzz_target;

const HMAC: KeyId = KeyId(1);
const AES: KeyId = KeyId(2);

fn source() -> Eid<'static> {
    Eid::Ipn {
        allocator: 0,
        node: 2,
        service: 0,
    }
}

fn keys() -> StaticKeys {
    StaticKeys::new().with(HMAC, &[0x4b; 32]).with(AES, &[0xa5; 16])
}

fn policy() -> Policy<'static> {
    Policy::new()
        .rule(Rule {
            source: source(),
            targets: Targets::Primary,
            context: Context::HmacSha2 {
                variant: ShaVariant::Hmac256,
                scope: Scope::ALL,
            },
            key: HMAC,
        })
        .rule(Rule {
            source: source(),
            targets: Targets::Payload,
            context: Context::AesGcm {
                variant: AesVariant::A128Gcm,
                scope: Scope::ALL,
            },
            key: AES,
        })
}

/// (plaintext bundle, sealed bundle), built once.
fn sample() -> &'static (Vec<u8>, Vec<u8>) {
    static SAMPLE: OnceLock<(Vec<u8>, Vec<u8>)> = OnceLock::new();
    SAMPLE.get_or_init(|| {
        let primary = PrimaryBlock {
            flags: BundleFlags(0),
            crc_type: CrcType::Crc16X25,
            destination: Eid::Ipn {
                allocator: 0,
                node: 1,
                service: 1,
            },
            source: source(),
            report_to: source(),
            creation: CreationTimestamp {
                time: 1_000,
                sequence: 7,
            },
            lifetime: 60_000,
            fragment: None,
        };
        let plain = BundleBuilder::new(primary)
            .payload(b"CMD PING", BlockFlags(0), CrcType::None)
            .to_vec()
            .unwrap();
        let mut ivs = IvCounter::new([0; 4], 1);
        let sealed =
            bpsec::seal(&plain, &policy(), &source(), &keys(), &mut ivs, &Options::STRICT).unwrap();
        (plain, sealed)
    })
}

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    let options = Options::STRICT;
    if mode & 1 == 0 {
        let _ = verify(rest, &policy(), &keys(), &options);
        let mut filter = ReplayFilter::new(64).unwrap();
        let _ = accept(rest, &policy(), &keys(), Some(&mut filter), &options);
        return;
    }
    // Edits: (position, value) pairs, then optionally a truncation.
    let (plain, sealed) = sample();
    let mut bytes = sealed.clone();
    for pair in rest.chunks_exact(3) {
        let at = usize::from(u16::from_be_bytes([pair[0], pair[1]])) % bytes.len().max(1);
        if let Some(b) = bytes.get_mut(at) {
            *b = pair[2];
        }
    }
    if mode & 2 != 0 && !rest.is_empty() {
        bytes.truncate(usize::from(rest[0]) % (bytes.len() + 1));
    }
    let _ = verify(&bytes, &policy(), &keys(), &options);
    if let Ok(accepted) = accept(&bytes, &policy(), &keys(), None, &options) {
        assert_eq!(&accepted.bundle, plain, "an edited bundle delivered other content");
    }
});
