//! Per-packet decode + route latency, with heap allocations counted inside the timed loop.
//!
//! Method (see `benches/README.md`): a seeded stream of mixed Space Packets is cut into batches
//! of 256; each batch is decoded (primary header → APID, sequence count, data length) and
//! routed by APID through a handler table, timed with `Instant`; per-packet time = batch time /
//! 256. Percentiles are taken over all batches of a run, and the median of each percentile over
//! all runs is reported, for our decoder and for `spacepackets` on the same stream.
//!
//! A second section does the same one layer down: TM Transfer Frames (1115 octets, OCF, FECF)
//! are checked (`TmFrame::new_checked`), routed by VCID through a handler table to a per-VC
//! `PacketExtractor`, whose packets are routed by APID as above; batches of
//! [`FRAMES_PER_BATCH`] frames, ns per frame and per packet (ours only: no peer crate decodes
//! TM frames).
//!
//! A third section decodes small BPv7 bundles (primary block + 64-octet payload, CRC-32C):
//! ours (`bpv7::bundle::BundleView::parse`) against the dtn7 `bp7` crate (`Bundle::try_from` +
//! `crc_valid`), batches of [`BUNDLES_PER_BATCH`] bundles, ns per bundle and heap allocations
//! per decode for each.
//!
//! Exits non-zero if our code allocated inside a timed loop (any section), if the two
//! packet decoders did not route the stream identically, if the TM section lost a frame or
//! a packet, or if a bundle decoder rejected or misread a bundle.
//!
//! ```text
//! cargo run --release -p borealis-benches --bin latency [-- --batches N --runs R --pool-mib M --seed S --layer all|spp|tm|bundle]
//! ```
// Benchmark driver, not flight code: it panics on bad command-line input and indexes its own
// pre-sized sample arrays.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use borealis_benches::bundle::{self, BUNDLES_PER_BATCH, BundlePool};
use borealis_benches::tm::{self, FRAMES_PER_BATCH, TmPool, TmRouter};
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
    spp: bool,
    tm: bool,
    bundle: bool,
}

const USAGE: &str = "usage: latency [--batches N (100000)] [--runs R (10)] [--pool-mib M (8)] \
                     [--seed S] [--layer all|spp|tm|bundle (all)]";

fn parse_args() -> Args {
    let mut args = Args {
        batches: 100_000,
        runs: 10,
        pool_mib: 8,
        seed: 0x0B0E_A115,
        spp: true,
        tm: true,
        bundle: true,
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
            "--layer" => {
                (args.spp, args.tm, args.bundle) = match value.as_str() {
                    "all" => (true, true, true),
                    "spp" => (true, false, false),
                    "tm" => (false, true, false),
                    "bundle" => (false, false, true),
                    _ => panic!("--layer: all, spp, tm or bundle, not {value}\n{USAGE}"),
                }
            }
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

/// The Space Packet section (ours against spacepackets); true if it failed.
fn spp_section(args: &Args) -> bool {
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
    failed
}

/// Nearest-rank percentile of sorted values.
fn nearest_rank<T: Copy>(sorted: &[T], p: f64) -> T {
    let rank = (p * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

/// One TM run's figures: (ns per frame, ns per packet).
fn tm_runs(
    samples: &mut [u64],
    per_packet: &mut [f64],
    pool: &TmPool,
    elapsed_ns: f64,
) -> (Run, Run) {
    let nb = pool.batches();
    for (b, (s, pp)) in samples.iter().zip(per_packet.iter_mut()).enumerate() {
        *pp = *s as f64 / f64::from(pool.batch_packets[b % nb].max(1));
    }
    let packets: u64 = (0..samples.len())
        .map(|b| u64::from(pool.batch_packets[b % nb]))
        .sum();
    samples.sort_unstable();
    per_packet.sort_unstable_by(f64::total_cmp);
    let per_frame = |ns: u64| ns as f64 / FRAMES_PER_BATCH as f64;
    let frame = Run {
        p50: per_frame(nearest_rank(samples, 0.50)),
        p99: per_frame(nearest_rank(samples, 0.99)),
        p999: per_frame(nearest_rank(samples, 0.999)),
        mean: elapsed_ns / (samples.len() * FRAMES_PER_BATCH) as f64,
        allocations: 0,
        complete: true,
    };
    let packet = Run {
        p50: nearest_rank(per_packet, 0.50),
        p99: nearest_rank(per_packet, 0.99),
        p999: nearest_rank(per_packet, 0.999),
        mean: elapsed_ns / packets as f64,
        ..frame
    };
    (frame, packet)
}

/// Times one TM run of frame check + VC routing + packet extraction + APID routing, and checks
/// that every frame and packet of the pool came through (no gap, resync or rejected frame).
fn tm_routed(
    pool: &TmPool,
    router: &mut TmRouter,
    samples: &mut [u64],
    per_packet: &mut [f64],
) -> (Run, Run) {
    let frames = black_box(pool.frames.as_slice());
    // Outside the timed loop; keeps the extractors' buffers.
    router.reset();
    let before = router.extractor_stats();
    let mut complete = true;
    let region = Region::new(GLOBAL);
    let t_run = Instant::now();
    for (b, sample) in samples.iter_mut().enumerate() {
        let t0 = Instant::now();
        let ok = tm::run_batch(frames, b, router);
        *sample = t0.elapsed().as_nanos() as u64;
        complete &= ok;
    }
    let elapsed = t_run.elapsed();
    let stats = region.change();
    let after = router.extractor_stats();
    let expected: u64 = (0..samples.len())
        .map(|b| u64::from(pool.batch_packets[b % pool.batches()]))
        .sum();
    let c = router.packets.counters;
    complete &= after.gaps == before.gaps
        && after.discarded_octets == before.discarded_octets
        && after.header_errors == before.header_errors
        && after.fhp_inconsistencies == before.fhp_inconsistencies
        && after.invalid_fhp == before.invalid_fhp
        && c.packets() == expected
        && c.unrouted == 0
        && router.unrouted_frames == 0;
    let (mut frame, mut packet) = tm_runs(samples, per_packet, pool, elapsed.as_nanos() as f64);
    frame.allocations = (stats.allocations + stats.reallocations) as u64;
    frame.complete = complete;
    packet.allocations = frame.allocations;
    packet.complete = complete;
    (frame, packet)
}

/// Frame check only (`new_checked` with the FECF, then VCID, count and FHP into a running
/// checksum): the frame layer's share of the time, ns per frame.
fn tm_check_only(pool: &TmPool, samples: &mut [u64], per_packet: &mut [f64]) -> Run {
    let frames = black_box(pool.frames.as_slice());
    let mut sum = 0u64;
    let mut complete = true;
    let region = Region::new(GLOBAL);
    let t_run = Instant::now();
    for (b, sample) in samples.iter_mut().enumerate() {
        let t0 = Instant::now();
        for frame in tm::batch_frames(frames, b) {
            complete &= tm::decode_frame(frame, |vcid, d| {
                let fhp = d.first_header_pointer.to_bits().unwrap_or_default();
                sum = sum.wrapping_add(
                    u64::from(vcid)
                        + u64::from(d.vc_frame_count ^ u32::from(fhp))
                        + d.data.len() as u64,
                );
            });
        }
        *sample = t0.elapsed().as_nanos() as u64;
    }
    let elapsed = t_run.elapsed();
    let stats = region.change();
    black_box(sum);
    let (mut frame, _) = tm_runs(samples, per_packet, pool, elapsed.as_nanos() as f64);
    frame.allocations = (stats.allocations + stats.reallocations) as u64;
    frame.complete = complete;
    frame
}

/// The TM frame section (ours only); true if it failed.
fn tm_section(args: &Args, print_machine: bool) -> bool {
    let t_gen = Instant::now();
    // Scale the pool to about --pool-mib (whole units of 2048 frames, 2.2 MiB).
    let unit = tm::FRAMES_PER_SCALE * tm::FRAME_LEN;
    let pool = TmPool::generate(args.seed, (args.pool_mib << 20).div_ceil(unit));
    let gen_s = t_gen.elapsed().as_secs_f64();
    let frames = args.batches * FRAMES_PER_BATCH;
    let per_pass: u64 = pool.batch_packets.iter().map(|&n| u64::from(n)).sum();
    let packets_per_frame = per_pass as f64 / pool.len() as f64;
    println!(
        "Borealis-rs TM frame decode + route latency harness (ccsds-tm; ours only, no peer crate decodes TM frames)"
    );
    if print_machine {
        println!("cpu:      {}", cpu_model());
        println!("rustc:    {} (on PATH at run time)", rustc_version());
    }
    println!(
        "frames:   {} octets, OCF (CLCW) + FECF (checked), VCs 0-{} in seeded random order, {packets_per_frame:.2} packets/frame",
        tm::FRAME_LEN,
        tm::VCS - 1
    );
    println!(
        "stream:   {} batches x {FRAMES_PER_BATCH} = {frames} frames per run (~{:.0} packets), {} runs",
        args.batches,
        frames as f64 * packets_per_frame,
        args.runs
    );
    println!(
        "pool:     {} frames, {:.1} MiB, seed {:#x}, generated in {gen_s:.2} s{}",
        pool.len(),
        pool.frames.len() as f64 / f64::from(1u32 << 20),
        args.seed,
        if pool.len() < frames {
            " (the stream cycles through the pool)"
        } else {
            ""
        }
    );

    let mut samples = vec![0u64; args.batches];
    let mut per_packet = vec![0f64; args.batches];
    // Untimed first pass with fresh extractors: it pays for page faults, cold predictors and
    // the extractors' spanning-packet buffers, which `PacketExtractor::new` does not reserve
    // (they grow to the longest packet that spans frames, then keep their capacity).
    let mut router = TmRouter::new();
    let warm = Region::new(GLOBAL);
    for b in 0..pool.batches() {
        tm::run_batch(&pool.frames, b, &mut router);
    }
    let warm_allocs = warm.change();
    println!(
        "warm-up:  fresh extractors allocated {} times (+{} reallocs) in their first pass over the pool (untimed)",
        warm_allocs.allocations, warm_allocs.reallocations
    );
    println!();
    tm_routed(&pool, &mut router, &mut samples, &mut per_packet);

    let mut runs: [Vec<Run>; 3] = std::array::from_fn(|_| Vec::with_capacity(args.runs));
    let [frame_runs, packet_runs, check_runs] = &mut runs;
    let mut failed = false;
    println!("decode + route");
    println!("run | ns/frame p50 / p99 / p99.9   | ns/packet p50 / p99 / p99.9");
    for run in 0..args.runs {
        let ((f, p), c) = if run % 2 == 0 {
            let fp = tm_routed(&pool, &mut router, &mut samples, &mut per_packet);
            (fp, tm_check_only(&pool, &mut samples, &mut per_packet))
        } else {
            let c = tm_check_only(&pool, &mut samples, &mut per_packet);
            (
                tm_routed(&pool, &mut router, &mut samples, &mut per_packet),
                c,
            )
        };
        println!(
            "{run:>3} | {:>7.1} / {:>7.1} / {:>7.1} | {:>6.2} / {:>6.2} / {:>7.2}",
            f.p50, f.p99, f.p999, p.p50, p.p99, p.p999
        );
        if !f.complete || !c.complete {
            eprintln!(
                "error: TM run {run} rejected a frame or lost a packet: {:?}, {:?}",
                router.extractor_stats(),
                router.packets.counters
            );
            failed = true;
        }
        frame_runs.push(f);
        packet_runs.push(p);
        check_runs.push(c);
    }
    let [f, p, c] = runs.each_ref().map(|r| summarise(r));
    println!();
    println!(
        "median over {} runs; allocs = heap allocations inside the timed loops, all runs",
        args.runs
    );
    println!(
        "  {:<36} {:>8} {:>8} {:>8} {:>8} {:>8}",
        "ours (ccsds-tm + ccsds-spp)", "p50", "p99", "p99.9", "mean", "allocs"
    );
    let row = |name: &str, s: &Summary| {
        println!(
            "  {name:<36} {:>8.2} {:>8.2} {:>8.2} {:>8.2} {:>8}",
            s.p50, s.p99, s.p999, s.mean, s.allocations
        );
    };
    row("decode + route, ns per frame", &f);
    // The same timed loops as the row above (so the same allocation count, counted once).
    row("decode + route, ns per packet", &p);
    row("frame check only, ns per frame", &c);
    println!(
        "throughput (mean, decode + route): {:.2} Gbit/s of frames, {:.1} M packets/s",
        (tm::FRAME_LEN * 8) as f64 / f.mean,
        1e3 / p.mean
    );
    let allocations = f.allocations + c.allocations;
    if allocations != 0 {
        eprintln!("error: the TM path allocated {allocations} times inside the timed loop");
        failed = true;
    } else {
        println!("allocations inside the timed loops (TM): 0");
    }
    failed
}

/// Bundles in the bundle section's pool (~470 KiB: in L2, as a bundle just received would be).
const BUNDLE_POOL: usize = 4096;

/// Times one run of one bundle decoder: batch `b` decodes bundles `16 b ..` of the pool (cycling).
fn bundle_run(
    pool: &BundlePool,
    samples: &mut [u64],
    decode: impl Fn(&[u8]) -> Option<bundle::Decoded>,
) -> Run {
    let pool = black_box(pool);
    let mut sum = 0u64;
    let mut complete = true;
    let region = Region::new(GLOBAL);
    let t_run = Instant::now();
    for (b, sample) in samples.iter_mut().enumerate() {
        let t0 = Instant::now();
        complete &= pool.run_batch(b, &decode, &mut sum);
        *sample = t0.elapsed().as_nanos() as u64;
    }
    let elapsed = t_run.elapsed();
    let stats = region.change();
    black_box(sum);
    samples.sort_unstable();
    let per_bundle = |ns: u64| ns as f64 / BUNDLES_PER_BATCH as f64;
    Run {
        p50: per_bundle(nearest_rank(samples, 0.50)),
        p99: per_bundle(nearest_rank(samples, 0.99)),
        p999: per_bundle(nearest_rank(samples, 0.999)),
        mean: elapsed.as_nanos() as f64 / (samples.len() * BUNDLES_PER_BATCH) as f64,
        allocations: (stats.allocations + stats.reallocations) as u64,
        complete,
    }
}

/// The bundle section (ours against bp7); true if it failed.
fn bundle_section(args: &Args, print_machine: bool) -> bool {
    let t_gen = Instant::now();
    // Every bundle of the pool is checked to decode to the same fields in both crates.
    let pool = BundlePool::generate(args.seed, BUNDLE_POOL);
    let bundles = args.batches * BUNDLES_PER_BATCH;
    println!(
        "Borealis-rs BPv7 bundle decode latency harness (ours: bpv7 BundleView::parse; theirs: bp7 0.12.1 Bundle::try_from + crc_valid)"
    );
    if print_machine {
        println!("cpu:      {}", cpu_model());
        println!("rustc:    {} (on PATH at run time)", rustc_version());
    }
    println!(
        "bundles:  {} octets each (primary block + {}-octet payload, CRC-32C on both), payload read by both",
        pool.spans[0].len(),
        bundle::PAYLOAD_LEN
    );
    println!(
        "stream:   {} batches x {BUNDLES_PER_BATCH} = {bundles} bundles per run, {} runs per decoder",
        args.batches, args.runs
    );
    println!(
        "pool:     {} bundles, {:.0} KiB, seed {:#x}, generated and cross-checked in {:.2} s",
        pool.len(),
        pool.bytes.len() as f64 / 1024.0,
        args.seed,
        t_gen.elapsed().as_secs_f64()
    );
    println!();

    let mut samples = vec![0u64; args.batches];
    bundle_run(&pool, &mut samples, bundle::decode_ours);
    bundle_run(&pool, &mut samples, bundle::decode_bp7);
    let mut runs: [Vec<Run>; 2] = std::array::from_fn(|_| Vec::with_capacity(args.runs));
    let [ours, theirs] = &mut runs;
    let mut failed = false;
    println!("decode (CRCs checked) + read payload, ns per bundle");
    println!("run | ours p50 / p99 / p99.9       | bp7 p50 / p99 / p99.9");
    for run in 0..args.runs {
        let (a, b) = if run % 2 == 0 {
            let a = bundle_run(&pool, &mut samples, bundle::decode_ours);
            (a, bundle_run(&pool, &mut samples, bundle::decode_bp7))
        } else {
            let b = bundle_run(&pool, &mut samples, bundle::decode_bp7);
            (bundle_run(&pool, &mut samples, bundle::decode_ours), b)
        };
        println!(
            "{run:>3} | {:>6.1} / {:>6.1} / {:>7.1} | {:>7.1} / {:>7.1} / {:>8.1}",
            a.p50, a.p99, a.p999, b.p50, b.p99, b.p999
        );
        if !a.complete || !b.complete {
            eprintln!(
                "error: bundle run {run}: a decoder rejected or misread a bundle (ours ok: {}, bp7 ok: {})",
                a.complete, b.complete
            );
            failed = true;
        }
        ours.push(a);
        theirs.push(b);
    }
    let [o, t] = runs.each_ref().map(|r| summarise(r));
    let decodes = (bundles * args.runs) as f64;
    println!();
    println!(
        "median over {} runs, ns per bundle; allocs/decode = heap allocations inside the timed loops / decodes, all runs",
        args.runs
    );
    println!(
        "  {:<24} {:>9} {:>9} {:>9} {:>9} {:>14}",
        "decoder", "p50", "p99", "p99.9", "mean", "allocs/decode"
    );
    let row = |name: &str, s: &Summary| {
        println!(
            "  {name:<24} {:>9.2} {:>9.2} {:>9.2} {:>9.2} {:>14.2}",
            s.p50,
            s.p99,
            s.p999,
            s.mean,
            s.allocations as f64 / decodes
        );
    };
    row("ours (bpv7)", &o);
    row("bp7 0.12.1", &t);
    println!(
        "  {:<24} {:>9.2} {:>9.2} {:>9.2} {:>9.2}",
        "ratio bp7/ours",
        t.p50 / o.p50,
        t.p99 / o.p99,
        t.p999 / o.p999,
        t.mean / o.mean
    );
    println!();
    println!(
        "target ours >= 10x faster than bp7 (p50): {}",
        if t.p50 >= 10.0 * o.p50 {
            "met"
        } else {
            "NOT met"
        }
    );
    if o.allocations != 0 {
        eprintln!(
            "error: ours allocated {} times inside the bundle timed loops",
            o.allocations
        );
        failed = true;
    } else {
        println!(
            "allocations inside the timed loops: ours 0, bp7 {} ({} decodes)",
            t.allocations, decodes
        );
    }
    failed
}

fn main() -> ExitCode {
    let args = parse_args();
    // The allocation count is only worth something if the counter sees allocations at all.
    let probe = Region::new(GLOBAL);
    black_box(Vec::<u8>::with_capacity(black_box(16)));
    if probe.change().allocations != 1 {
        eprintln!("error: the counting allocator did not see a probe allocation");
        return ExitCode::FAILURE;
    }
    let mut failed = false;
    if args.spp {
        failed |= spp_section(&args);
    }
    if args.tm {
        if args.spp {
            println!();
        }
        failed |= tm_section(&args, !args.spp);
    }
    if args.bundle {
        if args.spp || args.tm {
            println!();
        }
        failed |= bundle_section(&args, !args.spp && !args.tm);
    }
    if failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}
