//! `borealis demo`: the daemon end to end on a fresh machine, printed as a transcript.
//!
//! It makes a mission in a temporary directory (`keys init`, in process), then plays several
//! passes the way a hosted payload lives: the ground writes protected requests to its uplink,
//! the host forwarder (`pass`) moves them, the payload runs one `--once` iteration, the
//! forwarder brings the downlink back and the ground receives. The same library code as
//! `borealis ground|payload|pass` does the work; the demo only drives it and checks each
//! answer, so a transcript that ends in "demo OK" is a working node.
//!
//! Passes: telemetry + Ping + Check; Capture; the image download (1 MiB in several chunks,
//! reassembled and SHA-256 checked); a rekey (upload a new bundle-confidentiality key →
//! activate → the ground switches → deactivate the old one) and a Ping under the new key;
//! last, a replayed and a tampered bundle, both quarantined with their reason while the
//! payload goes on serving.

use std::io::Write;
use std::path::{Path, PathBuf};

use borealis_node::env::SystemClock;
use borealis_node::mission::{Failure, Layout};
use borealis_node::node::{
    GroundNode, GroundReport, MissionConfig, NodeError, PayloadNode, Request, RunReport, pass,
    summarize,
};
use borealis_node::protocol::{CaptureParams, CommandResult, Message, RekeyOutcome, Sample, Value};
use borealis_node::session::RequestId;
use otar::{KeyId, Purpose};
use sha2::{Digest, Sha256};

use crate::keys_cmd::{self, Activation, Transition};

/// Any failure of the demo, as the one line the operator sees.
pub type DemoError = Box<dyn std::error::Error>;

/// Node number of the demo's payload (the ground is node 1, the configuration default).
const PAYLOAD_NODE: u64 = 2;
/// The demo's bundle file limit: small enough that the 1 MiB image takes several chunks.
const MAX_FILE_OCTETS: u64 = 300_000;
/// The image the demo captures: 1024 × 1024 octets = 1 MiB.
const IMAGE: CaptureParams = CaptureParams {
    width: 1024,
    height: 1024,
    exposure_ms: 10,
};
/// The key the rekey uploads (`keys init` made #1 KEK, #2 integrity, #3 confidentiality).
const NEW_KEY: KeyId = KeyId(4);
/// The confidentiality key `keys init` made, retired by the rekey.
const OLD_KEY: KeyId = KeyId(3);

/// Runs the demo, writing the transcript to `out`. The mission lives in a fresh temporary
/// directory, removed at the end (also after a failure), or in `keep`, which must not exist
/// and is left in place.
pub fn run(out: &mut impl Write, keep: Option<&Path>) -> Result<(), DemoError> {
    let dir = keep.map_or_else(unique_temp_dir, Path::to_path_buf);
    writeln!(
        out,
        "Borealis demo: a ground station and a hosted payload exchange BPSec-protected bundles\n\
         (BCB AES-256-GCM over the payload, primary block authenticated) as files, the way the\n\
         host forwards them between passes.\n"
    )?;
    let result = Demo::start(out, &dir).and_then(Demo::script);
    if keep.is_none() {
        // Only what the demo created: the name was fresh.
        let _ = std::fs::remove_dir_all(&dir);
    }
    result?;
    match keep {
        Some(dir) => writeln!(
            out,
            "\nmission kept in {d}: try `borealis ground --mission {d} responses` or \
             `borealis keys show --dir {d}`",
            d = dir.display()
        )?,
        None => writeln!(out, "\n(temporary mission directory removed)")?,
    }
    Ok(())
}

/// `<temp>/borealis-demo-<pid>-<ns>`: a name no other run uses.
fn unique_temp_dir() -> PathBuf {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    std::env::temp_dir().join(format!("borealis-demo-{}-{nanos}", std::process::id()))
}

/// The demo's state: the transcript, the mission and both roles, in process.
struct Demo<'w, W: Write> {
    out: &'w mut W,
    mission: PathBuf,
    config: MissionConfig,
    clock: SystemClock,
    payload: PayloadNode,
    ground: GroundNode,
    /// Requests answered as expected so far.
    answered: usize,
}

impl<'w, W: Write> Demo<'w, W> {
    /// Creates the mission (`keys init` in process, then `borealis.toml`) and opens both roles.
    fn start(out: &'w mut W, mission: &Path) -> Result<Self, DemoError> {
        writeln!(out, "== setup")?;
        let summary = keys_cmd::init(mission, PAYLOAD_NODE, Activation::OnCommand)
            .map_err(NodeError::from)?;
        writeln!(out, "[keys]    {summary}")?;
        let config = MissionConfig {
            payload_node: PAYLOAD_NODE,
            max_file_octets: MAX_FILE_OCTETS,
            ..MissionConfig::default()
        };
        config.save(mission)?;
        writeln!(
            out,
            "[config]  borealis.toml: ground ipn:{}.0, payload ipn:{}.0, bundle files of at most \
             {} octets",
            config.ground_node, config.payload_node, config.max_file_octets
        )?;
        let mut clock = SystemClock;
        let payload = PayloadNode::open(mission, &mut clock)?;
        let ground = GroundNode::open(mission)?;
        writeln!(
            out,
            "[ground]  sends with bundle-confidentiality key {}",
            ground.send_key()
        )?;
        Ok(Self {
            out,
            mission: mission.to_path_buf(),
            config,
            clock,
            payload,
            ground,
            answered: 0,
        })
    }

    /// Every pass in order, then the closing line.
    fn script(mut self) -> Result<(), DemoError> {
        self.telemetry_ping_check()?;
        let image_id = self.capture()?;
        self.download(image_id)?;
        self.rekey()?;
        self.attacks()?;
        writeln!(
            self.out,
            "\ndemo OK: {} requests answered, a 1 MiB image verified, rekeyed from key {OLD_KEY} \
             to key {NEW_KEY}, a replayed and a tampered bundle quarantined",
            self.answered
        )?;
        Ok(())
    }

    fn say(&mut self, tag: &str, text: &str) -> Result<(), DemoError> {
        let tag = if tag.is_empty() {
            String::new()
        } else {
            format!("[{tag}]")
        };
        writeln!(self.out, "{tag:<11}{text}")?;
        Ok(())
    }

    /// The ground writes `request` to its uplink.
    fn send(&mut self, request: &Request, what: &str) -> Result<RequestId, DemoError> {
        let id = self.ground.send(request, &mut self.clock)?;
        self.say("ground", &format!("{id} {what} → uplink/"))?;
        Ok(id)
    }

    /// One pass: forwarder up, one payload iteration, forwarder down, ground receive.
    fn exchange(&mut self) -> Result<(RunReport, GroundReport), DemoError> {
        let up = pass(&self.mission, &self.config)?;
        self.say(
            "pass",
            &format!("{} bundle(s) moved to the payload inbox", up.uplinked),
        )?;
        let run = self.payload.run_once(&mut self.clock)?;
        self.say(
            "payload",
            &format!(
                "run --once: {} executed, {} bundle(s) written to downlink/, {} quarantined",
                run.executed,
                run.responses,
                run.quarantined.len()
            ),
        )?;
        let down = self.downlink_octets()?;
        let moved = pass(&self.mission, &self.config)?;
        self.say(
            "pass",
            &format!(
                "{} bundle(s), {down} octets, moved to the ground inbox",
                moved.downlinked
            ),
        )?;
        let received = self.ground.receive(&mut self.clock)?;
        if !received.quarantined.is_empty() {
            return Err(format!("the ground quarantined {:?}", received.quarantined).into());
        }
        Ok((run, received))
    }

    fn downlink_octets(&self) -> Result<u64, DemoError> {
        let dir = MissionConfig::resolve(&self.mission, &self.config.downlink_dir);
        let mut total = 0;
        for entry in std::fs::read_dir(&dir)? {
            total += entry?.metadata()?.len();
        }
        Ok(total)
    }

    /// The stored answer to `id`, which must have been matched.
    fn answer(
        &mut self,
        id: RequestId,
        report: &GroundReport,
    ) -> Result<Message<'static>, DemoError> {
        if !report.matched.contains(&id) {
            return Err(format!("no answer to request {id}").into());
        }
        let bytes = self
            .ground
            .response(id)
            .ok_or_else(|| format!("answer to {id} not stored"))?;
        self.answered += 1;
        Ok(Message::decode(&bytes)?.into_owned())
    }

    /// Prints the answer to a Ping and checks it is PONG.
    fn expect_pong(
        &mut self,
        id: RequestId,
        report: &GroundReport,
        note: &str,
    ) -> Result<(), DemoError> {
        let message = self.answer(id, report)?;
        match &message {
            Message::Response(r) if r.result == CommandResult::Pong => {
                self.say("ground", &format!("{id} Ping → PONG{note}"))
            }
            other => Err(format!("{id} Ping: expected PONG, got {}", summarize(other)).into()),
        }
    }

    fn telemetry_ping_check(&mut self) -> Result<(), DemoError> {
        writeln!(self.out, "\n== pass 1: telemetry, ping, self-test")?;
        let tm = self.send(
            &Request::Telemetry(vec!["power".into(), "temperature".into()]),
            "TelemetryQuery power, temperature",
        )?;
        let ping = self.send(&Request::Ping, "Command Ping")?;
        let check = self.send(&Request::Check, "Command Check")?;
        let (_, report) = self.exchange()?;
        let Message::Telemetry(t) = self.answer(tm, &report)? else {
            return Err(format!("{tm}: not a Telemetry answer").into());
        };
        if t.samples.is_empty() {
            return Err(format!("{tm}: no telemetry samples").into());
        }
        self.say(
            "ground",
            &format!("{tm} Telemetry, {} samples:", t.samples.len()),
        )?;
        for s in t.samples.iter().take(4) {
            self.say("", &format!("  {}", sample(s)))?;
        }
        self.expect_pong(ping, &report, "")?;
        let Message::Response(r) = self.answer(check, &report)? else {
            return Err(format!("{check}: not a Response").into());
        };
        let CommandResult::CheckReport(items) = r.result else {
            return Err(format!("{check}: not a check report").into());
        };
        self.say("ground", &format!("{check} Check report:"))?;
        for i in &items {
            let verdict = if i.passed { "ok  " } else { "FAIL" };
            self.say("", &format!("  {verdict} {:<9} {}", i.name, i.detail))?;
        }
        if items.iter().any(|i| !i.passed) {
            return Err("the payload's self-test failed".into());
        }
        Ok(())
    }

    /// Captures the image; returns its id.
    fn capture(&mut self) -> Result<u64, DemoError> {
        writeln!(self.out, "\n== pass 2: capture")?;
        let id = self.send(
            &Request::Capture(IMAGE),
            &format!("Command Capture {}×{}", IMAGE.width, IMAGE.height),
        )?;
        let (_, report) = self.exchange()?;
        let message = self.answer(id, &report)?;
        let Message::Response(r) = &message else {
            return Err(format!("{id} Capture: got {}", summarize(&message)).into());
        };
        let CommandResult::Captured {
            image_id, chunks, ..
        } = r.result
        else {
            return Err(format!("{id} Capture: got {}", summarize(&message)).into());
        };
        if chunks < 2 {
            return Err(format!("image {image_id}: {chunks} chunk, expected several").into());
        }
        self.say("ground", &format!("{id} {}", summarize(&message)))?;
        Ok(image_id)
    }

    fn download(&mut self, image_id: u64) -> Result<(), DemoError> {
        writeln!(self.out, "\n== pass 3: image download")?;
        let id = self.send(
            &Request::Image(image_id),
            &format!("ImageRequest {image_id}, all chunks"),
        )?;
        let (run, report) = self.exchange()?;
        if !report.matched.contains(&id) {
            return Err(format!("no chunk of image {image_id} arrived").into());
        }
        self.answered += 1;
        let [done] = report.images.as_slice() else {
            return Err(format!("image {image_id} not reassembled").into());
        };
        let got = std::fs::read(&done.path)?;
        let captured = std::fs::read(
            Layout::new(&self.mission)
                .payload_dir()
                .join("images")
                .join(format!("{image_id}.img")),
        )?;
        let hash = Sha256::digest(&got);
        if hash != Sha256::digest(&captured) {
            return Err(
                format!("image {image_id}: the ground's copy differs from the capture").into(),
            );
        }
        self.say(
            "ground",
            &format!(
                "image {image_id}: {} chunks reassembled, {} octets, SHA-256 {} verified \
                 (same as the payload's capture)",
                run.responses,
                got.len(),
                hex::encode(hash)
            ),
        )
    }

    /// Signs one OTAR message on the ground side (`keys upload|activate|deactivate`, in
    /// process) and returns it.
    fn otar(
        &mut self,
        name: &str,
        issue: impl FnOnce(&Layout, &Path) -> Result<String, Failure>,
    ) -> Result<Vec<u8>, DemoError> {
        let layout = Layout::new(&self.mission);
        let path = self.mission.join(format!("{name}.otar"));
        let line = issue(&layout, &path).map_err(NodeError::from)?;
        let line = line
            .rsplit_once(": ")
            .map_or(line.as_str(), |(_, l)| l)
            .to_owned();
        self.say("keys", &format!("{name}.otar signed (ML-DSA-65): {line}"))?;
        Ok(std::fs::read(&path)?)
    }

    /// Sends OTAR messages and checks each is accepted.
    fn rekey_pass(&mut self, messages: &[(&str, Vec<u8>)]) -> Result<(), DemoError> {
        let mut ids = Vec::new();
        for (name, bytes) in messages {
            ids.push(self.send(
                &Request::Rekey(bytes.clone()),
                &format!("RekeyRequest {name}"),
            )?);
        }
        let (_, report) = self.exchange()?;
        for id in ids {
            let message = self.answer(id, &report)?;
            match &message {
                Message::RekeyResult(r) if matches!(r.outcome, RekeyOutcome::Accepted(_)) => {
                    self.say("ground", &format!("{id} {}", summarize(&message)))?;
                }
                other => return Err(format!("{id}: {}", summarize(other)).into()),
            }
        }
        Ok(())
    }

    fn rekey(&mut self) -> Result<(), DemoError> {
        writeln!(
            self.out,
            "\n== pass 4: rekey (key {OLD_KEY} → key {NEW_KEY}), then traffic under the new key"
        )?;
        let upload = self.otar("upload", |l, p| {
            keys_cmd::upload(l, NEW_KEY, Purpose::BundleConfidentiality, None, p)
        })?;
        let activate = self.otar("activate", |l, p| {
            keys_cmd::issue_transition(l, &[NEW_KEY], Transition::Activate, p)
        })?;
        self.rekey_pass(&[("upload", upload), ("activate", activate)])?;
        self.ground.use_key(NEW_KEY)?;
        self.say(
            "ground",
            &format!(
                "switches: sends with key {} from now on",
                self.ground.send_key()
            ),
        )?;
        let deactivate = self.otar("deactivate", |l, p| {
            keys_cmd::issue_transition(l, &[OLD_KEY], Transition::Deactivate, p)
        })?;
        // The ground's mirror of the payload's keys changed on disk: reopen to use it.
        self.ground = GroundNode::open(&self.mission)?;
        self.rekey_pass(&[("deactivate", deactivate)])?;
        let ping = self.send(&Request::Ping, &format!("Command Ping under key {NEW_KEY}"))?;
        let (_, report) = self.exchange()?;
        self.expect_pong(
            ping,
            &report,
            &format!(" (answered under key {NEW_KEY}: key {OLD_KEY} is deactivated on both sides)"),
        )
    }

    fn attacks(&mut self) -> Result<(), DemoError> {
        writeln!(self.out, "\n== pass 5: a replayed and a tampered bundle")?;
        let inbox = self.payload.inbox_dir().to_path_buf();
        // A valid Ping, consumed, then delivered again: a replay.
        let ping = self.send(&Request::Ping, "Command Ping")?;
        let original = self.take_uplink()?;
        std::fs::write(inbox.join("ping.bp7"), &original)?;
        let run = self.payload.run_once(&mut self.clock)?;
        if run.executed != 1 {
            return Err("the payload did not execute the Ping".into());
        }
        self.say("payload", "executed the Ping")?;
        // A fresh request with one octet of its ciphertext flipped on the way.
        self.send(
            &Request::Ping,
            "Command Ping, one ciphertext octet flipped in transit",
        )?;
        let mut tampered = self.take_uplink()?;
        // The payload block is last and, encrypted, has no CRC (RFC 9173 §4.8.1): the octet
        // before the closing break is ciphertext, so only BPSec can notice.
        let at = tampered.len().saturating_sub(2);
        if let Some(b) = tampered.get_mut(at) {
            *b ^= 0x01;
        }
        std::fs::write(inbox.join("replayed.bp7"), &original)?;
        std::fs::write(inbox.join("tampered.bp7"), &tampered)?;
        self.say(
            "attacker",
            "replayed.bp7 (a copy of the Ping already executed) → payload inbox",
        )?;
        self.say("attacker", "tampered.bp7 → payload inbox")?;
        let run = self.payload.run_once(&mut self.clock)?;
        self.say(
            "payload",
            &format!(
                "run --once: {} executed, {} quarantined",
                run.executed,
                run.quarantined.len()
            ),
        )?;
        for (path, reason) in &run.quarantined {
            let name = path
                .file_name()
                .map(|n| n.to_string_lossy())
                .unwrap_or_default();
            self.say("payload", &format!("quarantined {name}: {reason}"))?;
        }
        if run.executed != 0 || run.quarantined.len() != 2 {
            return Err("expected both bundles quarantined and nothing executed".into());
        }
        self.say(
            "",
            "  (each reason is also in payload/inbox/quarantine/<name>.reason)",
        )?;
        // The payload still serves: the original Ping's answer, and a new one.
        let again = self.send(&Request::Ping, "Command Ping")?;
        let (_, report) = self.exchange()?;
        self.expect_pong(ping, &report, "")?;
        self.expect_pong(again, &report, " (the payload kept serving)")
    }

    /// Removes the one file the ground just wrote to its uplink and returns its octets.
    fn take_uplink(&self) -> Result<Vec<u8>, DemoError> {
        let dir = MissionConfig::resolve(&self.mission, &self.config.uplink_dir);
        let mut files = Vec::new();
        for entry in std::fs::read_dir(&dir)? {
            let path = entry?.path();
            if path
                .file_name()
                .is_some_and(|n| !n.to_string_lossy().starts_with('.'))
            {
                files.push(path);
            }
        }
        let [file] = files.as_slice() else {
            return Err(format!("expected one file in {}", dir.display()).into());
        };
        let bytes = std::fs::read(file)?;
        std::fs::remove_file(file)?;
        Ok(bytes)
    }
}

/// `name = value` of one sample.
fn sample(s: &Sample<'_>) -> String {
    let value = match &s.value {
        Value::Int(i) => i.to_string(),
        Value::Fixed { mantissa, scale } => {
            let scale = usize::from(*scale);
            let digits = format!("{:0>width$}", mantissa.unsigned_abs(), width = scale + 1);
            let sign = if *mantissa < 0 { "-" } else { "" };
            digits
                .split_at_checked(digits.len().saturating_sub(scale))
                .map_or(digits.clone(), |(int, frac)| format!("{sign}{int}.{frac}"))
        }
        Value::Text(t) => t.to_string(),
    };
    format!("{} = {value}", s.name)
}
