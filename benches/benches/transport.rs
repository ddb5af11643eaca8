//! Bench of the filesystem DTN transport (`borealis_node::transport`, issue #6) with
//! durability on, next to a bare `std::fs` loop doing the same filesystem work on the same
//! octets, in the same run and under the same base directory (so on the same filesystem).
//!
//! Bundles of exactly 1 KiB, 64 KiB and 1 MiB (our `BundleBuilder`: `ipn:1.0` → `ipn:2.1`,
//! CRC-32C on the primary and the payload block; the payload length is chosen so that the
//! encoded bundle has exactly that size). Rows, per size:
//!
//! * ours, put: `Outbox::put` (size and store checks, file name, `try_exists` of the name,
//!   create temp + write + `fsync` + rename + `fsync` of the directory);
//! * bare, put: create temp + write + `fsync` (`sync_all`) + rename + `fsync` of the
//!   directory of the same octets under a name of the same form;
//! * ours, consume: `Inbox::admit` (open, stat, read, STRICT parse with both CRCs, lifetime,
//!   dedup lookup) + `Inbox::consume` (dedup line append + `fdatasync`, remove + `fsync` of the
//!   directory) of a file already present;
//! * bare, consume: read the file (`fs::read`), append the same log line + `fdatasync`, remove
//!   + `fsync` of the directory.
//!
//! Not timed: creating each batch's fresh directory, opening the `Outbox` / `Inbox` / log,
//! writing (durably) the files a consume batch reads and listing them, and removing the
//! directory afterwards.
//!
//! A custom harness rather than criterion: an operation here is dominated by `fsync`, whose
//! latency on a shared (virtual) disk drifts and spikes over seconds, and criterion measures
//! one row for seconds before the next, so its ratio of two rows mostly measured the drift
//! (0.8–1.45 from run to run, one row 15× slower in one run). Here each round runs one batch of
//! ours and one of bare back to back, alternating which goes first; the figures are medians
//! over rounds of the sustained rate (operations / batch time) and of the per-round ratio.
//!
//! The base directory is `$BOREALIS_BENCH_DIR` if set, else the system temporary directory;
//! its filesystem is printed (`df -T`) at start, as fsync costs depend on it.
//!
//! `cargo bench -p borealis-benches --bench transport [-- --rounds 15 --ops 200]` (~1 minute);
//! without `--bench` (`cargo test --benches`) it makes one small smoke round.
// Benchmark code, not flight code: unwraps on known-good, self-generated input.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::fs::{self, File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use borealis_benches::bundle::builder;
use borealis_node::env::SteppingClock;
use borealis_node::transport::{Inbox, InboxConfig, Outbox, Scan, StoreLimits};
use bpv7::bundle::BundleView;

/// Bundle sizes, octets (whole encoded bundle).
const SIZES: [(usize, &str); 3] = [(1024, "1KiB"), (64 * 1024, "64KiB"), (1024 * 1024, "1MiB")];

/// First creation sequence number: at 2^32 every sequence number of the run has the same
/// 9-octet CBOR encoding, so every bundle of a size has exactly that size.
const FIRST_SEQUENCE: u64 = 1 << 32;

/// Unique directory names within a run.
static DIR_COUNTER: AtomicU64 = AtomicU64::new(0);

/// The base directory of the run: one fresh directory per run, removed at the end.
fn base_dir() -> PathBuf {
    let root =
        std::env::var_os("BOREALIS_BENCH_DIR").map_or_else(std::env::temp_dir, PathBuf::from);
    root.join(format!("borealis-transport-bench-{}", std::process::id()))
}

/// A fresh, empty directory under `base` for one sample.
fn fresh_dir(base: &Path, what: &str) -> PathBuf {
    let n = DIR_COUNTER.fetch_add(1, Ordering::Relaxed);
    let dir = base.join(format!("{what}-{n}"));
    fs::create_dir_all(&dir).unwrap();
    dir
}

/// A bundle with creation sequence number `sequence` whose encoding is exactly `size` octets.
fn bundle_of_size(size: usize, sequence: u64) -> Vec<u8> {
    let mut payload_len = size.saturating_sub(64);
    for _ in 0..8 {
        let payload = vec![0xA5; payload_len];
        let bytes = builder(sequence, &payload).to_vec().unwrap();
        if bytes.len() == size {
            return bytes;
        }
        payload_len = (payload_len + size).checked_sub(bytes.len()).unwrap();
    }
    panic!("no payload length gives a {size}-octet bundle");
}

/// The DTN time the consumer runs at: the bundles' creation time (they expire an hour later).
fn creation_time(bytes: &[u8]) -> u64 {
    BundleView::parse(bytes).unwrap().primary().creation.time
}

/// `fsync` of a directory, as `Outbox::put` and `Inbox::consume` do.
fn sync_dir(dir: &Path) {
    File::open(dir).unwrap().sync_all().unwrap();
}

/// The bare producer: create temp, write, `fsync`, rename, `fsync` of the directory.
fn bare_put(dir: &Path, name: &str, bytes: &[u8]) {
    let temp = dir.join(format!(".tmp-{name}"));
    let target = dir.join(name);
    let mut file = OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .open(&temp)
        .unwrap();
    file.write_all(bytes).unwrap();
    file.sync_all().unwrap();
    drop(file);
    fs::rename(&temp, &target).unwrap();
    sync_dir(dir);
}

/// Writes `count` distinct bundles of `size` octets into `dir` durably (the untimed setup of a
/// consume sample: files already delivered by the forwarder) and returns their paths in name
/// order.
fn fill_inbox(dir: &Path, size: usize, count: u64) -> Vec<PathBuf> {
    let paths: Vec<PathBuf> = (0..count)
        .map(|i| {
            let path = dir.join(format!("{i:010}.bp7"));
            let mut file = File::create(&path).unwrap();
            file.write_all(&bundle_of_size(size, FIRST_SEQUENCE + i))
                .unwrap();
            file.sync_all().unwrap();
            path
        })
        .collect();
    sync_dir(dir);
    paths
}

/// One timed batch: `n` operations of one kind back to back in a fresh directory; returns
/// the time of the `n` operations only.
type Batch = fn(&Path, usize, u64) -> Duration;

/// `n` × `Outbox::put` of a `size`-octet bundle into a fresh outbox.
fn ours_put(base: &Path, size: usize, n: u64) -> Duration {
    let bytes = bundle_of_size(size, FIRST_SEQUENCE);
    let dir = fresh_dir(base, "put-ours");
    let limits = StoreLimits {
        max_files: usize::MAX,
        max_total_octets: u64::MAX,
        ..StoreLimits::default()
    };
    let mut outbox = Outbox::open(&dir, limits).unwrap();
    let mut clock = SteppingClock::new(creation_time(&bytes), 1);
    let start = Instant::now();
    for _ in 0..n {
        outbox.put(&bytes, "bench", &mut clock).unwrap();
    }
    let elapsed = start.elapsed();
    assert_eq!(outbox.usage().files as u64, n);
    fs::remove_dir_all(&dir).unwrap();
    elapsed
}

/// `n` × the bare producer loop on the same octets, names of the outbox's form.
fn bare_put_batch(base: &Path, size: usize, n: u64) -> Duration {
    let bytes = bundle_of_size(size, FIRST_SEQUENCE);
    let now = creation_time(&bytes);
    let dir = fresh_dir(base, "put-bare");
    let start = Instant::now();
    for i in 0..n {
        let name = format!("{:020}-{i:010}-bench.bp7", now + i);
        bare_put(&dir, &name, &bytes);
    }
    let elapsed = start.elapsed();
    fs::remove_dir_all(&dir).unwrap();
    elapsed
}

/// `n` × `Inbox::admit` + `Inbox::consume` of distinct bundles already in the inbox.
fn ours_consume(base: &Path, size: usize, n: u64) -> Duration {
    let now = creation_time(&bundle_of_size(size, FIRST_SEQUENCE));
    let dir = fresh_dir(base, "consume-ours");
    fill_inbox(&dir, size, n);
    let mut inbox = Inbox::open(InboxConfig::new(&dir)).unwrap();
    let ready = inbox.scan().unwrap();
    assert_eq!(ready.len() as u64, n);
    let start = Instant::now();
    for incoming in &ready {
        match inbox.admit(incoming, now).unwrap() {
            Scan::Deliver { id, .. } => inbox.consume(incoming, &id).unwrap(),
            other => panic!("not delivered: {other:?}"),
        }
    }
    let elapsed = start.elapsed();
    assert!(inbox.scan().unwrap().is_empty());
    fs::remove_dir_all(&dir).unwrap();
    elapsed
}

/// `n` × the bare consumer loop: read, append the same log line + `fdatasync`, remove + `fsync`
/// of the directory.
fn bare_consume(base: &Path, size: usize, n: u64) -> Duration {
    let now = creation_time(&bundle_of_size(size, FIRST_SEQUENCE));
    let dir = fresh_dir(base, "consume-bare");
    let paths = fill_inbox(&dir, size, n);
    let mut log = OpenOptions::new()
        .create(true)
        .append(true)
        .open(dir.join(".consumed.log"))
        .unwrap();
    sync_dir(&dir);
    let start = Instant::now();
    for (i, path) in (0_u64..).zip(&paths) {
        let bytes = fs::read(path).unwrap();
        assert_eq!(bytes.len(), size);
        // The dedup log's line for this bundle, same text and length:
        // `1 <creation time> <sequence> - <source>`.
        let line = format!("1 {now} {} - ipn:1.0\n", FIRST_SEQUENCE + i);
        log.write_all(line.as_bytes()).unwrap();
        log.sync_data().unwrap();
        fs::remove_file(path).unwrap();
        sync_dir(&dir);
    }
    let elapsed = start.elapsed();
    fs::remove_dir_all(&dir).unwrap();
    elapsed
}

fn median(values: &mut [f64]) -> f64 {
    values.sort_by(f64::total_cmp);
    let mid = values.len() / 2;
    if values.len().is_multiple_of(2) {
        (values[mid - 1] + values[mid]) / 2.0
    } else {
        values[mid]
    }
}

/// What one comparison measured, in operations per second.
struct Row {
    what: String,
    ours: f64,
    bare: f64,
    ratio: f64,
    ratio_min: f64,
    ratio_max: f64,
    ours_total: f64,
    bare_total: f64,
}

/// `rounds` rounds of one `ours` batch and one `bare` batch of `n` operations each, the order
/// alternating from round to round, after one untimed warm-up round.
fn compare(
    base: &Path,
    what: String,
    size: usize,
    n: u64,
    rounds: usize,
    ours: Batch,
    bare: Batch,
) -> Row {
    ours(base, size, n.min(20));
    bare(base, size, n.min(20));
    let (mut ours_rates, mut bare_rates, mut ratios) = (Vec::new(), Vec::new(), Vec::new());
    let (mut ours_time, mut bare_time) = (Duration::ZERO, Duration::ZERO);
    for round in 0..rounds {
        let (o, b) = if round.is_multiple_of(2) {
            let o = ours(base, size, n);
            (o, bare(base, size, n))
        } else {
            let b = bare(base, size, n);
            (ours(base, size, n), b)
        };
        ours_time += o;
        bare_time += b;
        let (o_rate, b_rate) = (n as f64 / o.as_secs_f64(), n as f64 / b.as_secs_f64());
        ours_rates.push(o_rate);
        bare_rates.push(b_rate);
        ratios.push(o_rate / b_rate);
    }
    let total = (n * rounds as u64) as f64;
    let ratio = median(&mut ratios); // sorts `ratios`
    let row = Row {
        what,
        ours: median(&mut ours_rates),
        bare: median(&mut bare_rates),
        ratio,
        ratio_min: ratios[0],
        ratio_max: ratios[ratios.len() - 1],
        ours_total: total / ours_time.as_secs_f64(),
        bare_total: total / bare_time.as_secs_f64(),
    };
    eprintln!(
        "{:<22} ours {:>7.0}/s  bare {:>7.0}/s  ours/bare {:.3} (rounds {:.3}..{:.3}; totals {:.0}/s vs {:.0}/s = {:.3})",
        row.what,
        row.ours,
        row.bare,
        row.ratio,
        row.ratio_min,
        row.ratio_max,
        row.ours_total,
        row.bare_total,
        row.ours_total / row.bare_total
    );
    row
}

/// The value after `flag` on the command line, if any.
fn arg(flag: &str) -> Option<u64> {
    let args: Vec<String> = std::env::args().collect();
    let at = args.iter().position(|a| a == flag)?;
    Some(args.get(at + 1)?.parse().expect("a number"))
}

fn main() {
    // `cargo bench` passes `--bench`; `cargo test --benches` passes nothing bench-like: run a
    // one-round smoke pass there so that the bench stays compiled and working.
    let args: Vec<String> = std::env::args().collect();
    let smoke = !args.iter().any(|a| a == "--bench");
    let rounds = arg("--rounds").unwrap_or(if smoke { 1 } else { 15 }) as usize;
    let scale = arg("--ops").unwrap_or(if smoke { 4 } else { 200 });
    let base = base_dir();
    fs::create_dir_all(&base).unwrap();
    // fsync costs depend on the filesystem and the device under it: say which one this is.
    match Command::new("df").arg("-T").arg(&base).output() {
        Ok(out) => eprintln!(
            "transport bench directory {}:\n{}",
            base.display(),
            String::from_utf8_lossy(&out.stdout)
        ),
        Err(e) => eprintln!("transport bench directory {} (df -T: {e})", base.display()),
    }
    eprintln!("{rounds} rounds, ours and bare alternating; operations per batch below");
    let mut rows = Vec::new();
    for (size, label) in SIZES {
        // Half as many 1 MiB operations: a round stays ~0.3 s and ~200 MiB on disk.
        let n = if size >= 1 << 20 {
            scale.div_ceil(2)
        } else {
            scale
        };
        rows.push(compare(
            &base,
            format!("put {label} (n={n})"),
            size,
            n,
            rounds,
            ours_put,
            bare_put_batch,
        ));
        rows.push(compare(
            &base,
            format!("consume {label} (n={n})"),
            size,
            n,
            rounds,
            ours_consume,
            bare_consume,
        ));
    }
    fs::remove_dir_all(&base).unwrap();
    println!(
        "| row | ours, bundles/s | bare, bundles/s | ours / bare (median of rounds) | min–max over rounds | totals ours / bare |"
    );
    println!("| --- | ---: | ---: | ---: | --- | ---: |");
    for r in &rows {
        println!(
            "| {} | {:.0} | {:.0} | **{:.2}** | {:.2}–{:.2} | {:.2} |",
            r.what,
            r.ours,
            r.bare,
            r.ratio,
            r.ratio_min,
            r.ratio_max,
            r.ours_total / r.bare_total
        );
    }
}
