//! Property tests: round trips, interop with the `spacepackets` crate in both directions, and
//! "arbitrary bytes never panic".
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use arbitrary_int::{u11, u14};
use ccsds_spp::encap::{EncapsulationHeader, EncapsulationPacket, LengthOfLength, ProtocolId};
use ccsds_spp::{Apid, PacketStream, PacketType, PrimaryHeader, SequenceFlags, SpacePacket};
use proptest::prelude::*;
use spacepackets::SpHeader;

fn flags() -> impl Strategy<Value = SequenceFlags> {
    prop_oneof![
        Just(SequenceFlags::Continuation),
        Just(SequenceFlags::First),
        Just(SequenceFlags::Last),
        Just(SequenceFlags::Unsegmented)
    ]
}

prop_compose! {
    fn valid_header()(tc: bool, sh: bool, apid in 0u16..0x7FF, idle: bool, flags in flags(),
                      count in 0u16..0x4000, len: u16) -> PrimaryHeader {
        let apid = if idle { Apid::IDLE } else { Apid::new(apid).unwrap() };
        PrimaryHeader {
            version: 0,
            packet_type: if tc { PacketType::Telecommand } else { PacketType::Telemetry },
            // 133.0-B-2 §4.1.3.3.3.4: no secondary header on idle packets.
            secondary_header: sh && !idle,
            apid,
            sequence_flags: flags,
            sequence_count: count,
            packet_data_length: len,
        }
    }
}

fn to_theirs(h: &PrimaryHeader) -> SpHeader {
    use spacepackets::{PacketType as T, SequenceFlags as F};
    SpHeader::new_from_fields(
        if h.packet_type == PacketType::Telecommand {
            T::Tc
        } else {
            T::Tm
        },
        h.secondary_header,
        u11::new(h.apid.get()),
        match h.sequence_flags {
            SequenceFlags::Continuation => F::ContinuationSegment,
            SequenceFlags::First => F::FirstSegment,
            SequenceFlags::Last => F::LastSegment,
            SequenceFlags::Unsegmented => F::Unsegmented,
        },
        u14::new(h.sequence_count),
        h.packet_data_length,
    )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(4096))]

    #[test]
    fn header_round_trip(h in valid_header()) {
        let mut buf = [0u8; 6];
        h.emit(&mut buf).unwrap();
        prop_assert_eq!(PrimaryHeader::parse_bytes(&buf).unwrap(), h);
    }

    /// Ours → spacepackets: the bytes we emit decode to the same fields in the peer crate.
    #[test]
    fn interop_ours_to_spacepackets(h in valid_header()) {
        let mut buf = [0u8; 6];
        h.emit(&mut buf).unwrap();
        let (theirs, _) = SpHeader::from_be_bytes(&buf).unwrap();
        prop_assert_eq!(theirs, to_theirs(&h));
        prop_assert_eq!(theirs.apid().value(), h.apid.get());
        prop_assert_eq!(theirs.packet_len(), h.packet_len());
    }

    /// spacepackets → ours: the peer's bytes decode to the same fields here.
    #[test]
    fn interop_spacepackets_to_ours(h in valid_header()) {
        let mut buf = [0u8; 6];
        to_theirs(&h).write_to_slice(&mut buf).unwrap();
        prop_assert_eq!(PrimaryHeader::parse_bytes(&buf).unwrap(), h);
    }

    #[test]
    fn packet_round_trip(h in valid_header(), data in proptest::collection::vec(any::<u8>(), 1..300)) {
        let mut buf = vec![0u8; data.len() + 6];
        let n = h.emit_packet(&data, &mut buf).unwrap();
        let p = SpacePacket::new_checked(&buf[..n]).unwrap();
        prop_assert_eq!(p.data(), &data[..]);
        prop_assert_eq!(PrimaryHeader::parse(&p).unwrap(), PrimaryHeader { packet_data_length: (data.len() - 1) as u16, ..h });
    }

    /// Concatenated packets come back one by one; any cut of the stream yields a prefix of them
    /// and then at most one truncation error, whose offset is where the remainder starts.
    #[test]
    fn stream_round_trip(sizes in proptest::collection::vec(1usize..100, 0..20), cut in any::<prop::sample::Index>()) {
        let mut stream = Vec::new();
        for (i, len) in sizes.iter().enumerate() {
            let h = PrimaryHeader { sequence_count: i as u16, ..Default::default() };
            let mut buf = vec![0u8; len + 6];
            h.emit_packet(&vec![i as u8; *len], &mut buf).unwrap();
            stream.extend_from_slice(&buf);
        }
        let got: Vec<_> = PacketStream::new(&stream).map(|p| p.unwrap().sequence_count()).collect();
        prop_assert_eq!(got, (0..sizes.len() as u16).collect::<Vec<_>>());
        let cut = if stream.is_empty() { 0 } else { cut.index(stream.len()) };
        let mut s = PacketStream::new(&stream[..cut]);
        let mut whole = 0;
        while let Some(item) = s.next() {
            match item {
                Ok(_) => whole += 1,
                Err(e) => prop_assert_eq!(e.offset, cut - s.remainder().len()),
            }
        }
        prop_assert!(whole <= sizes.len());
    }

    #[test]
    fn encap_round_trip(pid in 0u8..8, lol in 1u8..4, udf in 0u8..16, ext in 0u8..16, ccsds: u16,
                        data in proptest::collection::vec(any::<u8>(), 0..300)) {
        let lol = LengthOfLength::from_bits(lol);
        let wide = lol != LengthOfLength::One;
        let h = EncapsulationHeader {
            protocol_id: ProtocolId::new(pid).unwrap(),
            length_of_length: lol,
            user_defined: if wide { udf } else { 0 },
            protocol_id_extension: if wide { ext } else { 0 },
            ccsds_defined: if lol == LengthOfLength::Four { ccsds } else { 0 },
            packet_length: 0,
        };
        let mut buf = vec![0u8; data.len() + 8];
        match h.emit_packet(&data, &mut buf) {
            Ok(n) => {
                let p = EncapsulationPacket::new_checked(&buf[..n]).unwrap();
                prop_assert_eq!(p.data(), &data[..]);
                prop_assert_eq!(*p.header(), EncapsulationHeader { packet_length: n as u32, ..h });
            }
            // Only a 1-octet length field can be too small for the data.
            Err(e) => prop_assert!(lol == LengthOfLength::One && data.len() + 2 > 255, "{e}"),
        }
    }

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..256)) {
        let _ = PrimaryHeader::parse_bytes(&bytes);
        if let Ok(p) = SpacePacket::new_checked(&bytes[..]) {
            // What decodes re-encodes to the same bytes.
            let mut out = vec![0u8; bytes.len()];
            PrimaryHeader::parse(&p).unwrap().emit_packet(p.data(), &mut out).unwrap();
            prop_assert_eq!(out, bytes.clone());
        }
        let u = SpacePacket::new_unchecked(&bytes[..]);
        let _ = (u.apid(), u.data(), u.packet_len(), u.sequence_flags());
        for _ in PacketStream::new(&bytes) {}
        if let Ok(p) = EncapsulationPacket::new_checked(&bytes[..]) {
            let mut out = vec![0u8; bytes.len()];
            let n = p.header().emit_packet(p.data(), &mut out).unwrap();
            prop_assert_eq!(&out[..n], &bytes[..]);
        }
    }
}
