//! Sans-IO request/response sessions (issue #6, "Sessions"; DESIGN.md "Sans-IO state
//! machines"): the ground matches every response to exactly one outstanding request and
//! retransmits or gives up on explicit events; the payload executes every request id exactly
//! once and replays the stored response to retransmissions.
//!
//! Links are up a few minutes per orbit and an answer may come hours later, after either side
//! restarted (a hosted payload often runs `--once` per pass). So nothing here reads a clock or
//! touches a file: every call takes the current DTN time (RFC 9171 §4.2.6, milliseconds since
//! 2000-01-01T00:00:00Z) as an argument, returns what happened as a value, and both structures
//! serialize to versioned CBOR ([`Sessions::to_bytes`], [`ResponseCache::to_bytes`]) that the
//! daemon writes atomically (DESIGN.md "Filesystem DTN transport": temp + fsync + rename).
//!
//! # Ground: [`Sessions`]
//!
//! [`Sessions::open`] allocates a [`RequestId`] (monotonic, persisted, never reused) and keeps the
//! request's payload for retransmission. [`Sessions::on_response`] answers
//! [`Match::Matched`] exactly once per id; [`Sessions::poll`] emits [`Event::Retransmit`] and
//! [`Event::TimedOut`] per [`RetryPolicy`]. A retransmission is a *new bundle* (new creation
//! timestamp, new anti-replay sequence number) carrying the *same request id and body*: the
//! transport's bundle dedup lets it through, the payload's [`ResponseCache`] recognises it.
//!
//! # Payload: [`ResponseCache`]
//!
//! [`ResponseCache::begin`] says whether to [`Begin::Execute`] a request or [`Begin::Replay`] its
//! stored response; [`ResponseCache::complete`] stores the response. Entries are kept for
//! [`CachePolicy::retention_ms`] after completion — choose it ≥ the ground's
//! [`RetryPolicy::deadline_ms`] plus a margin for clock skew and transit
//! ([`CachePolicy::covering`]), and give request bundles a lifetime ≤ that deadline, so that no
//! evicted id can still arrive. Evicting an id raises a low-water mark; ids below it that are not
//! cached are refused ([`Begin::Stale`]), never executed. Safety (no second execution) therefore
//! never depends on the clock: a clock jump only makes the cache refuse more.
//!
//! # Write-ahead order (crash safety)
//!
//! "Persist" means: write `to_bytes()` atomically and durably before going on.
//!
//! **Payload**, for a verified request with id `i`:
//! 1. `begin(i, …)`; on [`Begin::Execute`]:
//! 2. persist the cache (the id is now taken: a crash from here on can never execute `i` again);
//! 3. execute the command;
//! 4. `complete(i, response)`, persist the cache (the response can no longer be lost);
//! 5. write the response bundle; only then mark the input bundle consumed (transport dedup).
//!
//! On [`Begin::Replay`] write the stored response again; on [`Begin::InProgress`] write nothing
//! (the execution under way answers); on [`Begin::Stale`], [`Begin::Conflict`] or [`Begin::Full`]
//! answer an uncached error and do not execute. On start-up, after restoring, every id in
//! [`ResponseCache::in_progress`] was interrupted between steps 2 and 4: its command ran at most
//! once and its outcome is unknown, so complete it with an "interrupted" error response (or a
//! handler-specific recovery), persist, send — never re-execute it. A command whose whole effect is
//! recorded in the *same* atomic write as step 4 (or that has no effect outside its response) may
//! skip step 2: a crash before step 4 then leaves no trace of the first execution, and the id runs
//! exactly once as observed from outside.
//!
//! **Ground**:
//! 1. `open` → persist the sessions → write the request bundle (never the other way round: a
//!    crash after sending an unpersisted id would reuse it for another request, and the payload
//!    would replay the old answer). A crash between persist and write leaves an outstanding
//!    request that was never sent; the first [`Event::Retransmit`] sends it.
//! 2. On [`Event::Retransmit`]: persist, then write the bundle again (at most
//!    [`RetryPolicy::max_retransmissions`] copies, even across crashes).
//! 3. On a response bundle: `on_response`; on [`Match::Matched`] *and* [`Match::Duplicate`],
//!    store the response keyed by its request id (idempotent overwrite); persist the sessions;
//!    only then mark the response bundle consumed. A crash anywhere re-reads the bundle and at
//!    worst stores the same response again.

mod cache;
mod ground;

use std::fmt;

use bpv7::cbor::{self, Decoder};
use sha2::{Digest, Sha256};

pub use cache::{Begin, CachePolicy, ResponseCache};
pub use ground::{Closure, Event, Match, Pending, RetryPolicy, Sessions};

/// The id of one request, allocated by the ground's [`Sessions`] (monotonic from 1, never
/// reused); every response carries it back (issue #6: "every request has an id; responses
/// reference it").
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct RequestId(pub u64);

impl fmt::Display for RequestId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "#{}", self.0)
    }
}

/// What a request asks for, as far as sessions care: a small `Copy` tag that the application
/// protocol defines (e.g. a command enum) and that persists as a `u16` code. `u16` itself is one.
pub trait RequestKind: Copy + Eq + fmt::Debug {
    /// The tag's persistent code.
    fn code(self) -> u16;
    /// The tag for `code`, or `None` if it names none (the state is then refused as corrupt).
    fn from_code(code: u16) -> Option<Self>;
}

impl RequestKind for u16 {
    fn code(self) -> u16 {
        self
    }
    fn from_code(code: u16) -> Option<Self> {
        Some(code)
    }
}

/// SHA-256 of a request's body, stored with each cached entry: a retransmission must carry the
/// same body as the original, so a reused id with a different body (e.g. a ground that lost its
/// state and restarted its ids) is refused ([`Begin::Conflict`]) instead of being answered with
/// another request's response.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Fingerprint(pub [u8; 32]);

impl Fingerprint {
    /// The fingerprint of `body` (the request as the application protocol encodes it, without
    /// the fields a retransmission changes).
    pub fn of(body: &[u8]) -> Self {
        Self(Sha256::digest(body).into())
    }
}

/// What went wrong in a session operation or while restoring persisted state.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SessionError {
    /// A policy value that would make the state machine meaningless.
    #[error("invalid session policy: {0}")]
    InvalidPolicy(&'static str),
    /// [`RetryPolicy::max_outstanding`] requests are already outstanding.
    #[error("{0} requests outstanding, the configured limit")]
    TooManyOutstanding(usize),
    /// Every `u64` id has been issued.
    #[error("request ids exhausted")]
    IdsExhausted,
    /// [`ResponseCache::complete`] for an id that [`ResponseCache::begin`] did not start.
    #[error("request {0} is not in progress")]
    NotInProgress(RequestId),
    /// The persisted state is not the CBOR this module writes.
    #[error("session state is not valid CBOR: {0}")]
    Cbor(#[from] bpv7::Error),
    /// The persisted state is well-formed CBOR but violates an invariant.
    #[error("session state corrupted at byte {offset}: {what}")]
    Corrupt {
        /// Byte offset of the offending item.
        offset: usize,
        /// Which invariant failed.
        what: &'static str,
    },
    /// The persisted state has a version this build does not read.
    #[error("session state version {0} is not supported")]
    UnsupportedVersion(u64),
}

/// Version of both persisted formats.
const STATE_VERSION: u64 = 1;

/// A [`SessionError::Corrupt`] at the decoder's position.
fn corrupt(d: &Decoder<'_>, what: &'static str) -> SessionError {
    SessionError::Corrupt {
        offset: d.position(),
        what,
    }
}

/// Writes the common header `[magic, version, …` of an array of `len` items.
fn write_header(out: &mut Vec<u8>, magic: &str, len: u64) {
    cbor::write_array_head(out, len);
    cbor::write_text(out, magic);
    cbor::write_uint(out, STATE_VERSION);
}

/// Reads the header [`write_header`] wrote; a strict decoder, so only canonical state passes.
fn read_header<'a>(bytes: &'a [u8], magic: &str, len: u64) -> Result<Decoder<'a>, SessionError> {
    let mut d = Decoder::strict(bytes);
    if d.array_definite()? != len {
        return Err(corrupt(&d, "item count"));
    }
    if d.text()? != magic {
        return Err(corrupt(&d, "magic"));
    }
    match d.uint()? {
        STATE_VERSION => Ok(d),
        other => Err(SessionError::UnsupportedVersion(other)),
    }
}

/// Refuses bytes after the state.
fn read_end(d: &Decoder<'_>) -> Result<(), SessionError> {
    if d.is_empty() {
        Ok(())
    } else {
        Err(corrupt(d, "trailing bytes"))
    }
}

/// An optional time as `[]` or `[t]` (the codec has no `null`).
fn write_opt(out: &mut Vec<u8>, v: Option<u64>) {
    match v {
        Some(t) => {
            cbor::write_array_head(out, 1);
            cbor::write_uint(out, t);
        }
        None => cbor::write_array_head(out, 0),
    }
}

/// Reads [`write_opt`]'s encoding.
fn read_opt(d: &mut Decoder<'_>) -> Result<Option<u64>, SessionError> {
    match d.array_definite()? {
        0 => Ok(None),
        1 => Ok(Some(d.uint()?)),
        _ => Err(corrupt(d, "optional time")),
    }
}

/// Reads a request id that must be strictly greater than `prev` (lists are persisted in id
/// order, so duplicates and reordering are corruption).
fn read_id(d: &mut Decoder<'_>, prev: Option<RequestId>) -> Result<RequestId, SessionError> {
    let id = RequestId(d.uint()?);
    if prev.is_some_and(|p| p >= id) {
        return Err(corrupt(d, "request ids not strictly increasing"));
    }
    Ok(id)
}

/// Reads a fixed-size fingerprint.
fn read_fingerprint(d: &mut Decoder<'_>) -> Result<Fingerprint, SessionError> {
    let bytes = d.bytes()?;
    let array = <[u8; 32]>::try_from(bytes).map_err(|_| corrupt(d, "fingerprint length"))?;
    Ok(Fingerprint(array))
}
