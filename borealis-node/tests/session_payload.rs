//! Payload-side response cache (issue #6, "Sessions"; crash-safety "every command executed
//! exactly once and every response delivered"): a simulated daemon that follows the write-ahead
//! order of the `session` module docs is crashed at random points, restored from its last
//! persisted bytes, and fed retransmissions; no request may ever execute twice and none may be
//! left without its response.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::collections::BTreeMap;

use borealis_node::session::{
    Begin, CachePolicy, Fingerprint, RequestId, ResponseCache, RetryPolicy, SessionError,
};
use proptest::prelude::*;

const INTERRUPTED: &[u8] = b"error: interrupted, outcome unknown";
const STALE: &[u8] = b"error: stale request id";

fn policy() -> CachePolicy {
    CachePolicy {
        retention_ms: 1_000_000,
        max_entries: 64,
    }
}

fn body(id: RequestId) -> Vec<u8> {
    format!("command {}", id.0).into_bytes()
}

fn fp(id: RequestId) -> Fingerprint {
    Fingerprint::of(&body(id))
}

fn response(id: RequestId) -> Vec<u8> {
    format!("response {}", id.0).into_bytes()
}

#[test]
fn execute_replay_conflict_stale() {
    let mut c = ResponseCache::new(CachePolicy {
        retention_ms: 100,
        max_entries: 8,
    })
    .unwrap();
    let (a, b) = (RequestId(1), RequestId(2));
    assert_eq!(c.begin(a, fp(a), 0), Begin::Execute);
    assert_eq!(c.begin(a, fp(a), 1), Begin::InProgress);
    assert_eq!(c.in_progress().collect::<Vec<_>>(), [a]);
    c.complete(a, response(a), 5).unwrap();
    assert_eq!(c.begin(a, fp(a), 6), Begin::Replay(&response(a)));
    // Same id, other body: not a retransmission.
    assert_eq!(c.begin(a, fp(b), 6), Begin::Conflict);
    // Out-of-order arrival below the highest seen id is fine while nothing was evicted.
    assert_eq!(c.begin(RequestId(9), fp(RequestId(9)), 6), Begin::Execute);
    assert_eq!(c.begin(b, fp(b), 6), Begin::Execute);
    // At 105 entry 1 expires: evicted, low-water mark 2; ids below are stale.
    c.prune(104);
    assert_eq!(c.len(), 3);
    assert_eq!(c.prune(105), 1);
    assert_eq!(c.low_water(), RequestId(2));
    assert_eq!(c.begin(a, fp(a), 105), Begin::Stale);
    assert_eq!(c.begin(RequestId(0), fp(a), 105), Begin::Stale);
    // In-progress entries never expire.
    assert_eq!(c.prune(u64::MAX), 0);
    assert_eq!(c.in_progress().count(), 2);
}

#[test]
fn eviction_keeps_lower_ids_that_completed_later() {
    let mut c = ResponseCache::new(CachePolicy {
        retention_ms: 100,
        max_entries: 8,
    })
    .unwrap();
    let (low, high) = (RequestId(3), RequestId(7));
    assert_eq!(c.begin(high, fp(high), 0), Begin::Execute);
    c.complete(high, response(high), 0).unwrap();
    assert_eq!(c.begin(low, fp(low), 50), Begin::Execute);
    c.complete(low, response(low), 50).unwrap();
    c.prune(100);
    assert_eq!(c.low_water(), RequestId(8));
    // 3 is below the mark but still cached: replayed, not refused.
    assert_eq!(c.begin(low, fp(low), 120), Begin::Replay(&response(low)));
    assert_eq!(c.begin(RequestId(5), fp(RequestId(5)), 120), Begin::Stale);
}

#[test]
fn covering_policy_outlasts_the_ground_deadline() {
    let retry = RetryPolicy::default();
    let cache = CachePolicy::covering(&retry, 3_600_000, 10);
    assert_eq!(cache.retention_ms, retry.deadline_ms + 3_600_000);
    assert!(CachePolicy::default().retention_ms > retry.deadline_ms);
}

#[test]
fn restore_refuses_corrupted_state_with_typed_errors() {
    let mut c = ResponseCache::new(policy()).unwrap();
    let a = RequestId(1);
    assert_eq!(c.begin(a, fp(a), 0), Begin::Execute);
    c.complete(a, response(a), 0).unwrap();
    assert_eq!(c.begin(RequestId(2), fp(a), 0), Begin::Execute);
    let good = c.to_bytes();
    assert_eq!(ResponseCache::from_bytes(&good, policy()).unwrap(), c);
    for n in 0..good.len() {
        assert!(ResponseCache::from_bytes(&good[..n], policy()).is_err());
    }
    let mut v9 = good.clone();
    let at = 1 + 1 + "borealis-response-cache".len();
    v9[at] = 9;
    assert_eq!(
        ResponseCache::from_bytes(&v9, policy()),
        Err(SessionError::UnsupportedVersion(9))
    );
    let mut zero = good.clone();
    zero[at + 1] = 0;
    assert!(matches!(
        ResponseCache::from_bytes(&zero, policy()),
        Err(SessionError::Corrupt {
            what: "low-water mark",
            ..
        })
    ));
    // The ground's state is not a cache.
    let ground = borealis_node::session::Sessions::<u16>::new(RetryPolicy::default())
        .unwrap()
        .to_bytes();
    assert!(ResponseCache::from_bytes(&ground, policy()).is_err());
}

/// Where a simulated crash hits, relative to the steps of one delivery (module docs, payload
/// write-ahead order).
const STEPS: u8 = 6;

/// A payload daemon with durable external effects (`executed`, `sent`) and a persisted cache.
struct Daemon {
    /// Skip persisting `begin` (the effect is recorded in the same atomic write as `complete`).
    combined: bool,
    policy: CachePolicy,
    cache: ResponseCache,
    /// Last durable cache bytes and, in combined mode, the executions recorded with them.
    persisted: (Vec<u8>, BTreeMap<RequestId, u32>),
    /// Executions observable outside (strict mode: immediately durable).
    executed: BTreeMap<RequestId, u32>,
    /// Every response bundle written to the downlink.
    sent: Vec<(RequestId, Vec<u8>)>,
    now: u64,
}

impl Daemon {
    fn new(combined: bool, policy: CachePolicy) -> Self {
        let cache = ResponseCache::new(policy).unwrap();
        Self {
            combined,
            policy,
            persisted: (cache.to_bytes(), BTreeMap::new()),
            cache,
            executed: BTreeMap::new(),
            sent: Vec::new(),
            now: 0,
        }
    }

    fn persist(&mut self) {
        // Serialize at every step and continue from the restored copy.
        let bytes = self.cache.to_bytes();
        self.cache = ResponseCache::from_bytes(&bytes, self.policy).unwrap();
        self.persisted = (bytes, self.executed.clone());
    }

    /// Kill -9 and restart: memory is lost, the disk and the downlink stay.
    fn crash_and_restart(&mut self) {
        self.cache = ResponseCache::from_bytes(&self.persisted.0, self.policy).unwrap();
        if self.combined {
            self.executed = self.persisted.1.clone();
        }
        let interrupted: Vec<RequestId> = self.cache.in_progress().collect();
        assert!(!self.combined || interrupted.is_empty());
        for id in interrupted {
            self.cache
                .complete(id, INTERRUPTED.to_vec(), self.now)
                .unwrap();
            self.persist();
            self.sent.push((id, INTERRUPTED.to_vec()));
        }
    }

    /// Handles one delivery of request `id`, crashing after step `crash_after` if it is < STEPS.
    fn deliver(&mut self, id: RequestId, crash_after: u8) {
        self.now += 1;
        let now = self.now;
        let step = |n: u8| n < crash_after || crash_after >= STEPS;
        let decision = match self.cache.begin(id, fp(id), now) {
            Begin::Execute => None,
            Begin::Replay(r) => Some(r.to_vec()),
            // Evicted long ago: refused with an uncached error, never executed.
            Begin::Stale => Some(STALE.to_vec()),
            other => panic!("unexpected {other:?} for {id}"),
        };
        if let Some(r) = decision {
            if step(0) {
                self.sent.push((id, r));
            } else {
                self.crash_and_restart();
            }
            return;
        }
        // Steps: 0 begun, 1 persisted, 2 executed, 3 completed, 4 persisted, 5 sent.
        let actions: [&dyn Fn(&mut Self); STEPS as usize] = [
            &|_| {},
            &|d| {
                if !d.combined {
                    d.persist();
                }
            },
            &|d| *d.executed.entry(id).or_default() += 1,
            &|d| d.cache.complete(id, response(id), now).unwrap(),
            &|d| d.persist(),
            &|d| d.sent.push((id, response(id))),
        ];
        for (n, action) in actions.iter().enumerate() {
            action(self);
            if !step(n as u8 + 1) {
                self.crash_and_restart();
                return;
            }
        }
    }
}

fn run(deliveries: &[(u64, u8)], combined: bool) -> Result<(), TestCaseError> {
    let mut d = Daemon::new(combined, policy());
    for &(id, crash) in deliveries {
        d.deliver(RequestId(id), crash);
    }
    // The ground retransmits everything it sent until each request has an answer; no more
    // crashes.
    let requested: std::collections::BTreeSet<u64> = deliveries.iter().map(|&(id, _)| id).collect();
    for &id in &requested {
        d.deliver(RequestId(id), STEPS);
    }
    for &id in &requested {
        let id = RequestId(id);
        let executed = d.executed.get(&id).copied().unwrap_or(0);
        prop_assert!(executed <= 1, "{id} executed {executed} times");
        let answers: Vec<&Vec<u8>> = d
            .sent
            .iter()
            .filter(|(i, _)| *i == id)
            .map(|(_, r)| r)
            .collect();
        prop_assert!(!answers.is_empty(), "{id} never answered");
        prop_assert!(
            answers.windows(2).all(|w| w[0] == w[1]),
            "{id}: differing answers"
        );
        if combined {
            prop_assert_eq!(executed, 1, "{} not executed exactly once", id);
            prop_assert_eq!(answers[0], &response(id));
        } else if *answers[0] == response(id) {
            prop_assert_eq!(executed, 1);
        } else {
            // Interrupted between persisting `begin` and persisting `complete`: ran at most once,
            // and the ground is told so.
            prop_assert_eq!(&answers[0][..], INTERRUPTED);
        }
    }
    prop_assert!(d.sent.iter().all(|(id, _)| requested.contains(&id.0)));
    Ok(())
}

fn deliveries() -> impl Strategy<Value = Vec<(u64, u8)>> {
    // Ids 1..16 in any order with duplicates; a crash after a random step ~1 delivery in 3.
    proptest::collection::vec(
        (1u64..16, prop_oneof![2 => Just(STEPS), 1 => 0..STEPS]),
        1..60,
    )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn strict_order_never_executes_twice_nor_loses_a_response(ds in deliveries()) {
        run(&ds, false)?;
    }

    #[test]
    fn combined_write_executes_exactly_once(ds in deliveries()) {
        run(&ds, true)?;
    }

    #[test]
    fn eviction_never_causes_a_second_execution(ds in deliveries(), retention in 1u64..20, combined in any::<bool>()) {
        // Each delivery advances the clock by 1 ms: entries expire during the run.
        let mut d = Daemon::new(combined, CachePolicy { retention_ms: retention, max_entries: 64 });
        for &(id, crash) in &ds {
            d.deliver(RequestId(id), crash);
        }
        for &(id, _) in &ds {
            d.deliver(RequestId(id), STEPS);
        }
        for (id, n) in &d.executed {
            prop_assert!(*n <= 1, "{id} executed {n} times");
        }
        for &(id, _) in &ds {
            prop_assert!(d.sent.iter().any(|(i, _)| i.0 == id), "#{id} never answered");
        }
    }

    #[test]
    fn arbitrary_bytes_never_panic_and_accepted_state_is_canonical(bytes in proptest::collection::vec(any::<u8>(), 0..256)) {
        if let Ok(c) = ResponseCache::from_bytes(&bytes, policy()) {
            prop_assert_eq!(c.to_bytes(), bytes);
        }
    }

    #[test]
    fn mutated_states_are_refused_or_canonical(
        flips in proptest::collection::vec((any::<usize>(), any::<u8>()), 1..4),
        cut in any::<usize>(),
    ) {
        let mut c = ResponseCache::new(policy()).unwrap();
        for i in 1..5 {
            let id = RequestId(i);
            prop_assert_eq!(c.begin(id, fp(id), i), Begin::Execute);
            if i % 2 == 0 {
                c.complete(id, response(id), i).unwrap();
            }
        }
        let mut bytes = c.to_bytes();
        for (at, x) in flips {
            let n = bytes.len();
            bytes[at % n] ^= x;
        }
        bytes.truncate(bytes.len() - cut % 2);
        if let Ok(back) = ResponseCache::from_bytes(&bytes, policy()) {
            prop_assert_eq!(back.to_bytes(), bytes);
        }
    }
}
