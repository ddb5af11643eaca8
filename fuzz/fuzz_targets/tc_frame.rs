//! TC Transfer Frame decoder on arbitrary bytes under every managed-parameter combination:
//! never panics, and a frame that decodes re-encodes to the same bytes. The MAP reassembler is
//! fed every frame that decodes.
#![no_main]

use ccsds_tc::frame::{FrameConfig, TcFrame, TcFrameRepr};
use ccsds_tc::mux::{Reassembler, ReassemblerConfig};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let mut reassembler = Reassembler::new(ReassemblerConfig { max_sdu_len: 4096, check_sequence: true });
    for (segment_header, fecf) in [(false, false), (false, true), (true, false), (true, true)] {
        let config = FrameConfig { segment_header, fecf };
        let Ok(frame) = TcFrame::new_checked(data, config) else { continue };
        let repr = TcFrameRepr::parse(&frame).expect("checked frame parses");
        let mut out = [0u8; 1024];
        let n = repr.emit(frame.data(), &mut out).expect("re-encodes");
        assert_eq!(&out[..n], data);
        if segment_header {
            let _ = reassembler.push(&frame, |_, _| {});
        }
    }
});
