//! `borealis payload run` stops gracefully on SIGTERM and SIGINT (`node::stop` module docs):
//! it finishes the bundle in hand, saves its state, logs one line and exits 0 — at once even
//! when idle with a long poll interval (the signal wakes the inbox watcher) — and a following
//! `--once` run carries on from a consistent state: every request answered exactly once,
//! nothing quarantined.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

use borealis_node::node::MissionConfig;

mod cli_common;
use cli_common::{bin, log_text, run, wait_for};

/// The one line a graceful stop logs.
const STOPPED: &str = "stop requested: finished the bundle in hand, state saved, exiting";

/// A fresh mission whose payload rescans its inbox at least every `poll_interval_ms`.
fn mission(name: &str, poll_interval_ms: u64) -> (PathBuf, PathBuf) {
    let tmp = std::env::temp_dir().join(format!("borealis-signal-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&tmp);
    std::fs::create_dir_all(&tmp).unwrap();
    let m = tmp.join("mission");
    run(&[
        "keys",
        "init",
        "--dir",
        m.to_str().unwrap(),
        "--payload-node",
        "2",
    ]);
    MissionConfig {
        poll_interval_ms,
        ..MissionConfig::default()
    }
    .save(&m)
    .unwrap();
    (tmp, m)
}

fn start_daemon(m: &Path, log: &Path) -> Child {
    Command::new(bin())
        .args(["payload", "run", "--mission", m.to_str().unwrap()])
        .env("RUST_LOG", "info")
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(log).unwrap())
        .spawn()
        .unwrap()
}

/// The banner is logged after the signal handlers are installed.
fn wait_until_started(child: &mut Child, log: &Path) {
    wait_for("the payload to start", log, || {
        assert!(child.try_wait().unwrap().is_none(), "{}", log_text(log));
        log_text(log).contains("borealis payload starting")
    });
}

/// Sends `signal` (`TERM`, `INT`) to `child` with kill(1).
fn signal(child: &Child, signal: &str) {
    let status = Command::new("kill")
        .arg(format!("-{signal}"))
        .arg(child.id().to_string())
        .status()
        .unwrap();
    assert!(status.success());
}

fn wait_exit(child: &mut Child, within: Duration, log: &Path) -> ExitStatus {
    let deadline = Instant::now() + within;
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            return status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("the payload did not stop in {within:?}:\n{}", log_text(log));
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn ready_files(dir: &Path) -> usize {
    std::fs::read_dir(dir).map_or(0, |d| {
        d.map(|e| e.unwrap().path())
            .filter(|p| p.is_file() && !p.file_name().unwrap().to_string_lossy().starts_with('.'))
            .count()
    })
}

/// Stopped with exit 0 and exactly one stop line.
fn assert_stopped(status: ExitStatus, log: &Path) {
    let text = log_text(log);
    assert_eq!(status.code(), Some(0), "{status}:\n{text}");
    assert_eq!(text.matches(STOPPED).count(), 1, "{text}");
    assert!(!text.contains("ERROR"), "{text}");
}

#[test]
fn sigterm_stops_the_daemon_and_a_once_run_carries_on() {
    let (tmp, m) = mission("term", 50);
    let dir = m.to_str().unwrap();
    let log = tmp.join("payload.log");
    run(&["ground", "--mission", dir, "ping"]);
    run(&["pass", "--mission", dir]);
    let mut child = start_daemon(&m, &log);
    wait_until_started(&mut child, &log);
    // Health record and PONG written, the request consumed: the daemon is idle.
    wait_for("the ping to be answered", &log, || {
        ready_files(&m.join("payload/inbox")) == 0 && ready_files(&m.join("downlink")) >= 2
    });
    signal(&child, "TERM");
    assert_stopped(wait_exit(&mut child, Duration::from_secs(30), &log), &log);

    run(&["pass", "--mission", dir]);
    let received = run(&["ground", "--mission", dir, "receive"]);
    assert!(received.contains("response to #1\n"), "{received}");
    // A one-shot run after the stop: the state it saved loads, the next request is executed.
    run(&["ground", "--mission", dir, "ping"]);
    run(&["pass", "--mission", dir]);
    let out = run(&["payload", "run", "--mission", dir, "--once"]);
    assert!(
        out.starts_with("executed 1,") && out.contains("quarantined 0"),
        "{out}"
    );
    run(&["pass", "--mission", dir]);
    let received = run(&["ground", "--mission", dir, "receive"]);
    assert!(received.contains("response to #2\n"), "{received}");
    assert!(!received.contains("quarantined"), "{received}");
    std::fs::remove_dir_all(&tmp).unwrap();
}

#[test]
fn sigint_stops_an_idle_daemon_at_once() {
    // An hour between polls: only the wake-up by the signal can end the wait in time.
    let (tmp, m) = mission("int", 3_600_000);
    let log = tmp.join("payload.log");
    let mut child = start_daemon(&m, &log);
    wait_until_started(&mut child, &log);
    wait_for("the health record", &log, || {
        ready_files(&m.join("downlink")) >= 1
    });
    std::thread::sleep(Duration::from_millis(200));
    let sent = Instant::now();
    signal(&child, "INT");
    assert_stopped(wait_exit(&mut child, Duration::from_secs(30), &log), &log);
    assert!(sent.elapsed() < Duration::from_secs(30));
    std::fs::remove_dir_all(&tmp).unwrap();
}

/// A stop while requests are queued: whatever bundle the signal found in hand is finished,
/// the rest stay in the inbox, and the next run answers them — each exactly once.
#[test]
fn a_stop_between_bundles_loses_and_repeats_nothing() {
    let (tmp, m) = mission("busy", 50);
    let dir = m.to_str().unwrap();
    let log = tmp.join("payload.log");
    const N: usize = 12;
    for _ in 0..N {
        run(&["ground", "--mission", dir, "ping"]);
    }
    run(&["pass", "--mission", dir]);
    let mut child = start_daemon(&m, &log);
    wait_until_started(&mut child, &log);
    signal(&child, "TERM");
    assert_stopped(wait_exit(&mut child, Duration::from_secs(30), &log), &log);
    let handled = log_text(&log).matches("handled").count();
    assert_eq!(ready_files(&m.join("payload/inbox")), N - handled);

    let out = run(&["payload", "run", "--mission", dir, "--once"]);
    assert!(
        out.starts_with(&format!("executed {},", N - handled)) && out.contains("quarantined 0"),
        "{out} after {handled} handled"
    );
    run(&["pass", "--mission", dir]);
    let received = run(&["ground", "--mission", dir, "receive"]);
    for id in 1..=N {
        assert_eq!(
            received.matches(&format!("response to #{id}\n")).count(),
            1,
            "{received}"
        );
    }
    assert!(!received.contains("quarantined"), "{received}");
    std::fs::remove_dir_all(&tmp).unwrap();
}
