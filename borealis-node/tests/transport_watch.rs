//! Waiting for inbox files (issue #6: "Watch the inbox with `notify`, polling fallback").
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::fs;
use std::path::PathBuf;
use std::thread;
use std::time::{Duration, Instant};

use borealis_node::transport::{InboxWatcher, Wake};

fn temp_dir(tag: &str) -> PathBuf {
    let path = std::env::temp_dir().join(format!(
        "borealis-transport-watch-{}-{tag}",
        std::process::id()
    ));
    let _ = fs::remove_dir_all(&path);
    path
}

/// Writes `name` into `dir` after `delay`, from another thread.
fn drop_file_later(dir: PathBuf, name: &'static str, delay: Duration) -> thread::JoinHandle<()> {
    thread::spawn(move || {
        thread::sleep(delay);
        fs::create_dir_all(&dir).unwrap();
        fs::write(dir.join(name), b"bundle").unwrap();
    })
}

#[test]
fn notifications_wake_on_a_new_file() {
    let dir = temp_dir("notify");
    fs::create_dir_all(&dir).unwrap();
    // A long poll interval: only a notification can wake the waiter quickly.
    let mut watcher = InboxWatcher::new(&dir, Duration::from_secs(3600));
    assert!(!watcher.is_polling(), "{:?}", watcher.fallback_reason());
    assert_eq!(watcher.wait(Duration::from_millis(100)), Wake::Timeout);

    let start = Instant::now();
    let writer = drop_file_later(dir.clone(), "a.bp7", Duration::from_millis(100));
    assert_eq!(watcher.wait(Duration::from_secs(10)), Wake::Event);
    assert!(start.elapsed() < Duration::from_secs(5));
    writer.join().unwrap();
    // The writer's later events (data written, file closed) may still trickle in: let them
    // pass before checking that a temporary file alone stays quiet.
    while watcher.wait(Duration::from_millis(200)) != Wake::Timeout {}

    // A file being written under a temporary name is not announced; its rename into place is.
    fs::write(dir.join(".tmp-b.bp7"), b"half").unwrap();
    assert_eq!(watcher.wait(Duration::from_millis(200)), Wake::Timeout);
    fs::rename(dir.join(".tmp-b.bp7"), dir.join("b.bp7")).unwrap();
    assert_eq!(watcher.wait(Duration::from_secs(10)), Wake::Event);
    fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn temporary_files_do_not_wake_the_poller() {
    let dir = temp_dir("poll-temp");
    fs::create_dir_all(&dir).unwrap();
    let mut watcher = InboxWatcher::polling(&dir, Duration::from_millis(20));
    assert!(watcher.is_polling());
    fs::write(dir.join(".tmp-a.bp7"), b"half").unwrap();
    assert_eq!(watcher.wait(Duration::from_millis(200)), Wake::Timeout);
    fs::rename(dir.join(".tmp-a.bp7"), dir.join("a.bp7")).unwrap();
    assert_eq!(watcher.wait(Duration::from_secs(10)), Wake::Changed);
    // Nothing new since: the next wait times out.
    assert_eq!(watcher.wait(Duration::from_millis(100)), Wake::Timeout);
    fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn falls_back_to_polling_when_notifications_cannot_start() {
    // The directory does not exist yet: the notification watcher cannot watch it.
    let dir = temp_dir("fallback");
    let mut watcher = InboxWatcher::new(&dir, Duration::from_millis(20));
    assert!(watcher.is_polling());
    assert!(watcher.fallback_reason().is_some());
    let writer = drop_file_later(dir.clone(), "a.bp7", Duration::from_millis(100));
    assert_eq!(watcher.wait(Duration::from_secs(10)), Wake::Changed);
    writer.join().unwrap();
    fs::remove_dir_all(&dir).unwrap();
}
