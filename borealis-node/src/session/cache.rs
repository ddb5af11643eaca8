//! The payload side: exactly-once execution of request ids and replay of stored responses.

use std::collections::BTreeMap;

use bpv7::cbor;

use super::{
    Fingerprint, RequestId, RetryPolicy, SessionError, corrupt, read_end, read_fingerprint,
    read_header, read_id, write_header,
};

/// First item of the persisted [`ResponseCache`] state.
const MAGIC: &str = "borealis-response-cache";

/// How long executed requests are remembered, and how many at most.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CachePolicy {
    /// Time after completion during which an entry is kept. Must cover the ground's
    /// [`RetryPolicy::deadline_ms`] plus clock skew and transit: a retransmission can only come
    /// before the ground's deadline (and request bundles should not live longer), so an entry
    /// older than that is never asked for again. See [`Self::covering`].
    pub retention_ms: u64,
    /// Most entries (in progress or completed) at once (> 0). When full and nothing has expired,
    /// [`ResponseCache::begin`] refuses new ids ([`Begin::Full`]) rather than forget one that could
    /// still be retransmitted.
    pub max_entries: usize,
}

impl Default for CachePolicy {
    /// [`Self::covering`] the default [`RetryPolicy`] with a one-day margin and 4096 entries.
    fn default() -> Self {
        Self::covering(&RetryPolicy::default(), 24 * 3_600_000, 4096)
    }
}

impl CachePolicy {
    /// A policy that keeps entries for the ground's deadline plus `margin_ms`.
    pub fn covering(retry: &RetryPolicy, margin_ms: u64, max_entries: usize) -> Self {
        Self {
            retention_ms: retry.deadline_ms.saturating_add(margin_ms),
            max_entries,
        }
    }

    /// Checks the constraints documented on each field.
    pub fn validate(&self) -> Result<(), SessionError> {
        if self.max_entries == 0 {
            return Err(SessionError::InvalidPolicy("max_entries must be > 0"));
        }
        Ok(())
    }
}

/// What to do with a request id ([`ResponseCache::begin`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Begin<'a> {
    /// A new id: persist the cache, execute, then [`ResponseCache::complete`] (module docs).
    Execute,
    /// Already executed: send this stored response again; do not execute.
    Replay(&'a [u8]),
    /// Already begun and not completed: do not execute; the execution under way answers (after a
    /// restart, see [`ResponseCache::in_progress`]).
    InProgress,
    /// Below the low-water mark and not cached: an id so old that its entry was evicted (or that
    /// was never seen and can no longer be valid). Answer an error; do not execute.
    Stale,
    /// The id is known with a different request body: not a retransmission. Answer an error; do
    /// not execute.
    Conflict,
    /// [`CachePolicy::max_entries`] entries and none expired: answer a "busy" error (the ground
    /// retransmits later); do not execute.
    Full,
}

/// One cached request.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Entry {
    /// Begun at this DTN time, not completed.
    InProgress {
        fingerprint: Fingerprint,
        begun_at: u64,
    },
    /// Completed at this DTN time with this response.
    Done {
        fingerprint: Fingerprint,
        completed_at: u64,
        response: Vec<u8>,
    },
}

impl Entry {
    const fn fingerprint(&self) -> &Fingerprint {
        match self {
            Self::InProgress { fingerprint, .. } | Self::Done { fingerprint, .. } => fingerprint,
        }
    }
}

/// The payload's record of executed requests (one per peer: request ids are the ground's).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResponseCache {
    policy: CachePolicy,
    /// Ids below this and not in `entries` are [`Begin::Stale`]; one above the highest evicted id.
    low_water: u64,
    entries: BTreeMap<RequestId, Entry>,
}

impl ResponseCache {
    /// An empty cache (ids from 1 are accepted).
    pub fn new(policy: CachePolicy) -> Result<Self, SessionError> {
        policy.validate()?;
        Ok(Self {
            policy,
            low_water: 1,
            entries: BTreeMap::new(),
        })
    }

    /// The policy in force.
    pub fn policy(&self) -> &CachePolicy {
        &self.policy
    }

    /// Ids below this that are not cached are refused as [`Begin::Stale`].
    pub fn low_water(&self) -> RequestId {
        RequestId(self.low_water)
    }

    /// Entries held (in progress and completed).
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether no entry is held.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Decides what to do with request `id` whose body has `fingerprint`, received at `now`;
    /// [`Begin::Execute`] records it as in progress. Evicts expired entries first.
    pub fn begin(&mut self, id: RequestId, fingerprint: Fingerprint, now: u64) -> Begin<'_> {
        self.prune(now);
        if !self.entries.contains_key(&id) {
            if id.0 < self.low_water {
                return Begin::Stale;
            }
            if self.entries.len() >= self.policy.max_entries {
                return Begin::Full;
            }
            let entry = Entry::InProgress {
                fingerprint,
                begun_at: now,
            };
            self.entries.insert(id, entry);
            return Begin::Execute;
        }
        match self.entries.get(&id) {
            Some(e) if *e.fingerprint() != fingerprint => Begin::Conflict,
            Some(Entry::Done { response, .. }) => Begin::Replay(response),
            // `None` cannot happen (checked above); treating it as in progress never executes.
            Some(Entry::InProgress { .. }) | None => Begin::InProgress,
        }
    }

    /// Stores the response of in-progress request `id`, completed at `now`. Persist before
    /// sending it (module docs).
    pub fn complete(
        &mut self,
        id: RequestId,
        response: Vec<u8>,
        now: u64,
    ) -> Result<(), SessionError> {
        match self.entries.get_mut(&id) {
            Some(entry @ Entry::InProgress { .. }) => {
                *entry = Entry::Done {
                    fingerprint: *entry.fingerprint(),
                    completed_at: now,
                    response,
                };
                Ok(())
            }
            _ => Err(SessionError::NotInProgress(id)),
        }
    }

    /// The ids begun and not completed, in order. Right after a restore these were interrupted
    /// by a crash: complete each with an "interrupted" response, never re-execute (module docs).
    pub fn in_progress(&self) -> impl Iterator<Item = RequestId> {
        self.entries
            .iter()
            .filter(|(_, e)| matches!(e, Entry::InProgress { .. }))
            .map(|(&id, _)| id)
    }

    /// The stored response of completed request `id`.
    pub fn response(&self, id: RequestId) -> Option<&[u8]> {
        match self.entries.get(&id) {
            Some(Entry::Done { response, .. }) => Some(response),
            _ => None,
        }
    }

    /// Evicts completed entries older than [`CachePolicy::retention_ms`] at `now` and raises the
    /// low-water mark past them; how many were evicted. In-progress entries are never evicted.
    pub fn prune(&mut self, now: u64) -> usize {
        let retention = self.policy.retention_ms;
        let before = self.entries.len();
        let mut highest = None;
        self.entries.retain(|&id, e| match e {
            Entry::Done { completed_at, .. } if completed_at.saturating_add(retention) <= now => {
                highest = Some(id);
                false
            }
            _ => true,
        });
        if let Some(id) = highest {
            self.low_water = self.low_water.max(id.0.saturating_add(1));
        }
        before.saturating_sub(self.entries.len())
    }

    /// The state as CBOR (the policy is configuration and is not included):
    ///
    /// ```text
    /// ["borealis-response-cache", 1, low_water,
    ///  [* ([id, fingerprint: bstr .size 32, begun_at]                     ; in progress
    ///     / [id, fingerprint: bstr .size 32, completed_at, response: bstr])]]  ; completed
    /// ```
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::new();
        write_header(&mut out, MAGIC, 4);
        cbor::write_uint(&mut out, self.low_water);
        cbor::write_array_head(&mut out, self.entries.len() as u64);
        for (id, e) in &self.entries {
            match e {
                Entry::InProgress {
                    fingerprint,
                    begun_at,
                } => {
                    cbor::write_array_head(&mut out, 3);
                    cbor::write_uint(&mut out, id.0);
                    cbor::write_bytes(&mut out, &fingerprint.0);
                    cbor::write_uint(&mut out, *begun_at);
                }
                Entry::Done {
                    fingerprint,
                    completed_at,
                    response,
                } => {
                    cbor::write_array_head(&mut out, 4);
                    cbor::write_uint(&mut out, id.0);
                    cbor::write_bytes(&mut out, &fingerprint.0);
                    cbor::write_uint(&mut out, *completed_at);
                    cbor::write_bytes(&mut out, response);
                }
            }
        }
        out
    }

    /// Restores [`Self::to_bytes`] output under `policy` (the configuration now in force).
    /// Refuses anything else — non-canonical CBOR, ids out of order or repeated, a low-water mark
    /// of 0, bad fingerprints — with a typed error: a cache silently replaced by an empty one
    /// would execute old requests again.
    pub fn from_bytes(bytes: &[u8], policy: CachePolicy) -> Result<Self, SessionError> {
        policy.validate()?;
        let mut d = read_header(bytes, MAGIC, 4)?;
        let low_water = d.uint()?;
        if low_water == 0 {
            return Err(corrupt(&d, "low-water mark"));
        }
        let mut entries = BTreeMap::new();
        let mut prev = None;
        for _ in 0..d.array_definite()? {
            let items = d.array_definite()?;
            let id = read_id(&mut d, prev)?;
            if id.0 == 0 {
                return Err(corrupt(&d, "request id 0"));
            }
            let fingerprint = read_fingerprint(&mut d)?;
            let entry = match items {
                3 => Entry::InProgress {
                    fingerprint,
                    begun_at: d.uint()?,
                },
                4 => Entry::Done {
                    fingerprint,
                    completed_at: d.uint()?,
                    response: d.bytes()?.to_vec(),
                },
                _ => return Err(corrupt(&d, "cache entry")),
            };
            prev = Some(id);
            entries.insert(id, entry);
        }
        read_end(&d)?;
        Ok(Self {
            policy,
            low_water,
            entries,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const FP: Fingerprint = Fingerprint([7; 32]);

    #[test]
    fn full_refuses_until_something_expires() {
        let policy = CachePolicy {
            retention_ms: 100,
            max_entries: 1,
        };
        let mut c = ResponseCache::new(policy).unwrap();
        assert_eq!(c.begin(RequestId(1), FP, 0), Begin::Execute);
        assert_eq!(c.begin(RequestId(2), FP, 0), Begin::Full);
        c.complete(RequestId(1), b"r1".to_vec(), 10).unwrap();
        assert_eq!(c.begin(RequestId(2), FP, 109), Begin::Full);
        assert_eq!(c.begin(RequestId(2), FP, 110), Begin::Execute);
        assert_eq!(c.low_water(), RequestId(2));
        assert_eq!(c.begin(RequestId(1), FP, 110), Begin::Stale);
        assert!(
            CachePolicy {
                max_entries: 0,
                ..policy
            }
            .validate()
            .is_err()
        );
    }

    #[test]
    fn complete_needs_begin() {
        let mut c = ResponseCache::new(CachePolicy::default()).unwrap();
        assert_eq!(
            c.complete(RequestId(3), vec![], 0),
            Err(SessionError::NotInProgress(RequestId(3)))
        );
        assert_eq!(c.begin(RequestId(3), FP, 0), Begin::Execute);
        c.complete(RequestId(3), vec![1], 0).unwrap();
        assert!(c.complete(RequestId(3), vec![2], 0).is_err());
        assert_eq!(c.response(RequestId(3)), Some(&[1u8][..]));
    }
}
