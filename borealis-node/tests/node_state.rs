//! The node state file (`node::state` module docs) is authenticated: HMAC-SHA-256 under a key
//! derived from the side's storage master key. An edited, truncated, unsigned or foreign file
//! is refused with a typed error naming it — never replaced by fresh counters (IV reuse) —
//! and a version-1 file is signed only by the operator's explicit `borealis migrate-state`.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::path::{Path, PathBuf};

use borealis_node::env::SteppingClock;
use borealis_node::node::{GroundNode, NodeError, PayloadNode, Request};

mod cli_common;

/// 2026-01-01T00:00:00Z as DTN time.
const T0: u64 = 820_540_800_000;

/// A fresh mission in which both sides have written their state once.
fn mission(name: &str) -> PathBuf {
    let tmp = std::env::temp_dir().join(format!("borealis-state-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&tmp);
    std::fs::create_dir_all(&tmp).unwrap();
    let dir = tmp.join("mission");
    let out = cli_common::output(&[
        "keys",
        "init",
        "--payload-node",
        "2",
        "--dir",
        dir.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{out:?}");
    let mut clock = SteppingClock::new(T0, 1);
    let mut ground = GroundNode::open(&dir).unwrap();
    ground.send(&Request::Ping, &mut clock).unwrap();
    let mut payload = PayloadNode::open(&dir, &mut clock).unwrap();
    payload.run_once(&mut clock).unwrap();
    dir
}

fn payload_state(m: &Path) -> PathBuf {
    m.join("payload/node-state.json")
}

fn open_payload(m: &Path) -> Result<PayloadNode, NodeError> {
    PayloadNode::open(m, &mut SteppingClock::new(T0 + 1000, 1))
}

/// The error, which must name the file.
fn refused(m: &Path) -> NodeError {
    let err = open_payload(m).unwrap_err();
    assert!(
        err.to_string()
            .contains(&payload_state(m).display().to_string()),
        "{err}"
    );
    err
}

fn not_authentic(err: &NodeError, path: &Path) -> bool {
    matches!(err, NodeError::StateNotAuthentic { path: p } if p == path)
}

/// The JSON body and the tag line of a version-2 file.
fn split(file: &str) -> (&str, &str) {
    let (body, tag) = file.trim_end_matches('\n').split_once('\n').unwrap();
    (body, tag)
}

#[test]
fn the_state_file_carries_a_tag_over_its_body() {
    let m = mission("format");
    let file = std::fs::read_to_string(payload_state(&m)).unwrap();
    let (body, tag) = split(&file);
    let v: serde_json::Value = serde_json::from_str(body).unwrap();
    assert_eq!(v["version"], 2);
    assert!(v["counters"]["next_sequence"].as_u64().unwrap() > 1);
    let hex = tag.strip_prefix("hmac-sha256 ").unwrap();
    assert_eq!(hex.len(), 64);
    assert!(file.ends_with('\n'));
    // It loads, and so does the ground's.
    open_payload(&m).unwrap();
    GroundNode::open(&m).unwrap();
    std::fs::remove_dir_all(m.parent().unwrap()).unwrap();
}

#[test]
fn an_edited_truncated_or_foreign_file_is_refused_with_its_name() {
    let m = mission("tamper");
    let path = payload_state(&m);
    let original = std::fs::read_to_string(&path).unwrap();
    let (body, tag) = split(&original);
    let v: serde_json::Value = serde_json::from_str(body).unwrap();
    let next = v["counters"]["next_sequence"].as_u64().unwrap();

    // The counters rolled back, tag kept: exactly the attack the MAC is for.
    let rolled_back = original.replace(&format!("\"next_sequence\":{next}"), "\"next_sequence\":1");
    assert_ne!(rolled_back, original);
    let cases = [
        ("counters rolled back", rolled_back),
        ("one tag digit changed", {
            let last = tag.chars().last().unwrap();
            let other = if last == '0' { '1' } else { '0' };
            format!("{body}\n{}{other}\n", &tag[..tag.len() - 1])
        }),
        ("tag line removed", format!("{body}\n")),
        (
            "tag not hex",
            format!("{body}\nhmac-sha256 {}\n", "zz".repeat(32)),
        ),
        ("cut short", original[..original.len() / 2].to_owned()),
        ("empty", String::new()),
        ("not a state file", "hello\n".to_owned()),
    ];
    for (what, text) in cases {
        std::fs::write(&path, &text).unwrap();
        let err = refused(&m);
        assert!(not_authentic(&err, &path), "{what}: {err}");
        // Nothing replaced the refused file.
        assert_eq!(std::fs::read_to_string(&path).unwrap(), text, "{what}");
    }

    // The ground's file under the payload's name: another key (another master, another role).
    std::fs::copy(m.join("ground/node-state.json"), &path).unwrap();
    assert!(not_authentic(&refused(&m), &path));

    std::fs::write(&path, &original).unwrap();
    open_payload(&m).unwrap();
    std::fs::remove_dir_all(m.parent().unwrap()).unwrap();
}

#[test]
fn a_version_1_file_is_refused_until_the_operator_migrates_it() {
    let m = mission("migrate");
    let path = payload_state(&m);
    let file = std::fs::read_to_string(&path).unwrap();
    let (body, _) = split(&file);
    let mut v: serde_json::Value = serde_json::from_str(body).unwrap();
    let counters = v["counters"].clone();
    // What the node wrote before the MAC: the same JSON with version 1, no tag line.
    v["version"] = serde_json::json!(1);
    std::fs::write(&path, v.to_string()).unwrap();
    let err = refused(&m);
    assert!(
        matches!(&err, NodeError::StateUnsigned { path: p } if *p == path),
        "{err}"
    );
    assert!(err.to_string().contains("borealis migrate-state"), "{err}");

    // The explicit migration signs it (the payload's only: the ground's is version 2).
    let out = cli_common::output(&["migrate-state", "--mission", m.to_str().unwrap()]);
    assert!(out.status.success(), "{out:?}");
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert_eq!(stdout, format!("signed {}\n", path.display()));
    let migrated = std::fs::read_to_string(&path).unwrap();
    let (body, _) = split(&migrated);
    let v: serde_json::Value = serde_json::from_str(body).unwrap();
    assert_eq!(v["version"], 2);
    // The counters are the ones of the version-1 file: never reset.
    assert_eq!(v["counters"], counters);
    open_payload(&m).unwrap();
    // Once is enough: nothing left to sign.
    let out = cli_common::output(&["migrate-state", "--mission", m.to_str().unwrap()]);
    assert_eq!(
        String::from_utf8(out.stdout).unwrap(),
        "no version-1 state file\n"
    );
    // The migration never signs what does not authenticate.
    std::fs::write(&path, migrated.replace("\"version\":2", "\"version\":3")).unwrap();
    let out = cli_common::output(&["migrate-state", "--mission", m.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        String::from_utf8(out.stderr)
            .unwrap()
            .contains("not authentic"),
    );
    std::fs::remove_dir_all(m.parent().unwrap()).unwrap();
}

/// What the MAC does not stop (module docs): an older copy the node wrote itself is
/// authentic, so putting it back sets the counters back. This test pins the limit down so
/// that a future monotonic counter outside the file shows up as a change here.
#[test]
fn an_older_authentic_copy_is_not_detected() {
    let m = mission("rollback");
    let path = payload_state(&m);
    let old = std::fs::read(&path).unwrap();
    let mut clock = SteppingClock::new(T0 + 10_000, 1);
    let mut ground = GroundNode::open(&m).unwrap();
    // Enough requests to use up the reserved block of sequence numbers.
    for _ in 0..40 {
        ground.send(&Request::Ping, &mut clock).unwrap();
    }
    borealis_node::node::pass(&m, &borealis_node::node::MissionConfig::load(&m).unwrap()).unwrap();
    open_payload(&m).unwrap().run_once(&mut clock).unwrap();
    assert_ne!(std::fs::read(&path).unwrap(), old);
    std::fs::write(&path, &old).unwrap();
    assert!(open_payload(&m).is_ok());
    std::fs::remove_dir_all(m.parent().unwrap()).unwrap();
}
