//! Per-packet decode + route latency, with heap allocations counted inside the timed loop.
//!
//! Method (see `benches/README.md`): a seeded stream of mixed Space Packets is cut into batches
//! of 256; each batch is decoded (primary header → APID, sequence count, data length) and
//! routed by APID through a handler table, timed with `Instant`; per-packet time = batch time /
//! 256. Percentiles are taken over all batches of a run, and the median of each percentile over
//! all runs is reported, for our decoder and for `spacepackets` on the same stream.
//!
//! Exits non-zero if our decoder allocated inside the timed loop, or if the two decoders did
//! not route the stream identically.
//!
//! ```text
//! cargo run --release -p borealis-benches --bin latency [-- --batches N --runs R --pool-mib M --seed S]
//! ```
// Benchmark driver, not flight code: it panics on bad command-line input and indexes its own
// pre-sized sample arrays.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use borealis_benches::{
    BATCH, Counters, Decoded, PacketPool, Router, decode_ours, decode_spacepackets, run_batch,
};
use stats_alloc::{INSTRUMENTED_SYSTEM, Region, StatsAlloc};
use std::alloc::System;
use std::hint::black_box;
use std::process::ExitCode;
use std::time::Instant;

// Counts every alloc / realloc of the process in atomics; `stats_alloc` holds the one
// `unsafe impl GlobalAlloc`, so this crate stays free of `unsafe` (see README).
#[global_allocator]
static GLOBAL: &StatsAlloc<System> = &INSTRUMENTED_SYSTEM;

#[derive(Debug, Clone, Copy)]
struct Args {
    batches: usize,
    runs: usize,
    pool_mib: usize,
    seed: u64,
}

const USAGE: &str =
    "usage: latency [--batches N (100000)] [--runs R (10)] [--pool-mib M (8)] [--seed S]";

fn parse_args() -> Args {
    let mut args = Args {
        batches: 100_000,
        runs: 10,
        pool_mib: 8,
        seed: 0x0B0E_A115,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        if flag == "-h" || flag == "--help" {
            println!("{USAGE}");
            std::process::exit(0);
        }
        let value = it
            .next()
            .unwrap_or_else(|| panic!("{flag} needs a value\n{USAGE}"));
        let number = || -> u64 {
            value
                .parse()
                .unwrap_or_else(|_| panic!("{flag}: not a number: {value}\n{USAGE}"))
        };
        match flag.as_str() {
            "--batches" => args.batches = number() as usize,
            "--runs" => args.runs = number() as usize,
            "--pool-mib" => args.pool_mib = number() as usize,
            "--seed" => args.seed = number(),
            _ => panic!("unknown flag {flag}\n{USAGE}"),
        }
    }
    assert!(args.batches > 0 && args.runs > 0, "{USAGE}");
    args
}

/// Timing of one run of one decoder in one mode.
#[derive(Debug, Clone, Copy)]
struct Run {
    p50: f64,
    p99: f64,
    p999: f64,
    mean: f64,
    allocations: u64,
    /// False if a header was rejected (the stream is valid, so that is a decoder bug).
    complete: bool,
}

/// Nearest-rank percentile of sorted batch times, as nanoseconds per packet.
fn percentile(sorted_batch_ns: &[u64], p: f64) -> f64 {
    let rank = (p * sorted_batch_ns.len() as f64).ceil() as usize;
    sorted_batch_ns[rank.clamp(1, sorted_batch_ns.len()) - 1] as f64 / BATCH as f64
}

/// Times every batch of one run: `samples` (one per batch) is allocated by the caller, so the
/// only allocations the region can see are the decoder's or the sink's.
fn measure(
    pool: &PacketPool,
    samples: &mut [u64],
    decode: impl Fn(&[u8]) -> Option<Decoded>,
    mut sink: impl FnMut(Decoded),
) -> Run {
    let stream = black_box(pool.bytes.as_slice());
    let starts = pool.batch_starts.as_slice();
    let mut complete = true;
    let region = Region::new(GLOBAL);
    let t_run = Instant::now();
    for (b, sample) in samples.iter_mut().enumerate() {
        let start = starts[b % starts.len()];
        let t0 = Instant::now();
        let end = run_batch(stream, start, &decode, &mut sink);
        *sample = t0.elapsed().as_nanos() as u64;
        complete &= end.is_some();
    }
    let elapsed = t_run.elapsed();
    let stats = region.change();
    samples.sort_unstable();
    Run {
        p50: percentile(samples, 0.50),
        p99: percentile(samples, 0.99),
        p999: percentile(samples, 0.999),
        mean: elapsed.as_nanos() as f64 / (samples.len() * BATCH) as f64,
        allocations: (stats.allocations + stats.reallocations) as u64,
        complete,
    }
}

/// Decode + route: the figure of merit.
fn routed(
    pool: &PacketPool,
    samples: &mut [u64],
    decode: impl Fn(&[u8]) -> Option<Decoded>,
) -> (Run, Counters) {
    let mut router = Router::new();
    let run = measure(pool, samples, decode, |d| router.route(d));
    (run, black_box(router.counters))
}

/// Decode only (a running checksum of the fields instead of routing): shows the decoder's own
/// share of the time.
fn decode_only(
    pool: &PacketPool,
    samples: &mut [u64],
    decode: impl Fn(&[u8]) -> Option<Decoded>,
) -> Run {
    let mut sum = 0u64;
    let run = measure(pool, samples, decode, |d| {
        sum = sum.wrapping_add(u64::from(d.apid ^ d.sequence_count) + u64::from(d.data_length));
    });
    black_box(sum);
    run
}

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    let n = values.len();
    if n % 2 == 1 {
        values[n / 2]
    } else {
        (values[n / 2 - 1] + values[n / 2]) / 2.0
    }
}

/// Medians over runs of each figure, and the total allocation count.
#[derive(Debug, Clone, Copy)]
struct Summary {
    p50: f64,
    p99: f64,
    p999: f64,
    mean: f64,
    allocations: u64,
}

fn summarise(runs: &[Run]) -> Summary {
    let med = |f: fn(&Run) -> f64| median(runs.iter().map(f).collect());
    Summary {
        p50: med(|r| r.p50),
        p99: med(|r| r.p99),
        p999: med(|r| r.p999),
        mean: med(|r| r.mean),
        allocations: runs.iter().map(|r| r.allocations).sum(),
    }
}

fn print_rows(title: &str, ours: &Summary, theirs: &Summary) {
    println!("{title}");
    let row = |name: &str, s: &Summary| {
        println!(
            "  {name:<24} {:>8.2} {:>8.2} {:>8.2} {:>8.2} {:>14}",
            s.p50, s.p99, s.p999, s.mean, s.allocations
        );
    };
    row("ours (ccsds-spp)", ours);
    row("spacepackets 0.19", theirs);
    println!(
        "  {:<24} {:>8.2} {:>8.2} {:>8.2} {:>8.2}",
        "ratio spacepackets/ours",
        theirs.p50 / ours.p50,
        theirs.p99 / ours.p99,
        theirs.p999 / ours.p999,
        theirs.mean / ours.mean
    );
}

fn cpu_model() -> String {
    std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split_once(':'))
                .map(|(_, v)| v.trim().to_owned())
        })
        .unwrap_or_else(|| "unknown".to_owned())
}

fn rustc_version() -> String {
    std::process::Command::new("rustc")
        .arg("-V")
        .output()
        .ok()
        .and_then(|o| String::from_utf8(o.stdout).ok())
        .map(|s| s.trim().to_owned())
        .unwrap_or_else(|| "unknown".to_owned())
}

fn main() -> ExitCode {
    let args = parse_args();
    let t_gen = Instant::now();
    let pool = PacketPool::generate(args.seed, args.batches, args.pool_mib << 20);
    let packets = args.batches * BATCH;
    println!("Borealis-rs SPP decode + route latency harness");
    println!("cpu:      {}", cpu_model());
    println!("rustc:    {} (on PATH at run time)", rustc_version());
    println!(
        "stream:   {} batches x {BATCH} = {packets} packets per run, {} runs per decoder",
        args.batches, args.runs
    );
    println!(
        "pool:     {} batches, {:.1} MiB, seed {:#x}, generated in {:.2} s{}",
        pool.batch_starts.len(),
        pool.bytes.len() as f64 / f64::from(1u32 << 20),
        args.seed,
        t_gen.elapsed().as_secs_f64(),
        if pool.batch_starts.len() < args.batches {
            " (the stream cycles through the pool)"
        } else {
            " (the whole stream, no repetition)"
        }
    );
    println!();

    // The allocation count is only worth something if the counter sees allocations at all.
    let probe = Region::new(GLOBAL);
    black_box(Vec::<u8>::with_capacity(black_box(16)));
    if probe.change().allocations != 1 {
        eprintln!("error: the counting allocator did not see a probe allocation");
        return ExitCode::FAILURE;
    }

    // Allocated once, outside every timed loop.
    let mut samples = vec![0u64; args.batches];
    // One untimed pass per decoder first, so the first measured run is not the one that pays
    // for page faults and cold branch predictors.
    routed(&pool, &mut samples, decode_ours);
    routed(&pool, &mut samples, decode_spacepackets);
    let mut runs: [Vec<Run>; 4] = std::array::from_fn(|_| Vec::with_capacity(args.runs));
    let [ours, theirs, ours_dec, theirs_dec] = &mut runs;
    let mut failed = false;
    println!("decode + route, ns per packet");
    println!("run | ours p50 / p99 / p99.9       | spacepackets p50 / p99 / p99.9");
    for run in 0..args.runs {
        // Alternate which decoder goes first, so neither always runs on a warmer machine.
        let ((a, ca), (b, cb), c, d) = if run % 2 == 0 {
            let a = routed(&pool, &mut samples, decode_ours);
            let b = routed(&pool, &mut samples, decode_spacepackets);
            let c = decode_only(&pool, &mut samples, decode_ours);
            (
                a,
                b,
                c,
                decode_only(&pool, &mut samples, decode_spacepackets),
            )
        } else {
            let d = decode_only(&pool, &mut samples, decode_spacepackets);
            let c = decode_only(&pool, &mut samples, decode_ours);
            let b = routed(&pool, &mut samples, decode_spacepackets);
            (routed(&pool, &mut samples, decode_ours), b, c, d)
        };
        println!(
            "{run:>3} | {:>6.2} / {:>6.2} / {:>7.2} | {:>6.2} / {:>6.2} / {:>7.2}",
            a.p50, a.p99, a.p999, b.p50, b.p99, b.p999
        );
        let all_complete = [a, b, c, d].iter().all(|r| r.complete);
        if ca != cb || !all_complete || ca.packets() != packets as u64 {
            eprintln!(
                "error: a decoder rejected a header or the decoders routed differently:\n \
                 ours   {ca:?}\n theirs {cb:?}"
            );
            failed = true;
        }
        ours.push(a);
        theirs.push(b);
        ours_dec.push(c);
        theirs_dec.push(d);
    }
    let [o, t, od, td] = runs.each_ref().map(|r| summarise(r));
    println!();
    println!(
        "median over {} runs, ns per packet; allocs = heap allocations inside the timed loops, all runs",
        args.runs
    );
    println!(
        "  {:<24} {:>8} {:>8} {:>8} {:>8} {:>14}",
        "decoder", "p50", "p99", "p99.9", "mean", "allocs"
    );
    print_rows("decode + route (APID handler table)", &o, &t);
    print_rows("decode only (no routing, for reference)", &od, &td);
    println!();
    println!(
        "target p99.9 <= 9 ns/packet (decode + route): {}; ours at least as fast as spacepackets (p99.9): {}",
        if o.p999 <= 9.0 { "met" } else { "NOT met" },
        if o.p999 <= t.p999 { "yes" } else { "no" }
    );
    let our_allocations = o.allocations + od.allocations;
    if our_allocations != 0 {
        eprintln!("error: ours allocated {our_allocations} times inside the timed loop");
        failed = true;
    } else {
        println!("allocations inside the timed loops (ours): 0");
    }
    if failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}
