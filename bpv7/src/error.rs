//! The one error type of the `bpv7` crate: where (byte offset into the bundle) and what.

/// A decoding or encoding error: the byte offset of the offending item in the input and what
/// was wrong with it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("at byte {offset}: {kind}")]
pub struct Error {
    /// Byte offset of the offending item (from the start of the buffer given to the decoder).
    pub offset: usize,
    /// What was wrong.
    pub kind: ErrorKind,
}

impl Error {
    /// A new error.
    pub const fn new(offset: usize, kind: ErrorKind) -> Self {
        Self { offset, kind }
    }
}

/// What was wrong, for the CBOR layer (RFC 8949 subset) and the bundle rules of RFC 9171 §4.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The input ended inside an item.
    #[error("truncated: needs {needed} octets, {available} available")]
    Truncated {
        /// Octets needed from the item's start.
        needed: usize,
        /// Octets available.
        available: usize,
    },
    /// A CBOR item of another major type than required.
    #[error("expected {expected}, found CBOR major type {found}")]
    UnexpectedType {
        /// What was required.
        expected: &'static str,
        /// Major type found (0..=7).
        found: u8,
    },
    /// An integer does not fit the field it encodes.
    #[error("integer too large")]
    IntegerTooLarge,
    /// A CBOR head is not in shortest form where shortest form is required.
    #[error("CBOR head not in shortest form")]
    NotShortestForm,
    /// A text string is not valid UTF-8.
    #[error("text string is not valid UTF-8")]
    InvalidUtf8,
    /// An indefinite-length item where only definite length is allowed.
    #[error("indefinite length not allowed here")]
    IndefiniteLength,
    /// Nesting deeper than the decoder's limit.
    #[error("nesting too deep")]
    TooDeep,
    /// Additional information 28..=30, reserved by RFC 8949.
    #[error("reserved CBOR additional information {0}")]
    ReservedAdditionalInfo(u8),
    /// An array with the wrong number of elements.
    #[error("{expected}: wrong array length {found}")]
    ArrayLength {
        /// Which array, and what length it must have.
        expected: &'static str,
        /// Elements found.
        found: u64,
    },
    /// Bundle protocol version other than 7 (RFC 9171 §4.3.1).
    #[error("bundle protocol version {0}, expected 7")]
    InvalidVersion(u64),
    /// CRC type other than 0, 1, 2 (RFC 9171 §4.2.1).
    #[error("unknown CRC type {0}")]
    UnknownCrcType(u64),
    /// A block's CRC does not match its content.
    #[error("CRC mismatch in block {block_number}: received {received:#x}, computed {computed:#x}")]
    CrcMismatch {
        /// Block number (0 for the primary block).
        block_number: u64,
        /// CRC carried in the block.
        received: u32,
        /// CRC computed over the block.
        computed: u32,
    },
    /// The CRC field is not a byte string of the CRC type's length.
    #[error("CRC field has the wrong length")]
    CrcNotZeroPadded,
    /// Two blocks with the same block number (RFC 9171 §4.3.2).
    #[error("duplicate block number {0}")]
    DuplicateBlockNumber(u64),
    /// The payload block is not the last block (RFC 9171 §4.1).
    #[error("payload block is not the last block")]
    PayloadNotLast,
    /// No payload block (RFC 9171 §4.1).
    #[error("bundle has no payload block")]
    MissingPayload,
    /// Block number 1 is reserved for the payload block, and the payload must be block 1.
    #[error("block number 1 is not the payload block (or the payload is not block 1)")]
    BlockNumberOneNotPayload,
    /// Octets after the end of the bundle's indefinite array.
    #[error("{0} trailing octets after the bundle")]
    TrailingBytes(usize),
    /// An endpoint ID that RFC 9171 §4.2.5 does not allow.
    #[error("invalid endpoint ID: {0}")]
    InvalidEid(&'static str),
    /// Processing control flags that break a rule of RFC 9171 §4.2.3–4.2.4.
    #[error("invalid flags: {0}")]
    InvalidFlags(&'static str),
    /// A block whose type-specific data is malformed.
    #[error("invalid block: {0}")]
    InvalidBlock(&'static str),
    /// A CRC is required and absent.
    #[error("missing CRC: {0}")]
    MissingCrc(&'static str),
    /// Creation time 0 without a Bundle Age block (RFC 9171 §4.4.2).
    #[error("creation time is 0 and there is no Bundle Age block")]
    BundleAgeRequired,
    /// Fragmenting a bundle flagged "bundle must not be fragmented" (RFC 9171 §4.2.3, §5.8).
    #[error("bundle must not be fragmented")]
    MustNotFragment,
    /// No fragment of at most `max` octets can carry a payload octet (RFC 9171 §5.8).
    #[error("fragments of at most {max} octets cannot carry the payload: {needed} needed")]
    FragmentTooSmall {
        /// The requested fragment size limit.
        max: usize,
        /// Smallest limit that lets the fragment that failed carry one payload octet.
        needed: usize,
    },
    /// Reassembly would hold more octets than its limit allows (RFC 9171 §5.9 leaves reassembly
    /// resources to the node); the ADU is dropped.
    #[error("reassembly would hold {needed} octets, limit {limit}")]
    ReassemblyLimit {
        /// Octets the reassembly would hold after accepting the fragment.
        needed: usize,
        /// The per-ADU or total limit exceeded.
        limit: usize,
    },
    /// Fragments of one ADU that contradict each other (RFC 9171 §5.9): a different total ADU
    /// length, or overlapping payload octets that differ; the ADU is dropped.
    #[error("inconsistent fragments: {0}")]
    InconsistentFragments(&'static str),
}
