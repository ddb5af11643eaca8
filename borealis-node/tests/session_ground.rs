//! Ground-side sessions (issue #6, "Sessions"): retransmission and timeout timing, and a
//! property test over random interleavings of open / response / duplicate / poll / cancel /
//! restart checked against a reference model of the documented policy.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::collections::BTreeMap;

use borealis_node::session::{
    Closure, Event, Match, RequestId, RetryPolicy, SessionError, Sessions,
};
use proptest::prelude::*;

fn policy() -> RetryPolicy {
    RetryPolicy {
        first_retransmit_ms: 1_000,
        backoff: 2,
        max_interval_ms: 3_000,
        max_retransmissions: 4,
        deadline_ms: 10_000,
        retention_ms: 5_000,
        max_outstanding: 8,
        max_closed: 6,
    }
}

fn restart(s: &Sessions<u16>) -> Sessions<u16> {
    let bytes = s.to_bytes();
    let back = Sessions::from_bytes(&bytes, *s.policy()).unwrap();
    assert_eq!(&back, s);
    assert_eq!(back.to_bytes(), bytes);
    back
}

#[test]
fn retransmit_schedule_backs_off_caps_and_times_out() {
    let mut s = Sessions::new(policy()).unwrap();
    let id = s.open(5, b"ping".to_vec(), 0).unwrap();
    assert_eq!(id, RequestId(1));
    assert_eq!(s.next_wakeup(), Some(1_000));
    // Waits 1000, 2000, 3000 (4000 capped), 3000: retransmissions at 1000, 3000, 6000, 9000.
    let mut seen = Vec::new();
    for now in 0..=10_000 {
        for e in s.poll(now) {
            seen.push((now, e));
        }
        // Restarting between polls changes nothing.
        if now % 997 == 0 {
            s = restart(&s);
        }
    }
    let retransmit = |attempt| Event::Retransmit {
        id,
        kind: 5,
        attempt,
    };
    assert_eq!(
        seen,
        [
            (1_000, retransmit(1)),
            (3_000, retransmit(2)),
            (6_000, retransmit(3)),
            (9_000, retransmit(4)),
            (
                10_000,
                Event::TimedOut {
                    id,
                    kind: 5,
                    retransmissions: 4
                }
            ),
        ]
    );
    assert_eq!(s.outstanding().count(), 0);
    assert_eq!(s.next_wakeup(), None);
    assert_eq!(
        s.on_response(id, 10_001),
        Match::Late {
            kind: 5,
            closure: Closure::TimedOut
        }
    );
    assert_eq!(s.poll(15_000), []);
    assert_eq!(s.on_response(id, 15_000), Match::Forgotten);
}

#[test]
fn late_poll_retransmits_once_and_reschedules_from_then() {
    let mut s = Sessions::new(policy()).unwrap();
    let id = s.open(1, vec![], 0).unwrap();
    assert_eq!(
        s.poll(5_000),
        [Event::Retransmit {
            id,
            kind: 1,
            attempt: 1
        }]
    );
    assert_eq!(s.get(id).unwrap().next_retransmit_at(), Some(7_000));
    assert_eq!(s.poll(6_999), []);
    // No retransmission scheduled at or after the deadline.
    assert_eq!(s.poll(9_500).len(), 1);
    assert_eq!(s.get(id).unwrap().next_retransmit_at(), None);
    assert_eq!(s.next_wakeup(), Some(10_000));
}

#[test]
fn no_retransmissions_policy_only_times_out() {
    let mut s = Sessions::new(RetryPolicy {
        max_retransmissions: 0,
        ..policy()
    })
    .unwrap();
    let id = s.open(1, vec![], 100).unwrap();
    assert_eq!(s.poll(10_099), []);
    assert_eq!(
        s.poll(10_100),
        [Event::TimedOut {
            id,
            kind: 1,
            retransmissions: 0
        }]
    );
}

#[test]
fn matched_once_then_duplicate_unknown_and_clock_going_back() {
    let mut s = Sessions::starting_at(policy(), RequestId(100)).unwrap();
    let a = s.open(3, b"a".to_vec(), 1_000).unwrap();
    assert_eq!(a, RequestId(100));
    assert_eq!(s.get(a).unwrap().payload(), b"a");
    // The clock went back (e.g. a restart with a skewed RTC): latency saturates at 0.
    assert_eq!(
        s.on_response(a, 500),
        Match::Matched {
            kind: 3,
            latency_ms: 0
        }
    );
    assert_eq!(s.on_response(a, 600), Match::Duplicate { kind: 3 });
    assert_eq!(s.on_response(RequestId(99), 600), Match::Unknown);
    assert_eq!(s.on_response(RequestId(101), 600), Match::Unknown);
    assert_eq!(s.on_response(RequestId(0), 600), Match::Unknown);
    let s = restart(&s);
    assert_eq!(s.next_id(), RequestId(101));
}

#[test]
fn restore_refuses_corrupted_state_with_typed_errors() {
    let mut s = Sessions::new(policy()).unwrap();
    let id = s.open(2, b"x".to_vec(), 0).unwrap();
    s.open(2, b"y".to_vec(), 0).unwrap();
    s.on_response(id, 1);
    let good = s.to_bytes();
    // Truncation anywhere.
    for n in 0..good.len() {
        assert!(Sessions::<u16>::from_bytes(&good[..n], policy()).is_err());
    }
    // Trailing bytes.
    let mut long = good.clone();
    long.push(0);
    assert!(matches!(
        Sessions::<u16>::from_bytes(&long, policy()),
        Err(SessionError::Corrupt {
            what: "trailing bytes",
            ..
        })
    ));
    // Another version.
    let mut v2 = good.clone();
    let at = 1 + 1 + "borealis-sessions".len();
    assert_eq!(v2[at], 1);
    v2[at] = 2;
    assert_eq!(
        Sessions::<u16>::from_bytes(&v2, policy()),
        Err(SessionError::UnsupportedVersion(2))
    );
    // next_id rewound below an issued id (would reuse ids).
    let mut rewound = good.clone();
    let next_at = at + 2;
    assert_eq!(rewound[next_at], 3);
    rewound[next_at] = 2;
    assert!(matches!(
        Sessions::<u16>::from_bytes(&rewound, policy()),
        Err(SessionError::Corrupt { .. })
    ));
    // An invalid policy is refused even with good bytes.
    let bad = RetryPolicy {
        deadline_ms: 0,
        ..policy()
    };
    assert!(matches!(
        Sessions::<u16>::from_bytes(&good, bad),
        Err(SessionError::InvalidPolicy(_))
    ));
}

/// A request kind that only knows two codes: unknown codes in a state are corruption.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Ping,
    Capture,
}

impl borealis_node::session::RequestKind for Kind {
    fn code(self) -> u16 {
        match self {
            Kind::Ping => 1,
            Kind::Capture => 2,
        }
    }
    fn from_code(code: u16) -> Option<Self> {
        match code {
            1 => Some(Kind::Ping),
            2 => Some(Kind::Capture),
            _ => None,
        }
    }
}

#[test]
fn caller_defined_kinds_persist_and_unknown_codes_are_refused() {
    let mut s = Sessions::new(policy()).unwrap();
    s.open(Kind::Capture, vec![], 0).unwrap();
    let bytes = s.to_bytes();
    assert_eq!(Sessions::from_bytes(&bytes, policy()).unwrap(), s);
    let mut raw = Sessions::<u16>::new(policy()).unwrap();
    raw.open(9, vec![], 0).unwrap();
    assert!(matches!(
        Sessions::<Kind>::from_bytes(&raw.to_bytes(), policy()),
        Err(SessionError::Corrupt {
            what: "request kind",
            ..
        })
    ));
}

#[derive(Debug, Clone)]
enum Op {
    Open(u16, Vec<u8>),
    /// A response for the `n`-th issued id (modulo), or for an id never issued.
    Respond(usize),
    RespondUnissued(u64),
    Cancel(usize),
    /// Advance the clock and poll.
    Poll(u64),
    Restart,
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        3 => (0u16..4, proptest::collection::vec(any::<u8>(), 0..8)).prop_map(|(k, p)| Op::Open(k, p)),
        4 => any::<usize>().prop_map(Op::Respond),
        1 => any::<u64>().prop_map(Op::RespondUnissued),
        1 => any::<usize>().prop_map(Op::Cancel),
        4 => (0u64..4_000).prop_map(Op::Poll),
        1 => Just(Op::Restart),
    ]
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum State {
    Outstanding {
        retransmissions: u32,
        last_sent: u64,
    },
    Closed {
        closure: Closure,
        at: u64,
    },
}

#[derive(Debug, Clone, Copy)]
struct Model {
    kind: u16,
    opened_at: u64,
    state: State,
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn interleavings_follow_the_policy(ops in proptest::collection::vec(op(), 1..120)) {
        let p = policy();
        let mut s = Sessions::<u16>::new(p).unwrap();
        let mut model: BTreeMap<RequestId, Model> = BTreeMap::new();
        let mut matched: BTreeMap<RequestId, u32> = BTreeMap::new();
        let mut now = 0u64;
        let pick = |model: &BTreeMap<RequestId, Model>, n: usize| {
            model.keys().nth(n % model.len().max(1)).copied()
        };
        for op in ops {
            match op {
                Op::Open(kind, payload) => {
                    let outstanding = model.values().filter(|m| matches!(m.state, State::Outstanding { .. })).count();
                    match s.open(kind, payload.clone(), now) {
                        Ok(id) => {
                            prop_assert!(outstanding < p.max_outstanding);
                            // Monotonic, never reused (also across restarts).
                            prop_assert!(model.keys().all(|&old| old < id));
                            prop_assert_eq!(s.get(id).unwrap().payload(), &payload[..]);
                            model.insert(id, Model { kind, opened_at: now, state: State::Outstanding { retransmissions: 0, last_sent: now } });
                        }
                        Err(e) => {
                            prop_assert_eq!(e, SessionError::TooManyOutstanding(p.max_outstanding));
                            prop_assert_eq!(outstanding, p.max_outstanding);
                        }
                    }
                }
                Op::Respond(n) => {
                    let Some(id) = pick(&model, n) else { continue };
                    let m = model.get_mut(&id).unwrap();
                    let got = s.on_response(id, now);
                    match m.state {
                        State::Outstanding { .. } => {
                            prop_assert_eq!(got, Match::Matched { kind: m.kind, latency_ms: now - m.opened_at });
                            *matched.entry(id).or_default() += 1;
                            m.state = State::Closed { closure: Closure::Answered, at: now };
                        }
                        State::Closed { closure, at } => {
                            let expected = match closure {
                                Closure::Answered => Match::Duplicate { kind: m.kind },
                                closure => Match::Late { kind: m.kind, closure },
                            };
                            if now >= at + p.retention_ms {
                                prop_assert_eq!(got, Match::Forgotten);
                            } else {
                                // Remembered unless pushed out by `max_closed`.
                                prop_assert!(got == expected || got == Match::Forgotten, "{got:?} vs {expected:?}");
                            }
                        }
                    }
                }
                Op::RespondUnissued(raw) => {
                    let id = RequestId(raw);
                    if !model.contains_key(&id) {
                        prop_assert_eq!(s.on_response(id, now), Match::Unknown);
                    }
                }
                Op::Cancel(n) => {
                    let Some(id) = pick(&model, n) else { continue };
                    let m = model.get_mut(&id).unwrap();
                    let got = s.cancel(id, now);
                    if matches!(m.state, State::Outstanding { .. }) {
                        prop_assert_eq!(got, Some(m.kind));
                        m.state = State::Closed { closure: Closure::Cancelled, at: now };
                    } else {
                        prop_assert_eq!(got, None);
                    }
                }
                Op::Poll(dt) => {
                    now += dt;
                    let events = s.poll(now);
                    let ids: Vec<RequestId> = events.iter().map(|e| match e {
                        Event::Retransmit { id, .. } | Event::TimedOut { id, .. } => *id,
                    }).collect();
                    prop_assert!(ids.windows(2).all(|w| w[0] < w[1]), "events in id order, one per request");
                    for e in &events {
                        match *e {
                            Event::TimedOut { id, kind, retransmissions: r } => {
                                let m = model.get_mut(&id).unwrap();
                                let State::Outstanding { retransmissions, .. } = m.state else {
                                    return Err(TestCaseError::fail("timeout of a closed request"));
                                };
                                prop_assert_eq!(kind, m.kind);
                                prop_assert_eq!(r, retransmissions);
                                prop_assert!(now >= m.opened_at + p.deadline_ms);
                                m.state = State::Closed { closure: Closure::TimedOut, at: now };
                            }
                            Event::Retransmit { id, kind, attempt } => {
                                let m = model.get_mut(&id).unwrap();
                                let State::Outstanding { retransmissions, last_sent } = m.state else {
                                    return Err(TestCaseError::fail("retransmission of a closed request"));
                                };
                                prop_assert_eq!(kind, m.kind);
                                prop_assert_eq!(attempt, retransmissions + 1);
                                prop_assert!(attempt <= p.max_retransmissions);
                                let due = last_sent + p.interval(retransmissions);
                                prop_assert!(now >= due);
                                prop_assert!(due < m.opened_at + p.deadline_ms);
                                prop_assert!(now < m.opened_at + p.deadline_ms);
                                m.state = State::Outstanding { retransmissions: attempt, last_sent: now };
                            }
                        }
                    }
                    // Nothing due was skipped.
                    for (id, m) in &model {
                        if let State::Outstanding { retransmissions, last_sent } = m.state {
                            let deadline = m.opened_at + p.deadline_ms;
                            prop_assert!(now < deadline, "{id} should have timed out");
                            if !ids.contains(id) && retransmissions < p.max_retransmissions {
                                let due = last_sent + p.interval(retransmissions);
                                prop_assert!(due > now || due >= deadline, "{id} retransmission due at {due} skipped at {now}");
                            }
                        }
                    }
                }
                Op::Restart => s = restart(&s),
            }
            // The outstanding set is exactly the model's.
            let outstanding: Vec<RequestId> = s.outstanding().map(|(id, _)| id).collect();
            let expected: Vec<RequestId> = model.iter().filter(|(_, m)| matches!(m.state, State::Outstanding { .. })).map(|(&id, _)| id).collect();
            prop_assert_eq!(outstanding, expected);
        }
        prop_assert!(matched.values().all(|&n| n == 1), "every request matched at most once");
    }

    #[test]
    fn arbitrary_bytes_never_panic_and_accepted_state_is_canonical(bytes in proptest::collection::vec(any::<u8>(), 0..256)) {
        if let Ok(s) = Sessions::<u16>::from_bytes(&bytes, policy()) {
            prop_assert_eq!(s.to_bytes(), bytes);
        }
    }

    #[test]
    fn mutated_states_are_refused_or_canonical(
        opens in 1usize..6,
        flips in proptest::collection::vec((any::<usize>(), any::<u8>()), 1..4),
        cut in any::<usize>(),
    ) {
        let mut s = Sessions::<u16>::new(policy()).unwrap();
        for i in 0..opens {
            s.open(i as u16, vec![i as u8; i], i as u64 * 100).unwrap();
        }
        s.on_response(RequestId(1), 700);
        s.poll(1_500);
        let mut bytes = s.to_bytes();
        for (at, x) in flips {
            let n = bytes.len();
            bytes[at % n] ^= x;
        }
        bytes.truncate(bytes.len() - cut % 2);
        if let Ok(back) = Sessions::<u16>::from_bytes(&bytes, policy()) {
            prop_assert_eq!(back.to_bytes(), bytes);
        }
    }
}
