//! CLTU decoder and code-block iterator on arbitrary bytes: never panic; what decodes re-encodes
//! to a CLTU that decodes to the same octets.
#![no_main]

use ccsds_tc::bch::DecodeMode;
use ccsds_tc::cltu::{self, CltuConfig, CodeBlocks};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&flags, input)) = data.split_first() else { return };
    let cfg = CltuConfig {
        randomize: flags & 1 == 1,
        mode: if flags & 2 == 2 { DecodeMode::DetectOnly } else { DecodeMode::Correct },
    };
    if let Ok(blocks) = CodeBlocks::new(input, cfg.mode) {
        for _ in blocks {}
    }
    let mut out = vec![0u8; input.len()];
    if let Ok((len, _)) = cltu::decode_frame(input, &cfg, &mut out) {
        let frame = &out[..len];
        let mut cltu_buf = vec![0u8; cltu::encoded_len(len)];
        cltu::encode(frame, &cfg, &mut cltu_buf).expect("re-encodes");
        let mut again = vec![0u8; cltu_buf.len()];
        let (len2, _) = cltu::decode_frame(&cltu_buf, &cfg, &mut again).expect("decodes again");
        assert_eq!(&again[..len2], frame);
    }
});
