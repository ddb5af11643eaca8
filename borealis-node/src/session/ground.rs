//! The ground side: request ids, response matching, retransmission and timeout events.

use std::collections::BTreeMap;

use bpv7::cbor::{self, Decoder};

use super::{
    RequestId, RequestKind, SessionError, corrupt, read_end, read_header, read_id, read_opt,
    write_header, write_opt,
};

/// First item of the persisted [`Sessions`] state.
const MAGIC: &str = "borealis-sessions";
/// One hour in milliseconds.
const HOUR_MS: u64 = 3_600_000;

/// When to retransmit a request, when to give up on it, and how much to remember.
///
/// Retransmission `n` (1-based) is due `first_retransmit_ms × backoff^(n-1)` (capped at
/// `max_interval_ms`) after the previous transmission — the original for `n = 1` — as seen by the
/// [`Sessions::poll`] that emitted it; at most `max_retransmissions` of them, and none at or after
/// the deadline. The request times out `deadline_ms` after [`Sessions::open`]. A late poll (the
/// daemon slept through a pass) emits one retransmission, not a burst, and schedules the next
/// from that poll's time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Wait before the first retransmission (> 0).
    pub first_retransmit_ms: u64,
    /// Factor by which each further wait grows (≥ 1; 1 = fixed interval).
    pub backoff: u32,
    /// Cap on any single wait (≥ `first_retransmit_ms`).
    pub max_interval_ms: u64,
    /// How many retransmissions at most (0 = never retransmit).
    pub max_retransmissions: u32,
    /// Time from `open` after which the request is given up ([`Event::TimedOut`]) (> 0).
    pub deadline_ms: u64,
    /// How long a closed request is remembered, so that a repeated or late response is reported
    /// as [`Match::Duplicate`] / [`Match::Late`] rather than [`Match::Forgotten`].
    pub retention_ms: u64,
    /// Most requests outstanding at once (> 0); [`Sessions::open`] refuses more.
    pub max_outstanding: usize,
    /// Most closed requests remembered; the oldest ids are forgotten first.
    pub max_closed: usize,
}

impl Default for RetryPolicy {
    /// An orbit is ~95 minutes with a few minutes of contact, and a hosted payload may only run
    /// once per pass: retransmit after two hours (the next pass), then four, eight, capped at
    /// twelve; give up after a day; remember closed requests for another day.
    fn default() -> Self {
        Self {
            first_retransmit_ms: 2 * HOUR_MS,
            backoff: 2,
            max_interval_ms: 12 * HOUR_MS,
            max_retransmissions: 3,
            deadline_ms: 24 * HOUR_MS,
            retention_ms: 24 * HOUR_MS,
            max_outstanding: 1024,
            max_closed: 4096,
        }
    }
}

impl RetryPolicy {
    /// Checks the constraints documented on each field.
    pub fn validate(&self) -> Result<(), SessionError> {
        let bad = SessionError::InvalidPolicy;
        if self.first_retransmit_ms == 0 {
            return Err(bad("first_retransmit_ms must be > 0"));
        }
        if self.backoff == 0 {
            return Err(bad("backoff must be >= 1"));
        }
        if self.max_interval_ms < self.first_retransmit_ms {
            return Err(bad("max_interval_ms must be >= first_retransmit_ms"));
        }
        if self.deadline_ms == 0 {
            return Err(bad("deadline_ms must be > 0"));
        }
        if self.max_outstanding == 0 {
            return Err(bad("max_outstanding must be > 0"));
        }
        Ok(())
    }

    /// The wait before the next retransmission when `made` have been made already.
    pub fn interval(&self, made: u32) -> u64 {
        let factor = u64::from(self.backoff)
            .checked_pow(made)
            .unwrap_or(u64::MAX);
        self.first_retransmit_ms
            .saturating_mul(factor)
            .min(self.max_interval_ms)
    }

    /// When retransmission `made + 1` is due after a transmission at `sent_at`, or `None` if no
    /// more are allowed or it would fall at or after `deadline_at`.
    fn next_retransmit(&self, sent_at: u64, made: u32, deadline_at: u64) -> Option<u64> {
        if made >= self.max_retransmissions {
            return None;
        }
        let at = sent_at.saturating_add(self.interval(made));
        (at < deadline_at).then_some(at)
    }
}

/// An outstanding request, as [`Sessions::outstanding`] shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pending<K> {
    kind: K,
    payload: Vec<u8>,
    opened_at: u64,
    retransmissions: u32,
    next_retransmit_at: Option<u64>,
    deadline_at: u64,
}

impl<K: RequestKind> Pending<K> {
    /// What the request asks for.
    pub fn kind(&self) -> K {
        self.kind
    }
    /// The bytes to send again on [`Event::Retransmit`] (as given to [`Sessions::open`]).
    pub fn payload(&self) -> &[u8] {
        &self.payload
    }
    /// DTN time of [`Sessions::open`].
    pub fn opened_at(&self) -> u64 {
        self.opened_at
    }
    /// Retransmissions emitted so far.
    pub fn retransmissions(&self) -> u32 {
        self.retransmissions
    }
    /// When the next [`Event::Retransmit`] is due, if any is left.
    pub fn next_retransmit_at(&self) -> Option<u64> {
        self.next_retransmit_at
    }
    /// When the request times out.
    pub fn deadline_at(&self) -> u64 {
        self.deadline_at
    }
}

/// How a request that is no longer outstanding was closed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Closure {
    /// Its response was matched.
    Answered,
    /// It passed its deadline ([`Event::TimedOut`]).
    TimedOut,
    /// [`Sessions::cancel`] closed it.
    Cancelled,
}

impl Closure {
    const fn code(self) -> u64 {
        match self {
            Self::Answered => 0,
            Self::TimedOut => 1,
            Self::Cancelled => 2,
        }
    }
    const fn from_code(code: u64) -> Option<Self> {
        match code {
            0 => Some(Self::Answered),
            1 => Some(Self::TimedOut),
            2 => Some(Self::Cancelled),
            _ => None,
        }
    }
}

/// A closed request still remembered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Closed<K> {
    kind: K,
    closure: Closure,
    /// Forgotten from this DTN time on.
    forget_at: u64,
}

/// What a response's request id refers to ([`Sessions::on_response`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Match<K> {
    /// The first response to an outstanding request: deliver it. Happens once per id.
    Matched {
        /// What the request asked for.
        kind: K,
        /// Time from [`Sessions::open`] to this response, in ms (0 if the clock went back).
        latency_ms: u64,
    },
    /// A further copy of an answered request's response (the payload replays its cached
    /// response to each retransmission).
    Duplicate {
        /// What the request asked for.
        kind: K,
    },
    /// A response to a request that timed out or was cancelled before it came.
    Late {
        /// What the request asked for.
        kind: K,
        /// How it was closed ([`Closure::TimedOut`] or [`Closure::Cancelled`]).
        closure: Closure,
    },
    /// An id this side issued but no longer remembers (closed longer than
    /// [`RetryPolicy::retention_ms`] ago, or pushed out by [`RetryPolicy::max_closed`]).
    Forgotten,
    /// An id this side never issued.
    Unknown,
}

/// What the daemon must do, from [`Sessions::poll`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Event<K> {
    /// Send the request again ([`Pending::payload`], same id, in a new bundle).
    Retransmit {
        /// The request.
        id: RequestId,
        /// What it asks for.
        kind: K,
        /// 1 for the first retransmission, …
        attempt: u32,
    },
    /// The request passed its deadline unanswered; it is closed.
    TimedOut {
        /// The request.
        id: RequestId,
        /// What it asked for.
        kind: K,
        /// Retransmissions made before giving up.
        retransmissions: u32,
    },
}

/// The ground's sessions: outstanding requests and recently closed ones (module docs).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sessions<K> {
    policy: RetryPolicy,
    /// The first id this state issued (ids below were never issued by it).
    first_id: u64,
    /// The id the next [`Self::open`] returns.
    next_id: u64,
    outstanding: BTreeMap<RequestId, Pending<K>>,
    closed: BTreeMap<RequestId, Closed<K>>,
}

impl<K: RequestKind> Sessions<K> {
    /// Empty sessions issuing ids from 1.
    pub fn new(policy: RetryPolicy) -> Result<Self, SessionError> {
        Self::starting_at(policy, RequestId(1))
    }

    /// Empty sessions issuing ids from `first` (≥ 1). A ground that lost its state file should
    /// start above every id it may have issued before (e.g. at the current DTN time in ms), so
    /// that the payload never mistakes a new request for an old one.
    pub fn starting_at(policy: RetryPolicy, first: RequestId) -> Result<Self, SessionError> {
        policy.validate()?;
        if first.0 == 0 {
            return Err(SessionError::InvalidPolicy("request ids start at 1"));
        }
        Ok(Self {
            policy,
            first_id: first.0,
            next_id: first.0,
            outstanding: BTreeMap::new(),
            closed: BTreeMap::new(),
        })
    }

    /// The policy in force.
    pub fn policy(&self) -> &RetryPolicy {
        &self.policy
    }

    /// The id the next [`Self::open`] will return.
    pub fn next_id(&self) -> RequestId {
        RequestId(self.next_id)
    }

    /// Opens a request sent at `now`: allocates its id and keeps `payload` for retransmission.
    /// Persist before sending (module docs).
    pub fn open(&mut self, kind: K, payload: Vec<u8>, now: u64) -> Result<RequestId, SessionError> {
        if self.outstanding.len() >= self.policy.max_outstanding {
            return Err(SessionError::TooManyOutstanding(self.outstanding.len()));
        }
        let id = RequestId(self.next_id);
        self.next_id = self
            .next_id
            .checked_add(1)
            .ok_or(SessionError::IdsExhausted)?;
        let deadline_at = now.saturating_add(self.policy.deadline_ms);
        let pending = Pending {
            kind,
            payload,
            opened_at: now,
            retransmissions: 0,
            next_retransmit_at: self.policy.next_retransmit(now, 0, deadline_at),
            deadline_at,
        };
        self.outstanding.insert(id, pending);
        Ok(id)
    }

    /// Classifies a response to `id` received at `now`; [`Match::Matched`] closes the request.
    pub fn on_response(&mut self, id: RequestId, now: u64) -> Match<K> {
        if let Some(p) = self.outstanding.remove(&id) {
            self.close(id, p.kind, Closure::Answered, now);
            return Match::Matched {
                kind: p.kind,
                latency_ms: now.saturating_sub(p.opened_at),
            };
        }
        if id.0 < self.first_id || id.0 >= self.next_id {
            return Match::Unknown;
        }
        match self.closed.get(&id) {
            Some(c) if now < c.forget_at => match c.closure {
                Closure::Answered => Match::Duplicate { kind: c.kind },
                closure => Match::Late {
                    kind: c.kind,
                    closure,
                },
            },
            _ => Match::Forgotten,
        }
    }

    /// The events due at `now`, in id order: at most one per outstanding request. Also forgets
    /// closed requests past their retention.
    pub fn poll(&mut self, now: u64) -> Vec<Event<K>> {
        self.closed.retain(|_, c| now < c.forget_at);
        let mut events = Vec::new();
        let mut timed_out = Vec::new();
        for (&id, p) in &mut self.outstanding {
            if now >= p.deadline_at {
                timed_out.push((id, p.kind));
                events.push(Event::TimedOut {
                    id,
                    kind: p.kind,
                    retransmissions: p.retransmissions,
                });
            } else if p.next_retransmit_at.is_some_and(|at| now >= at) {
                p.retransmissions = p.retransmissions.saturating_add(1);
                p.next_retransmit_at =
                    self.policy
                        .next_retransmit(now, p.retransmissions, p.deadline_at);
                events.push(Event::Retransmit {
                    id,
                    kind: p.kind,
                    attempt: p.retransmissions,
                });
            }
        }
        for (id, kind) in timed_out {
            self.outstanding.remove(&id);
            self.close(id, kind, Closure::TimedOut, now);
        }
        events
    }

    /// The earliest DTN time at which [`Self::poll`] has something to emit, if any: how long the
    /// daemon may sleep.
    pub fn next_wakeup(&self) -> Option<u64> {
        self.outstanding
            .values()
            .map(|p| p.next_retransmit_at.unwrap_or(p.deadline_at))
            .min()
    }

    /// Gives up on `id` at `now` (a later response is [`Match::Late`]); its kind if it was
    /// outstanding.
    pub fn cancel(&mut self, id: RequestId, now: u64) -> Option<K> {
        let p = self.outstanding.remove(&id)?;
        self.close(id, p.kind, Closure::Cancelled, now);
        Some(p.kind)
    }

    /// The outstanding requests in id order.
    pub fn outstanding(&self) -> impl Iterator<Item = (RequestId, &Pending<K>)> {
        self.outstanding.iter().map(|(&id, p)| (id, p))
    }

    /// The outstanding request `id`, if it is one.
    pub fn get(&self, id: RequestId) -> Option<&Pending<K>> {
        self.outstanding.get(&id)
    }

    /// Remembers a closed request, forgetting the oldest beyond [`RetryPolicy::max_closed`].
    fn close(&mut self, id: RequestId, kind: K, closure: Closure, now: u64) {
        let forget_at = now.saturating_add(self.policy.retention_ms);
        self.closed.insert(
            id,
            Closed {
                kind,
                closure,
                forget_at,
            },
        );
        while self.closed.len() > self.policy.max_closed {
            self.closed.pop_first();
        }
    }

    /// The state as CBOR (the policy is configuration and is not included):
    ///
    /// ```text
    /// ["borealis-sessions", 1, first_id, next_id,
    ///  [* [id, kind, opened_at, retransmissions, [? next_retransmit_at], deadline_at, payload: bstr]],
    ///  [* [id, kind, closure (0 answered, 1 timed out, 2 cancelled), forget_at]]]
    /// ```
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::new();
        write_header(&mut out, MAGIC, 6);
        cbor::write_uint(&mut out, self.first_id);
        cbor::write_uint(&mut out, self.next_id);
        cbor::write_array_head(&mut out, self.outstanding.len() as u64);
        for (id, p) in &self.outstanding {
            cbor::write_array_head(&mut out, 7);
            cbor::write_uint(&mut out, id.0);
            cbor::write_uint(&mut out, p.kind.code().into());
            cbor::write_uint(&mut out, p.opened_at);
            cbor::write_uint(&mut out, p.retransmissions.into());
            write_opt(&mut out, p.next_retransmit_at);
            cbor::write_uint(&mut out, p.deadline_at);
            cbor::write_bytes(&mut out, &p.payload);
        }
        cbor::write_array_head(&mut out, self.closed.len() as u64);
        for (id, c) in &self.closed {
            cbor::write_array_head(&mut out, 4);
            cbor::write_uint(&mut out, id.0);
            cbor::write_uint(&mut out, c.kind.code().into());
            cbor::write_uint(&mut out, c.closure.code());
            cbor::write_uint(&mut out, c.forget_at);
        }
        out
    }

    /// Restores [`Self::to_bytes`] output under `policy` (which may differ from the one in force
    /// when it was written: it governs what happens from now on). Refuses anything else —
    /// non-canonical CBOR, ids out of order, repeated, outside `first_id..next_id`, outstanding
    /// and closed at once, unknown kinds — with a typed error.
    pub fn from_bytes(bytes: &[u8], policy: RetryPolicy) -> Result<Self, SessionError> {
        policy.validate()?;
        let mut d = read_header(bytes, MAGIC, 6)?;
        let first_id = d.uint()?;
        let next_id = d.uint()?;
        if first_id == 0 || next_id < first_id {
            return Err(corrupt(&d, "id range"));
        }
        let issued = |d: &Decoder<'_>, id: RequestId| {
            if id.0 < first_id || id.0 >= next_id {
                Err(corrupt(d, "request id never issued"))
            } else {
                Ok(id)
            }
        };
        let mut outstanding = BTreeMap::new();
        let mut prev = None;
        for _ in 0..d.array_definite()? {
            if d.array_definite()? != 7 {
                return Err(corrupt(&d, "outstanding entry"));
            }
            let id = read_id(&mut d, prev)?;
            let id = issued(&d, id)?;
            let kind = read_kind(&mut d)?;
            let opened_at = d.uint()?;
            let retransmissions =
                u32::try_from(d.uint()?).map_err(|_| corrupt(&d, "retransmissions"))?;
            let next_retransmit_at = read_opt(&mut d)?;
            let deadline_at = d.uint()?;
            let payload = d.bytes()?.to_vec();
            prev = Some(id);
            outstanding.insert(
                id,
                Pending {
                    kind,
                    payload,
                    opened_at,
                    retransmissions,
                    next_retransmit_at,
                    deadline_at,
                },
            );
        }
        let mut closed = BTreeMap::new();
        let mut prev = None;
        for _ in 0..d.array_definite()? {
            if d.array_definite()? != 4 {
                return Err(corrupt(&d, "closed entry"));
            }
            let id = read_id(&mut d, prev)?;
            let id = issued(&d, id)?;
            if outstanding.contains_key(&id) {
                return Err(corrupt(&d, "request both outstanding and closed"));
            }
            let kind = read_kind(&mut d)?;
            let closure = Closure::from_code(d.uint()?).ok_or_else(|| corrupt(&d, "closure"))?;
            let forget_at = d.uint()?;
            prev = Some(id);
            closed.insert(
                id,
                Closed {
                    kind,
                    closure,
                    forget_at,
                },
            );
        }
        read_end(&d)?;
        Ok(Self {
            policy,
            first_id,
            next_id,
            outstanding,
            closed,
        })
    }
}

/// Reads a request kind code.
fn read_kind<K: RequestKind>(d: &mut Decoder<'_>) -> Result<K, SessionError> {
    u16::try_from(d.uint()?)
        .ok()
        .and_then(K::from_code)
        .ok_or_else(|| corrupt(d, "request kind"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy() -> RetryPolicy {
        RetryPolicy {
            first_retransmit_ms: 1_000,
            backoff: 2,
            max_interval_ms: 3_000,
            max_retransmissions: 4,
            deadline_ms: 10_000,
            retention_ms: 5_000,
            max_outstanding: 2,
            max_closed: 8,
        }
    }

    #[test]
    fn backoff_is_capped_and_saturates() {
        let p = policy();
        assert_eq!(
            [p.interval(0), p.interval(1), p.interval(2), p.interval(99)],
            [1_000, 2_000, 3_000, 3_000]
        );
        let huge = RetryPolicy {
            max_interval_ms: u64::MAX,
            ..p
        };
        assert_eq!(huge.interval(200), u64::MAX);
        assert_eq!(huge.next_retransmit(u64::MAX - 1, 0, u64::MAX), None);
    }

    #[test]
    fn invalid_policies_are_refused() {
        for bad in [
            RetryPolicy {
                first_retransmit_ms: 0,
                ..policy()
            },
            RetryPolicy {
                backoff: 0,
                ..policy()
            },
            RetryPolicy {
                max_interval_ms: 999,
                ..policy()
            },
            RetryPolicy {
                deadline_ms: 0,
                ..policy()
            },
            RetryPolicy {
                max_outstanding: 0,
                ..policy()
            },
        ] {
            assert!(matches!(
                Sessions::<u16>::new(bad),
                Err(SessionError::InvalidPolicy(_))
            ));
        }
        assert!(Sessions::<u16>::starting_at(policy(), RequestId(0)).is_err());
    }

    #[test]
    fn outstanding_limit_and_id_exhaustion() {
        let mut s = Sessions::<u16>::new(policy()).unwrap();
        s.open(1, vec![], 0).unwrap();
        s.open(1, vec![], 0).unwrap();
        assert_eq!(
            s.open(1, vec![], 0),
            Err(SessionError::TooManyOutstanding(2))
        );
        let mut s = Sessions::<u16>::starting_at(policy(), RequestId(u64::MAX)).unwrap();
        assert_eq!(s.open(1, vec![], 0), Err(SessionError::IdsExhausted));
        assert_eq!(s.outstanding().count(), 0);
    }

    #[test]
    fn closed_requests_are_bounded_oldest_first() {
        let mut s = Sessions::<u16>::new(RetryPolicy {
            max_closed: 1,
            ..policy()
        })
        .unwrap();
        let a = s.open(7, vec![], 0).unwrap();
        let b = s.open(8, vec![], 0).unwrap();
        assert!(matches!(
            s.on_response(a, 1),
            Match::Matched { kind: 7, .. }
        ));
        assert_eq!(s.cancel(b, 2), Some(8));
        assert_eq!(s.on_response(a, 3), Match::Forgotten);
        assert_eq!(
            s.on_response(b, 3),
            Match::Late {
                kind: 8,
                closure: Closure::Cancelled
            }
        );
        assert_eq!(s.cancel(b, 3), None);
    }
}
