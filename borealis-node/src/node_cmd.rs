//! `borealis payload|ground|pass|migrate-state`: the daemon roles, the host forwarder and
//! the state-file migration on a mission directory (`borealis_node::node`). Exit codes: 0 ok
//! (also a payload stopped by SIGINT/SIGTERM), 1 I/O, configuration or mission failure.

use std::collections::BTreeMap;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use borealis_node::env::SystemClock;
use borealis_node::node::{
    GroundNode, GroundReport, ImageProgress, LinkMode, MissionConfig, NodeError, PayloadNode,
    Request, Stop, migrate_state, pass_over,
};
use borealis_node::protocol::CaptureParams;
use clap::Subcommand;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// `borealis payload …`.
#[derive(Debug, Subcommand)]
pub enum PayloadCommand {
    /// Run the payload daemon: scan the inbox, verify, execute, answer; loop until `Halt`.
    /// SIGINT or SIGTERM stop it gracefully (the bundle in hand finished, state saved, exit
    /// 0); a second one while it stops ends it at once (exit 1).
    Run {
        /// Mission directory (`borealis keys init`).
        #[arg(long)]
        mission: PathBuf,
        /// One iteration only (a one-shot container per pass); all state persists.
        #[arg(long)]
        once: bool,
    },
}

/// `borealis ground …`: every command first receives the downlink.
#[derive(Debug, Subcommand)]
pub enum GroundCommand {
    /// Send `Command Ping`.
    Ping,
    /// Send `Command Check`.
    Check,
    /// Send a `TelemetryQuery` (selectors, e.g. `power`; none: everything).
    Telemetry {
        /// Sample name selectors.
        names: Vec<String>,
    },
    /// Send `Command Capture`.
    Capture {
        /// Pixels per row.
        #[arg(long, default_value_t = 1024)]
        width: u16,
        /// Rows.
        #[arg(long, default_value_t = 1024)]
        height: u16,
    },
    /// Send `Command Halt`.
    Halt,
    /// Request every chunk of image ID.
    Image {
        /// The image id (from a `captured` response).
        id: u64,
    },
    /// Send a signed OTAR message (from `borealis keys upload|activate|…`).
    Rekey {
        /// The message file.
        message: PathBuf,
    },
    /// Send with bundle-confidentiality key ID from now on (after the payload activated it).
    UseKey {
        /// The key id.
        id: u32,
    },
    /// Only receive the downlink.
    Receive,
    /// List stored responses.
    Responses,
}

fn fail(e: &NodeError) -> ExitCode {
    eprintln!("error: {e}");
    ExitCode::from(1)
}

/// Runs `borealis payload …`. The signal handlers are installed before anything else, so a
/// stop asked for while the node opens is honoured as soon as it runs.
pub fn payload(command: &PayloadCommand) -> ExitCode {
    let PayloadCommand::Run { mission, once } = command;
    let stop = match Stop::on_signals() {
        Ok(stop) => stop,
        Err(e) => return fail(&NodeError::Io(format!("signal handlers: {e}"))),
    };
    let mut clock = SystemClock;
    let result = PayloadNode::open(mission, &mut clock).and_then(|mut node| {
        if *once {
            let r = node.run_once_until(&mut clock, &stop)?;
            println!(
                "executed {}, responses {}, quarantined {}{}{}",
                r.executed,
                r.responses,
                r.quarantined.len(),
                if r.halted { ", halted" } else { "" },
                if r.stopped { ", stopped" } else { "" }
            );
            Ok(())
        } else {
            node.run_until(&mut clock, &stop).map(|_| ())
        }
    });
    result.map_or_else(|e| fail(&e), |()| ExitCode::SUCCESS)
}

/// Runs `borealis migrate-state --mission DIR`: signs the version-1 state files once.
pub fn run_migrate_state(mission: &Path) -> ExitCode {
    match migrate_state(mission) {
        Ok(signed) => {
            for path in &signed {
                println!("signed {}", path.display());
            }
            if signed.is_empty() {
                println!("no version-1 state file");
            }
            ExitCode::SUCCESS
        }
        Err(e) => fail(&e),
    }
}

/// Runs `borealis ground --mission DIR …`.
pub fn ground(mission: &Path, command: &GroundCommand) -> ExitCode {
    ground_inner(mission, command).map_or_else(|e| fail(&e), |()| ExitCode::SUCCESS)
}

fn ground_inner(mission: &Path, command: &GroundCommand) -> Result<(), NodeError> {
    let mut clock = SystemClock;
    let mut node = GroundNode::open(mission)?;
    let r = receive(&mut node, &mut clock)?;
    for id in &r.matched {
        println!("response to {id}");
    }
    for image in &r.images {
        println!(
            "image {}: {} octets, SHA-256 verified: {}",
            image.image_id,
            image.size,
            image.path.display()
        );
    }
    for (path, reason) in &r.quarantined {
        println!("quarantined {}: {reason}", path.display());
    }
    let request = match command {
        GroundCommand::Ping => Request::Ping,
        GroundCommand::Check => Request::Check,
        GroundCommand::Halt => Request::Halt,
        GroundCommand::Telemetry { names } => Request::Telemetry(names.clone()),
        GroundCommand::Capture { width, height } => Request::Capture(CaptureParams {
            width: *width,
            height: *height,
            exposure_ms: 10,
        }),
        GroundCommand::Image { id } => Request::Image(*id),
        GroundCommand::Rekey { message } => Request::Rekey(
            std::fs::read(message)
                .map_err(|e| NodeError::Io(format!("{}: {e}", message.display())))?,
        ),
        GroundCommand::UseKey { id } => {
            node.use_key(bpsec::KeyId(*id))?;
            println!("sending with key {}", node.send_key());
            return Ok(());
        }
        GroundCommand::Receive => return Ok(()),
        GroundCommand::Responses => {
            for s in node.responses()? {
                println!("#{:<6} {}", s.request_id, s.summary);
            }
            return Ok(());
        }
    };
    let id = node.send(&request, &mut clock)?;
    println!("request {id} written to the uplink");
    Ok(())
}

/// `GroundNode::receive` with a progress bar per image on stderr while its chunks arrive —
/// only when stderr is a terminal (logs and pipes get none).
fn receive(node: &mut GroundNode, clock: &mut SystemClock) -> Result<GroundReport, NodeError> {
    if !std::io::stderr().is_terminal() {
        return node.receive(clock);
    }
    let mut bars: BTreeMap<u64, ProgressBar> = BTreeMap::new();
    let style = ProgressStyle::with_template("image {msg} [{bar:40}] {pos}/{len} chunks")
        .map_err(|e| NodeError::Io(e.to_string()))?;
    let report = node.receive_with_progress(clock, &mut |p: ImageProgress| {
        let bar = bars.entry(p.image_id).or_insert_with(|| {
            ProgressBar::with_draw_target(Some(u64::from(p.total)), ProgressDrawTarget::stderr())
                .with_style(style.clone())
                .with_message(p.image_id.to_string())
        });
        bar.set_position(u64::from(p.received));
    });
    for bar in bars.values() {
        bar.finish();
    }
    report
}

/// Runs `borealis pass --mission DIR [--link files|radio]`.
pub fn run_pass(mission: &Path, link: LinkMode) -> ExitCode {
    let result = MissionConfig::load(mission).and_then(|c| pass_over(mission, &c, link));
    match result {
        Ok(r) => {
            println!("pass: {} up, {} down", r.uplinked, r.downlinked);
            ExitCode::SUCCESS
        }
        Err(e) => fail(&e),
    }
}
