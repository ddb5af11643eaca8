//! Waiting for new inbox files: filesystem notifications (`notify`: inotify, kqueue, …) where
//! the host offers them, polling where it does not (issue #6: "Watch the inbox with `notify`,
//! polling fallback").
//!
//! A wake-up only says that something *may* have arrived; the caller then scans, and the
//! scan decides. This is the one place of the transport that reads real time, to bound a
//! wait; no decision depends on it. Another thread can end a wait early through a [`Waker`]
//! (the daemon's stop request on SIGTERM): notifications and wakes arrive on one channel, and
//! polling waits on that channel instead of sleeping, so either kind of wait wakes at once.

use std::ffi::OsString;
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
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
    /// A [`Waker`] ended the wait.
    Woken,
}

/// What arrives on a watcher's channel.
#[derive(Debug)]
enum Signal {
    /// A filesystem notification (or an error of the notification watcher).
    Fs(notify::Result<Event>),
    /// [`Waker::wake`].
    Wake,
    /// The notification watcher's handler was dropped: no more notifications will come.
    Closed,
}

/// Ends an [`InboxWatcher::wait`] from another thread, which then returns [`Wake::Woken`]. A
/// wake sent while nobody waits is kept for the next wait, so a request made just before a
/// wait starts is not lost.
#[derive(Debug, Clone)]
pub struct Waker(Sender<Signal>);

impl Waker {
    /// Wakes the watcher (nothing happens if it is gone).
    pub fn wake(&self) {
        let _ = self.0.send(Signal::Wake);
    }
}

/// The notification watcher's event handler: forwards every event, and says when it is
/// dropped (its thread ended) so that the waiter can fall back to polling.
struct Forward(Sender<Signal>);

impl notify::EventHandler for Forward {
    fn handle_event(&mut self, event: notify::Result<Event>) {
        let _ = self.0.send(Signal::Fs(event));
    }
}

impl Drop for Forward {
    fn drop(&mut self) {
        let _ = self.0.send(Signal::Closed);
    }
}

/// Waits for files in an inbox directory.
#[derive(Debug)]
pub struct InboxWatcher {
    dir: PathBuf,
    poll_interval: Duration,
    mode: Mode,
    fallback_reason: Option<String>,
    /// Notifications and wakes.
    signals: Receiver<Signal>,
    /// Cloned into each [`Waker`] and the notification handler.
    sender: Sender<Signal>,
}

#[derive(Debug)]
enum Mode {
    Notify {
        // Kept alive: dropping it stops the notifications.
        _watcher: RecommendedWatcher,
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
        let mut watcher = Self::polling(dir, poll_interval);
        match start_notify(&watcher.dir, watcher.sender.clone()) {
            Ok(mode) => watcher.mode = mode,
            Err(e) => watcher.fallback_reason = Some(e.to_string()),
        }
        watcher
    }

    /// Polls `dir` every `poll_interval`, without notifications (for filesystems that do not
    /// deliver them, such as some network mounts).
    pub fn polling(dir: impl Into<PathBuf>, poll_interval: Duration) -> Self {
        let dir = dir.into();
        let snapshot = snapshot(&dir);
        let (sender, signals) = mpsc::channel();
        Self {
            dir,
            poll_interval,
            mode: Mode::Poll { snapshot },
            fallback_reason: None,
            signals,
            sender,
        }
    }

    /// A handle that ends this watcher's waits from another thread.
    pub fn waker(&self) -> Waker {
        Waker(self.sender.clone())
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
    /// wake-up; any arriving later wake the next call. A [`Waker`] ends it with
    /// [`Wake::Woken`].
    pub fn wait(&mut self, timeout: Duration) -> Wake {
        let deadline = Instant::now().checked_add(timeout);
        match &mut self.mode {
            Mode::Notify { .. } => {
                if let Some(woke) = wait_event(&self.signals, deadline) {
                    return woke;
                }
                // The watcher's thread is gone: poll from now on.
                self.fallback_reason = Some("notification channel closed".to_owned());
                self.mode = Mode::Poll {
                    snapshot: snapshot(&self.dir),
                };
                Wake::Event
            }
            Mode::Poll { snapshot: last } => loop {
                let now = Instant::now();
                let pause = deadline.map_or(self.poll_interval, |d| {
                    self.poll_interval.min(d.saturating_duration_since(now))
                });
                // Sleeps like `thread::sleep`, unless a waker calls. Late notifications of
                // a watcher that stopped are ignored: the snapshot decides.
                if let Ok(Signal::Wake) = self.signals.recv_timeout(pause) {
                    return Wake::Woken;
                }
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

fn start_notify(dir: &Path, sender: Sender<Signal>) -> notify::Result<Mode> {
    let mut watcher = notify::recommended_watcher(Forward(sender))?;
    watcher.watch(dir, RecursiveMode::NonRecursive)?;
    Ok(Mode::Notify { _watcher: watcher })
}

/// Waits for a relevant event or a wake until `deadline` (`None`: forever); after an event,
/// drains the queue of further events. `Some(Timeout)` on timeout, `None` if the notification
/// watcher stopped.
fn wait_event(signals: &Receiver<Signal>, deadline: Option<Instant>) -> Option<Wake> {
    loop {
        let received = match deadline {
            Some(d) => signals.recv_timeout(d.saturating_duration_since(Instant::now())),
            None => signals.recv().map_err(|_| RecvTimeoutError::Disconnected),
        };
        match received {
            Ok(Signal::Fs(event)) if relevant(&event) => {
                // One burst is one wake-up; a wake drained with it still counts as one.
                let mut woke = Wake::Event;
                loop {
                    match signals.try_recv() {
                        Ok(Signal::Fs(_)) => {}
                        Ok(Signal::Wake) => woke = Wake::Woken,
                        Ok(Signal::Closed) => return None,
                        Err(_) => return Some(woke),
                    }
                }
            }
            Ok(Signal::Fs(_)) => {}
            Ok(Signal::Wake) => return Some(Wake::Woken),
            Err(RecvTimeoutError::Timeout) => return Some(Wake::Timeout),
            // The watcher holds a sender, so the channel cannot disconnect while it waits.
            Ok(Signal::Closed) | Err(RecvTimeoutError::Disconnected) => return None,
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
