//! Fail closed by construction (issue #6): bundles as typestate, so that only a protected
//! bundle can reach the downlink writer and only a verified one can reach a command handler.
//!
//! ```text
//!  outgoing   Bundle<Plain> ──protect()──▶ Bundle<Protected> ──▶ Downlink::send ──▶ BundleSink
//!                               (bpsec::seal + self-check)
//!  incoming   Received<Unverified> ──verify()──▶ Received<Verified> ──▶ Handler::handle
//!                               (bpsec::accept: decrypt, verify, replay, remove)
//! ```
//!
//! The state types ([`Plain`], [`Protected`], [`Unverified`], [`Verified`]) are zero-sized and
//! uninhabited; the traits that admit them ([`BundleState`], [`ReceivedState`]) are sealed, and
//! the fields of [`Bundle`] and [`Received`] are private. The only way to obtain a
//! `Bundle<Protected>` is [`Bundle::protect`], the only way to obtain a `Received<Verified>`
//! is [`Received::verify`]; [`Downlink::send`] accepts nothing but a `Bundle<Protected>`, and
//! [`Handler::handle`] nothing but a `&Received<Verified>`. The compile-fail tests in
//! `tests/compile_fail/` prove that the illegal paths do not compile (DESIGN.md, "Typestate
//! where illegal states exist"). Code using `unsafe` (a `transmute`) is outside what types can
//! promise; this crate forbids it.
//!
//! # The protection rule
//!
//! A policy is mission configuration, and an empty or incomplete one must not turn into
//! plaintext on the downlink. DESIGN.md ("Security envelope") requires every application
//! bundle to be BCB-encrypted with the primary block in the AAD, so on top of the
//! [`bpsec::Policy`] both directions enforce one fixed rule:
//!
//! 1. **The payload block is the target of a BCB-AES-GCM** (RFC 9173 §4) from the security
//!    source: a bundle never carries its application data in clear.
//! 2. **The primary block is authenticated** by an operation of that source (the BCB's AAD
//!    scope bit 0, or a BIB targeting block 0 or with integrity scope bit 0, RFC 9173 §3.3.3,
//!    §4.3.4): its destination cannot be rewritten and its creation-timestamp sequence number,
//!    the anti-replay counter (bpsec README), is trusted.
//!
//! Outgoing, [`Bundle::protect`] refuses a policy that has no confidentiality rule over the
//! payload for the source *before* sealing (no IV is spent), then checks the sealed octets
//! themselves: [`bpsec::verify`] (RFC 9172 §3 rules, every BIB recomputed), every rule of the
//! source met by a security block in the bundle, and the two points above. Incoming,
//! [`Received::verify`] refuses a policy that does not require the payload to be encrypted
//! before touching the replay window, runs [`bpsec::accept`] with the replay filter (which
//! itself refuses a sequence number nothing authenticates), and checks that a decrypted BCB
//! target was the payload. A refusal is a typed [`Error`]; nothing reaches the sink or the
//! handler.

mod incoming;
mod outgoing;

pub use incoming::{Handler, Received};
pub use outgoing::{Bundle, BundleSink, Downlink, SendError};

/// Why a bundle was not protected, not accepted or not built.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The octets are not a valid bundle (RFC 9171 §4).
    #[error("not a valid bundle: {0}")]
    Bundle(#[from] bpv7::Error),
    /// A plain bundle already carries a BIB or BCB: security blocks are added by
    /// [`Bundle::protect`] only, so that what the self-check finds is what sealing added.
    #[error("a plain bundle carries no security block, but block {block} is a BIB or BCB")]
    AlreadySecured {
        /// The security block's number.
        block: u64,
    },
    /// A security operation failed or the bundle does not satisfy the policy (the typed
    /// `bpsec` reason: unknown key, tag or HMAC mismatch, replay, missing block, …).
    #[error("security: {0}")]
    Security(#[from] bpsec::Error),
    /// The payload would travel (outgoing) or travelled (incoming) in clear: no BCB-AES-GCM
    /// targets it (protection rule 1).
    #[error("the payload is not encrypted: no BCB-AES-GCM targets it")]
    PayloadInClear,
    /// No security operation of the source authenticates the primary block (protection
    /// rule 2).
    #[error("no security operation authenticates the primary block")]
    PrimaryNotAuthenticated,
}

/// The sealing of the state traits: outside this module nobody can name `Sealed`, so nobody
/// can add a state.
mod sealed {
    pub trait Sealed {}
}

/// A state of an outgoing [`Bundle`]: [`Plain`] or [`Protected`]. Sealed.
pub trait BundleState: sealed::Sealed {}

/// A state of a [`Received`] bundle: [`Unverified`] or [`Verified`]. Sealed.
pub trait ReceivedState: sealed::Sealed {}

/// An outgoing bundle as built, before any security operation. It can be protected, never
/// sent.
#[derive(Debug)]
pub enum Plain {}

/// An outgoing bundle sealed under the policy and checked against the protection rule: the
/// only kind a [`Downlink`] writes.
#[derive(Debug)]
pub enum Protected {}

/// Octets as they came from the transport: nothing about them is trusted, nothing of their
/// content is readable through this API.
#[derive(Debug)]
pub enum Unverified {}

/// A received bundle the acceptor decrypted, verified, checked for replay and stripped of its
/// security blocks: the only kind a [`Handler`] sees.
#[derive(Debug)]
pub enum Verified {}

impl sealed::Sealed for Plain {}
impl sealed::Sealed for Protected {}
impl sealed::Sealed for Unverified {}
impl sealed::Sealed for Verified {}
impl BundleState for Plain {}
impl BundleState for Protected {}
impl ReceivedState for Unverified {}
impl ReceivedState for Verified {}

/// Whether `policy` has a BCB-AES-GCM rule over the payload block, from `source` if given
/// (protection rule 1, checked on the policy before any octet is processed).
fn encrypts_payload(policy: &bpsec::Policy<'_>, source: Option<&bpv7::eid::Eid<'_>>) -> bool {
    use bpv7::block::{PAYLOAD_BLOCK_NUMBER, block_type};
    policy.rules.iter().any(|rule| {
        matches!(rule.context, bpsec::Context::AesGcm { .. })
            && source.is_none_or(|s| rule.source == *s)
            && rule
                .targets
                .selects(PAYLOAD_BLOCK_NUMBER, block_type::PAYLOAD)
    })
}
