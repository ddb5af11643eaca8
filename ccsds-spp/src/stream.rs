//! Iteration over a byte stream of concatenated Space Packets (e.g. a reassembled MAP or
//! virtual-channel data unit, or a file of packets).

use crate::Error;
use crate::packet::{PrimaryHeader, SpacePacket};
use ccsds_core::WireError;

/// What a [`PacketStream`] yields: a packet view, or the error that stopped the stream.
pub type StreamItem<'a> = Result<SpacePacket<&'a [u8]>, Error>;

/// Iterates over the packets of `bytes`, borrowing each one.
///
/// A packet whose header is invalid stops the stream (without framing there is no way to find
/// the next header). A trailing packet cut short is reported once as
/// [`crate::ErrorKind::Truncated`], with the offset where it starts; a caller fed by a link
/// keeps those octets ([`PacketStream::remainder`]) and prepends them to the next chunk.
/// Error offsets are relative to the start of `bytes`.
#[derive(Debug, Clone)]
pub struct PacketStream<'a> {
    bytes: &'a [u8],
    offset: usize,
    failed: bool,
}

impl<'a> PacketStream<'a> {
    /// A stream over `bytes`.
    pub const fn new(bytes: &'a [u8]) -> Self {
        Self {
            bytes,
            offset: 0,
            failed: false,
        }
    }

    /// Offset of the first octet not yet consumed.
    pub const fn offset(&self) -> usize {
        self.offset
    }

    /// The octets not consumed yet: after iteration ends on a truncated packet, that packet's
    /// beginning.
    pub fn remainder(&self) -> &'a [u8] {
        self.bytes.get(self.offset..).unwrap_or(&[])
    }
}

impl<'a> Iterator for PacketStream<'a> {
    type Item = StreamItem<'a>;

    fn next(&mut self) -> Option<Self::Item> {
        let rest = self.remainder();
        if rest.is_empty() || self.failed {
            return None;
        }
        let base = self.offset;
        let result = PrimaryHeader::parse_bytes(rest).and_then(|header| {
            let len = header.packet_len();
            rest.get(..len)
                .map(SpacePacket::new_unchecked)
                .ok_or(WireError::truncated(
                    0,
                    "packet_data_field",
                    len,
                    rest.len(),
                ))
        });
        match result {
            Ok(packet) => {
                self.offset += packet.as_bytes().len();
                Some(Ok(packet))
            }
            Err(e) => {
                self.failed = true;
                Some(Err(e.shifted(base)))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ErrorKind;

    fn packets() -> ([u8; 15], usize) {
        let mut buf = [0u8; 15];
        let a = PrimaryHeader::default()
            .emit_packet(&[1], &mut buf)
            .unwrap();
        let b = PrimaryHeader {
            sequence_count: 1,
            ..Default::default()
        }
        .emit_packet(&[2, 3], &mut buf[a..])
        .unwrap();
        (buf, a + b)
    }

    #[test]
    fn iterates_whole_packets() {
        let (buf, len) = packets();
        let got: Vec<_> = PacketStream::new(&buf[..len])
            .map(|p| p.unwrap().data().to_vec())
            .collect();
        assert_eq!(got, vec![vec![1], vec![2, 3]]);
    }

    #[test]
    fn truncated_trailing_packet_is_reported_once() {
        let (buf, len) = packets();
        let mut s = PacketStream::new(&buf[..len - 1]);
        assert!(s.next().unwrap().is_ok());
        let e = s.next().unwrap().unwrap_err();
        assert_eq!(e.offset, 7);
        assert_eq!(
            e.kind,
            ErrorKind::Truncated {
                needed: 8,
                available: 7
            }
        );
        assert!(s.next().is_none());
        assert_eq!(s.remainder(), &buf[7..len - 1]);
        // A trailing fragment shorter than a header is truncated too.
        let mut s = PacketStream::new(&buf[..10]);
        s.next();
        assert_eq!(
            s.next().unwrap().unwrap_err().kind,
            ErrorKind::Truncated {
                needed: 6,
                available: 3
            }
        );
    }

    #[test]
    fn invalid_header_stops_the_stream() {
        let (mut buf, len) = packets();
        buf[7] |= 0xE0; // version 7 in the second packet
        let mut s = PacketStream::new(&buf[..len]);
        assert!(s.next().unwrap().is_ok());
        let e = s.next().unwrap().unwrap_err();
        assert_eq!((e.offset, e.field), (7, "packet_version_number"));
        assert!(s.next().is_none());
    }
}
