//! Compaction of the inbox's dedup log (`transport::dedup` module docs): an id is remembered
//! while a copy of its bundle could still be accepted — until the bundle expires on the
//! receiving clock (RFC 9171 §4.2.6: creation time + lifetime; §4.4.2: with creation time 0,
//! receipt + the lifetime its Bundle Age leaves) plus the clock-skew margin — and forgotten by
//! an atomic rewrite once more than a threshold of ids have expired. Version-1 logs (no
//! expiry) still load.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::fs;
use std::path::Path;

use borealis_node::transport::{
    BundleId, DedupRetention, Inbox, InboxConfig, Reject, Scan, TEMP_PREFIX,
};
mod transport_common;
use transport_common::{T0, TempDir, bundle_with};

/// A DTN time in 2024.
const HOUR: u64 = 3_600_000;
/// The margin of these tests: a minute.
const SKEW: u64 = 60_000;

/// A STRICT-valid bundle from `ipn:1.0`; with `age`, a Bundle Age block.
fn bundle(time: u64, seq: u64, lifetime: u64, age: Option<u64>) -> Vec<u8> {
    bundle_with(time, seq, lifetime, age, b"x")
}

fn id(time: u64, seq: u64) -> BundleId {
    BundleId {
        source: "ipn:1.0".to_owned(),
        creation_time: time,
        sequence: seq,
        fragment: None,
    }
}

fn config(dir: &TempDir, compact_after: usize) -> InboxConfig {
    let mut config = InboxConfig::new(dir.0.join("in"));
    config.dedup = DedupRetention {
        compact_after,
        clock_skew_ms: SKEW,
        legacy_retention_ms: 30 * 24 * HOUR,
    };
    config
}

/// Puts `bytes` into the inbox as `name` and admits it at `now`.
fn offer(inbox: &mut Inbox, name: &str, bytes: &[u8], now: u64) -> Scan {
    fs::write(inbox.config().dir.join(name), bytes).unwrap();
    let files = inbox.scan().unwrap();
    let file = files
        .iter()
        .find(|f| f.name() == name)
        .expect("the file is listed");
    inbox.admit(file, now).unwrap()
}

/// Offers `bytes` and consumes it, as the daemon does after handling it.
fn deliver(inbox: &mut Inbox, name: &str, bytes: &[u8], now: u64) -> BundleId {
    let Scan::Deliver { id, .. } = offer(inbox, name, bytes, now) else {
        panic!("{name} not delivered")
    };
    let files = inbox.scan().unwrap();
    let file = files.iter().find(|f| f.name() == name).unwrap();
    inbox.consume(file, &id).unwrap();
    id
}

fn log_lines(path: &Path) -> Vec<String> {
    fs::read_to_string(path)
        .unwrap()
        .lines()
        .map(str::to_owned)
        .collect()
}

#[test]
fn expired_ids_are_forgotten_live_ones_kept_and_replays_still_refused() {
    let dir = TempDir::new("compact");
    let config = config(&dir, 2);
    let mut inbox = Inbox::open(config.clone()).unwrap();
    // Three bundles living an hour, two living ten.
    for seq in 1..=3 {
        deliver(
            &mut inbox,
            &format!("short-{seq}.bp7"),
            &bundle(T0, seq, HOUR, None),
            T0,
        );
    }
    for seq in 4..=5 {
        deliver(
            &mut inbox,
            &format!("long-{seq}.bp7"),
            &bundle(T0, seq, 10 * HOUR, None),
            T0,
        );
    }
    // Each line carries its bundle's expiry on the receiving clock (version 2).
    assert_eq!(
        log_lines(&config.dedup_log)[0],
        format!("2 {} {T0} 1 - ipn:1.0", T0 + HOUR)
    );
    assert_eq!(inbox.dedup().expiry(&id(T0, 4)), Some(Some(T0 + 10 * HOUR)));

    // Just within the margin after the short ones expired: nothing is forgotten yet.
    let edge = T0 + HOUR + SKEW;
    deliver(&mut inbox, "a.bp7", &bundle(edge, 6, 10 * HOUR, None), edge);
    assert_eq!(inbox.dedup().len(), 6);
    assert_eq!(inbox.dedup().expired(edge, usize::MAX), 0);

    // One millisecond later three have expired, more than the threshold of 2: the next admit
    // compacts the log first.
    let later = edge + 1;
    assert_eq!(inbox.dedup().expired(later, usize::MAX), 3);
    deliver(
        &mut inbox,
        "b.bp7",
        &bundle(later, 7, 10 * HOUR, None),
        later,
    );
    assert_eq!(inbox.dedup().len(), 4);
    for seq in 1..=3 {
        assert!(!inbox.is_consumed(&id(T0, seq)), "{seq} forgotten");
    }
    for live in [id(T0, 4), id(T0, 5), id(edge, 6), id(later, 7)] {
        assert!(inbox.is_consumed(&live), "{live} kept");
    }
    let lines = log_lines(&config.dedup_log);
    assert_eq!(lines.len(), 4, "{lines:?}");
    assert!(lines.iter().all(|l| l.starts_with("2 ")), "{lines:?}");
    assert!(
        !dir.0
            .join("in")
            .join(format!("{TEMP_PREFIX}.borealis-consumed.log"))
            .exists()
    );

    // A replay of a bundle still alive is refused as a duplicate, before and after a restart.
    let replay = bundle(T0, 4, 10 * HOUR, None);
    assert_eq!(
        offer(&mut inbox, "replay-live.bp7", &replay, later),
        Scan::AlreadyConsumed(id(T0, 4))
    );
    drop(inbox);
    let mut inbox = Inbox::open(config.clone()).unwrap();
    assert_eq!(inbox.dedup().len(), 4);
    assert_eq!(
        offer(&mut inbox, "replay-live.bp7", &replay, later),
        Scan::AlreadyConsumed(id(T0, 4))
    );
    // A replay of a forgotten one is refused as expired: the inbox never needed its id.
    let Scan::Quarantined { reason, .. } = offer(
        &mut inbox,
        "replay-old.bp7",
        &bundle(T0, 1, HOUR, None),
        later,
    ) else {
        panic!("an expired replay was delivered")
    };
    assert!(matches!(reason, Reject::Expired { .. }), "{reason}");
}

#[test]
fn below_the_threshold_nothing_is_rewritten_and_compact_forces_it() {
    let dir = TempDir::new("threshold");
    let config = config(&dir, 10);
    let mut inbox = Inbox::open(config.clone()).unwrap();
    for seq in 1..=3 {
        deliver(
            &mut inbox,
            &format!("{seq}.bp7"),
            &bundle(T0, seq, HOUR, None),
            T0,
        );
    }
    let before = fs::read(&config.dedup_log).unwrap();
    let now = T0 + 2 * HOUR;
    deliver(&mut inbox, "4.bp7", &bundle(now, 4, HOUR, None), now);
    // Appended to, not rewritten: 3 expired ids do not exceed 10.
    assert!(fs::read(&config.dedup_log).unwrap().starts_with(&before));
    assert_eq!(inbox.dedup().len(), 4);
    assert_eq!(inbox.compact(now).unwrap(), 3);
    assert_eq!(inbox.dedup().len(), 1);
    assert_eq!(log_lines(&config.dedup_log).len(), 1);
}

#[test]
fn a_clockless_bundle_expires_at_receipt_plus_its_remaining_lifetime() {
    let dir = TempDir::new("clockless");
    let config = config(&dir, 0);
    let mut inbox = Inbox::open(config.clone()).unwrap();
    // Creation time 0, a quarter of its hour already spent (RFC 9171 §4.4.2).
    let got = deliver(&mut inbox, "c.bp7", &bundle(0, 1, HOUR, Some(HOUR / 4)), T0);
    assert_eq!(inbox.dedup().expiry(&got), Some(Some(T0 + 3 * HOUR / 4)));
    // Kept while it could be accepted, with the margin, then forgotten.
    let end = T0 + 3 * HOUR / 4 + SKEW;
    assert_eq!(inbox.compact(end).unwrap(), 0);
    assert_eq!(inbox.compact(end + 1).unwrap(), 1);
    assert!(!inbox.is_consumed(&got));
}

#[test]
fn a_version_1_log_still_loads_and_is_decided_by_the_legacy_cap() {
    let dir = TempDir::new("v1");
    // A high threshold: the test compacts by hand.
    let config = config(&dir, 100);
    fs::create_dir_all(&config.dir).unwrap();
    // As written before version 2: no expiry. One id far older than the 30-day cap.
    let old = T0 - 31 * 24 * HOUR;
    fs::write(
        &config.dedup_log,
        format!("1 {T0} 1 - ipn:1.0\n1 {old} 2 - ipn:1.0\n1 0 3 - ipn:1.0\n"),
    )
    .unwrap();
    let mut inbox = Inbox::open(config.clone()).unwrap();
    assert_eq!(inbox.dedup().len(), 3);
    for (t, s) in [(T0, 1), (old, 2), (0, 3)] {
        assert!(inbox.is_consumed(&id(t, s)));
        assert_eq!(inbox.dedup().expiry(&id(t, s)), Some(None));
    }
    // Its ids are still refused: a replay within its lifetime is a duplicate.
    assert_eq!(
        offer(&mut inbox, "again.bp7", &bundle(T0, 1, HOUR, None), T0),
        Scan::AlreadyConsumed(id(T0, 1))
    );
    // New ids are appended as version 2 after the version-1 lines.
    deliver(&mut inbox, "new.bp7", &bundle(T0, 4, HOUR, None), T0);
    let lines = log_lines(&config.dedup_log);
    assert_eq!(lines[3], format!("2 {} {T0} 4 - ipn:1.0", T0 + HOUR));
    // A compaction keeps the version-1 ids until creation time + cap (creation time 0: the
    // compaction's clock + cap), drops the one past it, and writes them all as version 2.
    assert_eq!(inbox.compact(T0).unwrap(), 1);
    assert!(!inbox.is_consumed(&id(old, 2)));
    let cap = 30 * 24 * HOUR;
    assert_eq!(inbox.dedup().expiry(&id(T0, 1)), Some(Some(T0 + cap)));
    assert_eq!(inbox.dedup().expiry(&id(0, 3)), Some(Some(T0 + cap)));
    let lines = log_lines(&config.dedup_log);
    assert_eq!(lines.len(), 3);
    assert!(lines.iter().all(|l| l.starts_with("2 ")), "{lines:?}");
    drop(inbox);
    assert_eq!(Inbox::open(config).unwrap().dedup().len(), 3);
}

#[test]
fn an_id_recorded_without_admission_has_no_expiry() {
    let dir = TempDir::new("no-expiry");
    let config = config(&dir, 0);
    let mut inbox = Inbox::open(config.clone()).unwrap();
    assert!(inbox.record(&id(T0, 9)).unwrap());
    assert_eq!(
        log_lines(&config.dedup_log),
        [format!("2 - {T0} 9 - ipn:1.0")]
    );
    assert_eq!(inbox.dedup().expiry(&id(T0, 9)), Some(None));
}

#[test]
fn an_interrupted_compaction_is_cleaned_up_not_quarantined() {
    let dir = TempDir::new("interrupted");
    let config = config(&dir, 0);
    let mut inbox = Inbox::open(config.clone()).unwrap();
    deliver(&mut inbox, "a.bp7", &bundle(T0, 1, HOUR, None), T0);
    drop(inbox);
    let log = fs::read(&config.dedup_log).unwrap();
    // A crash left the compaction's temporary file beside the log (before the rename).
    let temp = config
        .dir
        .join(format!("{TEMP_PREFIX}.borealis-consumed.log"));
    fs::write(&temp, b"2 1 1 1 - ipn:9.0\n2 2").unwrap();
    let inbox = Inbox::open(config.clone()).unwrap();
    assert!(inbox.recovered().is_empty(), "{:?}", inbox.recovered());
    assert!(!temp.exists());
    assert_eq!(fs::read(&config.dedup_log).unwrap(), log);
    assert!(inbox.is_consumed(&id(T0, 1)));
    assert!(!inbox.is_consumed(&id(1, 1)));
}
