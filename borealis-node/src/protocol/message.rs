//! The messages of the application protocol (`PROTOCOL.md`), as plain Rust values.
//!
//! Byte and text fields are [`Cow`]s: a decoded message borrows them from the payload (an
//! image chunk or an OTAR message is never copied on the receive path), while a message being
//! built may own them. [`Message::into_owned`] detaches a decoded message from its payload.

use std::borrow::Cow;

use super::error::Invalid;

/// The protocol version carried first in every message. A receiver rejects every other
/// version with [`super::DecodeErrorKind::UnsupportedVersion`] (`PROTOCOL.md`, "Versioning").
pub const VERSION: u64 = 1;

/// The request id a response carries when it answers no request: unsolicited telemetry (the
/// health record a payload emits on start, issue #6) or an `Error` about a payload whose id
/// could not be read. Requests never use it (`PROTOCOL.md`, "Request ids").
pub const UNSOLICITED: u64 = 0;

/// The largest decimal scale of a [`Value::Fixed`]: 10^18 is the largest power of ten in an
/// `i64`, so every scale up to it has a meaningful mantissa.
pub const MAX_SCALE: u8 = 18;

/// The text of a `Pong` result, fixed by issue #6.
pub const PONG: &str = "PONG";

/// The message type code, second element of every message (`PROTOCOL.md`, "Envelope").
/// Requests have odd codes and their response the next even code, so the pairing is visible on
/// the wire; `Error` answers any request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MessageKind {
    /// [`TelemetryQuery`].
    TelemetryQuery = 1,
    /// [`Telemetry`].
    Telemetry = 2,
    /// [`Command`].
    Command = 3,
    /// [`Response`].
    Response = 4,
    /// [`RekeyRequest`].
    RekeyRequest = 5,
    /// [`RekeyResult`].
    RekeyResult = 6,
    /// [`ImageRequest`].
    ImageRequest = 7,
    /// [`ImageChunk`].
    ImageChunk = 8,
    /// [`ErrorReply`].
    Error = 9,
}

impl MessageKind {
    /// Every kind, in code order.
    pub const ALL: [Self; 9] = [
        Self::TelemetryQuery,
        Self::Telemetry,
        Self::Command,
        Self::Response,
        Self::RekeyRequest,
        Self::RekeyResult,
        Self::ImageRequest,
        Self::ImageChunk,
        Self::Error,
    ];

    /// The wire code.
    pub const fn code(self) -> u64 {
        self as u64
    }

    /// The kind with wire code `code`, if assigned.
    pub fn from_code(code: u64) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.code() == code)
    }

    /// Whether a message of this kind is a request (its id field is its own id, never
    /// [`UNSOLICITED`]) rather than a response (its id field references a request).
    pub const fn is_request(self) -> bool {
        matches!(
            self,
            Self::TelemetryQuery | Self::Command | Self::RekeyRequest | Self::ImageRequest
        )
    }
}

/// One protocol message: the whole content of a bundle payload.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Message<'a> {
    /// Ask for telemetry.
    TelemetryQuery(TelemetryQuery<'a>),
    /// Telemetry samples.
    Telemetry(Telemetry<'a>),
    /// Execute a command.
    Command(Command<'a>),
    /// The result of a command.
    Response(Response<'a>),
    /// Carry an OTAR rekey message to the payload.
    RekeyRequest(RekeyRequest<'a>),
    /// The payload's OTAR answer.
    RekeyResult(RekeyResult<'a>),
    /// Ask for (some chunks of) a captured image.
    ImageRequest(ImageRequest),
    /// One chunk of an image.
    ImageChunk(ImageChunk<'a>),
    /// A request could not be served.
    Error(ErrorReply<'a>),
}

impl Message<'_> {
    /// The message's type.
    pub const fn kind(&self) -> MessageKind {
        match self {
            Self::TelemetryQuery(_) => MessageKind::TelemetryQuery,
            Self::Telemetry(_) => MessageKind::Telemetry,
            Self::Command(_) => MessageKind::Command,
            Self::Response(_) => MessageKind::Response,
            Self::RekeyRequest(_) => MessageKind::RekeyRequest,
            Self::RekeyResult(_) => MessageKind::RekeyResult,
            Self::ImageRequest(_) => MessageKind::ImageRequest,
            Self::ImageChunk(_) => MessageKind::ImageChunk,
            Self::Error(_) => MessageKind::Error,
        }
    }

    /// The id field: a request's own id, or the id of the request a response answers.
    pub const fn id(&self) -> u64 {
        match self {
            Self::TelemetryQuery(m) => m.id,
            Self::Command(m) => m.id,
            Self::RekeyRequest(m) => m.id,
            Self::ImageRequest(m) => m.id,
            Self::Telemetry(m) => m.request_id,
            Self::Response(m) => m.request_id,
            Self::RekeyResult(m) => m.request_id,
            Self::ImageChunk(m) => m.request_id,
            Self::Error(m) => m.request_id,
        }
    }

    /// A copy that owns all its data, detached from the payload it was decoded from.
    pub fn into_owned(self) -> Message<'static> {
        match self {
            Self::TelemetryQuery(m) => Message::TelemetryQuery(TelemetryQuery {
                id: m.id,
                names: m.names.into_iter().map(own_str).collect(),
            }),
            Self::Telemetry(m) => Message::Telemetry(Telemetry {
                request_id: m.request_id,
                samples: m.samples.into_iter().map(Sample::into_owned).collect(),
            }),
            Self::Command(m) => Message::Command(Command {
                id: m.id,
                command: m.command.into_owned(),
            }),
            Self::Response(m) => Message::Response(Response {
                request_id: m.request_id,
                result: m.result.into_owned(),
            }),
            Self::RekeyRequest(m) => Message::RekeyRequest(RekeyRequest {
                id: m.id,
                otar: own_bytes(m.otar),
            }),
            Self::RekeyResult(m) => Message::RekeyResult(RekeyResult {
                request_id: m.request_id,
                outcome: match m.outcome {
                    RekeyOutcome::Accepted(b) => RekeyOutcome::Accepted(own_bytes(b)),
                    RekeyOutcome::Rejected(t) => RekeyOutcome::Rejected(own_str(t)),
                },
            }),
            Self::ImageRequest(m) => Message::ImageRequest(m),
            Self::ImageChunk(m) => Message::ImageChunk(m.into_owned()),
            Self::Error(m) => Message::Error(ErrorReply {
                request_id: m.request_id,
                code: m.code,
                text: own_str(m.text),
            }),
        }
    }
}

/// `TelemetryQuery`: which samples to report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TelemetryQuery<'a> {
    /// Request id (never [`UNSOLICITED`]).
    pub id: u64,
    /// Selectors; empty selects everything. A selector selects a sample whose name equals it or
    /// starts with it followed by `.`: `power` selects `power.bus_voltage_v`.
    pub names: Vec<Cow<'a, str>>,
}

impl TelemetryQuery<'_> {
    /// Whether the query asks for the sample called `name`.
    pub fn selects(&self, name: &str) -> bool {
        self.names.is_empty() || self.names.iter().any(|s| selector_matches(s, name))
    }
}

/// Whether `selector` selects the sample `name` (see [`TelemetryQuery::names`]).
pub fn selector_matches(selector: &str, name: &str) -> bool {
    name.strip_prefix(selector)
        .is_some_and(|rest| rest.is_empty() || rest.starts_with('.'))
}

/// `Telemetry`: named, timestamped samples.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Telemetry<'a> {
    /// The `TelemetryQuery` answered, or [`UNSOLICITED`].
    pub request_id: u64,
    /// The samples, in the order the sources produced them.
    pub samples: Vec<Sample<'a>>,
}

/// One telemetry sample.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sample<'a> {
    /// `<source>.<quantity>`, e.g. `power.bus_voltage_v` (unit as a suffix).
    pub name: Cow<'a, str>,
    /// When it was taken: DTN time, milliseconds since 2000-01-01T00:00:00Z (RFC 9171 §4.2.6),
    /// the time base of the bundles that carry it.
    pub time_ms: u64,
    /// The value.
    pub value: Value<'a>,
}

impl Sample<'_> {
    /// A copy that owns its data.
    pub fn into_owned(self) -> Sample<'static> {
        Sample {
            name: own_str(self.name),
            time_ms: self.time_ms,
            value: match self.value {
                Value::Int(i) => Value::Int(i),
                Value::Fixed { mantissa, scale } => Value::Fixed { mantissa, scale },
                Value::Text(t) => Value::Text(own_str(t)),
            },
        }
    }
}

/// A telemetry value. There are no floats: a fractional quantity is a decimal fixed-point
/// number, so that values compare and replay exactly (issue #6, "Deterministic core") and
/// every value has one encoding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Value<'a> {
    /// An integer (counts, states, percentages).
    Int(i64),
    /// `mantissa × 10^-scale`, `scale` in `1..=MAX_SCALE`: e.g. 7.412 V is
    /// `Fixed { mantissa: 7412, scale: 3 }`. Encoded as an RFC 8949 §3.4.4 decimal fraction.
    Fixed {
        /// The digits.
        mantissa: i64,
        /// Digits after the decimal point, `1..=MAX_SCALE`.
        scale: u8,
    },
    /// A text value (modes, states, a source's error).
    Text(Cow<'a, str>),
}

/// `Command`: execute one command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Command<'a> {
    /// Request id (never [`UNSOLICITED`]).
    pub id: u64,
    /// What to do.
    pub command: CommandKind<'a>,
}

/// The commands: a closed set, so a handler's `match` is exhaustive and a new command is a
/// compile error everywhere it must be handled. Missions add commands through
/// [`CommandKind::Mission`] without changing the protocol (`PROTOCOL.md`, "Mission commands").
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CommandKind<'a> {
    /// Liveness: answered by [`CommandResult::Pong`].
    Ping,
    /// Self-test: answered by [`CommandResult::CheckReport`].
    Check,
    /// Take an image: answered by [`CommandResult::Captured`], then the image moves as
    /// [`ImageChunk`]s.
    Capture(CaptureParams),
    /// Graceful shutdown: answered by [`CommandResult::Halting`].
    Halt,
    /// A mission-defined command: `code` names it, `args` are its opaque arguments (the mission
    /// defines their format). Answered by [`CommandResult::Mission`] or an `Error`.
    Mission {
        /// Mission command code.
        code: u16,
        /// Opaque arguments.
        args: Cow<'a, [u8]>,
    },
}

impl CommandKind<'_> {
    /// The wire code (`PROTOCOL.md`, "Command").
    pub const fn code(&self) -> u64 {
        match self {
            Self::Ping => 0,
            Self::Check => 1,
            Self::Capture(_) => 2,
            Self::Halt => 3,
            Self::Mission { .. } => 4,
        }
    }

    /// A copy that owns its data.
    pub fn into_owned(self) -> CommandKind<'static> {
        match self {
            Self::Ping => CommandKind::Ping,
            Self::Check => CommandKind::Check,
            Self::Capture(p) => CommandKind::Capture(p),
            Self::Halt => CommandKind::Halt,
            Self::Mission { code, args } => CommandKind::Mission {
                code,
                args: own_bytes(args),
            },
        }
    }
}

/// Parameters of a [`CommandKind::Capture`]: the payload's camera (synthetic in the demo) takes
/// a `width × height` 8-bit image.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct CaptureParams {
    /// Pixels per row.
    pub width: u16,
    /// Rows.
    pub height: u16,
    /// Exposure time, milliseconds.
    pub exposure_ms: u32,
}

/// `Response`: the result of a command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Response<'a> {
    /// The `Command` answered.
    pub request_id: u64,
    /// Its result.
    pub result: CommandResult<'a>,
}

/// The result of a command; each variant answers the [`CommandKind`] of the same code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CommandResult<'a> {
    /// Answer to `Ping`: carries the text [`PONG`] on the wire.
    Pong,
    /// Answer to `Check`: one item per self-test.
    CheckReport(Vec<CheckItem<'a>>),
    /// Answer to `Capture`: the image exists and can be requested.
    Captured {
        /// The image's id (assigned by the payload).
        image_id: u64,
        /// Its size in octets.
        size: u64,
        /// How many [`ImageChunk`]s carry it.
        chunks: u32,
    },
    /// Answer to `Halt`: the node stops after this response is written.
    Halting,
    /// Answer to a mission command.
    Mission {
        /// The mission command code answered.
        code: u16,
        /// Opaque result.
        data: Cow<'a, [u8]>,
    },
}

impl CommandResult<'_> {
    /// The wire code, equal to the code of the command it answers.
    pub const fn code(&self) -> u64 {
        match self {
            Self::Pong => 0,
            Self::CheckReport(_) => 1,
            Self::Captured { .. } => 2,
            Self::Halting => 3,
            Self::Mission { .. } => 4,
        }
    }

    /// A copy that owns its data.
    pub fn into_owned(self) -> CommandResult<'static> {
        match self {
            Self::Pong => CommandResult::Pong,
            Self::CheckReport(items) => CommandResult::CheckReport(
                items
                    .into_iter()
                    .map(|i| CheckItem {
                        name: own_str(i.name),
                        passed: i.passed,
                        detail: own_str(i.detail),
                    })
                    .collect(),
            ),
            Self::Captured {
                image_id,
                size,
                chunks,
            } => CommandResult::Captured {
                image_id,
                size,
                chunks,
            },
            Self::Halting => CommandResult::Halting,
            Self::Mission { code, data } => CommandResult::Mission {
                code,
                data: own_bytes(data),
            },
        }
    }
}

/// One self-test of a `CheckReport`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckItem<'a> {
    /// What was tested.
    pub name: Cow<'a, str>,
    /// Whether it passed.
    pub passed: bool,
    /// Human-readable detail.
    pub detail: Cow<'a, str>,
}

/// `RekeyRequest`: an `otar` signed message for the payload's key store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RekeyRequest<'a> {
    /// Request id (never [`UNSOLICITED`]).
    pub id: u64,
    /// The encoded, ML-DSA-signed `otar` message, carried opaquely.
    pub otar: Cow<'a, [u8]>,
}

/// `RekeyResult`: what the payload's key store said.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RekeyResult<'a> {
    /// The `RekeyRequest` answered.
    pub request_id: u64,
    /// The outcome.
    pub outcome: RekeyOutcome<'a>,
}

/// The outcome of a rekey.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RekeyOutcome<'a> {
    /// The `otar` response message, carried opaquely.
    Accepted(Cow<'a, [u8]>),
    /// Why the `otar` message was refused.
    Rejected(Cow<'a, str>),
}

/// `ImageRequest`: send (some chunks of) an image.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImageRequest {
    /// Request id (never [`UNSOLICITED`]).
    pub id: u64,
    /// The image (from [`CommandResult::Captured`]).
    pub image_id: u64,
    /// Which chunks.
    pub chunks: ChunkSelection,
}

/// Which chunks of an image an [`ImageRequest`] asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChunkSelection {
    /// Every chunk (the first request).
    All,
    /// Only these chunk indices (retransmission of the ones missing): non-empty and strictly
    /// increasing, so each selection has one encoding.
    Only(Vec<u32>),
}

/// `ImageChunk`: one piece of an image, with what the receiver needs to reassemble and verify
/// the whole ([`super::ImageAssembler`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImageChunk<'a> {
    /// The `ImageRequest` (or `Capture` command) answered.
    pub request_id: u64,
    /// The image.
    pub image_id: u64,
    /// This chunk's index, `< total`.
    pub index: u32,
    /// Number of chunks of the image (at least 1).
    pub total: u32,
    /// Size of the whole image in octets.
    pub size: u64,
    /// SHA-256 of the whole image: checked after reassembly, end to end.
    pub sha256: [u8; 32],
    /// The chunk's octets (at most `size`).
    pub data: Cow<'a, [u8]>,
}

impl ImageChunk<'_> {
    /// A copy that owns its data.
    pub fn into_owned(self) -> ImageChunk<'static> {
        ImageChunk {
            data: own_bytes(self.data),
            ..self
        }
    }
}

/// `Error`: a request could not be served.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ErrorReply<'a> {
    /// The request concerned, or [`UNSOLICITED`] if its id could not be read.
    pub request_id: u64,
    /// What kind of failure.
    pub code: ErrorCode,
    /// Human-readable detail.
    pub text: Cow<'a, str>,
}

/// The error codes of an `Error` message (`PROTOCOL.md`, "Error codes"). Closed: a new code is
/// a new protocol version.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ErrorCode {
    /// The request could not be decoded.
    Malformed = 1,
    /// The request's protocol version is not supported.
    UnsupportedVersion = 2,
    /// The command (or mission command code) is not known to this node.
    UnknownCommand = 3,
    /// A well-formed request with arguments the node cannot serve.
    InvalidArgument = 4,
    /// The image requested does not exist (any more).
    UnknownImage = 5,
    /// A resource (store, memory, camera) is exhausted or busy; retry later.
    ResourceExhausted = 6,
    /// The node is halting and did not execute the request.
    Halting = 7,
    /// A fault of the node itself.
    Internal = 8,
    /// A mission command failed (detail in the text).
    MissionFailed = 9,
}

impl ErrorCode {
    /// Every code, in code order.
    pub const ALL: [Self; 9] = [
        Self::Malformed,
        Self::UnsupportedVersion,
        Self::UnknownCommand,
        Self::InvalidArgument,
        Self::UnknownImage,
        Self::ResourceExhausted,
        Self::Halting,
        Self::Internal,
        Self::MissionFailed,
    ];

    /// The wire code.
    pub const fn code(self) -> u64 {
        self as u64
    }

    /// The error code with wire code `code`, if assigned.
    pub fn from_code(code: u64) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.code() == code)
    }
}

// Field rules, shared by the encoder and the decoder (`PROTOCOL.md`, "Decoding rules").

/// A request's id is never [`UNSOLICITED`] (`PROTOCOL.md`, "Request ids").
pub(crate) const fn check_request_id(id: u64) -> Result<(), Invalid> {
    if id == UNSOLICITED {
        return Err(Invalid {
            field: "request id",
            reason: "0 is reserved for unsolicited responses",
        });
    }
    Ok(())
}

/// A fixed-point scale is in `1..=MAX_SCALE` (scale 0 would duplicate [`Value::Int`]).
pub(crate) const fn check_scale(scale: u8) -> Result<(), Invalid> {
    if scale == 0 || scale > MAX_SCALE {
        return Err(Invalid {
            field: "fixed-point scale",
            reason: "must be in 1..=18",
        });
    }
    Ok(())
}

/// Retransmission indices are non-empty and strictly increasing.
pub(crate) fn check_selection(indices: &[u32]) -> Result<(), Invalid> {
    if indices.is_empty() {
        return Err(Invalid {
            field: "chunk indices",
            reason: "an explicit selection is non-empty (the empty array means all)",
        });
    }
    if indices.windows(2).any(|w| w.first() >= w.get(1)) {
        return Err(Invalid {
            field: "chunk indices",
            reason: "not strictly increasing",
        });
    }
    Ok(())
}

/// A chunk's index is below its total, and its data fits in the image.
pub(crate) fn check_chunk(
    index: u32,
    total: u32,
    size: u64,
    data_len: usize,
) -> Result<(), Invalid> {
    if index >= total {
        return Err(Invalid {
            field: "chunk index",
            reason: "not below the chunk total",
        });
    }
    if u64::try_from(data_len).map_or(true, |len| len > size) {
        return Err(Invalid {
            field: "chunk data",
            reason: "larger than the image",
        });
    }
    Ok(())
}

/// `Cow::Owned` of any `Cow<str>`.
fn own_str(s: Cow<'_, str>) -> Cow<'static, str> {
    Cow::Owned(s.into_owned())
}

/// `Cow::Owned` of any `Cow<[u8]>`.
fn own_bytes(b: Cow<'_, [u8]>) -> Cow<'static, [u8]> {
    Cow::Owned(b.into_owned())
}
