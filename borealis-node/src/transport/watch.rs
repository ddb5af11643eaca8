//! Waiting for new inbox files: filesystem notifications (`notify`: inotify, kqueue, …) where
//! the host offers them, polling where it does not (issue #6: "Watch the inbox with `notify`,
//! polling fallback").
//!
//! A wake-up only says that something *may* have arrived; the caller then scans, and the
//! scan decides. This is the one place of the transport that reads real time, to bound a
//! wait; no decision depends on it.

use std::ffi::OsString;
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::time::{Duration, Instant, SystemTime};

use notify::{Event, EventKind, RecommendedWatcher, RecursiveMode, Watcher};

use super::fsutil;

/// Why [`InboxWatcher::wait`] returned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Wake {
    /// A filesystem notification about a ready name (or an error of the watcher, which may
    /// have hidden one).
    Event,
    /// Polling saw the inbox's ready files change.
    Changed,
    /// Nothing happened before the timeout.
    Timeout,
}

/// Waits for files in an inbox directory.
#[derive(Debug)]
pub struct InboxWatcher {
    dir: PathBuf,
    poll_interval: Duration,
    mode: Mode,
    fallback_reason: Option<String>,
}

#[derive(Debug)]
enum Mode {
    Notify {
        // Kept alive: dropping it stops the notifications.
        _watcher: RecommendedWatcher,
        events: Receiver<notify::Result<Event>>,
    },
    Poll {
        snapshot: Snapshot,
    },
}

/// The ready files of a directory as polling compares them: name, size, modification time.
type Snapshot = Vec<(OsString, u64, Option<SystemTime>)>;

impl InboxWatcher {
    /// Watches `dir` with filesystem notifications; if they cannot start (no inotify
    /// instances left, missing directory, unsupported filesystem) it polls `dir` every
    /// `poll_interval` instead ([`Self::fallback_reason`] says why). Never fails.
    pub fn new(dir: impl Into<PathBuf>, poll_interval: Duration) -> Self {
        let dir = dir.into();
        match start_notify(&dir) {
            Ok(mode) => Self {
                dir,
                poll_interval,
                mode,
                fallback_reason: None,
            },
            Err(e) => {
                let mut watcher = Self::polling(dir, poll_interval);
                watcher.fallback_reason = Some(e.to_string());
                watcher
            }
        }
    }

    /// Polls `dir` every `poll_interval`, without notifications (for filesystems that do not
    /// deliver them, such as some network mounts).
    pub fn polling(dir: impl Into<PathBuf>, poll_interval: Duration) -> Self {
        let dir = dir.into();
        let snapshot = snapshot(&dir);
        Self {
            dir,
            poll_interval,
            mode: Mode::Poll { snapshot },
            fallback_reason: None,
        }
    }

    /// Whether this watcher polls.
    pub const fn is_polling(&self) -> bool {
        matches!(self.mode, Mode::Poll { .. })
    }

    /// Why notifications could not start, if [`Self::new`] fell back to polling.
    pub fn fallback_reason(&self) -> Option<&str> {
        self.fallback_reason.as_deref()
    }

    /// Waits at most `timeout` for something to arrive since the last call (or since the
    /// watcher was made). Pending notifications are drained, so one burst of events is one
    /// wake-up; any arriving later wake the next call.
    pub fn wait(&mut self, timeout: Duration) -> Wake {
        let deadline = Instant::now().checked_add(timeout);
        match &mut self.mode {
            Mode::Notify { events, .. } => {
                let woke = wait_event(events, deadline);
                if woke == Some(Wake::Timeout) {
                    return Wake::Timeout;
                }
                if woke.is_none() {
                    // The watcher's thread is gone: poll from now on.
                    self.fallback_reason = Some("notification channel closed".to_owned());
                    self.mode = Mode::Poll {
                        snapshot: snapshot(&self.dir),
                    };
                }
                Wake::Event
            }
            Mode::Poll { snapshot: last } => loop {
                let now = Instant::now();
                let pause = deadline.map_or(self.poll_interval, |d| {
                    self.poll_interval.min(d.saturating_duration_since(now))
                });
                std::thread::sleep(pause);
                let current = snapshot(&self.dir);
                if current != *last {
                    *last = current;
                    return Wake::Changed;
                }
                if deadline.is_some_and(|d| Instant::now() >= d) {
                    return Wake::Timeout;
                }
            },
        }
    }
}

fn start_notify(dir: &Path) -> notify::Result<Mode> {
    let (tx, events) = mpsc::channel();
    let mut watcher = notify::recommended_watcher(tx)?;
    watcher.watch(dir, RecursiveMode::NonRecursive)?;
    Ok(Mode::Notify {
        _watcher: watcher,
        events,
    })
}

/// Waits for a relevant event until `deadline` (`None`: forever), then drains the queue.
/// `Some(Timeout)` on timeout, `None` if the channel closed.
fn wait_event(events: &Receiver<notify::Result<Event>>, deadline: Option<Instant>) -> Option<Wake> {
    loop {
        let received = match deadline {
            Some(d) => events.recv_timeout(d.saturating_duration_since(Instant::now())),
            None => events.recv().map_err(|_| RecvTimeoutError::Disconnected),
        };
        match received {
            Ok(event) if relevant(&event) => {
                while events.try_recv().is_ok() {}
                return Some(Wake::Event);
            }
            Ok(_) => {}
            Err(RecvTimeoutError::Timeout) => return Some(Wake::Timeout),
            Err(RecvTimeoutError::Disconnected) => return None,
        }
    }
}

/// An event may announce a new file unless it is a mere access, or concerns only names a
/// scan ignores (our temporary files being written).
fn relevant(event: &notify::Result<Event>) -> bool {
    match event {
        Err(_) => true,
        Ok(event) => {
            !matches!(event.kind, EventKind::Access(_))
                && (event.paths.is_empty()
                    || event
                        .paths
                        .iter()
                        .any(|p| p.file_name().is_none_or(fsutil::is_ready_name)))
        }
    }
}

/// The ready files of `dir`, sorted; empty if it cannot be read (it may not exist yet).
fn snapshot(dir: &Path) -> Snapshot {
    let Ok(entries) = fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut files: Snapshot = entries
        .filter_map(Result::ok)
        .filter(|e| fsutil::is_ready_name(&e.file_name()))
        .filter_map(|e| {
            let meta = e.metadata().ok()?;
            meta.is_file()
                .then(|| (e.file_name(), meta.len(), meta.modified().ok()))
        })
        .collect();
    files.sort();
    files
}
