//! The error type shared by every CCSDS decoder and encoder in the workspace.

use core::fmt;

/// What was wrong with a field, a length or a checksum.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The buffer ended before the field did.
    Truncated {
        /// Octets the structure needs from its start.
        needed: usize,
        /// Octets that were available.
        available: usize,
    },
    /// The field holds a value the standard forbids (or, on encode, one that does not fit).
    InvalidValue {
        /// The offending value.
        value: u64,
    },
    /// A length field disagrees with the actual length of the data.
    LengthMismatch {
        /// Length the header declares (in octets).
        declared: usize,
        /// Length that is actually there (in octets).
        actual: usize,
    },
    /// A checksum (CRC, FECF) does not match the data.
    Checksum {
        /// Value carried on the wire.
        received: u32,
        /// Value computed over the data.
        computed: u32,
    },
    /// A code block carries more errors than the code can correct (or detects an error in
    /// detection-only mode).
    Uncorrectable {
        /// Index of the code block (0-based) within its container.
        block: usize,
    },
    /// A destination buffer is too small for what an encoder must write.
    BufferTooSmall {
        /// Octets the encoder needs.
        needed: usize,
        /// Octets the buffer has.
        available: usize,
    },
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Self::Truncated { needed, available } => {
                write!(f, "truncated: needs {needed} octets, {available} available")
            }
            Self::InvalidValue { value } => write!(f, "invalid value {value:#x}"),
            Self::LengthMismatch { declared, actual } => {
                write!(
                    f,
                    "length mismatch: declared {declared} octets, actual {actual}"
                )
            }
            Self::Checksum { received, computed } => {
                write!(
                    f,
                    "checksum mismatch: received {received:#06x}, computed {computed:#06x}"
                )
            }
            Self::Uncorrectable { block } => write!(f, "uncorrectable code block {block}"),
            Self::BufferTooSmall { needed, available } => {
                write!(
                    f,
                    "buffer too small: needs {needed} octets, has {available}"
                )
            }
        }
    }
}

/// A decoding or encoding error: which field, at which byte offset, and what was wrong.
///
/// Offsets are relative to the start of the buffer handed to the failing call (for stream
/// decoders, the start of the stream), so a tool can point at the exact octet.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("{field} at byte {offset}: {kind}")]
pub struct WireError {
    /// Byte offset of the field (or of the structure that failed) in the input.
    pub offset: usize,
    /// Name of the field, as the standard spells it.
    pub field: &'static str,
    /// What was wrong.
    pub kind: ErrorKind,
}

impl WireError {
    /// A new error.
    pub const fn new(offset: usize, field: &'static str, kind: ErrorKind) -> Self {
        Self {
            offset,
            field,
            kind,
        }
    }

    /// `field` needs `needed` octets but only `available` are there.
    pub const fn truncated(
        offset: usize,
        field: &'static str,
        needed: usize,
        available: usize,
    ) -> Self {
        Self::new(offset, field, ErrorKind::Truncated { needed, available })
    }

    /// `field` holds a forbidden (or unencodable) value.
    pub const fn invalid(offset: usize, field: &'static str, value: u64) -> Self {
        Self::new(offset, field, ErrorKind::InvalidValue { value })
    }

    /// `field` declares `declared` octets where `actual` are present.
    pub const fn length_mismatch(
        offset: usize,
        field: &'static str,
        declared: usize,
        actual: usize,
    ) -> Self {
        Self::new(
            offset,
            field,
            ErrorKind::LengthMismatch { declared, actual },
        )
    }

    /// The encoder's destination holds `available` octets but `needed` are required.
    pub const fn buffer_too_small(field: &'static str, needed: usize, available: usize) -> Self {
        Self::new(0, field, ErrorKind::BufferTooSmall { needed, available })
    }

    /// The same error, with its offset moved by `base` (used when a decoder runs on a
    /// sub-slice of a larger input).
    #[must_use]
    pub const fn shifted(self, base: usize) -> Self {
        Self {
            offset: self.offset.saturating_add(base),
            ..self
        }
    }
}
