//! The application protocol carried in bundle payloads (issue #6, "Application protocol";
//! the normative description is `borealis-node/PROTOCOL.md`).
//!
//! One bundle payload holds one [`Message`]: a CBOR array `[version, type, id, body…]` encoded
//! with the workspace's codec (`bpv7::cbor`) in RFC 8949 §4.2.1 deterministic form and decoded
//! strictly (no alternative encodings, no trailing octets), so that a recorded exchange replays
//! byte for byte. Requests (`TelemetryQuery`, `Command`, `RekeyRequest`, `ImageRequest`) carry
//! a non-zero id chosen by the requester; every response (`Telemetry`, `Response`,
//! `RekeyResult`, `ImageChunk`, `Error`) carries the id of the request it answers, which is
//! what the `session` module matches on.
//!
//! Besides the codec the module holds the sans-IO parts of two procedures:
//! image transfer ([`ImageChunker`], [`ImageAssembler`]) and telemetry production
//! ([`TelemetrySource`], [`SyntheticSource`]).
//!
//! | submodule | what |
//! |---|---|
//! | `message` | the message types and the field rules both directions enforce |
//! | `codec` | encoding and strict decoding |
//! | `error` | [`DecodeError`], [`EncodeError`] |
//! | `image` | chunking an image to a payload budget, reassembling and verifying it |
//! | `telemetry` | telemetry sources |

mod codec;
mod error;
mod image;
mod message;
mod telemetry;

pub use codec::Header;
pub use error::{DecodeError, DecodeErrorKind, EncodeError};
pub use image::{
    Accepted, AssemblyError, CHUNK_BOOKKEEPING, ChunkError, ImageAssembler, ImageChunker,
};
pub use message::{
    CaptureParams, CheckItem, ChunkSelection, Command, CommandKind, CommandResult, ErrorCode,
    ErrorReply, ImageChunk, ImageRequest, MAX_SCALE, Message, MessageKind, PONG, RekeyOutcome,
    RekeyRequest, RekeyResult, Response, Sample, Telemetry, TelemetryQuery, UNSOLICITED, VERSION,
    Value, selector_matches,
};
pub use telemetry::{ORBIT_MS, SyntheticSource, TelemetrySource, collect};
