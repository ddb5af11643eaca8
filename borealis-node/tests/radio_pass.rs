#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]
//! `borealis pass --link radio`, every role a separate process: the ground's Ping crosses the
//! uplink as one coded CLTU stream (`radio/uplink-<n>.cltu`), the unchanged
//! `payload run --once` answers it, the answers cross the downlink as one coded CADU stream
//! (`radio/downlink-<n>.cadu`), and the ground lists the PONG.

use std::path::PathBuf;

mod cli_common;
use cli_common::run;

fn temp(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("borealis-radio-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn a_ping_is_answered_over_the_radio_link() {
    let tmp = temp("ping");
    let m = tmp.join("mission");
    let dir = m.to_str().unwrap();
    run(&["keys", "init", "--dir", dir, "--payload-node", "2"]);
    run(&["ground", "--mission", dir, "ping"]);
    run(&["ground", "--mission", dir, "telemetry"]);

    let out = run(&["pass", "--mission", dir, "--link", "radio"]);
    assert_eq!(out.trim(), "pass: 2 up, 0 down");
    let stream = m.join("radio/uplink-000000.cltu");
    let coded = std::fs::read(&stream).unwrap();
    assert_eq!(coded[..2], [0xEB, 0x90], "a CLTU start sequence");
    assert_eq!(std::fs::read_dir(m.join("uplink")).unwrap().count(), 0);
    // `borealis inspect` reads the coded file (its first CLTU).
    let shown = run(&["inspect", stream.to_str().unwrap()]);
    assert!(
        shown.contains("kind: cltu") && shown.contains("231.0-B-4"),
        "{shown}"
    );

    let out = run(&["payload", "run", "--mission", dir, "--once"]);
    assert!(out.starts_with("executed 2,"), "{out}");
    let out = run(&["pass", "--mission", dir, "--link", "radio"]);
    let (_, down) = out.trim().split_once(" up, ").unwrap();
    let down: usize = down.strip_suffix(" down").unwrap().parse().unwrap();
    assert!(down >= 2, "{out}");
    assert_eq!(std::fs::read_dir(m.join("downlink")).unwrap().count(), 0);
    // Everything the ground receives came out of the coded downlink stream.
    let ground_inbox: Vec<String> = std::fs::read_dir(m.join("ground/inbox"))
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|n| n.ends_with(".bundle"))
        .collect();
    assert_eq!(ground_inbox.len(), down, "{ground_inbox:?}");
    assert!(
        ground_inbox
            .iter()
            .all(|n| n.starts_with("radio-down-000000-")),
        "{ground_inbox:?}"
    );
    let down_stream = m.join("radio/downlink-000000.cadu");
    let coded = std::fs::read(&down_stream).unwrap();
    assert_eq!(coded[..4], [0x1A, 0xCF, 0xFC, 0x1D], "a CADU's ASM");
    let shown = run(&["inspect", down_stream.to_str().unwrap()]);
    assert!(
        shown.contains("kind: cadu") && shown.contains("131.0-B-4"),
        "{shown}"
    );
    run(&["ground", "--mission", dir, "receive"]);
    let listed = run(&["ground", "--mission", dir, "responses"]);
    assert!(
        listed.contains("PONG") && listed.contains("telemetry"),
        "{listed}"
    );

    // A second pass with traffic writes the next stream.
    run(&["ground", "--mission", dir, "ping"]);
    run(&["pass", "--mission", dir, "--link", "radio"]);
    assert!(m.join("radio/uplink-000001.cltu").is_file());
    let out = run(&["payload", "run", "--mission", dir, "--once"]);
    assert!(out.starts_with("executed 1,"), "{out}");
    std::fs::remove_dir_all(&tmp).unwrap();
}
