//! Space Packet stream and Encapsulation Packet decoders on arbitrary bytes: never panic, and
//! whatever decodes re-encodes to the same bytes.
#![no_main]

use ccsds_spp::{EncapsulationPacket, PacketStream, PrimaryHeader};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let mut out = vec![0u8; data.len()];
    let mut stream = PacketStream::new(data);
    for packet in stream.by_ref().flatten() {
        let header = PrimaryHeader::parse(&packet).expect("stream yields valid headers");
        let n = header.emit_packet(packet.data(), &mut out).expect("re-encodes");
        assert_eq!(&out[..n], packet.as_bytes());
    }
    let _ = stream.remainder();
    if let Ok(p) = EncapsulationPacket::new_checked(data) {
        let n = p.header().emit_packet(p.data(), &mut out).expect("re-encodes");
        assert_eq!(&out[..n], data);
    }
});
