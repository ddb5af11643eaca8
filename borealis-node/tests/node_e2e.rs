#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]
//! The daemon end to end, in process (issue #6): every request type over the filesystem
//! transport with the host forwarder, a 1 MiB multi-chunk image reassembled and hash-checked,
//! a rekey mid-stream (upload → activate → switch → deactivate the old key) with traffic under
//! the new key, and node-level security: replayed (also after a restart), tampered, non-bundle,
//! truncated, under an unknown key, for another node, expired and oversized files quarantined
//! with their reason, nothing executed, the payload still serving. Then the same mission flow
//! with every role a separate process: the payload as a `run` daemon (fed by `pass`, stopped
//! by `Halt`, exit 0) and as `--once` runs, the rekey done with `borealis keys` + `ground rekey`
//! + `ground use-key`.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use borealis_node::env::{SteppingClock, SystemClock};
use borealis_node::node::{
    GroundNode, ImageProgress, MissionConfig, PayloadNode, Request, pass, synthetic_image,
};
use borealis_node::protocol::{CaptureParams, CommandResult, Message};

mod cli_common;
use cli_common::{bin, run, wait_for};

fn keys(args: &[&str]) {
    let out = Command::new(bin()).arg("keys").args(args).output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A fresh mission with a 300 kB file limit (so a 1 MiB image takes 4 chunks).
fn mission(tmp: &Path) -> PathBuf {
    let dir = tmp.join("mission");
    keys(&[
        "init",
        "--dir",
        dir.to_str().unwrap(),
        "--payload-node",
        "2",
    ]);
    let config = MissionConfig {
        max_file_octets: 300_000,
        ..MissionConfig::default()
    };
    config.save(&dir).unwrap();
    dir
}

fn temp(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("borealis-node-e2e-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Uplink pass, one payload iteration, downlink pass, ground receive.
fn exchange(
    m: &Path,
    payload: &mut PayloadNode,
    ground: &mut GroundNode,
) -> borealis_node::node::GroundReport {
    let config = MissionConfig::load(m).unwrap();
    pass(m, &config).unwrap();
    let report = payload.run_once(&mut SystemClock).unwrap();
    assert!(report.quarantined.is_empty(), "{:?}", report.quarantined);
    pass(m, &config).unwrap();
    ground.receive(&mut SystemClock).unwrap()
}

fn response(ground: &GroundNode, id: borealis_node::session::RequestId) -> Message<'static> {
    let bytes = ground.response(id).expect("stored response");
    Message::decode(&bytes).unwrap().into_owned()
}

#[test]
fn every_request_type_a_1_mib_image_and_a_rekey_mid_stream() {
    let tmp = temp("all");
    let m = mission(&tmp);
    let mut clock = SystemClock;
    let mut payload = PayloadNode::open(&m, &mut clock).unwrap();
    let mut ground = GroundNode::open(&m).unwrap();

    let ping = ground.send(&Request::Ping, &mut clock).unwrap();
    let check = ground.send(&Request::Check, &mut clock).unwrap();
    let tm = ground
        .send(&Request::Telemetry(vec!["power".into()]), &mut clock)
        .unwrap();
    let params = CaptureParams {
        width: 1024,
        height: 1024,
        exposure_ms: 10,
    };
    let capture = ground.send(&Request::Capture(params), &mut clock).unwrap();
    let r = exchange(&m, &mut payload, &mut ground);
    assert_eq!(r.matched, vec![ping, check, tm, capture]);
    assert!(
        matches!(response(&ground, ping), Message::Response(r) if r.result == CommandResult::Pong)
    );
    let Message::Telemetry(t) = response(&ground, tm) else {
        panic!()
    };
    assert!(!t.samples.is_empty() && t.samples.iter().all(|s| s.name.starts_with("power.")));
    let Message::Response(c) = response(&ground, capture) else {
        panic!()
    };
    let CommandResult::Captured {
        image_id,
        size,
        chunks,
    } = c.result
    else {
        panic!()
    };
    assert_eq!((size, chunks), (1 << 20, 4));

    let image = ground.send(&Request::Image(image_id), &mut clock).unwrap();
    let r = exchange(&m, &mut payload, &mut ground);
    assert_eq!(r.matched, vec![image]);
    assert_eq!(r.images.len(), 1);
    let got = std::fs::read(&r.images[0].path).unwrap();
    assert_eq!(got, synthetic_image(image_id, &params));

    // Rekey mid-stream: upload #4, activate it, switch, deactivate #3.
    let msg = |name: &str| tmp.join(name);
    let dir = m.to_str().unwrap();
    keys(&[
        "upload",
        "--dir",
        dir,
        "--id",
        "4",
        "--purpose",
        "bundle-confidentiality",
        "-o",
        msg("up").to_str().unwrap(),
    ]);
    keys(&[
        "activate",
        "--dir",
        dir,
        "--id",
        "4",
        "-o",
        msg("act").to_str().unwrap(),
    ]);
    let up = ground
        .send(
            &Request::Rekey(std::fs::read(msg("up")).unwrap()),
            &mut clock,
        )
        .unwrap();
    let act = ground
        .send(
            &Request::Rekey(std::fs::read(msg("act")).unwrap()),
            &mut clock,
        )
        .unwrap();
    let r = exchange(&m, &mut payload, &mut ground);
    assert_eq!(r.matched, vec![up, act]);
    for id in [up, act] {
        assert!(matches!(response(&ground, id), Message::RekeyResult(r)
            if matches!(r.outcome, borealis_node::protocol::RekeyOutcome::Accepted(_))));
    }
    ground.use_key(bpsec::KeyId(4)).unwrap();
    keys(&[
        "deactivate",
        "--dir",
        dir,
        "--id",
        "3",
        "-o",
        msg("deact").to_str().unwrap(),
    ]);
    // The ground mirror already applied the deactivation: reopen to pick it up.
    drop(ground);
    let mut ground = GroundNode::open(&m).unwrap();
    let deact = ground
        .send(
            &Request::Rekey(std::fs::read(msg("deact")).unwrap()),
            &mut clock,
        )
        .unwrap();
    let r = exchange(&m, &mut payload, &mut ground);
    assert_eq!(r.matched, vec![deact]);
    let ping2 = ground.send(&Request::Ping, &mut clock).unwrap();
    let r = exchange(&m, &mut payload, &mut ground);
    assert_eq!(r.matched, vec![ping2], "traffic under the new key #4");

    // Halt: run() returns.
    ground.send(&Request::Halt, &mut clock).unwrap();
    pass(&m, &MissionConfig::load(&m).unwrap()).unwrap();
    payload.run(&mut clock).unwrap();
    std::fs::remove_dir_all(&tmp).unwrap();
}

#[test]
fn image_progress_is_reported_per_chunk() {
    let tmp = temp("progress");
    let m = mission(&tmp);
    let config = MissionConfig::load(&m).unwrap();
    let mut clock = SystemClock;
    let mut payload = PayloadNode::open(&m, &mut clock).unwrap();
    let mut ground = GroundNode::open(&m).unwrap();
    let params = CaptureParams {
        width: 1024,
        height: 1024,
        exposure_ms: 10,
    };
    let capture = ground.send(&Request::Capture(params), &mut clock).unwrap();
    exchange(&m, &mut payload, &mut ground);
    ground.send(&Request::Image(capture.0), &mut clock).unwrap();
    pass(&m, &config).unwrap();
    payload.run_once(&mut clock).unwrap();
    pass(&m, &config).unwrap();
    let mut seen = Vec::new();
    let r = ground
        .receive_with_progress(&mut clock, &mut |p| seen.push(p))
        .unwrap();
    assert_eq!(r.images.len(), 1);
    let want: Vec<ImageProgress> = (1..=4)
        .map(|received| ImageProgress {
            image_id: capture.0,
            received,
            total: 4,
        })
        .collect();
    assert_eq!(seen, want);
    let _ = std::fs::remove_dir_all(&tmp);
}

fn reason_files(inbox: &Path) -> Vec<String> {
    let mut out: Vec<String> = std::fs::read_dir(inbox.join("quarantine"))
        .unwrap()
        .filter_map(Result::ok)
        .filter(|e| e.path().extension().is_some_and(|x| x == "reason"))
        .map(|e| std::fs::read_to_string(e.path()).unwrap())
        .collect();
    out.sort();
    out
}

#[test]
fn replayed_tampered_and_garbage_files_are_quarantined_with_their_reason() {
    let tmp = temp("security");
    let m = mission(&tmp);
    let config = MissionConfig::load(&m).unwrap();
    let mut clock = SystemClock;
    let mut payload = PayloadNode::open(&m, &mut clock).unwrap();
    let mut ground = GroundNode::open(&m).unwrap();
    ground.send(&Request::Ping, &mut clock).unwrap();
    let uplink = m.join("uplink");
    let file = std::fs::read_dir(&uplink)
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    let original = std::fs::read(&file).unwrap();
    let r = exchange(&m, &mut payload, &mut ground);
    assert_eq!(r.matched.len(), 1);

    let inbox = m.join("payload/inbox");
    // Replay of the same file, then after a restart.
    std::fs::write(inbox.join("replay.bp7"), &original).unwrap();
    let r = payload.run_once(&mut clock).unwrap();
    assert_eq!((r.executed, r.quarantined.len()), (0, 1));
    drop(payload);
    let mut payload = PayloadNode::open(&m, &mut clock).unwrap();
    std::fs::write(inbox.join("replay2.bp7"), &original).unwrap();
    // Tampered: a fresh request with one octet of its encrypted payload flipped.
    ground.send(&Request::Ping, &mut clock).unwrap();
    let file = std::fs::read_dir(&uplink)
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    let mut tampered = std::fs::read(&file).unwrap();
    std::fs::remove_file(&file).unwrap();
    let n = tampered.len();
    tampered[n - 30] ^= 1;
    std::fs::write(inbox.join("tampered.bp7"), &tampered).unwrap();
    std::fs::write(inbox.join("garbage.bp7"), b"not a bundle at all").unwrap();
    std::fs::write(inbox.join("truncated.bp7"), &original[..original.len() / 2]).unwrap();
    let r = payload.run_once(&mut clock).unwrap();
    assert_eq!(r.executed, 0);
    assert_eq!(r.quarantined.len(), 4, "{:?}", r.quarantined);
    let reasons = reason_files(&inbox);
    assert_eq!(reasons.len(), 5);
    assert_eq!(
        reasons
            .iter()
            .filter(|r| r.starts_with("duplicate"))
            .count(),
        2,
        "{reasons:?}"
    );
    assert!(
        reasons
            .iter()
            .any(|r| r.starts_with("truncated") || r.starts_with("not a bundle"))
    );
    let _ = config;
    std::fs::remove_dir_all(&tmp).unwrap();
}

#[test]
fn separate_processes_in_once_mode_and_a_replay_across_once_runs() {
    let tmp = temp("procs");
    let m = mission(&tmp);
    let dir = m.to_str().unwrap();
    run(&["ground", "--mission", dir, "ping"]);
    run(&["ground", "--mission", dir, "telemetry"]);
    let sent = std::fs::read_dir(m.join("uplink"))
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    let copy = std::fs::read(&sent).unwrap();
    run(&["pass", "--mission", dir]);
    assert!(run(&["payload", "run", "--mission", dir, "--once"]).starts_with("executed 2,"));
    run(&["pass", "--mission", dir]);
    run(&["ground", "--mission", dir, "receive"]);
    let listed = run(&["ground", "--mission", dir, "responses"]);
    assert!(
        listed.contains("PONG") && listed.contains("telemetry"),
        "{listed}"
    );
    // The same bundle again, in a later one-shot run: quarantined, not executed.
    std::fs::write(m.join("payload/inbox/again.bp7"), &copy).unwrap();
    let out = run(&["payload", "run", "--mission", dir, "--once"]);
    assert!(
        out.starts_with("executed 0,") && out.contains("quarantined 1"),
        "{out}"
    );
    std::fs::remove_dir_all(&tmp).unwrap();
}

/// Takes the one file the ground just wrote to its uplink out of it.
fn take_uplink(m: &Path) -> Vec<u8> {
    let files: Vec<PathBuf> = std::fs::read_dir(m.join("uplink"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| !p.file_name().unwrap().to_string_lossy().starts_with('.'))
        .collect();
    assert_eq!(files.len(), 1, "{files:?}");
    let bytes = std::fs::read(&files[0]).unwrap();
    std::fs::remove_file(&files[0]).unwrap();
    bytes
}

/// A small Capture: if it ever ran, an image file would appear in `payload/images/`.
const SMALL: CaptureParams = CaptureParams {
    width: 8,
    height: 8,
    exposure_ms: 1,
};

#[test]
fn unknown_key_other_node_expired_and_oversized_are_quarantined_and_the_payload_goes_on() {
    let tmp = temp("node-security");
    let m = mission(&tmp);
    let dir = m.to_str().unwrap();
    let config = MissionConfig::load(&m).unwrap();
    let inbox = m.join("payload/inbox");
    let mut clock = SystemClock;
    let mut payload = PayloadNode::open(&m, &mut clock).unwrap();
    let capture = Request::Capture(SMALL);

    // Unknown key: the ground uploads and activates #5 in its mirror, but those OTAR messages
    // never reach the payload; the ground then sends under #5.
    keys(&[
        "upload",
        "--dir",
        dir,
        "--id",
        "5",
        "--purpose",
        "bundle-confidentiality",
        "-o",
        tmp.join("up5").to_str().unwrap(),
    ]);
    keys(&[
        "activate",
        "--dir",
        dir,
        "--id",
        "5",
        "-o",
        tmp.join("act5").to_str().unwrap(),
    ]);
    let mut ground = GroundNode::open(&m).unwrap();
    ground.use_key(bpsec::KeyId(5)).unwrap();
    ground.send(&capture, &mut clock).unwrap();
    std::fs::write(inbox.join("unknown-key.bp7"), take_uplink(&m)).unwrap();
    ground.use_key(bpsec::KeyId(3)).unwrap();

    // Expired: created long ago (DTN time 1 s), default lifetime.
    ground
        .send(&capture, &mut SteppingClock::new(1_000, 1))
        .unwrap();
    std::fs::write(inbox.join("expired.bp7"), take_uplink(&m)).unwrap();

    // Oversized: one octet over the mission's file limit (a valid bundle padded).
    ground.send(&capture, &mut clock).unwrap();
    let mut big = take_uplink(&m);
    big.resize(usize::try_from(config.max_file_octets).unwrap() + 1, 0);
    std::fs::write(inbox.join("oversized.bp7"), &big).unwrap();
    drop(ground);

    // Another node: a ground configured for payload node 7 (same keys, valid protection).
    MissionConfig {
        payload_node: 7,
        ..config.clone()
    }
    .save(&m)
    .unwrap();
    let mut misdirected = GroundNode::open(&m).unwrap();
    misdirected.send(&capture, &mut clock).unwrap();
    drop(misdirected);
    config.save(&m).unwrap();
    std::fs::write(inbox.join("other-node.bp7"), take_uplink(&m)).unwrap();

    let r = payload.run_once(&mut clock).unwrap();
    assert_eq!(r.executed, 0, "{r:?}");
    assert_eq!(r.quarantined.len(), 4, "{:?}", r.quarantined);
    let reason_of = |name: &str| {
        std::fs::read_to_string(inbox.join("quarantine").join(format!("{name}.reason"))).unwrap()
    };
    // The BCB does not name its key: one the payload lacks is a tag no active key verifies.
    let unknown = reason_of("unknown-key.bp7");
    assert!(
        unknown.starts_with("not verified under any active key (#3): ")
            && unknown.contains("does not verify"),
        "{unknown}"
    );
    let expired = reason_of("expired.bp7");
    assert!(expired.starts_with("expired: created at 100"), "{expired}");
    let oversized = reason_of("oversized.bp7");
    assert!(
        oversized.starts_with(&format!(
            "too large: {} octets, maximum {}",
            big.len(),
            config.max_file_octets
        )),
        "{oversized}"
    );
    let other = reason_of("other-node.bp7");
    assert!(
        other.starts_with("wrong destination: ipn:7.1 is not an endpoint of node 2"),
        "{other}"
    );
    for name in ["unknown-key", "expired", "oversized", "other-node"] {
        assert!(
            inbox
                .join("quarantine")
                .join(format!("{name}.bp7"))
                .is_file()
        );
    }
    // Nothing ran: no image was captured, nothing but the start-up health record went down.
    assert!(!m.join("payload/images").exists());
    assert_eq!(r.responses, 1, "only the health telemetry");
    let left: Vec<_> = std::fs::read_dir(&inbox)
        .unwrap()
        .map(|e| e.unwrap())
        .filter(|e| e.file_type().unwrap().is_file())
        .map(|e| e.file_name())
        .filter(|n| !n.to_string_lossy().starts_with('.'))
        .collect();
    assert!(left.is_empty(), "every bundle left the inbox: {left:?}");

    // The payload goes on: the next valid bundle is handled.
    let mut ground = GroundNode::open(&m).unwrap();
    let ping = ground.send(&Request::Ping, &mut clock).unwrap();
    let r = exchange(&m, &mut payload, &mut ground);
    assert_eq!(r.matched, vec![ping]);
    assert!(
        matches!(response(&ground, ping), Message::Response(r) if r.result == CommandResult::Pong)
    );
    std::fs::remove_dir_all(&tmp).unwrap();
}

/// The payload process of a process test: one `payload run --once` per pass, or one `payload
/// run` daemon for the whole test (killed if the test fails before its `Halt`).
enum PayloadProcess {
    Once,
    Daemon(Child),
}

impl Drop for PayloadProcess {
    fn drop(&mut self) {
        if let Self::Daemon(child) = self {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// The ready (non-dot) files in `dir`.
fn ready_files(dir: &Path) -> Vec<PathBuf> {
    std::fs::read_dir(dir)
        .map(|d| {
            d.map(|e| e.unwrap().path())
                .filter(|p| {
                    p.is_file() && !p.file_name().unwrap().to_string_lossy().starts_with('.')
                })
                .collect()
        })
        .unwrap_or_default()
}

impl PayloadProcess {
    /// Starts the payload as its mode wants it.
    fn start(daemon: bool, m: &Path, log: &Path) -> Self {
        if !daemon {
            return Self::Once;
        }
        let child = Command::new(bin())
            .args(["payload", "run", "--mission", m.to_str().unwrap()])
            .env("RUST_LOG", "info")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(log).unwrap())
            .spawn()
            .unwrap();
        Self::Daemon(child)
    }

    /// Lets the payload handle what the last pass delivered: a one-shot run, or waiting until
    /// the daemon has consumed its inbox (it writes every answer before it consumes the
    /// request).
    fn turn(&mut self, m: &Path, log: &Path) -> String {
        match self {
            Self::Once => run(&["payload", "run", "--mission", m.to_str().unwrap(), "--once"]),
            Self::Daemon(child) => {
                let inbox = m.join("payload/inbox");
                wait_for("the payload daemon to consume its inbox", log, || {
                    assert!(
                        child.try_wait().unwrap().is_none(),
                        "the daemon exited early:\n{}",
                        std::fs::read_to_string(log).unwrap_or_default()
                    );
                    ready_files(&inbox).is_empty()
                });
                String::new()
            }
        }
    }
}

/// `request #N written to the uplink` → N.
fn request_id(out: &str) -> u64 {
    out.trim()
        .strip_prefix("request #")
        .and_then(|r| r.split_whitespace().next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no request id in {out:?}"))
}

/// The `ground responses` line of request `id`.
fn listed(dir: &str, id: u64) -> String {
    let list = run(&["ground", "--mission", dir, "responses"]);
    list.lines()
        .find(|l| l.split_whitespace().next() == Some(&format!("#{id}")))
        .unwrap_or_else(|| panic!("no response to #{id} in:\n{list}"))
        .to_owned()
}

/// Every request type, a 1 MiB image and a rekey mid-stream, each role a separate process:
/// ground and forwarder as CLI commands, the payload as a daemon or as one-shot runs.
fn mission_in_processes(name: &str, daemon: bool) {
    let tmp = temp(name);
    let m = mission(&tmp);
    MissionConfig {
        poll_interval_ms: 50,
        ..MissionConfig::load(&m).unwrap()
    }
    .save(&m)
    .unwrap();
    let dir = m.to_str().unwrap();
    let log = tmp.join("payload.log");
    let mut payload = PayloadProcess::start(daemon, &m, &log);
    let exchange = |payload: &mut PayloadProcess| {
        run(&["pass", "--mission", dir]);
        let out = payload.turn(&m, &log);
        assert!(daemon || out.contains("quarantined 0"), "{out}");
        assert!(ready_files(&m.join("payload/inbox/quarantine")).is_empty());
        run(&["pass", "--mission", dir]);
        run(&["ground", "--mission", dir, "receive"])
    };
    let ground = |args: &[&str]| {
        let mut all = vec!["ground", "--mission", dir];
        all.extend_from_slice(args);
        run(&all)
    };

    let tm = request_id(&ground(&["telemetry", "power"]));
    let ping = request_id(&ground(&["ping"]));
    let check = request_id(&ground(&["check"]));
    let capture = request_id(&ground(&["capture", "--width", "1024", "--height", "1024"]));
    let received = exchange(&mut payload);
    for id in [tm, ping, check, capture] {
        assert!(
            received.contains(&format!("response to #{id}\n")),
            "{received}"
        );
    }
    assert!(listed(dir, tm).contains("telemetry, "));
    assert!(listed(dir, ping).ends_with("PONG"));
    assert!(listed(dir, check).contains("check: keys ok"));
    // The payload names the image after the capture request.
    let captured = listed(dir, capture);
    assert!(
        captured.contains(&format!(
            "captured image {capture}: 1048576 octets in 4 chunks"
        )),
        "{captured}"
    );

    let image = request_id(&ground(&["image", &capture.to_string()]));
    let received = exchange(&mut payload);
    assert!(
        received.contains(&format!("response to #{image}\n")),
        "{received}"
    );
    assert!(
        received.contains(&format!(
            "image {capture}: 1048576 octets, SHA-256 verified"
        )),
        "{received}"
    );
    assert_eq!(
        std::fs::read(m.join(format!("ground/images/{capture}.img"))).unwrap(),
        std::fs::read(m.join(format!("payload/images/{capture}.img"))).unwrap()
    );

    // Rekey: upload #4 and activate it, switch the ground, deactivate #3, Ping under #4.
    let msg = |name: &str| tmp.join(name).to_str().unwrap().to_owned();
    let up = msg("up.otar");
    let act = msg("act.otar");
    let deact = msg("deact.otar");
    keys(&[
        "upload",
        "--dir",
        dir,
        "--id",
        "4",
        "--purpose",
        "bundle-confidentiality",
        "-o",
        &up,
    ]);
    keys(&["activate", "--dir", dir, "--id", "4", "-o", &act]);
    let up = request_id(&ground(&["rekey", &up]));
    let act = request_id(&ground(&["rekey", &act]));
    let received = exchange(&mut payload);
    for (id, counter) in [(up, 1), (act, 2)] {
        assert!(
            received.contains(&format!("response to #{id}\n")),
            "{received}"
        );
        assert!(listed(dir, id).ends_with(&format!("rekey accepted: counter {counter}")));
    }
    assert!(ground(&["use-key", "4"]).contains("sending with key #4"));
    keys(&["deactivate", "--dir", dir, "--id", "3", "-o", &deact]);
    let deact = request_id(&ground(&["rekey", &deact]));
    let received = exchange(&mut payload);
    assert!(
        received.contains(&format!("response to #{deact}\n")),
        "{received}"
    );
    assert!(listed(dir, deact).ends_with("rekey accepted: counter 3"));
    let ping = request_id(&ground(&["ping"]));
    let received = exchange(&mut payload);
    assert!(
        received.contains(&format!("response to #{ping}\n")),
        "Ping under key #4: {received}"
    );
    assert!(listed(dir, ping).ends_with("PONG"));

    // Halt: the daemon answers and exits 0; a one-shot run reports it.
    let halt = request_id(&ground(&["halt"]));
    run(&["pass", "--mission", dir]);
    match &mut payload {
        PayloadProcess::Once => {
            let out = payload.turn(&m, &log);
            assert!(
                out.contains("executed 1,") && out.ends_with(", halted\n"),
                "{out}"
            );
        }
        PayloadProcess::Daemon(child) => {
            let mut status = None;
            wait_for("the payload daemon to halt", &log, || {
                status = child.try_wait().unwrap();
                status.is_some()
            });
            assert!(
                status.unwrap().success(),
                "{:?}",
                std::fs::read_to_string(&log)
            );
            let log = std::fs::read_to_string(&log).unwrap();
            assert!(
                log.contains("borealis payload starting") && log.contains("halted"),
                "{log}"
            );
        }
    }
    run(&["pass", "--mission", dir]);
    let received = ground(&["receive"]);
    assert!(
        received.contains(&format!("response to #{halt}\n")),
        "{received}"
    );
    assert!(listed(dir, halt).ends_with("halting"));
    drop(payload);
    std::fs::remove_dir_all(&tmp).unwrap();
}

#[test]
fn payload_daemon_in_run_mode_as_a_child_process_until_halt() {
    mission_in_processes("daemon", true);
}

#[test]
fn payload_in_once_mode_every_request_type_and_a_rekey_across_processes() {
    mission_in_processes("once", false);
}
