//! `borealis inspect`: detect what a byte string is and describe every field.
//!
//! Shaped as a dispatcher: [`inspect`] sniffs the input and hands it to one describer per
//! structure (CLTU, CADU, TC/TM/AOS frame, Encapsulation Packet, Space Packet stream, BPv7
//! bundle). Each describer builds the report from the owning crate's `Repr`/view, so the CLI
//! never re-implements a layout, and a frame's data field is described recursively. Later
//! layers add a sniffing rule and a describer. A bundle's BIBs and BCBs are described by
//! [`security`] (never with key material).

mod security;

use bpv7::block::{BlockData, BlockFlags, CanonicalBlock, block_type};
use bpv7::bundle::{BundleView, ParseOptions};
use bpv7::crc::CrcType;
use bpv7::primary::{BundleFlags, PrimaryBlock};
use ccsds_core::{WireError, crc16_ccitt};
use ccsds_sdls::header::{HeaderLayout, SecurityHeader, SecurityHeaderRepr};
use ccsds_spp::{EncapsulationPacket, PacketStream, PacketType, PrimaryHeader, SequenceFlags};
use ccsds_tc::bch::{BlockStatus, DecodeMode};
use ccsds_tc::cltu::{self, CltuConfig, CodeBlocks};
use ccsds_tc::frame::{self, ControlCommand, FrameConfig, FrameType, TcFrame, TcFrameRepr};
use ccsds_tm::aos::{self, AosConfig, AosFrame};
use ccsds_tm::cadu::CaduCodec;
use ccsds_tm::ocf::Ocf;
use ccsds_tm::rs::ErrorCapability;
use ccsds_tm::sync;
use ccsds_tm::tm::{DataFieldContent, FirstHeaderPointer, TmConfig, TmFrame};
use serde_json::{Map, Value, json};
use std::fmt;

/// Managed parameters that cannot be read from the bytes themselves.
#[derive(Debug, Clone, Copy, Default)]
pub struct Options {
    /// TC frames on this virtual channel carry a segment header (232.0-B-4 §4.1.3.2).
    pub segment_header: bool,
    /// AOS frames on this channel carry an insert zone of this many octets (732.0-B-4 §4.1.3).
    pub aos_insert_zone: usize,
    /// AOS frames on this channel carry an OCF (732.0-B-4 §4.1.5).
    pub aos_ocf: bool,
    /// TC frames on this channel are SDLS-protected with this Security Header layout and MAC
    /// length (355.0-B-2 §3.2–3.3; managed parameters of the SA, not in the bytes).
    pub sdls: Option<SdlsLayout>,
}

/// The per-SA field widths `inspect` needs to split an SDLS-protected data field.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SdlsLayout {
    /// Transmitted IV, sequence number and pad length widths.
    pub header: HeaderLayout,
    /// MAC length.
    pub mac_len: usize,
}

/// The SDLS Security Header and Trailer of a protected data field (the data itself stays
/// opaque: it may be encrypted).
fn describe_sdls(field: &[u8], layout: SdlsLayout) -> Result<Value, String> {
    let header = SecurityHeader::new_checked(field, layout.header).map_err(|e| e.to_string())?;
    let repr = SecurityHeaderRepr::parse(&header).map_err(|e| e.to_string())?;
    let (body, mac) =
        ccsds_sdls::trailer::split_mac(field, layout.mac_len).map_err(|e| e.to_string())?;
    let data = body
        .get(layout.header.len()..)
        .ok_or("security trailer overlaps the header")?;
    Ok(json!({
        "standard": "CCSDS 355.0-B-2",
        "spi": repr.spi.0,
        "iv": hex(repr.iv),
        "sequence_number": hex(repr.sn),
        "pad_length": repr.pad_length,
        "protected_data_length": data.len(),
        "protected_data": hex(data),
        "mac": hex(mac),
    }))
}

/// Why the input could not be described: which structure it looked like, and the decoder's
/// error (field or rule, byte offset, reason).
#[derive(Debug)]
pub struct InspectError {
    what: &'static str,
    error: Option<Cause>,
}

/// The decoder error behind an [`InspectError`]: the CCSDS crates' or `bpv7`'s.
#[derive(Debug)]
enum Cause {
    Wire(WireError),
    Bundle(bpv7::Error),
}

impl fmt::Display for InspectError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.error {
            Some(Cause::Wire(e)) => write!(f, "invalid {}: {e}", self.what),
            Some(Cause::Bundle(e)) => write!(f, "invalid {}: {e}", self.what),
            None => write!(f, "{}", self.what),
        }
    }
}

impl std::error::Error for InspectError {}

fn fail(what: &'static str) -> impl FnOnce(WireError) -> InspectError {
    move |e| InspectError {
        what,
        error: Some(Cause::Wire(e)),
    }
}

/// Octets of data shown in full; longer data is cut (its length is always given).
const HEX_LIMIT: usize = 64;

fn hex(bytes: &[u8]) -> String {
    let mut s = hex::encode(bytes.get(..HEX_LIMIT).unwrap_or(bytes));
    if bytes.len() > HEX_LIMIT {
        s.push('…');
    }
    s
}

/// Describes `bytes`, choosing the structure by its first octets.
pub fn inspect(bytes: &[u8], options: &Options) -> Result<Value, InspectError> {
    let first = *bytes.first().ok_or(InspectError {
        what: "empty input",
        error: None,
    })?;
    let after_acquisition = bytes
        .iter()
        .position(|b| !cltu::ACQUISITION_OCTETS.contains(b));
    let starts_cltu =
        after_acquisition.and_then(|i| bytes.get(i..i + 2)) == Some(&cltu::START_SEQUENCE[..]);
    if starts_cltu {
        describe_cltu(bytes, options)
    } else if bytes.starts_with(&sync::ASM) {
        describe_cadu(bytes, options)
    } else if looks_like_bundle(bytes) {
        describe_bundle(bytes)
    } else if first >> 5 == ccsds_spp::encap::VERSION {
        describe_encapsulation(bytes)
    } else if first >> 6 == 1 {
        describe_aos_frame(bytes, options)
    } else if looks_like_tc_frame(bytes) {
        describe_tc_frame(bytes, options)
    } else {
        // Version 00 without a matching TC length: a Space Packet stream, or else a TM frame
        // (whose length is a managed parameter: the whole input).
        describe_space_packets(bytes).or_else(|e| describe_tm_frame(bytes).map_err(|_| e))
    }
}

/// A frame's FECF is a managed parameter: a CRC residue of zero over the whole frame says one is
/// there (a false positive needs the last two octets to match the CRC by chance: 2^-16).
fn has_fecf(bytes: &[u8]) -> bool {
    bytes.len() > 8 && crc16_ccitt(bytes) == 0
}

fn ocf_json(ocf: Option<Ocf>) -> Value {
    match ocf {
        None => Value::Null,
        Some(Ocf::Clcw(c)) => json!({
            "type": "CLCW",
            "status_field": c.status,
            "cop_in_effect": c.cop_in_effect,
            "virtual_channel_id": c.vcid.get(),
            "no_rf_available": c.no_rf_available,
            "no_bit_lock": c.no_bit_lock,
            "lockout": c.lockout,
            "wait": c.wait,
            "retransmit": c.retransmit,
            "farm_b_counter": c.farm_b_counter,
            "report_value": c.report_value,
        }),
        Some(Ocf::Type2(raw)) => json!({"type": "type-2 report", "value": hex::encode(raw)}),
    }
}

fn fhp_json(fhp: FirstHeaderPointer) -> Value {
    match fhp {
        FirstHeaderPointer::Offset(o) => o.into(),
        FirstHeaderPointer::NoPacketStart => "0x7ff (no packet starts)".into(),
        FirstHeaderPointer::IdleData => "0x7fe (idle data only)".into(),
    }
}

fn describe_tm_frame(bytes: &[u8]) -> Result<Value, InspectError> {
    let config = TmConfig {
        frame_len: bytes.len(),
        fecf: has_fecf(bytes),
    };
    let frame = TmFrame::new_checked(bytes, config).map_err(fail("TM frame"))?;
    let ocf = frame.ocf().map_err(fail("TM frame OCF"))?;
    let content = match frame.data_field_content() {
        DataFieldContent::Packets(fhp) => {
            json!({"synchronization_flag": false, "first_header_pointer": fhp_json(fhp)})
        }
        DataFieldContent::VcaSdu {
            packet_order,
            segment_length_id,
            first_header_pointer,
        } => json!({
            "synchronization_flag": true, "packet_order_flag": packet_order,
            "segment_length_id": segment_length_id, "first_header_pointer_bits": first_header_pointer,
        }),
    };
    Ok(json!({
        "kind": "tm_frame",
        "standard": "CCSDS 132.0-B-3",
        "length": bytes.len(),
        "version": frame.version(),
        "spacecraft_id": frame.scid().get(),
        "virtual_channel_id": frame.vcid().get(),
        "ocf_flag": frame.ocf_flag(),
        "master_channel_frame_count": frame.mc_frame_count(),
        "virtual_channel_frame_count": frame.vc_frame_count(),
        "secondary_header_flag": frame.secondary_header_flag(),
        "data_field_status": content,
        "secondary_header": frame.secondary_header().map(hex::encode),
        "data_length": frame.data().len(),
        "data": hex(frame.data()),
        "ocf": ocf_json(ocf),
        "fecf": frame.fecf().map(|v| format!("{v:04x}")),
    }))
}

fn describe_aos_frame(bytes: &[u8], options: &Options) -> Result<Value, InspectError> {
    // The FHEC is a managed parameter too: a header that is an RS(10,6) codeword carries one.
    let fhec = bytes.first_chunk::<8>().is_some_and(aos::fhec::is_valid);
    let config = AosConfig {
        frame_len: bytes.len(),
        fhec,
        insert_zone_len: options.aos_insert_zone,
        ocf: options.aos_ocf,
        fecf: has_fecf(bytes),
    };
    let frame = AosFrame::new_checked(bytes, config).map_err(fail("AOS frame"))?;
    let ocf = frame.ocf().map_err(fail("AOS frame OCF"))?;
    let m_pdu = frame
        .m_pdu()
        .ok()
        .map(|p| fhp_json(p.first_header_pointer()));
    Ok(json!({
        "kind": "aos_frame",
        "standard": "CCSDS 732.0-B-4",
        "length": bytes.len(),
        "version": frame.version(),
        "spacecraft_id": frame.scid().get(),
        "virtual_channel_id": frame.vcid().get(),
        "idle_channel": frame.is_idle(),
        "virtual_channel_frame_count": frame.vc_frame_count(),
        "replay_flag": frame.replay(),
        "vc_frame_count_usage_flag": frame.vc_frame_count_usage(),
        "vc_frame_count_cycle": frame.vc_frame_count_cycle(),
        "fhec": frame.fhec().map(|v| format!("{v:04x}")),
        "insert_zone": hex::encode(frame.insert_zone()),
        "data_length": frame.data().len(),
        "m_pdu_first_header_pointer": m_pdu,
        "data": hex(frame.data()),
        "ocf": ocf_json(ocf),
        "fecf": frame.fecf().map(|v| format!("{v:04x}")),
    }))
}

/// CADU: ASM, then a (randomized) codeblock. Coding is a managed parameter; the readings tried
/// are full-length RS(255,223) and RS(255,239) at every interleaving depth that matches the
/// length, then no RS, each with and without the randomizer; the first that yields a valid TM or
/// AOS frame wins. Shortened RS codes need the mission's frame length and are not guessed.
/// A stream of CADUs (e.g. `radio/downlink-<n>.cadu`) is read by its first CADU: an RS
/// codeblock length counts when the next ASM follows it.
fn describe_cadu(bytes: &[u8], options: &Options) -> Result<Value, InspectError> {
    let all = bytes.get(sync::ASM_LEN..).unwrap_or_default();
    let mut candidates = Vec::new();
    for (capability, k) in [(ErrorCapability::E16, 223), (ErrorCapability::E8, 239)] {
        for depth in [1u8, 2, 3, 4, 5, 8] {
            let n = 255 * usize::from(depth);
            let next = all.get(n..).unwrap_or_default();
            if all.len() == n || (all.len() > n && next.starts_with(&sync::ASM)) {
                candidates.push((Some((capability, depth)), k * usize::from(depth), n));
            }
        }
    }
    candidates.push((None, all.len(), all.len()));
    let mut last = InspectError {
        what: "CADU: no coding reading gives a valid frame",
        error: None,
    };
    for (rs, frame_len, codeblock_len) in candidates {
        let codeblock = all.get(..codeblock_len).unwrap_or_default();
        for randomize in [true, false] {
            let Ok(codec) = CaduCodec::new(frame_len, rs, randomize) else {
                continue;
            };
            let mut work = codeblock.to_vec();
            let report = match codec.decode_codeblock(&mut work) {
                Ok(r) => r,
                Err(e) => {
                    last = fail("CADU codeblock")(e.shifted(sync::ASM_LEN));
                    continue;
                }
            };
            let frame_bytes = work.get(..frame_len).unwrap_or_default();
            let frame = if frame_bytes.first().is_some_and(|b| b >> 6 == 1) {
                describe_aos_frame(frame_bytes, options)
            } else {
                describe_tm_frame(frame_bytes)
            };
            match frame {
                Ok(frame) => {
                    return Ok(json!({
                        "kind": "cadu",
                        "standard": "CCSDS 131.0-B-4",
                        "asm": hex::encode(sync::ASM),
                        "length": sync::ASM_LEN + codeblock_len,
                        "stream_length": bytes.len(),
                        "reed_solomon": rs.map(|(c, i)| json!({"e": c.e(), "interleaving_depth": i})),
                        "randomized": randomize,
                        "corrected_symbols": report.corrected_symbols,
                        "frame": frame,
                    }));
                }
                Err(e) => last = e,
            }
        }
    }
    Err(last)
}

/// A TC frame starts with version `00` and its Frame Length field covers exactly the input
/// (232.0-B-4 §4.1.2.7); a Space Packet stream almost never satisfies both.
fn looks_like_tc_frame(bytes: &[u8]) -> bool {
    let view = TcFrame::new_unchecked(bytes);
    bytes.len() >= frame::PRIMARY_HEADER_LEN
        && view.version() == 0
        && view.total_len() == bytes.len()
}

fn describe_cltu(bytes: &[u8], options: &Options) -> Result<Value, InspectError> {
    let blocks: Vec<Value> = CodeBlocks::new(bytes, DecodeMode::Correct)
        .map_err(fail("CLTU"))?
        .map(|b| {
            let status = match b.status {
                Ok(BlockStatus::Clean) => "clean".to_string(),
                Ok(BlockStatus::Corrected { bit }) => format!("corrected bit {bit}"),
                Err(e) => format!("uncorrectable ({e})"),
            };
            json!({"index": b.index, "offset": b.offset, "info": hex(b.info),
                   "parity": format!("{:02x}", b.parity), "status": status})
        })
        .collect();
    let mut out = vec![0u8; bytes.len()];
    // Randomization is a managed parameter: try the plain reading first, then the randomized one,
    // and keep the one whose content is a valid TC frame.
    let mut last = None;
    for randomize in [false, true] {
        let cfg = CltuConfig {
            randomize,
            mode: DecodeMode::Correct,
        };
        match cltu::decode_frame(bytes, &cfg, &mut out) {
            Ok((len, report)) => {
                let frame_bytes = out.get(..len).unwrap_or_default();
                match describe_tc_frame(frame_bytes, options) {
                    Ok(frame) => {
                        return Ok(json!({
                            "kind": "cltu",
                            "standard": "CCSDS 231.0-B-4",
                            "start_sequence_offset": report.start,
                            "length": report.consumed - report.start,
                            "randomized": randomize,
                            "code_blocks": report.blocks,
                            "corrected_bits": report.corrected_bits,
                            "blocks": blocks,
                            "frame": frame,
                        }));
                    }
                    Err(e) => last = Some(e),
                }
            }
            Err(e) => last = Some(fail("CLTU")(e)),
        }
    }
    Err(last.unwrap_or(InspectError {
        what: "CLTU",
        error: None,
    }))
}

fn describe_tc_frame(bytes: &[u8], options: &Options) -> Result<Value, InspectError> {
    // The FECF is a managed parameter too: a frame whose CRC residue is zero carries one.
    let fecf = bytes.len() > frame::PRIMARY_HEADER_LEN + 2 && crc16_ccitt(bytes) == 0;
    let config = FrameConfig {
        segment_header: options.segment_header,
        fecf,
    };
    let view = TcFrame::new_checked(bytes, config).map_err(fail("TC frame"))?;
    let repr = TcFrameRepr::parse(&view).map_err(fail("TC frame"))?;
    let mut m = Map::new();
    m.insert("kind".into(), "tc_frame".into());
    m.insert("standard".into(), "CCSDS 232.0-B-4".into());
    m.insert(
        "frame_type".into(),
        format!("{:?}", repr.frame_type).to_uppercase().into(),
    );
    m.insert("version".into(), view.version().into());
    m.insert("bypass_flag".into(), repr.frame_type.bypass().into());
    m.insert(
        "control_command_flag".into(),
        repr.frame_type.control_command().into(),
    );
    m.insert("spacecraft_id".into(), repr.scid.get().into());
    m.insert("virtual_channel_id".into(), repr.vcid.get().into());
    m.insert("frame_length".into(), view.frame_length().into());
    m.insert("frame_sequence_number".into(), repr.sequence_number.into());
    if let Some(seg) = repr.segment {
        m.insert(
            "segment_header".into(),
            json!({"sequence_flags": format!("{:?}", seg.sequence_flags), "map_id": seg.map_id.get()}),
        );
    }
    let data = view.data();
    m.insert("data_length".into(), data.len().into());
    m.insert("data".into(), hex(data).into());
    if let Some(value) = view.fecf() {
        m.insert(
            "fecf".into(),
            json!({"value": format!("{value:04x}"), "valid": true}),
        );
    }
    if let Some(layout) = options.sdls.filter(|_| repr.frame_type != FrameType::Bc) {
        match describe_sdls(data, layout) {
            Ok(v) => m.insert("sdls".into(), v),
            Err(e) => m.insert("sdls_error".into(), e.into()),
        };
    } else if repr.frame_type == FrameType::Bc {
        let cmd = ControlCommand::parse(data).map_err(fail("BC frame control command"))?;
        let cmd = match cmd {
            ControlCommand::Unlock => json!({"directive": "Unlock"}),
            ControlCommand::SetVr(vr) => json!({"directive": "Set V(R)", "v_r": vr}),
        };
        m.insert("control_command".into(), cmd);
    } else if repr
        .segment
        .is_none_or(|s| s.sequence_flags == frame::SequenceFlags::Unsegmented)
    {
        // Whole packets: describe them too (best effort; a mission may carry anything).
        let content = if data
            .first()
            .is_some_and(|b| b >> 5 == ccsds_spp::encap::VERSION)
        {
            describe_encapsulation(data)
        } else {
            describe_space_packets(data)
        };
        match content {
            Ok(v) => m.insert("content".into(), v),
            Err(e) => m.insert("content_error".into(), e.to_string().into()),
        };
    }
    Ok(Value::Object(m))
}

fn describe_encapsulation(bytes: &[u8]) -> Result<Value, InspectError> {
    let p = EncapsulationPacket::new_checked(bytes).map_err(fail("Encapsulation Packet"))?;
    let h = p.header();
    Ok(json!({
        "kind": "encapsulation_packet",
        "standard": "CCSDS 133.1-B-3",
        "protocol_id": h.protocol_id.get(),
        "idle": p.is_idle(),
        "length_of_length": h.length_of_length.bits(),
        "header_length": h.header_len(),
        "user_defined_field": h.user_defined,
        "protocol_id_extension": h.protocol_id_extension,
        "ccsds_defined_field": h.ccsds_defined,
        "packet_length": h.packet_length,
        "data": hex(p.data()),
    }))
}

fn describe_space_packets(bytes: &[u8]) -> Result<Value, InspectError> {
    let mut packets = Vec::new();
    let mut stream = PacketStream::new(bytes);
    while let Some(item) = stream.next() {
        let p = item.map_err(fail("Space Packet stream"))?;
        let offset = stream.offset();
        let h = PrimaryHeader::parse(&p).map_err(fail("Space Packet"))?;
        packets.push(json!({
            "offset": offset - p.as_bytes().len(),
            "version": h.version,
            "packet_type": match h.packet_type { PacketType::Telecommand => "TC", PacketType::Telemetry => "TM" },
            "secondary_header_flag": h.secondary_header,
            "apid": h.apid.get(),
            "idle": h.apid.is_idle(),
            "sequence_flags": match h.sequence_flags {
                SequenceFlags::Continuation => "continuation",
                SequenceFlags::First => "first",
                SequenceFlags::Last => "last",
                SequenceFlags::Unsegmented => "unsegmented",
            },
            "packet_sequence_count": h.sequence_count,
            "packet_data_length": h.packet_data_length,
            "data": hex(p.data()),
        }));
    }
    Ok(
        json!({"kind": "space_packets", "standard": "CCSDS 133.0-B-2", "count": packets.len(), "packets": packets}),
    )
}

/// A bundle is an indefinite-length CBOR array (first octet 0x9F) whose first item, the primary
/// block, is an array (major type 4; the parser then insists on a definite one) (RFC 9171
/// §4.1, §4.3.1). No CCSDS structure sniffed here starts that way: 0x9F is no valid version of
/// a Space Packet (it reads 4) or of a TC or TM frame (2), nor an AOS frame (1), an
/// Encapsulation Packet (7), a CLTU or a CADU.
fn looks_like_bundle(bytes: &[u8]) -> bool {
    bytes.first() == Some(&0x9F) && bytes.get(1).is_some_and(|b| b >> 5 == 4)
}

/// The rules [`ParseOptions::LENIENT`] relaxes, each with [`ParseOptions::LENIENT`] plus that
/// rule alone: a bundle that fails one of these broke that rule.
const RELAXED_RULES: [(&str, ParseOptions); 3] = [
    (
        "require_primary_crc (RFC 9171 §4.3.1: a primary block without CRC needs a BIB over it)",
        ParseOptions {
            require_primary_crc: true,
            ..ParseOptions::LENIENT
        },
    ),
    (
        "require_bundle_age (RFC 9171 §4.4.2: creation time 0 needs a Bundle Age block)",
        ParseOptions {
            require_bundle_age: true,
            ..ParseOptions::LENIENT
        },
    ),
    (
        "require_node_ids (RFC 9171 §4.2.5.2: source and previous node are node IDs)",
        ParseOptions {
            require_node_ids: true,
            ..ParseOptions::LENIENT
        },
    ),
];

/// A BPv7 bundle (RFC 9171), read strictly; a bundle that only passes
/// [`ParseOptions::LENIENT`] (as the RFC 9173 examples do) is shown with the rules it breaks.
fn describe_bundle(bytes: &[u8]) -> Result<Value, InspectError> {
    let (view, violated) = match BundleView::parse(bytes) {
        Ok(view) => (view, None),
        Err(_) => {
            // The lenient error is the one that makes the bundle unreadable.
            let view = BundleView::parse_with(bytes, &ParseOptions::LENIENT).map_err(|e| {
                InspectError {
                    what: "bundle",
                    error: Some(Cause::Bundle(e)),
                }
            })?;
            let violated: Vec<Value> = RELAXED_RULES
                .iter()
                .filter_map(|(rule, options)| {
                    let e = BundleView::parse_with(bytes, options).err()?;
                    Some(json!({"rule": rule, "error": e.to_string()}))
                })
                .collect();
            (view, Some(violated))
        }
    };
    let lenient = violated.is_some();
    let mut m = Map::new();
    m.insert("kind".into(), "bundle".into());
    m.insert("standard".into(), "RFC 9171 (BPv7)".into());
    m.insert("length".into(), bytes.len().into());
    m.insert(
        "strictness".into(),
        if lenient { "lenient" } else { "strict" }.into(),
    );
    if let Some(violated) = violated {
        m.insert("violated_rules".into(), violated.into());
    }
    let span = view.primary_span();
    m.insert(
        "primary_block".into(),
        primary_json(view.primary(), bytes.get(span.clone()), span.start),
    );
    m.insert("block_count".into(), view.block_count().into());
    let parsed: Vec<_> = view.blocks().collect();
    let canonical: Vec<CanonicalBlock<'_>> = parsed.iter().map(|(b, _)| *b).collect();
    let encrypted = security::Encrypted::of(&canonical);
    let blocks: Vec<Value> = parsed
        .iter()
        .map(|(block, span)| block_json(block, bytes.get(span.clone()), span.start, &encrypted))
        .collect();
    m.insert("blocks".into(), blocks.into());
    if canonical
        .iter()
        .any(|b| security::is_security_block(b.block_type))
    {
        m.insert("security_rules".into(), security_rules_json(bytes, lenient));
    }
    Ok(Value::Object(m))
}

/// Whether the security blocks satisfy the rules of RFC 9172 §3 (targets exist, no two
/// operations of one service on a target, no BIB over an encrypted block…), checked by
/// `bpsec`'s verifier under a policy with no rule, so that no key is needed and no
/// cryptographic check is made.
fn security_rules_json(bytes: &[u8], lenient: bool) -> Value {
    let options = bpsec::Options {
        bundle: if lenient {
            ParseOptions::LENIENT
        } else {
            ParseOptions::STRICT
        },
        ..bpsec::Options::STRICT
    };
    let no_keys = bpsec::StaticKeys::new();
    match bpsec::verify(bytes, &bpsec::Policy::new(), &no_keys, &options) {
        Ok(_) => json!({"valid": true}),
        Err(e) => json!({"valid": false, "error": e.to_string()}),
    }
}

/// Names of the bundle processing control flags (RFC 9171 §4.2.3).
const BUNDLE_FLAG_NAMES: [(BundleFlags, &str); 9] = [
    (BundleFlags::IS_FRAGMENT, "is_fragment"),
    (BundleFlags::ADMIN_RECORD, "admin_record"),
    (BundleFlags::MUST_NOT_FRAGMENT, "must_not_fragment"),
    (BundleFlags::APP_ACK_REQUESTED, "app_ack_requested"),
    (BundleFlags::STATUS_TIME_REQUESTED, "status_time_requested"),
    (BundleFlags::REPORT_RECEPTION, "report_reception"),
    (BundleFlags::REPORT_FORWARDING, "report_forwarding"),
    (BundleFlags::REPORT_DELIVERY, "report_delivery"),
    (BundleFlags::REPORT_DELETION, "report_deletion"),
];

/// Names of the block processing control flags (RFC 9171 §4.2.4).
const BLOCK_FLAG_NAMES: [(BlockFlags, &str); 4] = [
    (
        BlockFlags::REPLICATE_IN_EVERY_FRAGMENT,
        "replicate_in_every_fragment",
    ),
    (
        BlockFlags::REPORT_IF_UNPROCESSABLE,
        "report_if_unprocessable",
    ),
    (
        BlockFlags::DELETE_BUNDLE_IF_UNPROCESSABLE,
        "delete_bundle_if_unprocessable",
    ),
    (
        BlockFlags::DISCARD_IF_UNPROCESSABLE,
        "discard_if_unprocessable",
    ),
];

/// `0x…` and the names of the bits set, e.g. `0x4 (must_not_fragment)`, `0x0 (none)`; bits
/// without a name (which a lenient parse could let through) are shown as `bit N`.
fn flags_text(value: u64, names: &[(u64, &str)]) -> String {
    let mut set: Vec<String> = names
        .iter()
        .filter(|(bit, _)| value & bit != 0)
        .map(|(_, name)| (*name).to_string())
        .collect();
    let named = names.iter().fold(0, |acc, (bit, _)| acc | bit);
    let mut unnamed = value & !named;
    while unnamed != 0 {
        set.push(format!("bit {}", unnamed.trailing_zeros()));
        unnamed &= unnamed - 1;
    }
    if set.is_empty() {
        set.push("none".into());
    }
    format!("{value:#x} ({})", set.join(", "))
}

/// A block's CRC (RFC 9171 §4.2.1): its type and the value carried in the last octets of the
/// block, which the parser has already checked.
fn crc_json(crc_type: CrcType, block: Option<&[u8]>) -> Value {
    let name = match crc_type {
        CrcType::None => return json!({"type": "none"}),
        CrcType::Crc16X25 => "CRC-16/X-25",
        CrcType::Crc32C => "CRC-32C",
    };
    let value = block
        .and_then(|b| {
            b.len()
                .checked_sub(crc_type.value_len())
                .and_then(|at| b.get(at..))
        })
        .unwrap_or_default();
    json!({"type": name, "value": hex::encode(value), "valid": true})
}

/// DTN time (ms since 2000-01-01T00:00:00Z, RFC 9171 §4.2.6) as ISO 8601 UTC.
fn dtn_time_utc(ms: u64) -> String {
    // Days from 1970-01-01 to 2000-01-01.
    const EPOCH_2000_DAYS: u64 = 10_957;
    let secs = ms / 1000;
    let days = secs / 86_400 + EPOCH_2000_DAYS;
    // Civil date from days since 1970-01-01 (H. Hinnant's `civil_from_days`, days >= 0).
    let z = days + 719_468;
    let era = z / 146_097;
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + u64::from(month <= 2);
    let rem = secs % 86_400;
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}.{:03}Z",
        rem / 3600,
        rem / 60 % 60,
        rem % 60,
        ms % 1000
    )
}

fn primary_json(p: &PrimaryBlock<'_>, block: Option<&[u8]>, offset: usize) -> Value {
    let names = BUNDLE_FLAG_NAMES.map(|(f, n)| (f.0, n));
    let creation = if p.creation.time == 0 {
        json!({"time_ms": 0, "utc": "unknown (source had no clock)", "sequence": p.creation.sequence})
    } else {
        json!({"time_ms": p.creation.time, "utc": dtn_time_utc(p.creation.time), "sequence": p.creation.sequence})
    };
    json!({
        "offset": offset,
        "length": block.map_or(0, <[u8]>::len),
        "version": bpv7::primary::VERSION,
        "flags": flags_text(p.flags.0, &names),
        "crc": crc_json(p.crc_type, block),
        "destination": p.destination.to_string(),
        "source": p.source.to_string(),
        "report_to": p.report_to.to_string(),
        "creation_timestamp": creation,
        "lifetime_ms": p.lifetime,
        "fragment": p.fragment.map(|f| json!({"offset": f.offset, "total_adu_length": f.total_adu_length})),
    })
}

/// Name of a block type (RFC 9171 §9.1, RFC 9172 §11.1).
pub(crate) fn block_type_name(code: u64) -> String {
    match code {
        block_type::PAYLOAD => "payload".into(),
        block_type::PREVIOUS_NODE => "previous node".into(),
        block_type::BUNDLE_AGE => "bundle age".into(),
        block_type::HOP_COUNT => "hop count".into(),
        block_type::BIB => "block integrity (BIB)".into(),
        block_type::BCB => "block confidentiality (BCB)".into(),
        other => format!("unknown ({other})"),
    }
}

fn block_json(
    b: &CanonicalBlock<'_>,
    block: Option<&[u8]>,
    offset: usize,
    encrypted: &security::Encrypted,
) -> Value {
    let names = BLOCK_FLAG_NAMES.map(|(f, n)| (f.0, n));
    let mut m = Map::new();
    m.insert("offset".into(), offset.into());
    m.insert("type".into(), b.block_type.into());
    m.insert("type_name".into(), block_type_name(b.block_type).into());
    m.insert("number".into(), b.number.into());
    m.insert("flags".into(), flags_text(b.flags.0, &names).into());
    m.insert("crc".into(), crc_json(b.crc_type, block));
    m.insert("data_length".into(), b.data.len().into());
    // A BCB target is ciphertext (RFC 9172 §3.8), an encrypted BIB included: not decoded.
    if let Some(bcb) = encrypted.by(b.number) {
        m.insert("encrypted_by_bcb".into(), bcb.into());
        m.insert(
            "data".into(),
            format!("(encrypted, {} octets)", b.data.len()).into(),
        );
        return Value::Object(m);
    }
    // A BIB's or BCB's data is its ASB, decoded; never dumped raw (it may hold a wrapped key).
    if security::is_security_block(b.block_type) {
        match security::describe(b) {
            Ok(v) => m.insert("security".into(), v),
            Err(e) => m.insert("security_error".into(), e.to_string().into()),
        };
        return Value::Object(m);
    }
    // Decoded data of the blocks RFC 9171 defines; anything else, or data that does not decode,
    // as hex.
    let data = match b.block_data() {
        Ok(BlockData::PreviousNode(eid)) => json!({"previous_node": eid.to_string()}),
        Ok(BlockData::BundleAge(ms)) => json!({"bundle_age_ms": ms}),
        Ok(BlockData::HopCount(h)) => {
            json!({"hop_limit": h.limit, "hop_count": h.count, "exceeded": h.is_exceeded()})
        }
        Ok(BlockData::Payload(data) | BlockData::Other(data)) => hex(data).into(),
        Err(e) => {
            m.insert("data_note".into(), format!("not decodable: {e}").into());
            hex(b.data).into()
        }
    };
    m.insert("data".into(), data);
    Value::Object(m)
}

/// Renders a report as indented `name: value` lines.
pub fn render_text(report: &Value) -> String {
    let mut out = String::new();
    render(report, 0, &mut out);
    out
}

fn render(value: &Value, depth: usize, out: &mut String) {
    let pad = "  ".repeat(depth);
    match value {
        Value::Object(map) => {
            for (k, v) in map {
                match v {
                    Value::Object(_) => {
                        out.push_str(&format!("{pad}{k}:\n"));
                        render(v, depth + 1, out);
                    }
                    Value::Array(items) if items.iter().all(|i| !i.is_object()) => {
                        let items: Vec<String> = items
                            .iter()
                            .map(|i| match i {
                                Value::String(s) => s.clone(),
                                other => other.to_string(),
                            })
                            .collect();
                        out.push_str(&format!("{pad}{k}: [{}]\n", items.join(", ")));
                    }
                    Value::Array(items) => {
                        out.push_str(&format!("{pad}{k}: [{}]\n", items.len()));
                        for (i, item) in items.iter().enumerate() {
                            out.push_str(&format!("{pad}  [{i}]\n"));
                            render(item, depth + 2, out);
                        }
                    }
                    Value::String(s) => out.push_str(&format!("{pad}{k}: {s}\n")),
                    other => out.push_str(&format!("{pad}{k}: {other}\n")),
                }
            }
        }
        other => out.push_str(&format!("{pad}{other}\n")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const OPTS: Options = Options {
        segment_header: true,
        aos_insert_zone: 0,
        aos_ocf: false,
        sdls: None,
    };

    fn unhex(s: &str) -> Vec<u8> {
        hex::decode(s).unwrap()
    }

    #[test]
    fn detects_each_kind() {
        // dariol83 TcTransferFrameTest.FIRST_FRAME (BD, SCID 123, segment header C1, FECF 0DEF)
        let frame = unhex("207B001717C1000102030405060708090A0B0C0D0E0F0DEF");
        let v = inspect(&frame, &OPTS).unwrap();
        assert_eq!(
            (v["kind"].as_str(), v["spacecraft_id"].as_u64()),
            (Some("tc_frame"), Some(123))
        );
        assert_eq!(v["fecf"]["value"], "0def");
        let packets = unhex("1002c0340002000102");
        assert_eq!(inspect(&packets, &OPTS).unwrap()["packets"][0]["apid"], 2);
        assert_eq!(
            inspect(&[0xF1, 0x03, 0xAA], &OPTS).unwrap()["kind"],
            "encapsulation_packet"
        );
        // dariol83 TcEncoderTest.testTcEncoding: a randomized CLTU
        let c = unhex("EB90FF429A5468E804BEF6688C29A63957C20255555555555556C5C5C5C5C5C5C579");
        let v = inspect(&c, &Options::default()).unwrap();
        assert_eq!(
            (v["kind"].as_str(), v["randomized"].as_bool()),
            (Some("cltu"), Some(true))
        );
        assert_eq!(v["frame"]["spacecraft_id"], 123);
        assert!(render_text(&v).contains("spacecraft_id: 123"));
    }

    #[test]
    fn downlink_frames_and_cadus() {
        use ccsds_core::{Scid, Vcid};
        use ccsds_tm::aos::AosFrameRepr;
        // spacepackets-py test_tm_frame (unpack_transfer_frame_invalid_fefc, corrected):
        // SCID 3, VC 7, OCF flag, FHP 0x7FE, OCF 01000000 (a CLCW, COP-1), FECF 814A.
        let tm = unhex("003f00001ffe0000010201000000814a");
        let v = inspect(&tm, &OPTS).unwrap();
        assert_eq!(
            (v["kind"].as_str(), v["virtual_channel_id"].as_u64()),
            (Some("tm_frame"), Some(7))
        );
        assert_eq!(v["ocf"]["type"], "CLCW");
        assert_eq!(v["fecf"], "814a");
        assert_eq!(
            v["data_field_status"]["first_header_pointer"],
            "0x7fe (idle data only)"
        );

        // An AOS frame with FHEC, built here.
        let repr = AosFrameRepr {
            fhec: true,
            fecf: true,
            vc_frame_count: 0xABCDE,
            ..AosFrameRepr::idle(Scid::new(0x5A).unwrap())
        };
        let repr = AosFrameRepr {
            vcid: Vcid::new(5).unwrap(),
            ..repr
        };
        let mut aos = [0u8; 64];
        let n = repr.emit(&[0x11; 54], &mut aos).unwrap();
        let v = inspect(&aos[..n], &OPTS).unwrap();
        assert_eq!(
            (v["kind"].as_str(), v["spacecraft_id"].as_u64()),
            (Some("aos_frame"), Some(0x5A))
        );
        assert_eq!(v["virtual_channel_frame_count"], 0xABCDE);
        assert!(v["fhec"].is_string());

        // That TM frame inside a CADU: RS(255,223) I=1 needs a 223-octet frame, so use no RS
        // with the randomizer, and an RS CADU built from a 223-octet idle TM frame.
        let codec = CaduCodec::new(tm.len(), None, true).unwrap();
        let mut cadu = vec![0u8; codec.cadu_len()];
        codec.encode(&tm, &mut cadu).unwrap();
        let v = inspect(&cadu, &OPTS).unwrap();
        assert_eq!(
            (v["kind"].as_str(), v["randomized"].as_bool()),
            (Some("cadu"), Some(true))
        );
        assert_eq!(v["frame"]["kind"], "tm_frame");
        let idle = ccsds_tm::tm::TmFrameRepr {
            fecf: true,
            ..ccsds_tm::tm::TmFrameRepr::idle(Scid::new(9).unwrap(), Vcid::new(7).unwrap())
        };
        let mut frame = [0u8; 223];
        idle.emit_idle(223, &[0x55], &mut frame).unwrap();
        let codec = CaduCodec::new(223, Some((ErrorCapability::E16, 1)), true).unwrap();
        let mut cadu = vec![0u8; codec.cadu_len()];
        codec.encode(&frame, &mut cadu).unwrap();
        cadu[50] ^= 0xFF;
        let v = inspect(&cadu, &OPTS).unwrap();
        assert_eq!(
            (
                v["corrected_symbols"].as_u64(),
                v["reed_solomon"]["e"].as_u64()
            ),
            (Some(1), Some(16))
        );
        assert_eq!(v["frame"]["spacecraft_id"], 9);
    }

    /// bpv7/tests/vectors/bpv7_generated_vectors.json, "bpv7-extension-blocks" (self-made,
    /// cross-checked with the dtn7 bp7 crate): primary CRC-32C, Previous Node, Bundle Age, Hop
    /// Count, payload.
    const EXTENSION_BLOCKS: &str = "9f89070002820282010282028202008202820200820018281a000f424044d33192a7860602000145820282030042d21086070300024319012c44eceb49d0860a0400014482181e0142d4b486010100025823526561647920746f2067656e657261746520612033322d62797465207061796c6f6164448f2b7e50ff";

    #[test]
    fn bundle_every_block() {
        let v = inspect(&unhex(EXTENSION_BLOCKS), &Options::default()).unwrap();
        assert_eq!(
            (v["kind"].as_str(), v["strictness"].as_str()),
            (Some("bundle"), Some("strict"))
        );
        assert!(v.get("violated_rules").is_none());
        let p = &v["primary_block"];
        assert_eq!(p["version"], 7);
        assert_eq!(p["flags"], "0x0 (none)");
        assert_eq!(
            p["crc"],
            json!({"type": "CRC-32C", "value": "d33192a7", "valid": true})
        );
        assert_eq!(
            (&p["destination"], &p["source"], &p["report_to"]),
            (&json!("ipn:1.2"), &json!("ipn:2.0"), &json!("ipn:2.0"))
        );
        assert_eq!(p["creation_timestamp"]["sequence"], 40);
        assert_eq!(p["lifetime_ms"], 1_000_000);
        assert!(p["fragment"].is_null());
        let b = &v["blocks"];
        assert_eq!(v["block_count"], 4);
        assert_eq!(b[0]["type_name"], "previous node");
        assert_eq!(b[0]["data"]["previous_node"], "ipn:3.0");
        assert_eq!(b[0]["crc"]["value"], "d210");
        assert_eq!(b[1]["data"]["bundle_age_ms"], 300);
        assert_eq!(
            (&b[2]["data"]["hop_limit"], &b[2]["data"]["hop_count"]),
            (&json!(30), &json!(1))
        );
        assert_eq!(
            (&b[3]["type_name"], &b[3]["number"]),
            (&json!("payload"), &json!(1))
        );
        assert_eq!(b[3]["data_length"], 35);
        assert_eq!(
            b[3]["data"],
            hex::encode("Ready to generate a 32-byte payload")
        );
        assert!(render_text(&v).contains("previous_node: ipn:3.0"));
    }

    #[test]
    fn bundle_flags_fragment_and_long_payload() {
        use bpv7::bundle::BundleBuilder;
        use bpv7::eid::Eid;
        use bpv7::primary::{CreationTimestamp, FragmentInfo};
        let node = Eid::parse_uri("ipn:1.0").unwrap();
        let primary = PrimaryBlock {
            flags: BundleFlags::IS_FRAGMENT | BundleFlags::REPORT_DELIVERY,
            crc_type: CrcType::Crc16X25,
            destination: Eid::parse_uri("dtn://ground/telemetry").unwrap(),
            source: node,
            report_to: node,
            creation: CreationTimestamp {
                time: 757_382_400_001,
                sequence: 3,
            },
            lifetime: 60_000,
            fragment: Some(FragmentInfo {
                offset: 100,
                total_adu_length: 1000,
            }),
        };
        let payload = [0xAB; 100];
        let bytes = BundleBuilder::new(primary)
            .payload(&payload, BlockFlags(0x11), CrcType::Crc32C)
            .to_vec()
            .unwrap();
        let v = inspect(&bytes, &Options::default()).unwrap();
        let p = &v["primary_block"];
        assert_eq!(p["flags"], "0x20001 (is_fragment, report_delivery)");
        assert_eq!(p["destination"], "dtn://ground/telemetry");
        assert_eq!(p["creation_timestamp"]["utc"], "2024-01-01T00:00:00.001Z");
        assert_eq!(p["fragment"]["total_adu_length"], 1000);
        let payload_block = &v["blocks"][0];
        assert_eq!(
            payload_block["flags"],
            "0x11 (replicate_in_every_fragment, discard_if_unprocessable)"
        );
        assert_eq!(payload_block["data_length"], 100);
        let shown = payload_block["data"].as_str().unwrap();
        assert!(shown.ends_with('…') && shown.starts_with(&"ab".repeat(HEX_LIMIT)));
    }

    #[test]
    fn dtn_time_as_utc() {
        assert_eq!(dtn_time_utc(0), "2000-01-01T00:00:00.000Z");
        // 2000-02-29 (leap year), 2100-03-01 (2100 is not a leap year).
        assert_eq!(dtn_time_utc(59 * 86_400_000), "2000-02-29T00:00:00.000Z");
        assert_eq!(
            dtn_time_utc(36_584 * 86_400_000 + 3_723_004),
            "2100-03-01T01:02:03.004Z"
        );
    }

    #[test]
    fn bundle_lenient_names_the_broken_rules() {
        // RFC 9173 Appendix A.1.1 bundle (bpv7/tests/vectors/a1_bib_hmac_sha2.json,
        // original_bundle): no primary CRC, creation time 0 without Bundle Age, source ipn:2.1.
        let a1 = unhex(
            "9f88070000820282010282028202018202820201820018281a000f424085010100005823526561647920746f2067656e657261746520612033322d62797465207061796c6f6164ff",
        );
        let v = inspect(&a1, &Options::default()).unwrap();
        assert_eq!(v["strictness"], "lenient");
        let rules: Vec<&str> = v["violated_rules"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["rule"].as_str().unwrap().split(' ').next().unwrap())
            .collect();
        assert_eq!(
            rules,
            [
                "require_primary_crc",
                "require_bundle_age",
                "require_node_ids"
            ]
        );
        assert_eq!(v["primary_block"]["crc"]["type"], "none");
        assert_eq!(v["primary_block"]["source"], "ipn:2.1");
    }

    #[test]
    fn bundle_errors() {
        // bpv7_generated_vectors.json "bpv7-extension-blocks-bad-hop-count-crc".
        let mut bad = unhex(EXTENSION_BLOCKS);
        bad[74] ^= 1; // the Hop Count CRC d4b4 -> d4b5, as in the vector
        let e = inspect(&bad, &OPTS).unwrap_err().to_string();
        assert_eq!(
            e,
            "invalid bundle: at byte 72: CRC mismatch in block 4: received 0xd4b5, computed 0xd4b4"
        );
        // Truncated: the break is missing.
        let good = unhex(EXTENSION_BLOCKS);
        let e = inspect(&good[..good.len() - 1], &OPTS)
            .unwrap_err()
            .to_string();
        assert!(e.starts_with("invalid bundle: at byte"), "{e}");
    }

    #[test]
    fn sdls_security_header() {
        // CryptoLib's AES-GCM TC frame (shared/vectors/ccsds/nasa_cryptolib.json,
        // "et_dt_validation.DT_VALIDATION.AUTH_DECRYPTION_TEST.dec_test_ping_h").
        let frame = unhex(
            "2003043400ff00040000000000000000000000017e1d8eea8d45ceba17888e0cdcd747dc78e5f372f997f2a63aa5dfc168395dc987",
        );
        let layout = SdlsLayout {
            header: HeaderLayout {
                iv_len: 12,
                sn_len: 0,
                pad_length_len: 0,
            },
            mac_len: 16,
        };
        let opts = Options {
            sdls: Some(layout),
            ..OPTS
        };
        let v = inspect(&frame, &opts).unwrap();
        assert_eq!(v["sdls"]["spi"], 4);
        assert_eq!(v["sdls"]["iv"], "000000000000000000000001");
        assert_eq!(v["sdls"]["protected_data_length"], 15);
        assert_eq!(v["sdls"]["mac"], hex(&frame[35..51]));
        let tiny = Options {
            sdls: Some(SdlsLayout {
                mac_len: 64,
                ..layout
            }),
            ..OPTS
        };
        assert!(
            inspect(&frame, &tiny).unwrap()["sdls_error"]
                .as_str()
                .unwrap()
                .contains("truncated")
        );
    }

    #[test]
    fn errors_name_offset_and_field() {
        let mut frame = unhex("207B001717C1000102030405060708090A0B0C0D0E0F0DEF");
        frame[0] |= 0x0C; // reserved spare bits set (232.0-B-4 §4.1.2.5)
        let e = inspect(&frame, &OPTS).unwrap_err().to_string();
        assert!(e.starts_with("invalid"), "{e}");
        assert!(e.contains("at byte"), "{e}");
        assert_eq!(inspect(&[], &OPTS).unwrap_err().to_string(), "empty input");
        assert!(
            inspect(&[0x10, 0, 0], &OPTS)
                .unwrap_err()
                .to_string()
                .contains("truncated")
        );
    }
}
