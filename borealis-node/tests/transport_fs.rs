//! The filesystem DTN transport (issue #6, DESIGN.md "Filesystem DTN transport"): atomic
//! writes, size limit, bounded store, durable dedup across restarts, quarantine with reasons,
//! restart recovery, expiry (RFC 9171 §4.2.6, §4.4.2), hostile input.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::fs;
use std::io::Write;
use std::path::Path;

use borealis_node::env::SteppingClock;
use borealis_node::transport::{
    BundleId, DuplicatePolicy, Error, FragmentId, Inbox, InboxConfig, Outbox, Reject, Scan,
    StoreLimits, TEMP_PREFIX, classify_bundle,
};
use bpv7::block::BlockFlags;
use bpv7::bundle::BundleBuilder;
use bpv7::crc::CrcType;
use bpv7::eid::Eid;
use bpv7::primary::{BundleFlags, CreationTimestamp, FragmentInfo, PrimaryBlock};
use proptest::prelude::*;

mod transport_common;
use transport_common::{T0, TempDir, bundle_with};

fn bundle(seq: u64) -> Vec<u8> {
    bundle_with(T0, seq, 3_600_000, None, b"hello")
}

fn id(seq: u64) -> BundleId {
    BundleId {
        source: "ipn:1.0".to_owned(),
        creation_time: T0,
        sequence: seq,
        fragment: None,
    }
}

fn names(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    names.sort();
    names
}

fn scan_names(inbox: &Inbox) -> Vec<String> {
    inbox
        .scan()
        .unwrap()
        .iter()
        .map(|i| i.name().to_str().unwrap().to_owned())
        .collect()
}

fn put_file(path: &Path, bytes: &[u8]) {
    fs::write(path, bytes).unwrap();
}

#[test]
fn put_names_are_deterministic_and_sortable() {
    let dir = TempDir::new("names");
    let mut outbox = Outbox::open(dir.join("out"), StoreLimits::default()).unwrap();
    let mut clock = SteppingClock::new(1_000, 0);
    let a = outbox.put(b"a", "ping", &mut clock).unwrap();
    let b = outbox.put(b"b", "../x y", &mut clock).unwrap();
    let mut later = SteppingClock::new(2_000, 0);
    let c = outbox.put(b"c", "", &mut later).unwrap();
    let got: Vec<_> = [&a, &b, &c]
        .iter()
        .map(|p| p.file_name().unwrap().to_str().unwrap().to_owned())
        .collect();
    assert_eq!(
        got,
        [
            "00000000000000001000-0000000000-ping.bp7",
            "00000000000000001000-0000000001-___x_y.bp7",
            "00000000000000002000-0000000002-bundle.bp7",
        ]
    );
    assert_eq!(names(outbox.dir()), got);
    assert_eq!(fs::read(&b).unwrap(), b"b");
    assert_eq!(outbox.usage().files, 3);
    assert_eq!(outbox.usage().octets, 3);
}

#[test]
fn put_never_overwrites_an_existing_name() {
    let dir = TempDir::new("collide");
    let mut outbox = Outbox::open(dir.join("out"), StoreLimits::default()).unwrap();
    let first = outbox
        .put(b"first", "x", &mut SteppingClock::new(5, 0))
        .unwrap();
    // A restart resets the sequence; the same clock reading must not replace the stored file.
    let mut outbox = Outbox::open(dir.join("out"), StoreLimits::default()).unwrap();
    let second = outbox
        .put(b"second", "x", &mut SteppingClock::new(5, 0))
        .unwrap();
    assert_ne!(first, second);
    assert_eq!(fs::read(&first).unwrap(), b"first");
    assert_eq!(fs::read(&second).unwrap(), b"second");
}

#[test]
fn partial_files_are_never_scanned_and_recovered_on_open() {
    let dir = TempDir::new("atomic");
    let shared = dir.join("link");
    let mut outbox = Outbox::open(&shared, StoreLimits::default()).unwrap();
    let inbox = Inbox::open(InboxConfig::new(&shared)).unwrap();
    let done = outbox
        .put(&bundle(1), "done", &mut SteppingClock::new(T0, 1))
        .unwrap();
    // A writer that crashed mid-write leaves its temporary file behind.
    let partial = shared.join(format!(
        "{TEMP_PREFIX}00000000000000000009-0000000000-x.bp7"
    ));
    put_file(&partial, &bundle(2)[..10]);
    assert_eq!(
        scan_names(&inbox),
        [done.file_name().unwrap().to_str().unwrap()]
    );
    drop(inbox);

    // Reader-side recovery: the partial file is quarantined (never lost) as incomplete.
    let inbox = Inbox::open(InboxConfig::new(&shared)).unwrap();
    assert!(!partial.exists());
    assert_eq!(inbox.recovered().len(), 1);
    let moved = &inbox.recovered()[0];
    assert_eq!(fs::read(moved).unwrap(), &bundle(2)[..10]);
    let reason = fs::read_to_string(format!("{}.reason", moved.display())).unwrap();
    assert!(reason.starts_with("incomplete"), "{reason}");
    assert!(done.exists());

    // Writer-side recovery: an unacknowledged temporary file is removed.
    put_file(&partial, b"partial");
    let outbox = Outbox::open(&shared, StoreLimits::default()).unwrap();
    assert!(!partial.exists());
    assert_eq!(outbox.usage().files, 1);
}

#[test]
fn outbox_refuses_files_above_the_maximum() {
    let dir = TempDir::new("outsize");
    let limits = StoreLimits {
        max_file_octets: 100,
        ..StoreLimits::default()
    };
    assert_eq!(StoreLimits::default().max_file_octets, 5_000_000);
    let mut outbox = Outbox::open(dir.join("out"), limits).unwrap();
    let mut clock = SteppingClock::new(T0, 1);
    outbox.put(&[0; 100], "fits", &mut clock).unwrap();
    let err = outbox.put(&[0; 101], "big", &mut clock).unwrap_err();
    assert!(
        matches!(
            err,
            Error::TooLarge {
                size: 101,
                max: 100
            }
        ),
        "{err}"
    );
    assert_eq!(names(outbox.dir()).len(), 1);
}

#[test]
fn inbox_refuses_files_above_the_maximum() {
    let dir = TempDir::new("insize");
    let mut config = InboxConfig::new(dir.join("in"));
    let big = bundle_with(T0, 1, 3_600_000, None, &[7; 200]);
    config.max_file_octets = u64::try_from(big.len()).unwrap() - 1;
    let mut inbox = Inbox::open(config.clone()).unwrap();
    put_file(&config.dir.join("big.bp7"), &big);
    put_file(&config.dir.join("small.bp7"), &bundle(2));
    let files = inbox.scan().unwrap();
    assert!(matches!(inbox.read(&files[0]), Err(Error::TooLarge { .. })));
    assert_eq!(
        inbox.classify(&big, T0),
        Err(Reject::TooLarge {
            size: config.max_file_octets + 1,
            max: config.max_file_octets
        })
    );
    let Scan::Quarantined { reason, path } = inbox.admit(&files[0], T0).unwrap() else {
        panic!("not quarantined")
    };
    assert!(matches!(reason, Reject::TooLarge { .. }));
    assert_eq!(fs::read(&path).unwrap(), big);
    let text = fs::read_to_string(config.quarantine_dir.join("big.bp7.reason")).unwrap();
    assert!(text.starts_with("too large"), "{text}");
    // A file at the limit is read.
    assert!(matches!(
        inbox.admit(&files[1], T0).unwrap(),
        Scan::Deliver { .. }
    ));
}

#[test]
fn full_store_refuses_the_new_file_and_keeps_the_old_ones() {
    let dir = TempDir::new("full");
    let limits = StoreLimits {
        max_file_octets: 1_000,
        max_files: 2,
        max_total_octets: 1_000,
    };
    let mut outbox = Outbox::open(dir.join("out"), limits).unwrap();
    let mut clock = SteppingClock::new(T0, 1);
    let first = outbox.put(&[1; 10], "a", &mut clock).unwrap();
    outbox.put(&[2; 10], "b", &mut clock).unwrap();
    let err = outbox.put(&[3; 10], "c", &mut clock).unwrap_err();
    assert!(
        matches!(
            err,
            Error::StoreFull {
                size: 10,
                files: 2,
                octets: 20,
                max_files: 2,
                max_octets: 1_000
            }
        ),
        "{err}"
    );
    assert_eq!(names(outbox.dir()).len(), 2);
    // The forwarder takes a file: there is room again.
    fs::remove_file(&first).unwrap();
    outbox.put(&[3; 10], "c", &mut clock).unwrap();
    assert_eq!(names(outbox.dir()).len(), 2);

    // The octet bound.
    let limits = StoreLimits {
        max_file_octets: 1_000,
        max_files: 100,
        max_total_octets: 25,
    };
    let mut outbox = Outbox::open(dir.join("octets"), limits).unwrap();
    outbox.put(&[1; 20], "a", &mut clock).unwrap();
    outbox.put(&[1; 5], "b", &mut clock).unwrap();
    assert!(matches!(
        outbox.put(&[1; 1], "c", &mut clock),
        Err(Error::StoreFull { octets: 25, .. })
    ));
    // Usage is measured on open.
    let reopened = Outbox::open(dir.join("octets"), limits).unwrap();
    assert_eq!(reopened.usage().octets, 25);
    assert_eq!(reopened.usage().files, 2);
}

#[test]
fn consume_is_durable_idempotent_and_survives_a_crash_between_record_and_remove() {
    let dir = TempDir::new("dedup");
    let config = InboxConfig::new(dir.join("in"));
    let mut inbox = Inbox::open(config.clone()).unwrap();
    put_file(&config.dir.join("a.bp7"), &bundle(1));
    put_file(&config.dir.join("b.bp7"), &bundle(2));
    let files = inbox.scan().unwrap();
    let Scan::Deliver { id: id_a, bytes } = inbox.admit(&files[0], T0).unwrap() else {
        panic!()
    };
    assert_eq!(id_a, id(1));
    assert_eq!(bytes, bundle(1));
    inbox.consume(&files[0], &id_a).unwrap();
    inbox.consume(&files[0], &id_a).unwrap(); // idempotent
    assert!(!files[0].path().exists());

    // Crash between the two steps of `consume` for b: recorded, file still there.
    let Scan::Deliver { id: id_b, .. } = inbox.admit(&files[1], T0).unwrap() else {
        panic!()
    };
    assert!(inbox.record(&id_b).unwrap());
    assert!(!inbox.record(&id_b).unwrap());
    drop(inbox);

    let mut inbox = Inbox::open(config.clone()).unwrap();
    assert!(inbox.is_consumed(&id(1)) && inbox.is_consumed(&id(2)));
    let files = inbox.scan().unwrap();
    assert_eq!(files.len(), 1);
    assert_eq!(
        inbox.admit(&files[0], T0).unwrap(),
        Scan::AlreadyConsumed(id(2))
    );
    assert!(inbox.scan().unwrap().is_empty());

    // A duplicate delivery of an already consumed bundle, under a new name.
    put_file(&config.dir.join("again.bp7"), &bundle(1));
    assert_eq!(
        inbox.classify(&bundle(1), T0),
        Err(Reject::Duplicate(id(1)))
    );
    let files = inbox.scan().unwrap();
    assert_eq!(
        inbox.admit(&files[0], T0).unwrap(),
        Scan::AlreadyConsumed(id(1))
    );

    // Policy "quarantine": the replay is kept for audit.
    let mut config = config;
    config.duplicates = DuplicatePolicy::Quarantine;
    let mut inbox = Inbox::open(config.clone()).unwrap();
    put_file(&config.dir.join("replay.bp7"), &bundle(1));
    let files = inbox.scan().unwrap();
    let Scan::Quarantined { reason, path } = inbox.admit(&files[0], T0).unwrap() else {
        panic!()
    };
    assert_eq!(reason, Reject::Duplicate(id(1)));
    assert!(path.exists());
}

#[test]
fn quarantine_keeps_the_file_and_writes_its_reason() {
    let dir = TempDir::new("quarantine");
    let config = InboxConfig::new(dir.join("in"));
    let mut inbox = Inbox::open(config.clone()).unwrap();
    put_file(&config.dir.join("junk.bp7"), b"not a bundle at all");
    let files = inbox.scan().unwrap();
    let Scan::Quarantined { reason, path } = inbox.admit(&files[0], T0).unwrap() else {
        panic!()
    };
    assert!(matches!(reason, Reject::NotABundle(_)), "{reason}");
    assert_eq!(path, config.quarantine_dir.join("junk.bp7"));
    assert_eq!(fs::read(&path).unwrap(), b"not a bundle at all");
    let text = fs::read_to_string(config.quarantine_dir.join("junk.bp7.reason")).unwrap();
    assert_eq!(text, format!("{reason}\n"));
    assert!(inbox.scan().unwrap().is_empty());

    // Same name again, with a caller's own reason: kept beside the first, not over it.
    put_file(&config.dir.join("junk.bp7"), b"other");
    let files = inbox.scan().unwrap();
    let path = inbox
        .quarantine(&files[0], &"unknown destination ipn:9.1")
        .unwrap();
    assert_eq!(path, config.quarantine_dir.join("junk.bp7.1"));
    assert_eq!(fs::read(&path).unwrap(), b"other");
    assert_eq!(
        fs::read_to_string(config.quarantine_dir.join("junk.bp7.1.reason")).unwrap(),
        "unknown destination ipn:9.1\n"
    );
    assert_eq!(
        names(&config.quarantine_dir),
        [
            "junk.bp7",
            "junk.bp7.1",
            "junk.bp7.1.reason",
            "junk.bp7.reason"
        ]
    );
    // Our unfinished temporary files in the quarantine are cleaned up on open.
    put_file(&config.quarantine_dir.join(".tmp-x.reason"), b"half");
    drop(inbox);
    Inbox::open(config.clone()).unwrap();
    assert_eq!(names(&config.quarantine_dir).len(), 4);
}

#[test]
fn torn_dedup_log_line_is_ignored_and_truncated() {
    let dir = TempDir::new("torn");
    let config = InboxConfig::new(dir.join("in"));
    let mut inbox = Inbox::open(config.clone()).unwrap();
    inbox.record(&id(1)).unwrap();
    inbox.record(&id(2)).unwrap();
    drop(inbox);
    let complete = fs::read(&config.dedup_log).unwrap();
    // A crash in the middle of appending the third line.
    fs::OpenOptions::new()
        .append(true)
        .open(&config.dedup_log)
        .unwrap()
        .write_all(format!("1 {T0} 3").as_bytes())
        .unwrap();
    let mut inbox = Inbox::open(config.clone()).unwrap();
    assert!(inbox.is_consumed(&id(1)) && inbox.is_consumed(&id(2)));
    assert!(!inbox.is_consumed(&id(3)));
    assert_eq!(fs::read(&config.dedup_log).unwrap(), complete);
    inbox.record(&id(3)).unwrap();
    drop(inbox);
    let inbox = Inbox::open(config.clone()).unwrap();
    assert!(inbox.is_consumed(&id(3)));
    drop(inbox);

    // Damage before the last line is an error, not a silent loss of ids.
    let mut damaged = b"1 5 6 - ipn:1.0\ngarbage\n".to_vec();
    damaged.extend_from_slice(&complete);
    fs::write(&config.dedup_log, damaged).unwrap();
    let err = Inbox::open(config).unwrap_err();
    assert!(
        matches!(err, Error::CorruptDedupLog { line: 2, .. }),
        "{err}"
    );
}

#[test]
fn expiry_uses_creation_time_or_bundle_age() {
    let hour = 3_600_000;
    // RFC 9171 §4.2.6: expires at creation time + lifetime.
    let b = bundle_with(T0, 1, hour, None, b"x");
    assert!(classify_bundle(&b, T0 + hour, 5_000_000).is_ok());
    assert_eq!(
        classify_bundle(&b, T0 + hour + 1, 5_000_000),
        Err(Reject::Expired {
            creation_time: T0,
            lifetime: hour,
            now: T0 + hour + 1
        })
    );
    // Creation time 0 (no accurate clock): the Bundle Age block decides (§4.4.2), whatever
    // the receiver's clock says.
    let young = bundle_with(0, 1, hour, Some(hour), b"x");
    assert!(classify_bundle(&young, u64::MAX, 5_000_000).is_ok());
    let old = bundle_with(0, 2, hour, Some(hour + 1), b"x");
    assert_eq!(
        classify_bundle(&old, 0, 5_000_000),
        Err(Reject::ExpiredByAge {
            age: hour + 1,
            lifetime: hour
        })
    );
    // Through the inbox, an expired bundle is quarantined with its reason.
    let dir = TempDir::new("expiry");
    let config = InboxConfig::new(dir.join("in"));
    let mut inbox = Inbox::open(config.clone()).unwrap();
    put_file(&config.dir.join("old.bp7"), &old);
    let files = inbox.scan().unwrap();
    assert!(matches!(
        inbox.admit(&files[0], T0).unwrap(),
        Scan::Quarantined {
            reason: Reject::ExpiredByAge { .. },
            ..
        }
    ));
    let text = fs::read_to_string(config.quarantine_dir.join("old.bp7.reason")).unwrap();
    assert!(text.starts_with("expired"), "{text}");
}

#[test]
fn fragment_ids_carry_offset_and_length() {
    let primary = PrimaryBlock {
        flags: BundleFlags::IS_FRAGMENT,
        crc_type: CrcType::Crc32C,
        destination: Eid::parse_uri("ipn:2.1").unwrap(),
        source: Eid::parse_uri("ipn:1.0").unwrap(),
        report_to: Eid::Null,
        creation: CreationTimestamp {
            time: T0,
            sequence: 4,
        },
        lifetime: 3_600_000,
        fragment: Some(FragmentInfo {
            offset: 100,
            total_adu_length: 1_000,
        }),
    };
    let bytes = BundleBuilder::new(primary)
        .payload(&[9; 50], BlockFlags(0), CrcType::Crc32C)
        .to_vec()
        .unwrap();
    let got = classify_bundle(&bytes, T0, 5_000_000).unwrap();
    assert_eq!(
        got.fragment,
        Some(FragmentId {
            offset: 100,
            length: 50
        })
    );
    assert_eq!(got.to_string(), format!("ipn:1.0 {T0}.4 fragment 100+50"));
    // Recorded and reloaded like any other id.
    let dir = TempDir::new("fragment");
    let config = InboxConfig::new(dir.join("in"));
    Inbox::open(config.clone()).unwrap().record(&got).unwrap();
    assert!(Inbox::open(config).unwrap().is_consumed(&got));
}

#[test]
fn scan_order_is_deterministic_and_skips_non_bundles() {
    let dir = TempDir::new("order");
    let config = InboxConfig::new(dir.join("in"));
    let inbox = Inbox::open(config.clone()).unwrap();
    for name in [
        "c.bp7",
        "a.bp7",
        "00000000000000000002-0000000000-x.bp7",
        "b",
        ".hidden",
    ] {
        put_file(&config.dir.join(name), b"x");
    }
    fs::create_dir(config.dir.join("sub")).unwrap();
    #[cfg(unix)]
    std::os::unix::fs::symlink(config.dir.join("a.bp7"), config.dir.join("link.bp7")).unwrap();
    let expected = [
        "00000000000000000002-0000000000-x.bp7",
        "a.bp7",
        "b",
        "c.bp7",
    ];
    assert_eq!(scan_names(&inbox), expected);
    assert_eq!(scan_names(&inbox), expected);
}

#[test]
fn classify_truncated_bundles() {
    let b = bundle(1);
    for len in 0..b.len() {
        match classify_bundle(&b[..len], T0, 5_000_000) {
            Err(Reject::Truncated(_) | Reject::NotABundle(_)) => {}
            other => panic!("prefix of {len} octets: {other:?}"),
        }
    }
    assert!(matches!(
        classify_bundle(&[], T0, 5_000_000),
        Err(Reject::Truncated(_))
    ));
    assert!(matches!(
        classify_bundle(&b[..b.len() - 1], T0, 5_000_000),
        Err(Reject::Truncated(_))
    ));
    assert!(classify_bundle(&b, T0, 5_000_000).is_ok());
}

proptest! {
    /// Hostile bytes never panic the classifier.
    #[test]
    fn classify_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..512), now: u64) {
        let _ = classify_bundle(&bytes, now, 5_000_000);
    }

    /// A valid bundle with a few octets changed never panics the classifier.
    #[test]
    fn classify_corrupted_bundles(flips in proptest::collection::vec((any::<usize>(), any::<u8>()), 1..4)) {
        let mut b = bundle(1);
        for (at, x) in flips {
            let len = b.len();
            b[at % len] ^= x;
        }
        let _ = classify_bundle(&b, T0, 5_000_000);
    }
}
