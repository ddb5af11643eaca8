//! The one error type of the crate: every reason a bundle is refused by a security operation.
//!
//! Variants are typed so that a node can map them to RFC 9171 status-report reason codes and
//! to its own policy actions (quarantine, alarm) without parsing strings. None of them carries
//! key material.

use crate::KeyId;

/// Why a security operation failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The bundle itself is malformed (RFC 9171).
    #[error("bundle: {0}")]
    Bundle(#[from] bpv7::Error),
    /// A BIB or BCB's block-type-specific data is not a well-formed abstract security block
    /// (RFC 9172 §3.6). `offset` is within the bundle when known, else within the ASB.
    #[error("abstract security block of block {block} at byte {offset}: {reason}")]
    MalformedAsb {
        /// Block number of the security block.
        block: u64,
        /// Byte offset of the problem.
        offset: usize,
        /// Which rule.
        reason: &'static str,
    },
    /// A rule of RFC 9172 §3 about security blocks and their targets is broken.
    #[error("RFC 9172 {section}: {rule} (block {block})")]
    Rule {
        /// Section of RFC 9172 that states the rule.
        section: &'static str,
        /// The rule, in words.
        rule: &'static str,
        /// The security block or target concerned.
        block: u64,
    },
    /// A security context this crate does not implement (RFC 9173 defines 1 and 2).
    #[error("unsupported security context {0}")]
    UnsupportedContext(i64),
    /// A security context parameter or result is missing, repeated, of the wrong CBOR type or
    /// out of range (RFC 9173 §3.3, §3.4, §4.3, §4.4).
    #[error("security context {context}, {what} {id}: {reason}")]
    Parameter {
        /// Security context id.
        context: i64,
        /// "parameter" or "result".
        what: &'static str,
        /// Parameter or result id.
        id: i64,
        /// Which rule.
        reason: &'static str,
    },
    /// The key store has no usable key with this id for this use.
    #[error("key {0}: unknown or not usable for this operation")]
    UnknownKey(KeyId),
    /// A key (resolved or unwrapped) has the wrong length for the cipher suite.
    #[error("key {key}: {found} octets, the suite needs {expected}")]
    KeyLength {
        /// The key id.
        key: KeyId,
        /// Octets the suite needs.
        expected: usize,
        /// Octets the key has.
        found: usize,
    },
    /// AES key unwrap (RFC 3394 §2.2.3) failed its integrity check: wrong key-encryption key
    /// or a modified wrapped key.
    #[error("wrapped key under key {0} failed the RFC 3394 integrity check")]
    KeyUnwrap(KeyId),
    /// An HMAC over a BIB target did not match (RFC 9173 §3.8).
    #[error("integrity check failed for target block {target} of BIB {block}")]
    IntegrityCheckFailed {
        /// The BIB's block number.
        block: u64,
        /// The target's block number (0: primary block).
        target: u64,
    },
    /// AES-GCM decryption of a BCB target failed its authentication tag (RFC 9173 §4.8).
    #[error("authentication tag of target block {target} of BCB {block} does not verify")]
    DecryptionFailed {
        /// The BCB's block number.
        block: u64,
        /// The target's block number.
        target: u64,
    },
    /// The bundle does not satisfy the security policy.
    #[error("policy: {0}")]
    Policy(#[from] PolicyViolation),
    /// The anti-replay filter refused the bundle.
    #[error("replay: {0}")]
    Replay(#[from] crate::replay::ReplayError),
    /// The IV sequence is exhausted: sealing more with this key would reuse an IV
    /// (NIST SP 800-38D §8.3). Rekey.
    #[error("IV space of key {0} exhausted: rekey before sealing more")]
    IvExhausted(KeyId),
}

/// How a bundle fails the [`crate::Policy`] (RFC 9172 §6: the policy decides which blocks
/// must be protected, by whom and how).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PolicyViolation {
    /// A block the policy wants encrypted has no BCB from the expected security source.
    #[error("block {0} must be encrypted (no BCB from the expected source)")]
    MissingBcb(u64),
    /// A block the policy wants integrity-protected has no BIB (and no BCB, which also
    /// authenticates) from the expected security source.
    #[error("block {0} must be integrity-protected (no BIB from the expected source)")]
    MissingBib(u64),
    /// A security operation that no policy rule accounts for (unknown source, service or
    /// target): the node cannot be its acceptor, so the bundle is refused.
    #[error("security operation on block {target} by an unexpected source or service")]
    UnexpectedOperation {
        /// Security block number.
        block: u64,
        /// Target block number.
        target: u64,
    },
    /// The operation uses other parameters than the rule requires (context, variant, scope).
    #[error("security block {block}: {what} differs from the policy")]
    WrongParameters {
        /// Security block number.
        block: u64,
        /// Which parameter.
        what: &'static str,
    },
    /// Anti-replay needs the sequence number to be authenticated: some verified operation must
    /// cover the primary block (scope flag bit 0, or a BIB targeting block 0).
    #[error("the creation timestamp is not covered by any verified security operation")]
    SequenceNotAuthenticated,
}
