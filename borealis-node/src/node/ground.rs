//! The ground role: open a session per request, protect it, write it to the uplink; receive
//! the downlink, verify, match, store responses, reassemble images.
//!
//! Files under the ground directory: `node-state.json` (counters, replay filter, sessions),
//! `responses/<request id>.cbor` (the latest response message of each request; unsolicited
//! telemetry as `responses/telemetry-<DTN ms>.cbor`), `images/<image id>/<index>.chunk`
//! while an image arrives, then `images/<image id>.img` once reassembled and its SHA-256
//! checked.

use std::borrow::Cow;
use std::ffi::OsString;
use std::path::{Path, PathBuf};

use bpsec::{KeyId, ReplayFilter};
use tracing::{info, warn};

use super::state::{Role, StateFile};
use super::{Counters, Link, MissionConfig, NodeError};
use super::{open_keys, service_of};
use crate::env::Clock;
use crate::mission::Layout;
use crate::protocol::{
    CaptureParams, ChunkSelection, Command, CommandKind, ImageAssembler, ImageRequest, Message,
    RekeyRequest, TelemetryQuery, UNSOLICITED,
};
use crate::session::{Event, Match, RequestId, Sessions};
use crate::transport::{Inbox, InboxConfig, Outbox, Scan, StoreLimits, fsutil};

/// Largest image the ground reassembles in memory, octets.
const IMAGE_CAP: usize = 256 * 1024 * 1024;

/// A request the ground can send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Request {
    /// `Command Ping`.
    Ping,
    /// `Command Check`.
    Check,
    /// `TelemetryQuery` for these selectors (empty: everything).
    Telemetry(Vec<String>),
    /// `Command Capture`.
    Capture(CaptureParams),
    /// `Command Halt`.
    Halt,
    /// `ImageRequest` for every chunk of an image.
    Image(u64),
    /// `RekeyRequest` carrying this signed OTAR message.
    Rekey(Vec<u8>),
}

/// A response stored by the ground.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredResponse {
    /// Its file.
    pub path: PathBuf,
    /// The request id it answers (0: unsolicited).
    pub request_id: u64,
    /// A one-line summary.
    pub summary: String,
}

/// An image reassembled and hash-checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImageDone {
    /// The image id.
    pub image_id: u64,
    /// Where it is.
    pub path: PathBuf,
    /// Its size.
    pub size: usize,
}

/// What a [`GroundNode::receive`] did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GroundReport {
    /// Responses matched to an outstanding request (first answer).
    pub matched: Vec<RequestId>,
    /// Messages stored (including unsolicited telemetry and image chunks).
    pub received: usize,
    /// Images completed.
    pub images: Vec<ImageDone>,
    /// Files quarantined with their reason.
    pub quarantined: Vec<(PathBuf, String)>,
    /// Requests retransmitted by this call.
    pub retransmitted: Vec<RequestId>,
    /// Requests given up.
    pub timed_out: Vec<RequestId>,
}

/// How far the arrival of one image is: `received` of its `total` chunks are stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ImageProgress {
    /// The image id.
    pub image_id: u64,
    /// Distinct chunks stored so far.
    pub received: u32,
    /// Chunks of the whole image.
    pub total: u32,
}

/// The ground daemon of one mission directory.
#[derive(Debug)]
pub struct GroundNode {
    link: Link,
    inbox: Inbox,
    state: StateFile,
    sessions: Sessions<u16>,
    dir: PathBuf,
    mission: PathBuf,
}

impl GroundNode {
    /// Opens the ground side of `mission`: configuration, the ground's mirror key store
    /// (`ground/state.bin`), state, inbox and uplink.
    pub fn open(mission: &Path) -> Result<Self, NodeError> {
        let config = MissionConfig::load(mission)?;
        let layout = Layout::new(mission);
        let keys = open_keys(&layout.ground_state_key(), layout.ground_state())?;
        let state = StateFile::of(&layout, Role::Ground)?;
        let retry = config.retry_policy();
        let (counters, replay, sessions) = match state.load()? {
            Some(s) => {
                let sessions = match s.sessions {
                    Some(b) => Sessions::from_bytes(&b, retry)?,
                    None => Sessions::new(retry)?,
                };
                (s.counters, s.replay, sessions)
            }
            None => (
                Counters::new(*b"GRND"),
                ReplayFilter::new(config.replay_window)
                    .map_err(|e| NodeError::Config(e.to_string()))?,
                Sessions::new(retry)?,
            ),
        };
        let mut inbox_config =
            InboxConfig::new(MissionConfig::resolve(mission, &config.ground_inbox));
        inbox_config.max_file_octets = config.max_file_octets;
        inbox_config.dedup = config.dedup.into();
        let inbox = Inbox::open(inbox_config)?;
        let outbox = Outbox::open(
            MissionConfig::resolve(mission, &config.uplink_dir),
            StoreLimits {
                max_file_octets: config.max_file_octets,
                ..StoreLimits::default()
            },
        )?;
        Ok(Self {
            link: Link {
                own: config.ground_node,
                peer: config.payload_node,
                config,
                keys,
                counters,
                replay,
                outbox,
            },
            inbox,
            state,
            sessions,
            dir: layout.ground_dir(),
            mission: mission.to_path_buf(),
        })
    }

    fn persist(&self) -> Result<(), NodeError> {
        self.state.save(
            &self.link.counters,
            &self.link.replay,
            &self.sessions.to_bytes(),
        )
    }

    fn write(
        &mut self,
        message: &[u8],
        service: u64,
        hint: &str,
        clock: &mut dyn Clock,
    ) -> Result<PathBuf, NodeError> {
        let key = self.link.send_key();
        let state = &self.state;
        let sessions = &self.sessions;
        self.link
            .send(message, service, key, hint, clock, &mut |c, r| {
                state.save(c, r, &sessions.to_bytes())
            })
    }

    /// Sends `request`: opens its session, persists, then writes the bundle to the uplink
    /// (session module, ground write-ahead order). Returns its id.
    pub fn send(
        &mut self,
        request: &Request,
        clock: &mut dyn Clock,
    ) -> Result<RequestId, NodeError> {
        let id = self.sessions.next_id().0;
        let message = match request {
            Request::Ping => command(id, CommandKind::Ping),
            Request::Check => command(id, CommandKind::Check),
            Request::Halt => command(id, CommandKind::Halt),
            Request::Capture(p) => command(id, CommandKind::Capture(*p)),
            Request::Telemetry(names) => Message::TelemetryQuery(TelemetryQuery {
                id,
                names: names.iter().map(|n| Cow::Owned(n.clone())).collect(),
            }),
            Request::Image(image_id) => Message::ImageRequest(ImageRequest {
                id,
                image_id: *image_id,
                chunks: ChunkSelection::All,
            }),
            Request::Rekey(otar) => Message::RekeyRequest(RekeyRequest {
                id,
                otar: Cow::Owned(otar.clone()),
            }),
        };
        let kind = message.kind();
        let bytes = message.encode()?;
        let opened = self
            .sessions
            .open(kind_code(kind), bytes.clone(), clock.now_ms())?;
        self.persist()?;
        self.write(
            &bytes,
            service_of(kind),
            &format!("req-{}", opened.0),
            clock,
        )?;
        info!(id = %opened, ?kind, "request sent");
        Ok(opened)
    }

    /// Switches the bundle-confidentiality key the ground sends with (after the payload
    /// activated it): assigned to the payload in the ground's store, saved.
    pub fn use_key(&mut self, key: KeyId) -> Result<(), NodeError> {
        // `borealis keys` may have changed the mirror since open: reload it, never overwrite.
        let layout = Layout::new(&self.mission);
        self.link.keys = open_keys(&layout.ground_state_key(), layout.ground_state())?;
        let peer = self.link.peer;
        self.link
            .keys
            .state
            .store_mut()
            .assign(peer, otar::Purpose::BundleConfidentiality, key)
            .map_err(|e| NodeError::Mission(e.to_string()))?;
        self.link.keys.save()?;
        Ok(())
    }

    /// The key the ground sends with.
    pub fn send_key(&self) -> KeyId {
        self.link.send_key()
    }

    /// Scans the ground inbox (verify, route, match, store, reassemble), then polls the
    /// sessions (retransmissions, timeouts).
    pub fn receive(&mut self, clock: &mut dyn Clock) -> Result<GroundReport, NodeError> {
        self.receive_with_progress(clock, &mut |_| {})
    }

    /// [`Self::receive`], telling `progress` after every image chunk stored (a long image
    /// transfer arrives over many bundles: the CLI draws a progress bar from it).
    pub fn receive_with_progress(
        &mut self,
        clock: &mut dyn Clock,
        progress: &mut dyn FnMut(ImageProgress),
    ) -> Result<GroundReport, NodeError> {
        let mut report = GroundReport::default();
        for incoming in self.inbox.scan()? {
            let Scan::Deliver { id, bytes } = self.inbox.admit(&incoming, clock.now_ms())? else {
                continue;
            };
            let received = match self.link.verify(bytes) {
                Ok((r, _)) => r,
                Err(e) => {
                    let reason = self.link.refusal(&e);
                    let path = self.inbox.quarantine(&incoming, &reason)?;
                    report.quarantined.push((path, reason));
                    continue;
                }
            };
            self.persist()?;
            let service = self.link.destination_service(&received);
            let message = Message::decode(received.payload()).map(Message::into_owned);
            let message = match (service, message) {
                (Ok(s), Ok(m)) if !m.kind().is_request() && service_of(m.kind()) == s => m,
                (Err(reason), _) => {
                    let path = self.inbox.quarantine(&incoming, &reason)?;
                    report.quarantined.push((path, reason));
                    continue;
                }
                (_, Err(e)) => {
                    let reason = format!("malformed message: {e}");
                    let path = self.inbox.quarantine(&incoming, &reason)?;
                    report.quarantined.push((path, reason));
                    continue;
                }
                (Ok(s), Ok(m)) => {
                    let reason = format!("{:?} is not accepted at service {s}", m.kind());
                    let path = self.inbox.quarantine(&incoming, &reason)?;
                    report.quarantined.push((path, reason));
                    continue;
                }
            };
            self.store(&message, received.payload(), clock, &mut report, progress)?;
            self.persist()?;
            self.inbox.consume(&incoming, &id)?;
        }
        for event in self.sessions.poll(clock.now_ms()) {
            match event {
                Event::Retransmit { id, .. } => {
                    self.persist()?;
                    let body = self
                        .sessions
                        .get(id)
                        .map(|p| p.payload().to_vec())
                        .unwrap_or_default();
                    let kind = Message::decode(&body).map(|m| m.kind());
                    if let Ok(kind) = kind {
                        self.write(&body, service_of(kind), &format!("req-{}", id.0), clock)?;
                        report.retransmitted.push(id);
                    }
                }
                Event::TimedOut { id, .. } => {
                    warn!(%id, "request timed out");
                    report.timed_out.push(id);
                }
            }
        }
        self.persist()?;
        Ok(report)
    }

    fn store(
        &mut self,
        message: &Message<'static>,
        payload: &[u8],
        clock: &mut dyn Clock,
        report: &mut GroundReport,
        progress: &mut dyn FnMut(ImageProgress),
    ) -> Result<(), NodeError> {
        let id = message.id();
        if id != UNSOLICITED {
            match self.sessions.on_response(RequestId(id), clock.now_ms()) {
                Match::Matched { .. } => report.matched.push(RequestId(id)),
                Match::Duplicate { .. } | Match::Late { .. } => {}
                Match::Forgotten | Match::Unknown => {
                    warn!(id, "response to an unknown request");
                }
            }
        }
        report.received += 1;
        let responses = self.dir.join("responses");
        fsutil::ensure_dir(&responses)?;
        match message {
            Message::ImageChunk(chunk) => {
                let dir = self.dir.join("images").join(chunk.image_id.to_string());
                fsutil::ensure_dir(&dir)?;
                let name = OsString::from(format!("{:08}.chunk", chunk.index));
                fsutil::write_atomic(&dir, &name, payload)?;
                if let Some(done) =
                    self.try_assemble(chunk.image_id, chunk.total, &dir, progress)?
                {
                    report.images.push(done);
                }
            }
            Message::Telemetry(t) if t.request_id == UNSOLICITED => {
                let name = OsString::from(format!("telemetry-{:020}.cbor", clock.now_ms()));
                fsutil::write_atomic(&responses, &name, payload)?;
            }
            _ => {
                let name = OsString::from(format!("{id:020}.cbor"));
                fsutil::write_atomic(&responses, &name, payload)?;
            }
        }
        Ok(())
    }

    fn try_assemble(
        &self,
        image_id: u64,
        total: u32,
        dir: &Path,
        progress: &mut dyn FnMut(ImageProgress),
    ) -> Result<Option<ImageDone>, NodeError> {
        let io = |e: std::io::Error| NodeError::Io(format!("{}: {e}", dir.display()));
        let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
            .map_err(io)?
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|x| x == "chunk"))
            .collect();
        progress(ImageProgress {
            image_id,
            received: u32::try_from(files.len()).unwrap_or(u32::MAX),
            total,
        });
        if files.len() < usize::try_from(total).unwrap_or(usize::MAX) {
            return Ok(None);
        }
        files.sort();
        let mut assembler = ImageAssembler::new(image_id, IMAGE_CAP);
        for f in &files {
            let bytes = std::fs::read(f).map_err(io)?;
            if let Ok(Message::ImageChunk(chunk)) = Message::decode(&bytes) {
                assembler
                    .accept(&chunk)
                    .map_err(|e| NodeError::Io(format!("image {image_id}: {e}")))?;
            }
        }
        if !assembler.is_complete() {
            return Ok(None);
        }
        let image = assembler
            .finish()
            .map_err(|e| NodeError::Io(format!("image {image_id}: {e}")))?;
        let images = self.dir.join("images");
        fsutil::write_atomic(&images, &OsString::from(format!("{image_id}.img")), &image)?;
        std::fs::remove_dir_all(dir).map_err(io)?;
        info!(
            image_id,
            size = image.len(),
            "image reassembled, SHA-256 verified"
        );
        Ok(Some(ImageDone {
            image_id,
            path: images.join(format!("{image_id}.img")),
            size: image.len(),
        }))
    }

    /// The stored responses, in file order, with a one-line summary each.
    pub fn responses(&self) -> Result<Vec<StoredResponse>, NodeError> {
        let dir = self.dir.join("responses");
        let mut out = Vec::new();
        let Ok(entries) = std::fs::read_dir(&dir) else {
            return Ok(out);
        };
        let mut paths: Vec<PathBuf> = entries.filter_map(Result::ok).map(|e| e.path()).collect();
        paths.sort();
        for path in paths {
            let Ok(bytes) = std::fs::read(&path) else {
                continue;
            };
            let (request_id, summary) = match Message::decode(&bytes) {
                Ok(m) => (m.id(), summarize(&m)),
                Err(e) => (0, format!("undecodable: {e}")),
            };
            out.push(StoredResponse {
                path,
                request_id,
                summary,
            });
        }
        Ok(out)
    }

    /// The stored response message of request `id`, if any (encoded).
    pub fn response(&self, id: RequestId) -> Option<Vec<u8>> {
        std::fs::read(
            self.dir
                .join("responses")
                .join(format!("{:020}.cbor", id.0)),
        )
        .ok()
    }

    /// Requests still outstanding.
    pub fn outstanding(&self) -> Vec<RequestId> {
        self.sessions.outstanding().map(|(id, _)| id).collect()
    }

    /// Where reassembled images are written.
    pub fn images_dir(&self) -> PathBuf {
        self.dir.join("images")
    }
}

fn command(id: u64, command: CommandKind<'static>) -> Message<'static> {
    Message::Command(Command { id, command })
}

fn kind_code(kind: crate::protocol::MessageKind) -> u16 {
    u16::try_from(kind.code()).unwrap_or(u16::MAX)
}

/// A one-line description of a response message.
pub fn summarize(message: &Message<'_>) -> String {
    use crate::protocol::{CommandResult, RekeyOutcome};
    match message {
        Message::Telemetry(t) => {
            let samples: Vec<String> = t
                .samples
                .iter()
                .take(4)
                .map(|s| format!("{}={:?}", s.name, s.value))
                .collect();
            format!(
                "telemetry, {} samples: {} …",
                t.samples.len(),
                samples.join(" ")
            )
        }
        Message::Response(r) => match &r.result {
            CommandResult::Pong => "PONG".to_owned(),
            CommandResult::CheckReport(items) => {
                let items: Vec<String> = items
                    .iter()
                    .map(|i| format!("{} {}", i.name, if i.passed { "ok" } else { "FAIL" }))
                    .collect();
                format!("check: {}", items.join(", "))
            }
            CommandResult::Captured {
                image_id,
                size,
                chunks,
            } => format!("captured image {image_id}: {size} octets in {chunks} chunks"),
            CommandResult::Halting => "halting".to_owned(),
            CommandResult::Mission { code, data } => {
                format!("mission {code}: {} octets", data.len())
            }
        },
        Message::RekeyResult(r) => match &r.outcome {
            RekeyOutcome::Accepted(resp) => match otar::message::Response::parse(resp) {
                Ok(otar::message::Response::Ack { counter }) => {
                    format!("rekey accepted: counter {counter}")
                }
                Ok(otar::message::Response::Verified { counter, id, .. }) => {
                    format!("rekey verified: counter {counter}, key {id}")
                }
                Err(e) => format!("rekey accepted, response undecodable: {e}"),
            },
            RekeyOutcome::Rejected(why) => format!("rekey REJECTED: {why}"),
        },
        Message::ImageChunk(c) => format!("image {} chunk {}/{}", c.image_id, c.index, c.total),
        Message::Error(e) => format!("error {:?}: {}", e.code, e.text),
        other => format!("{:?}", other.kind()),
    }
}
