//! The typed errors of the application protocol: what a decoder rejects (with the byte offset of
//! the offending item, like `bpv7::Error`) and what an encoder refuses.

/// A payload that is not a valid protocol message: where (byte offset into the payload) and
/// what. Decoding never panics; every malformed input ends here.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("at byte {offset}: {kind}")]
pub struct DecodeError {
    /// Byte offset of the offending item, from the start of the payload.
    pub offset: usize,
    /// What was wrong.
    pub kind: DecodeErrorKind,
}

impl DecodeError {
    /// A new error.
    pub const fn new(offset: usize, kind: DecodeErrorKind) -> Self {
        Self { offset, kind }
    }
}

impl From<bpv7::Error> for DecodeError {
    fn from(e: bpv7::Error) -> Self {
        Self::new(e.offset, DecodeErrorKind::Cbor(e.kind))
    }
}

/// What was wrong with a payload (`PROTOCOL.md`, "Decoding rules").
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DecodeErrorKind {
    /// Not well-formed CBOR, not in shortest form, or an item of the wrong type
    /// (RFC 8949 §3, §4.2.1).
    #[error("CBOR: {0}")]
    Cbor(bpv7::ErrorKind),
    /// The message's version is not [`super::VERSION`].
    #[error("unsupported protocol version {0}")]
    UnsupportedVersion(u64),
    /// The message type code is not assigned.
    #[error("unknown message type {0}")]
    UnknownMessageType(u64),
    /// The command code of a `Command` is not assigned.
    #[error("unknown command {0}")]
    UnknownCommand(u64),
    /// The result code of a `Response` is not assigned.
    #[error("unknown command result {0}")]
    UnknownResult(u64),
    /// The code of an `Error` message is not assigned.
    #[error("unknown error code {0}")]
    UnknownErrorCode(u64),
    /// An array with another number of elements than its format requires.
    #[error("{what}: {found} elements, expected {expected}")]
    ArrayLength {
        /// Which array.
        what: &'static str,
        /// Elements the format requires.
        expected: u64,
        /// Elements found.
        found: u64,
    },
    /// Octets after the end of the message.
    #[error("{0} trailing octets after the message")]
    TrailingBytes(usize),
    /// A well-typed field whose value the format forbids.
    #[error("invalid {field}: {reason}")]
    InvalidField {
        /// Which field.
        field: &'static str,
        /// Which rule it breaks.
        reason: &'static str,
    },
}

/// A message the encoder refuses because its decoder would reject it (codec discipline: no
/// value is silently truncated or normalised).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("cannot encode {field}: {reason}")]
pub struct EncodeError {
    /// Which field.
    pub field: &'static str,
    /// Which rule it breaks.
    pub reason: &'static str,
}

/// A broken field rule, shared by the encoder ([`EncodeError`]) and the decoder
/// ([`DecodeErrorKind::InvalidField`]) so that both enforce exactly the same rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Invalid {
    pub(crate) field: &'static str,
    pub(crate) reason: &'static str,
}

impl Invalid {
    /// The decoder's form of the rule, at `offset`.
    pub(crate) const fn at(self, offset: usize) -> DecodeError {
        DecodeError::new(
            offset,
            DecodeErrorKind::InvalidField {
                field: self.field,
                reason: self.reason,
            },
        )
    }
}

impl From<Invalid> for EncodeError {
    fn from(i: Invalid) -> Self {
        Self {
            field: i.field,
            reason: i.reason,
        }
    }
}
