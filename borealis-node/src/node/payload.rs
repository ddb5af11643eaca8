//! The payload role: scan the uplink inbox, verify, route, execute exactly once, answer.

use std::borrow::Cow;
use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::time::Duration;

use bpsec::{KeyId, ReplayFilter};
use otar::{KeyState, Purpose};
use tracing::{info, warn};

use super::state::{Role, StateFile};
use super::stop::Stop;
use super::{
    Counters, Link, MissionConfig, NodeError, RESPONSE_SERVICE, TELEMETRY_SERVICE, ipn, open_keys,
    service_of,
};
use crate::env::Clock;
use crate::mission::Layout;
use crate::protocol::{
    CaptureParams, CheckItem, Command, CommandKind, CommandResult, ErrorCode, ErrorReply,
    ImageChunker, ImageRequest, Message, RekeyOutcome, RekeyRequest, RekeyResult, Response,
    SyntheticSource, Telemetry, TelemetryQuery, UNSOLICITED, collect,
};
use crate::secured::{Received, Verified};
use crate::session::{Begin, Fingerprint, RequestId, ResponseCache};
use crate::transport::{DuplicatePolicy, Inbox, InboxConfig, InboxWatcher, Incoming, Outbox, Scan};

/// What one [`PayloadNode::run_once`] did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RunReport {
    /// Requests executed (not replays).
    pub executed: usize,
    /// Response bundles written.
    pub responses: usize,
    /// Files quarantined, with the reason text.
    pub quarantined: Vec<(PathBuf, String)>,
    /// A `Halt` was executed: `run` stops.
    pub halted: bool,
    /// A stop was requested ([`Stop`]): the iteration ended after the bundle in hand, the
    /// state is saved.
    pub stopped: bool,
}

/// Why [`PayloadNode::run_until`] returned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RunEnd {
    /// A `Halt` command was executed.
    Halted,
    /// A stop was requested ([`Stop`]).
    Stopped,
}

/// The payload daemon of one mission directory.
#[derive(Debug)]
pub struct PayloadNode {
    link: Link,
    inbox: Inbox,
    state: StateFile,
    cache: ResponseCache,
    telemetry: SyntheticSource,
    images: PathBuf,
    started: bool,
    /// Responses to requests interrupted by a crash, to send at start.
    interrupted: Vec<RequestId>,
}

impl PayloadNode {
    /// Opens the payload side of `mission` (made by `borealis keys init`): configuration,
    /// key store (`payload/store.bin`), state (`payload/node-state.json`), inbox and downlink.
    /// Requests a crash interrupted are completed with an `Internal` error (never re-executed).
    pub fn open(mission: &Path, clock: &mut dyn Clock) -> Result<Self, NodeError> {
        let config = MissionConfig::load(mission)?;
        let layout = Layout::new(mission);
        let keys = open_keys(&layout.master_key(), layout.payload_store())?;
        if keys.state.node() != config.payload_node {
            return Err(NodeError::Config(format!(
                "payload_node {} but the key store is for node {}",
                config.payload_node,
                keys.state.node()
            )));
        }
        let state = StateFile::of(&layout, Role::Payload)?;
        let saved = state.load()?;
        let (counters, replay, cache) = match saved {
            Some(s) => {
                let cache = match s.sessions {
                    Some(b) => ResponseCache::from_bytes(&b, config.cache_policy())?,
                    None => ResponseCache::new(config.cache_policy())?,
                };
                (s.counters, s.replay, cache)
            }
            None => (
                Counters::new(*b"PAYL"),
                ReplayFilter::new(config.replay_window)
                    .map_err(|e| NodeError::Config(e.to_string()))?,
                ResponseCache::new(config.cache_policy())?,
            ),
        };
        let mut inbox_config =
            InboxConfig::new(MissionConfig::resolve(mission, &config.payload_inbox));
        inbox_config.max_file_octets = config.max_file_octets;
        inbox_config.duplicates = DuplicatePolicy::Quarantine;
        inbox_config.dedup = config.dedup.into();
        let inbox = Inbox::open(inbox_config)?;
        let outbox = Outbox::open(
            MissionConfig::resolve(mission, &config.downlink_dir),
            crate::transport::StoreLimits {
                max_file_octets: config.max_file_octets,
                ..Default::default()
            },
        )?;
        let mut node = Self {
            telemetry: SyntheticSource::new(config.telemetry_seed),
            images: layout.payload_dir().join("images"),
            link: Link {
                own: config.payload_node,
                peer: config.ground_node,
                config,
                keys,
                counters,
                replay,
                outbox,
            },
            inbox,
            state,
            cache,
            started: false,
            interrupted: Vec::new(),
        };
        let interrupted: Vec<RequestId> = node.cache.in_progress().collect();
        for id in &interrupted {
            let reply = error_reply(id.0, ErrorCode::Internal, "interrupted by a restart")?;
            node.cache.complete(*id, reply, clock.now_ms())?;
        }
        if !interrupted.is_empty() {
            node.persist()?;
        }
        node.interrupted = interrupted;
        Ok(node)
    }

    /// The configuration in force.
    pub const fn config(&self) -> &MissionConfig {
        &self.link.config
    }

    /// The inbox directory.
    pub fn inbox_dir(&self) -> &Path {
        &self.inbox.config().dir
    }

    fn persist(&self) -> Result<(), NodeError> {
        self.state.save(
            &self.link.counters,
            &self.link.replay,
            &self.cache.to_bytes(),
        )
    }

    /// Writes `message` to the ground's `service` under `key`.
    fn send(
        &mut self,
        message: &[u8],
        service: u64,
        key: KeyId,
        hint: &str,
        clock: &mut dyn Clock,
    ) -> Result<(), NodeError> {
        let state = &self.state;
        let cache = &self.cache;
        self.link
            .send(message, service, key, hint, clock, &mut |c, r| {
                state.save(c, r, &cache.to_bytes())
            })?;
        Ok(())
    }

    /// Logs the banner (configuration, EIDs, directories, active key ids — never key octets),
    /// emits the health telemetry record and the responses of interrupted requests.
    fn start(&mut self, clock: &mut dyn Clock) -> Result<usize, NodeError> {
        let c = &self.link.config;
        let store = self.link.keys.state.store();
        let active: Vec<String> = store
            .ids_in(KeyState::Active)
            .map(|id| format!("{id} {:?}", store.purpose(id).unwrap_or(Purpose::LinkSdls)))
            .collect();
        info!(
            scid = c.scid,
            node = %ipn(c.payload_node, 0),
            ground = %ipn(c.ground_node, 0),
            inbox = %self.inbox.config().dir.display(),
            downlink = %self.link.outbox.dir().display(),
            max_file_octets = c.max_file_octets,
            send_key = %self.link.send_key(),
            active_keys = %active.join(", "),
            "borealis payload starting"
        );
        for r in self.inbox.recovered() {
            warn!(file = %r.display(), "recovered an interrupted upload into the quarantine");
        }
        let query = TelemetryQuery {
            id: 1,
            names: vec![Cow::Borrowed("health")],
        };
        let samples = collect(&mut [&mut self.telemetry], clock, &query);
        let health = Message::Telemetry(Telemetry {
            request_id: UNSOLICITED,
            samples,
        })
        .encode()?;
        let key = self.link.send_key();
        self.send(&health, TELEMETRY_SERVICE, key, "health", clock)?;
        let mut sent = 1;
        for id in std::mem::take(&mut self.interrupted) {
            if let Some(reply) = self.cache.response(id).map(<[u8]>::to_vec) {
                self.send(&reply, RESPONSE_SERVICE, key, "interrupted", clock)?;
                sent += 1;
            }
        }
        self.started = true;
        Ok(sent)
    }

    /// One iteration: (on the first, the banner and health record), then every file in the
    /// inbox admitted, verified, routed and answered.
    pub fn run_once(&mut self, clock: &mut dyn Clock) -> Result<RunReport, NodeError> {
        self.run_once_until(clock, &Stop::new())
    }

    /// [`Self::run_once`], ending after the bundle in hand if `stop` is requested (then the
    /// state is saved and the stop logged, [`RunReport::stopped`]).
    pub fn run_once_until(
        &mut self,
        clock: &mut dyn Clock,
        stop: &Stop,
    ) -> Result<RunReport, NodeError> {
        let mut report = RunReport::default();
        if !self.started {
            report.responses += self.start(clock)?;
        }
        for incoming in self.inbox.scan()? {
            if stop.is_requested() {
                self.stopped()?;
                report.stopped = true;
                break;
            }
            let now = clock.now_ms();
            match self.inbox.admit(&incoming, now)? {
                Scan::Deliver { id, bytes } => {
                    self.handle(&incoming, &id, bytes, clock, &mut report)?;
                }
                Scan::AlreadyConsumed(id) => info!(bundle = %id, "duplicate removed"),
                Scan::Quarantined { reason, path } => {
                    warn!(file = %path.display(), %reason, "quarantined");
                    report.quarantined.push((path, reason.to_string()));
                }
            }
            if report.halted {
                break;
            }
        }
        Ok(report)
    }

    /// `run_once` in a loop, woken by the inbox watcher (notify, polling fallback), until a
    /// `Halt` command.
    pub fn run(&mut self, clock: &mut dyn Clock) -> Result<(), NodeError> {
        self.run_until(clock, &Stop::new()).map(|_| ())
    }

    /// [`Self::run`], until a `Halt` command or a `stop` request: the bundle in hand is
    /// finished, the state saved, one line logged (`stop requested: …`), and it returns
    /// [`RunEnd::Stopped`]. `stop` wakes the inbox watcher's wait, so an idle daemon stops at
    /// once.
    pub fn run_until(&mut self, clock: &mut dyn Clock, stop: &Stop) -> Result<RunEnd, NodeError> {
        let interval = Duration::from_millis(self.link.config.poll_interval_ms.max(10));
        let mut watcher = InboxWatcher::new(self.inbox.config().dir.clone(), interval);
        stop.attach(watcher.waker());
        if let Some(reason) = watcher.fallback_reason() {
            warn!(reason, "file notifications unavailable: polling");
        }
        loop {
            let report = self.run_once_until(clock, stop)?;
            if report.halted {
                info!("halted");
                return Ok(RunEnd::Halted);
            }
            if report.stopped {
                return Ok(RunEnd::Stopped);
            }
            if stop.is_requested() {
                self.stopped()?;
                return Ok(RunEnd::Stopped);
            }
            watcher.wait(interval);
        }
    }

    /// The end of a requested stop: every handled bundle already committed its state; save it
    /// once more (the last health record's counters included) and say so.
    fn stopped(&self) -> Result<(), NodeError> {
        self.persist()?;
        info!("stop requested: finished the bundle in hand, state saved, exiting");
        Ok(())
    }

    fn quarantine(
        &mut self,
        incoming: &Incoming,
        reason: String,
        report: &mut RunReport,
    ) -> Result<(), NodeError> {
        let path = self.inbox.quarantine(incoming, &reason)?;
        warn!(file = %path.display(), %reason, "quarantined");
        report.quarantined.push((path, reason));
        Ok(())
    }

    fn handle(
        &mut self,
        incoming: &Incoming,
        bundle_id: &crate::transport::BundleId,
        bytes: Vec<u8>,
        clock: &mut dyn Clock,
        report: &mut RunReport,
    ) -> Result<(), NodeError> {
        let (received, key) = match self.link.verify(bytes) {
            Ok(v) => v,
            Err(e) => return self.quarantine(incoming, self.link.refusal(&e), report),
        };
        // The replay window moved: persist it before anything else can happen.
        self.persist()?;
        let service = match self.link.destination_service(&received) {
            Ok(s) => s,
            Err(reason) => return self.quarantine(incoming, reason, report),
        };
        self.follow_key(key)?;
        let reply_key = key;
        match Message::decode(received.payload()) {
            Err(e) => {
                let reply = error_reply(UNSOLICITED, ErrorCode::Malformed, &e.to_string())?;
                self.send(&reply, RESPONSE_SERVICE, reply_key, "error", clock)?;
                report.responses += 1;
            }
            Ok(message) => {
                let kind = message.kind();
                if !kind.is_request() || service_of(kind) != service {
                    let reason = format!(
                        "{kind:?} is not accepted at endpoint ipn:{}.{service}",
                        self.link.own
                    );
                    return self.quarantine(incoming, reason, report);
                }
                let owned = message.into_owned();
                self.answer(owned, &received, reply_key, clock, report)?;
            }
        }
        info!(bundle = %bundle_id, "handled");
        self.inbox.consume(incoming, bundle_id)?;
        Ok(())
    }

    /// The ground switched to `key` (active, or it would not have verified): answer and send
    /// under it from now on.
    fn follow_key(&mut self, key: KeyId) -> Result<(), NodeError> {
        if self.link.send_key() != key {
            let ground = self.link.peer;
            self.link
                .keys
                .state
                .store_mut()
                .assign(ground, Purpose::BundleConfidentiality, key)
                .map_err(|e| NodeError::Mission(e.to_string()))?;
            self.link.keys.save()?;
            info!(%key, "switched to the ground's bundle-confidentiality key");
        }
        Ok(())
    }

    fn answer(
        &mut self,
        message: Message<'static>,
        received: &Received<Verified>,
        key: KeyId,
        clock: &mut dyn Clock,
        report: &mut RunReport,
    ) -> Result<(), NodeError> {
        if let Message::ImageRequest(request) = &message {
            // Idempotent (the image is stored): served again for a retransmission, not cached.
            report.responses += self.send_image(request, key, clock)?;
            report.executed += 1;
            return Ok(());
        }
        let id = RequestId(message.id());
        let fingerprint = Fingerprint::of(received.payload());
        let now = clock.now_ms();
        let reply = match self.cache.begin(id, fingerprint, now) {
            Begin::Execute => {
                if matches!(message, Message::RekeyRequest(_)) {
                    // Its effect (store.bin) is another file: write-ahead (step 2).
                    self.persist()?;
                }
                let reply = self.execute(&message, clock, report)?;
                self.cache.complete(id, reply.clone(), clock.now_ms())?;
                // For every other request this one write holds both the "taken" record and
                // the response (the session module's combined mode): a crash before it
                // leaves no trace, so the id runs exactly once as observed from outside.
                self.persist()?;
                report.executed += 1;
                Some(reply)
            }
            Begin::Replay(bytes) => Some(bytes.to_vec()),
            Begin::InProgress => None,
            Begin::Stale => Some(error_reply(id.0, ErrorCode::InvalidArgument, "stale id")?),
            Begin::Conflict => Some(error_reply(
                id.0,
                ErrorCode::InvalidArgument,
                "id reused with another body",
            )?),
            Begin::Full => Some(error_reply(
                id.0,
                ErrorCode::ResourceExhausted,
                "response cache full",
            )?),
        };
        if let Some(reply) = reply {
            let key = if self.link.keys.state.store().state(key) == Some(KeyState::Active) {
                key
            } else {
                self.link.send_key()
            };
            // Telemetry answers go to the telemetry endpoint, the rest to the responses one.
            let service =
                Message::decode(&reply).map_or(RESPONSE_SERVICE, |m| service_of(m.kind()));
            self.send(&reply, service, key, "response", clock)?;
            report.responses += 1;
        }
        Ok(())
    }

    fn execute(
        &mut self,
        message: &Message<'_>,
        clock: &mut dyn Clock,
        report: &mut RunReport,
    ) -> Result<Vec<u8>, NodeError> {
        let reply = match message {
            Message::TelemetryQuery(q) => Message::Telemetry(Telemetry {
                request_id: q.id,
                samples: collect(&mut [&mut self.telemetry], clock, q),
            }),
            Message::Command(Command { id, command }) => {
                let result = match command {
                    CommandKind::Ping => CommandResult::Pong,
                    CommandKind::Check => CommandResult::CheckReport(self.check()),
                    CommandKind::Capture(p) => self.capture(*id, p)?,
                    CommandKind::Halt => {
                        report.halted = true;
                        CommandResult::Halting
                    }
                    CommandKind::Mission { code, .. } => {
                        return error_reply(
                            *id,
                            ErrorCode::UnknownCommand,
                            &format!("mission command {code} is not registered"),
                        );
                    }
                };
                Message::Response(Response {
                    request_id: *id,
                    result,
                })
            }
            Message::RekeyRequest(RekeyRequest { id, otar }) => {
                let outcome = match self.link.keys.state.apply(otar) {
                    Ok(response) => {
                        self.link.keys.save()?;
                        info!(counter = response.counter(), "OTAR message applied");
                        RekeyOutcome::Accepted(Cow::Owned(response.to_vec()))
                    }
                    Err(e) => {
                        warn!(error = %e, "OTAR message refused");
                        RekeyOutcome::Rejected(Cow::Owned(e.to_string()))
                    }
                };
                Message::RekeyResult(RekeyResult {
                    request_id: *id,
                    outcome,
                })
            }
            other => {
                return error_reply(
                    other.id(),
                    ErrorCode::InvalidArgument,
                    "not a request this node serves",
                );
            }
        };
        Ok(reply.encode()?)
    }

    fn check(&self) -> Vec<CheckItem<'static>> {
        let store = self.link.keys.state.store();
        let active = store.ids_in(KeyState::Active).count();
        let usage = self.link.outbox.usage();
        vec![
            CheckItem {
                name: Cow::Borrowed("keys"),
                passed: active > 0,
                detail: Cow::Owned(format!(
                    "{active} active keys, send key {}",
                    self.link.send_key()
                )),
            },
            CheckItem {
                name: Cow::Borrowed("downlink"),
                passed: usage.files < self.link.outbox.limits().max_files,
                detail: Cow::Owned(format!(
                    "{} files, {} octets queued",
                    usage.files, usage.octets
                )),
            },
            CheckItem {
                name: Cow::Borrowed("state"),
                passed: true,
                detail: Cow::Owned(format!("{} cached responses", self.cache.len())),
            },
        ]
    }

    fn image_path(&self, image_id: u64) -> PathBuf {
        self.images.join(format!("{image_id}.img"))
    }

    fn capture(
        &mut self,
        id: u64,
        params: &CaptureParams,
    ) -> Result<CommandResult<'static>, NodeError> {
        // The image file, written atomically and named by the request id, is the capture's
        // execution record: a crash after it was written but before the response was committed
        // (session module, write-ahead order) leaves it, and the request executed again on the
        // ground's retransmission answers from it instead of capturing a second time.
        let path = self.image_path(id);
        let image = match std::fs::read(&path) {
            Ok(image) => {
                info!(
                    image_id = id,
                    "image already captured before a restart: not again"
                );
                image
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                let image = synthetic_image(id, params);
                crate::transport::fsutil::ensure_dir(&self.images)?;
                crate::transport::fsutil::write_atomic(
                    &self.images,
                    &OsString::from(format!("{id}.img")),
                    &image,
                )?;
                info!(image_id = id, size = image.len(), "image captured");
                image
            }
            Err(e) => return Err(NodeError::Io(format!("{}: {e}", path.display()))),
        };
        let chunker = ImageChunker::new(id, &image, self.link.config.chunk_budget())
            .map_err(|e| NodeError::Io(e.to_string()))?;
        Ok(CommandResult::Captured {
            image_id: id,
            size: u64::try_from(image.len()).unwrap_or(u64::MAX),
            chunks: chunker.total(),
        })
    }

    fn send_image(
        &mut self,
        request: &ImageRequest,
        key: KeyId,
        clock: &mut dyn Clock,
    ) -> Result<usize, NodeError> {
        let Ok(image) = std::fs::read(self.image_path(request.image_id)) else {
            let reply = error_reply(request.id, ErrorCode::UnknownImage, "no such image")?;
            self.send(&reply, RESPONSE_SERVICE, key, "error", clock)?;
            return Ok(1);
        };
        let chunker = ImageChunker::new(request.image_id, &image, self.link.config.chunk_budget())
            .map_err(|e| NodeError::Io(e.to_string()))?;
        let chunks = match chunker.select(request.id, &request.chunks) {
            Ok(c) => c,
            Err(e) => {
                let reply = error_reply(request.id, ErrorCode::InvalidArgument, &e.to_string())?;
                self.send(&reply, RESPONSE_SERVICE, key, "error", clock)?;
                return Ok(1);
            }
        };
        let mut sent = 0;
        for chunk in chunks {
            let bytes = Message::ImageChunk(chunk).encode()?;
            self.send(&bytes, RESPONSE_SERVICE, key, "chunk", clock)?;
            sent += 1;
        }
        Ok(sent)
    }
}

/// The synthetic camera: a deterministic `width × height` 8-bit image for request `id`
/// (a gradient with the id mixed in), so that runs and replays agree.
pub fn synthetic_image(id: u64, params: &CaptureParams) -> Vec<u8> {
    let (w, h) = (u64::from(params.width), u64::from(params.height));
    let salt = id.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ u64::from(params.exposure_ms);
    (0..h)
        .flat_map(|y| (0..w).map(move |x| (x, y)))
        .map(|(x, y)| {
            let v = x.wrapping_add(y.wrapping_mul(3)) ^ (salt >> ((x + y) % 56));
            v.to_le_bytes().first().copied().unwrap_or(0)
        })
        .collect()
}

fn error_reply(id: u64, code: ErrorCode, text: &str) -> Result<Vec<u8>, NodeError> {
    Ok(Message::Error(ErrorReply {
        request_id: id,
        code,
        text: Cow::Owned(text.to_owned()),
    })
    .encode()?)
}
