//! `borealis demo-link`: the TC uplink link layer end to end, printed stage by stage.
//!
//! Ground side: a `Ping` command Space Packet → a Type-AD TC Transfer Frame on MAP 1 with FECF →
//! a randomized CLTU. Link: one bit flipped in every code block. Payload side: CLTU decode (BCH
//! corrects each flip) → frame checks → the same packet back. (The bundle-layer demo of the
//! daemons is `borealis demo`, `src/demo.rs`.)

use crate::inspect::{self, Options};
use ccsds_spp::{Apid, PacketType, PrimaryHeader, SpacePacket};
use ccsds_tc::bch::{BLOCK_LEN, DecodeMode};
use ccsds_tc::cltu::{self, CltuConfig};
use ccsds_tc::frame::{FrameType, SegmentHeader, SequenceFlags, TcFrame, TcFrameRepr};
use ccsds_tc::{MapId, Scid, Vcid};
use std::io::Write;

/// Any failure of the demo: a codec error (which would be a bug) or a write to the terminal.
type DemoError = Box<dyn std::error::Error>;

/// Runs the demo, writing the transcript to `out`.
pub fn run(out: &mut impl Write) -> Result<(), DemoError> {
    writeln!(
        out,
        "Borealis link-layer demo: command packet → TC frame → CLTU → (noisy link) → back\n"
    )?;

    // 1. Ground: the command as a Space Packet (133.0-B-2).
    let header = PrimaryHeader {
        packet_type: PacketType::Telecommand,
        apid: Apid::new(0x042)?,
        sequence_count: 7,
        ..PrimaryHeader::default()
    };
    let command = b"PING";
    let mut packet = [0u8; 64];
    let packet_len = header.emit_packet(command, &mut packet)?;
    let packet = packet.get(..packet_len).ok_or("packet length")?;
    writeln!(
        out,
        "[ground] space packet ({packet_len} octets): {}",
        hex::encode(packet)
    )?;

    // 2. Ground: the packet in a Type-AD frame on MAP 1, with FECF (232.0-B-4).
    let repr = TcFrameRepr {
        frame_type: FrameType::Ad,
        scid: Scid::new(0x2B5)?,
        vcid: Vcid::new(1)?,
        sequence_number: 0,
        segment: Some(SegmentHeader {
            sequence_flags: SequenceFlags::Unsegmented,
            map_id: MapId::new(1)?,
        }),
        fecf: true,
    };
    let mut frame = [0u8; 1024];
    let frame_len = repr.emit(packet, &mut frame)?;
    let frame = frame.get(..frame_len).ok_or("frame length")?;
    writeln!(
        out,
        "[ground] TC frame     ({frame_len} octets): {}",
        hex::encode(frame)
    )?;

    // 3. Ground: the frame randomized and BCH-coded into a CLTU (231.0-B-4).
    let cfg = CltuConfig {
        randomize: true,
        mode: DecodeMode::Correct,
    };
    let mut cltu_buf = vec![0u8; cltu::encoded_len(frame_len)];
    let cltu_len = cltu::encode(frame, &cfg, &mut cltu_buf)?;
    writeln!(
        out,
        "[ground] CLTU         ({cltu_len} octets): {}",
        hex::encode(&cltu_buf)
    )?;

    // 4. Link: flip one bit in every code block (a different bit each time).
    let blocks = (cltu_len - cltu::START_SEQUENCE.len() - cltu::TAIL_SEQUENCE.len()) / BLOCK_LEN;
    for i in 0..blocks {
        let octet = cltu::START_SEQUENCE.len() + i * BLOCK_LEN + i % BLOCK_LEN;
        if let Some(b) = cltu_buf.get_mut(octet) {
            *b ^= 1 << (i % 8);
        }
    }
    writeln!(
        out,
        "[link]   {blocks} code blocks, one bit flipped in each"
    )?;

    // 5. Payload: decode the CLTU, check the frame, extract the packet.
    let mut decoded = vec![0u8; cltu_len];
    let (len, report) = cltu::decode_frame(&cltu_buf, &cfg, &mut decoded)?;
    let rx_frame = decoded.get(..len).ok_or("decoded length")?;
    writeln!(
        out,
        "[payload] CLTU decoded: {} blocks, {} bits corrected",
        report.blocks, report.corrected_bits
    )?;
    let view = TcFrame::new_checked(rx_frame, repr.config())?;
    let rx_repr = TcFrameRepr::parse(&view)?;
    let rx_packet = SpacePacket::new_checked(view.data())?;
    writeln!(
        out,
        "[payload] frame valid (FECF ok), same headers: {}",
        rx_repr == repr
    )?;
    writeln!(
        out,
        "[payload] packet APID {:#05x}, count {}, command {:?}\n",
        rx_packet.apid().get(),
        rx_packet.sequence_count(),
        String::from_utf8_lossy(rx_packet.data())
    )?;
    if rx_frame != frame || rx_packet.as_bytes() != packet {
        return Err("round trip changed the bytes".into());
    }

    writeln!(out, "What `borealis inspect` shows for the received CLTU:")?;
    let report = inspect::inspect(
        &cltu_buf,
        &Options {
            segment_header: true,
            ..Options::default()
        },
    )?;
    write!(out, "{}", inspect::render_text(&report))?;
    writeln!(
        out,
        "\nround trip OK: the payload received exactly the packet the ground sent"
    )?;
    Ok(())
}

#[cfg(test)]
mod tests {
    #[test]
    fn demo_round_trips() {
        let mut out = Vec::new();
        super::run(&mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(text.contains("round trip OK"));
        assert!(text.contains("bits corrected"));
    }
}
