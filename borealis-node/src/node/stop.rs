//! Stopping the payload daemon gracefully: SIGINT or SIGTERM (an operator's Ctrl-C, a
//! container runtime or service manager stopping it) ask it to finish the bundle in hand,
//! persist its state, log one line and exit 0, instead of dying at whatever point the signal
//! found it. Nothing would be lost even then (every step is crash-safe, `tests/node_crash.rs`),
//! but a clean stop leaves no interrupted request to answer with an error on the next start.
//!
//! The signal handlers are `signal-hook`'s (safe API; this crate forbids `unsafe`): one sets
//! the [`Stop`] flag inside the handler itself, so it is seen even if no other thread runs, and
//! a thread woken by the signal ends the inbox watcher's wait, so an idle daemon stops at once
//! instead of at its next poll.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use crate::transport::Waker;

/// A request to stop, shared between whoever asks (a signal handler, another thread) and the
/// run loop ([`super::PayloadNode::run_until`]), which checks it between bundles and after
/// every wait.
#[derive(Debug, Clone, Default)]
pub struct Stop {
    requested: Arc<AtomicBool>,
    /// Ends the run loop's current wait.
    waiter: Arc<Mutex<Option<Waker>>>,
}

impl Stop {
    /// A stop nobody asked for yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// A stop requested by SIGINT or SIGTERM (module docs). A second signal while the stop is
    /// pending ends the process at once with exit status 1: the operator's way out of a
    /// bundle that takes too long, which crash safety covers.
    pub fn on_signals() -> std::io::Result<Self> {
        use signal_hook::consts::{SIGINT, SIGTERM};
        use signal_hook::flag;
        let stop = Self::new();
        for signal in [SIGINT, SIGTERM] {
            // Registered first, so that it sees the flag as it was before this signal.
            flag::register_conditional_shutdown(signal, 1, Arc::clone(&stop.requested))?;
            flag::register(signal, Arc::clone(&stop.requested))?;
        }
        #[cfg(unix)]
        {
            let mut signals = signal_hook::iterator::Signals::new([SIGINT, SIGTERM])?;
            let stop = stop.clone();
            std::thread::Builder::new()
                .name("borealis-stop".to_owned())
                .spawn(move || {
                    for _ in signals.forever() {
                        stop.wake();
                    }
                })?;
        }
        Ok(stop)
    }

    /// Asks the run loop to stop, and wakes it if it waits.
    pub fn request(&self) {
        self.requested.store(true, Ordering::SeqCst);
        self.wake();
    }

    /// Whether a stop was asked for.
    pub fn is_requested(&self) -> bool {
        self.requested.load(Ordering::SeqCst)
    }

    /// Ends the run loop's current wait (or its next one), so that it looks at the flag.
    pub fn wake(&self) {
        let waiter = self.waiter.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(waker) = waiter.as_ref() {
            waker.wake();
        }
    }

    /// Makes [`Self::wake`] end the waits of the watcher `waker` belongs to.
    pub(crate) fn attach(&self, waker: Waker) {
        *self.waiter.lock().unwrap_or_else(PoisonError::into_inner) = Some(waker);
    }
}

#[cfg(test)]
mod tests {
    use std::time::{Duration, Instant};

    use super::*;
    use crate::transport::{InboxWatcher, Wake};

    #[test]
    fn a_request_ends_a_wait_at_once() {
        let dir = std::env::temp_dir().join(format!("borealis-stop-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        for polling in [false, true] {
            let mut watcher = if polling {
                InboxWatcher::polling(&dir, Duration::from_secs(3600))
            } else {
                InboxWatcher::new(&dir, Duration::from_secs(3600))
            };
            let stop = Stop::new();
            stop.attach(watcher.waker());
            let asker = stop.clone();
            let thread = std::thread::spawn(move || {
                std::thread::sleep(Duration::from_millis(50));
                asker.request();
            });
            let start = Instant::now();
            assert_eq!(watcher.wait(Duration::from_secs(3600)), Wake::Woken);
            assert!(start.elapsed() < Duration::from_secs(60));
            assert!(stop.is_requested());
            thread.join().unwrap();
            // A request made while nobody waits ends the next wait.
            stop.request();
            assert_eq!(watcher.wait(Duration::from_secs(3600)), Wake::Woken);
        }
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
