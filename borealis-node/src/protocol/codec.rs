//! CBOR encoding and strict decoding of [`Message`]s with the workspace's one codec,
//! `bpv7::cbor` (`PROTOCOL.md`, "Encoding" and "Decoding rules").
//!
//! Every message is one definite-length CBOR array `[version, type, id, body…]`. The encoder
//! emits RFC 8949 §4.2.1 core deterministic encoding (shortest heads, definite lengths, no
//! maps, no floats); the decoder accepts exactly that and nothing else, so that
//! `encode(decode(bytes)) == bytes` for every payload it accepts and each message has one
//! encoding (what the record/replay test of issue #6 compares byte for byte).

use std::borrow::Cow;

use bpv7::cbor::{
    self, Decoder, MAJOR_NINT, MAJOR_TAG, MAJOR_TEXT, MAJOR_UINT, write_array_head, write_bool,
    write_bytes, write_int, write_text, write_uint,
};

use super::error::{DecodeError, DecodeErrorKind, EncodeError, Invalid};
use super::message::{
    CaptureParams, CheckItem, ChunkSelection, Command, CommandKind, CommandResult, ErrorCode,
    ErrorReply, ImageChunk, ImageRequest, Message, MessageKind, PONG, RekeyOutcome, RekeyRequest,
    RekeyResult, Response, Sample, Telemetry, TelemetryQuery, VERSION, Value, check_chunk,
    check_request_id, check_scale, check_selection,
};

/// The head of tag 4, decimal fraction (RFC 8949 §3.4.4), in its only shortest form.
const TAG_DECIMAL_FRACTION: u8 = (MAJOR_TAG << 5) | 4;

/// Elements of the envelope before the body: version, type, id.
const HEADER_LEN: u64 = 3;

/// Number of body elements after the envelope, per message type.
const fn body_len(kind: MessageKind) -> u64 {
    match kind {
        MessageKind::ImageChunk => 6,
        MessageKind::ImageRequest | MessageKind::Error => 2,
        MessageKind::TelemetryQuery
        | MessageKind::Telemetry
        | MessageKind::Command
        | MessageKind::Response
        | MessageKind::RekeyRequest
        | MessageKind::RekeyResult => 1,
    }
}

/// The envelope of a message, read without validating the rest: what a node needs to address
/// an `Error` reply to a payload it cannot decode (`PROTOCOL.md`, "Versioning": the envelope is
/// the same in every version).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Header {
    /// Protocol version.
    pub version: u64,
    /// Message type code (possibly unassigned).
    pub kind: u64,
    /// Request id, or the id of the request answered.
    pub id: u64,
}

impl Header {
    /// The envelope of `payload`, if it starts like a message of any version: a definite array
    /// of at least three elements whose first three are unsigned integers.
    pub fn peek(payload: &[u8]) -> Option<Self> {
        let mut dec = Decoder::new(payload);
        if dec.array_definite().ok()? < HEADER_LEN {
            return None;
        }
        Some(Self {
            version: dec.uint().ok()?,
            kind: dec.uint().ok()?,
            id: dec.uint().ok()?,
        })
    }
}

impl<'a> Message<'a> {
    /// Decodes one message that fills `payload` exactly. Byte and text fields borrow from
    /// `payload`. Never panics; every violation of `PROTOCOL.md` is a typed [`DecodeError`].
    pub fn decode(payload: &'a [u8]) -> Result<Self, DecodeError> {
        let mut r = Reader::new(payload, 0);
        let found = r.array_len()?;
        if found == 0 {
            return Err(wrong_length(0, "message", HEADER_LEN, found));
        }
        let version_at = r.pos();
        let version = r.uint()?;
        if version != VERSION {
            return Err(DecodeError::new(
                version_at,
                DecodeErrorKind::UnsupportedVersion(version),
            ));
        }
        if found < HEADER_LEN {
            return Err(wrong_length(0, "message", HEADER_LEN, found));
        }
        let kind_at = r.pos();
        let code = r.uint()?;
        let kind = MessageKind::from_code(code).ok_or(DecodeError::new(
            kind_at,
            DecodeErrorKind::UnknownMessageType(code),
        ))?;
        let expected = HEADER_LEN + body_len(kind);
        if found != expected {
            return Err(wrong_length(0, "message", expected, found));
        }
        let id_at = r.pos();
        let id = r.uint()?;
        if kind.is_request() {
            check_request_id(id).map_err(|e| e.at(id_at))?;
        }
        let message = match kind {
            MessageKind::TelemetryQuery => Self::TelemetryQuery(TelemetryQuery {
                id,
                names: r.list(Reader::text_cow)?,
            }),
            MessageKind::Telemetry => Self::Telemetry(Telemetry {
                request_id: id,
                samples: r.list(Reader::sample)?,
            }),
            MessageKind::Command => Self::Command(Command {
                id,
                command: r.command()?,
            }),
            MessageKind::Response => Self::Response(Response {
                request_id: id,
                result: r.result()?,
            }),
            MessageKind::RekeyRequest => Self::RekeyRequest(RekeyRequest {
                id,
                otar: r.bytes_cow()?,
            }),
            MessageKind::RekeyResult => Self::RekeyResult(RekeyResult {
                request_id: id,
                outcome: if r.dec.peek_major().map_err(|e| r.cbor(e))? == MAJOR_TEXT {
                    RekeyOutcome::Rejected(r.text_cow()?)
                } else {
                    RekeyOutcome::Accepted(r.bytes_cow()?)
                },
            }),
            MessageKind::ImageRequest => Self::ImageRequest(ImageRequest {
                id,
                image_id: r.uint()?,
                chunks: r.selection()?,
            }),
            MessageKind::ImageChunk => Self::ImageChunk(r.chunk(id)?),
            MessageKind::Error => Self::Error(ErrorReply {
                request_id: id,
                code: r.error_code()?,
                text: r.text_cow()?,
            }),
        };
        r.finish()?;
        Ok(message)
    }
}

impl Message<'_> {
    /// The message's deterministic encoding (`PROTOCOL.md`), or the rule it breaks.
    pub fn encode(&self) -> Result<Vec<u8>, EncodeError> {
        let mut out = Vec::new();
        self.encode_into(&mut out)?;
        Ok(out)
    }

    /// Appends the message's encoding to `out`; on error nothing is appended.
    pub fn encode_into(&self, out: &mut Vec<u8>) -> Result<(), EncodeError> {
        self.validate()?;
        self.write(out);
        Ok(())
    }

    /// Checks every field rule the decoder enforces, so that the encoder never emits a
    /// message its decoder would reject.
    fn validate(&self) -> Result<(), Invalid> {
        if self.kind().is_request() {
            check_request_id(self.id())?;
        }
        match self {
            Self::Telemetry(t) => t.samples.iter().try_for_each(|s| match s.value {
                Value::Fixed { scale, .. } => check_scale(scale),
                _ => Ok(()),
            }),
            Self::ImageRequest(ImageRequest {
                chunks: ChunkSelection::Only(indices),
                ..
            }) => check_selection(indices),
            Self::ImageChunk(c) => check_chunk(c.index, c.total, c.size, c.data.len()),
            _ => Ok(()),
        }
    }

    /// Writes a validated message.
    fn write(&self, out: &mut Vec<u8>) {
        let kind = self.kind();
        write_array_head(out, HEADER_LEN + body_len(kind));
        write_uint(out, VERSION);
        write_uint(out, kind.code());
        write_uint(out, self.id());
        match self {
            Self::TelemetryQuery(q) => {
                write_array_head(out, q.names.len() as u64);
                q.names.iter().for_each(|n| write_text(out, n));
            }
            Self::Telemetry(t) => {
                write_array_head(out, t.samples.len() as u64);
                t.samples.iter().for_each(|s| write_sample(out, s));
            }
            Self::Command(c) => write_command(out, &c.command),
            Self::Response(r) => write_result(out, &r.result),
            Self::RekeyRequest(r) => write_bytes(out, &r.otar),
            Self::RekeyResult(r) => match &r.outcome {
                RekeyOutcome::Accepted(b) => write_bytes(out, b),
                RekeyOutcome::Rejected(t) => write_text(out, t),
            },
            Self::ImageRequest(r) => {
                write_uint(out, r.image_id);
                match &r.chunks {
                    ChunkSelection::All => write_array_head(out, 0),
                    ChunkSelection::Only(indices) => {
                        write_array_head(out, indices.len() as u64);
                        indices.iter().for_each(|&i| write_uint(out, u64::from(i)));
                    }
                }
            }
            Self::ImageChunk(c) => {
                write_uint(out, c.image_id);
                write_uint(out, u64::from(c.index));
                write_uint(out, u64::from(c.total));
                write_uint(out, c.size);
                write_bytes(out, &c.sha256);
                write_bytes(out, &c.data);
            }
            Self::Error(e) => {
                write_uint(out, e.code.code());
                write_text(out, &e.text);
            }
        }
    }
}

/// `[name, time, value]`; value is an int, a decimal fraction or a text.
fn write_sample(out: &mut Vec<u8>, s: &Sample<'_>) {
    write_array_head(out, 3);
    write_text(out, &s.name);
    write_uint(out, s.time_ms);
    match &s.value {
        Value::Int(i) => write_int(out, *i),
        Value::Fixed { mantissa, scale } => {
            // RFC 8949 §3.4.4: 4([exponent, mantissa]), value = mantissa × 10^exponent.
            out.push(TAG_DECIMAL_FRACTION);
            write_array_head(out, 2);
            write_int(out, -i64::from(*scale));
            write_int(out, *mantissa);
        }
        Value::Text(t) => write_text(out, t),
    }
}

/// `[code, args…]`.
fn write_command(out: &mut Vec<u8>, command: &CommandKind<'_>) {
    let code = command.code();
    match command {
        CommandKind::Ping | CommandKind::Check | CommandKind::Halt => {
            write_array_head(out, 1);
            write_uint(out, code);
        }
        CommandKind::Capture(p) => {
            write_array_head(out, 4);
            write_uint(out, code);
            write_uint(out, u64::from(p.width));
            write_uint(out, u64::from(p.height));
            write_uint(out, u64::from(p.exposure_ms));
        }
        CommandKind::Mission {
            code: mission,
            args,
        } => {
            write_array_head(out, 3);
            write_uint(out, code);
            write_uint(out, u64::from(*mission));
            write_bytes(out, args);
        }
    }
}

/// `[code, result…]`.
fn write_result(out: &mut Vec<u8>, result: &CommandResult<'_>) {
    let code = result.code();
    match result {
        CommandResult::Pong => {
            write_array_head(out, 2);
            write_uint(out, code);
            write_text(out, PONG);
        }
        CommandResult::CheckReport(items) => {
            write_array_head(out, 2);
            write_uint(out, code);
            write_array_head(out, items.len() as u64);
            for item in items {
                write_array_head(out, 3);
                write_text(out, &item.name);
                write_bool(out, item.passed);
                write_text(out, &item.detail);
            }
        }
        CommandResult::Captured {
            image_id,
            size,
            chunks,
        } => {
            write_array_head(out, 4);
            write_uint(out, code);
            write_uint(out, *image_id);
            write_uint(out, *size);
            write_uint(out, u64::from(*chunks));
        }
        CommandResult::Halting => {
            write_array_head(out, 1);
            write_uint(out, code);
        }
        CommandResult::Mission {
            code: mission,
            data,
        } => {
            write_array_head(out, 3);
            write_uint(out, code);
            write_uint(out, u64::from(*mission));
            write_bytes(out, data);
        }
    }
}

/// [`DecodeErrorKind::ArrayLength`] for the array at payload offset `at`.
const fn wrong_length(at: usize, what: &'static str, expected: u64, found: u64) -> DecodeError {
    DecodeError::new(
        at,
        DecodeErrorKind::ArrayLength {
            what,
            expected,
            found,
        },
    )
}

/// A strict decoder whose errors are [`DecodeError`]s with offsets from the start of the
/// payload (`base` is where the decoder's slice starts in the payload).
struct Reader<'a> {
    dec: Decoder<'a>,
    base: usize,
}

impl<'a> Reader<'a> {
    /// A strict reader over `bytes`, which start `base` octets into the payload.
    const fn new(bytes: &'a [u8], base: usize) -> Self {
        Self {
            dec: Decoder::strict(bytes),
            base,
        }
    }

    /// Offset of the next item in the payload.
    fn pos(&self) -> usize {
        self.base.saturating_add(self.dec.position())
    }

    /// A CBOR error, moved to payload offsets.
    fn cbor(&self, e: bpv7::Error) -> DecodeError {
        DecodeError::new(
            self.base.saturating_add(e.offset),
            DecodeErrorKind::Cbor(e.kind),
        )
    }

    fn uint(&mut self) -> Result<u64, DecodeError> {
        self.dec.uint().map_err(|e| self.cbor(e))
    }

    fn int(&mut self) -> Result<i64, DecodeError> {
        self.dec.int().map_err(|e| self.cbor(e))
    }

    /// An unsigned integer that must fit `T` (e.g. a `u16` mission code).
    fn narrow<T: TryFrom<u64>>(&mut self, field: &'static str) -> Result<T, DecodeError> {
        let at = self.pos();
        let value = self.uint()?;
        T::try_from(value).map_err(|_| {
            Invalid {
                field,
                reason: "out of range",
            }
            .at(at)
        })
    }

    fn bool(&mut self) -> Result<bool, DecodeError> {
        self.dec.bool().map_err(|e| self.cbor(e))
    }

    fn bytes_cow(&mut self) -> Result<Cow<'a, [u8]>, DecodeError> {
        self.dec
            .bytes()
            .map(Cow::Borrowed)
            .map_err(|e| self.cbor(e))
    }

    fn text_cow(&mut self) -> Result<Cow<'a, str>, DecodeError> {
        self.dec.text().map(Cow::Borrowed).map_err(|e| self.cbor(e))
    }

    /// A definite array head: its number of elements.
    fn array_len(&mut self) -> Result<u64, DecodeError> {
        self.dec.array_definite().map_err(|e| self.cbor(e))
    }

    /// A definite array head of exactly `expected` elements.
    fn array_exact(&mut self, what: &'static str, expected: u64) -> Result<(), DecodeError> {
        let at = self.pos();
        let found = self.array_len()?;
        if found != expected {
            return Err(wrong_length(at, what, expected, found));
        }
        Ok(())
    }

    /// A definite array of items read by `item`. Capacity grows with what is actually read
    /// (every item takes at least one octet), never with the claimed count.
    fn list<T>(
        &mut self,
        mut item: impl FnMut(&mut Self) -> Result<T, DecodeError>,
    ) -> Result<Vec<T>, DecodeError> {
        let count = self.array_len()?;
        let mut items = Vec::new();
        for _ in 0..count {
            items.push(item(self)?);
        }
        Ok(items)
    }

    /// `[name, time, value]`.
    fn sample(&mut self) -> Result<Sample<'a>, DecodeError> {
        self.array_exact("sample", 3)?;
        Ok(Sample {
            name: self.text_cow()?,
            time_ms: self.uint()?,
            value: self.value()?,
        })
    }

    /// An int, a text, or a decimal fraction `4([-scale, mantissa])`.
    fn value(&mut self) -> Result<Value<'a>, DecodeError> {
        match self.dec.peek_major().map_err(|e| self.cbor(e))? {
            MAJOR_UINT | MAJOR_NINT => Ok(Value::Int(self.int()?)),
            MAJOR_TEXT => Ok(Value::Text(self.text_cow()?)),
            _ if self.dec.remaining().first() == Some(&TAG_DECIMAL_FRACTION) => {
                let start = self.pos();
                let rest = self.dec.remaining();
                // Validates the whole tagged item (well-formed, bounded nesting), then reads
                // its content after the one-octet tag head.
                let span = self.dec.skip().map_err(|e| self.cbor(e))?;
                let content = rest.get(1..span.len()).unwrap_or_default();
                let mut inner = Reader::new(content, start.saturating_add(1));
                inner.array_exact("decimal fraction", 2)?;
                let scale_at = inner.pos();
                let scale = inner
                    .int()?
                    .checked_neg()
                    .and_then(|s| u8::try_from(s).ok())
                    .ok_or(
                        Invalid {
                            field: "fixed-point scale",
                            reason: "must be in 1..=18",
                        }
                        .at(scale_at),
                    )?;
                check_scale(scale).map_err(|e| e.at(scale_at))?;
                let mantissa = inner.int()?;
                inner.finish()?;
                Ok(Value::Fixed { mantissa, scale })
            }
            _ => Err(self.cbor(self.dec.unexpected("integer, text or decimal fraction"))),
        }
    }

    /// `[code, args…]`; the code is checked before the length, so an unknown command is
    /// reported as such whatever its arguments.
    fn command(&mut self) -> Result<CommandKind<'a>, DecodeError> {
        let at = self.pos();
        let found = self.array_len()?;
        if found == 0 {
            return Err(wrong_length(at, "command", 1, found));
        }
        let code_at = self.pos();
        let code = self.uint()?;
        let expected = match code {
            0 | 1 | 3 => 1,
            2 => 4,
            4 => 3,
            _ => {
                return Err(DecodeError::new(
                    code_at,
                    DecodeErrorKind::UnknownCommand(code),
                ));
            }
        };
        if found != expected {
            return Err(wrong_length(at, "command", expected, found));
        }
        Ok(match code {
            0 => CommandKind::Ping,
            1 => CommandKind::Check,
            2 => CommandKind::Capture(CaptureParams {
                width: self.narrow("capture width")?,
                height: self.narrow("capture height")?,
                exposure_ms: self.narrow("capture exposure")?,
            }),
            3 => CommandKind::Halt,
            _ => CommandKind::Mission {
                code: self.narrow("mission command code")?,
                args: self.bytes_cow()?,
            },
        })
    }

    /// `[code, result…]`, the code checked before the length as for commands.
    fn result(&mut self) -> Result<CommandResult<'a>, DecodeError> {
        let at = self.pos();
        let found = self.array_len()?;
        if found == 0 {
            return Err(wrong_length(at, "result", 1, found));
        }
        let code_at = self.pos();
        let code = self.uint()?;
        let expected = match code {
            0 | 1 => 2,
            2 => 4,
            3 => 1,
            4 => 3,
            _ => {
                return Err(DecodeError::new(
                    code_at,
                    DecodeErrorKind::UnknownResult(code),
                ));
            }
        };
        if found != expected {
            return Err(wrong_length(at, "result", expected, found));
        }
        Ok(match code {
            0 => {
                let text_at = self.pos();
                if self.text_cow()? != PONG {
                    return Err(Invalid {
                        field: "pong",
                        reason: "text is not \"PONG\"",
                    }
                    .at(text_at));
                }
                CommandResult::Pong
            }
            1 => CommandResult::CheckReport(self.list(|r| {
                r.array_exact("check item", 3)?;
                Ok(CheckItem {
                    name: r.text_cow()?,
                    passed: r.bool()?,
                    detail: r.text_cow()?,
                })
            })?),
            2 => CommandResult::Captured {
                image_id: self.uint()?,
                size: self.uint()?,
                chunks: self.narrow("chunk count")?,
            },
            3 => CommandResult::Halting,
            _ => CommandResult::Mission {
                code: self.narrow("mission command code")?,
                data: self.bytes_cow()?,
            },
        })
    }

    /// `[]` for all chunks, else strictly increasing indices.
    fn selection(&mut self) -> Result<ChunkSelection, DecodeError> {
        let at = self.pos();
        let indices = self.list(|r| r.narrow("chunk index"))?;
        if indices.is_empty() {
            return Ok(ChunkSelection::All);
        }
        check_selection(&indices).map_err(|e| e.at(at))?;
        Ok(ChunkSelection::Only(indices))
    }

    /// The body of an `ImageChunk`.
    fn chunk(&mut self, request_id: u64) -> Result<ImageChunk<'a>, DecodeError> {
        let image_id = self.uint()?;
        let index_at = self.pos();
        let index = self.narrow("chunk index")?;
        let total = self.narrow("chunk total")?;
        let size = self.uint()?;
        let hash_at = self.pos();
        let sha256 = self
            .dec
            .bytes()
            .map_err(|e| self.cbor(e))?
            .try_into()
            .map_err(|_| {
                Invalid {
                    field: "image sha256",
                    reason: "not 32 octets",
                }
                .at(hash_at)
            })?;
        let data = self.bytes_cow()?;
        check_chunk(index, total, size, data.len()).map_err(|e| e.at(index_at))?;
        Ok(ImageChunk {
            request_id,
            image_id,
            index,
            total,
            size,
            sha256,
            data,
        })
    }

    fn error_code(&mut self) -> Result<ErrorCode, DecodeError> {
        let at = self.pos();
        let code = self.uint()?;
        ErrorCode::from_code(code).ok_or(DecodeError::new(
            at,
            DecodeErrorKind::UnknownErrorCode(code),
        ))
    }

    /// Every octet consumed, else [`DecodeErrorKind::TrailingBytes`].
    fn finish(&self) -> Result<(), DecodeError> {
        match self.dec.remaining().len() {
            0 => Ok(()),
            n => Err(DecodeError::new(
                self.pos(),
                DecodeErrorKind::TrailingBytes(n),
            )),
        }
    }
}

/// Encoded length of a CBOR head with argument `value` (re-exported for chunk sizing).
pub(crate) const fn head_len(value: u64) -> usize {
    cbor::head_len(value)
}
