//! `borealis`: the Borealis reference node.
//!
//! It offers the end-to-end demo (`demo`), the link-layer demo (`demo-link`), the byte
//! inspector (`inspect`), the BPSec operator tools (`bpsec verify|decrypt`), the mission key
//! tools (`keys …`, OTAR), the daemon roles `payload run [--once]`, `ground …`, the forwarder
//! `pass`, and `migrate-state` (signs version-1 node state files once).
//!
//! Exit codes: 0 success, 1 I/O or usage failure, 2 input that does not decode or is refused.
#![forbid(unsafe_code)]

mod bpsec_cmd;
mod demo;
mod demo_link;
mod inspect;
mod keys_cmd;
mod node_cmd;

use borealis_node::key_file;
use clap::{Parser, Subcommand};
use std::io::Read;
use std::path::PathBuf;
use std::process::ExitCode;

/// Borealis: CCSDS + DTN stack for hosted payloads.
#[derive(Debug, Parser)]
#[command(name = "borealis", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run a ground station and a payload end to end in a temporary mission and print the
    /// transcript: telemetry, Ping, Check, a 1 MiB image, a rekey, a replay and a tampering.
    Demo {
        /// Create the mission in DIR (must not exist) and keep it, instead of a temporary
        /// directory removed at the end.
        #[arg(long, value_name = "DIR")]
        keep: Option<PathBuf>,
    },
    /// Encode a command Space Packet into a TC frame and a CLTU, decode it back, print both.
    DemoLink,
    /// Detect what FILE (or '-' for standard input) holds and print every field.
    Inspect {
        /// File to read, or '-' for standard input.
        file: PathBuf,
        /// Print one JSON object instead of text.
        #[arg(long)]
        json: bool,
        /// The TC virtual channel has no segment header (managed parameter; default: present).
        #[arg(long)]
        no_segment_header: bool,
        /// AOS frames carry an insert zone of this many octets (managed parameter; default 0).
        #[arg(long, default_value_t = 0)]
        aos_insert_zone: usize,
        /// AOS frames carry an Operational Control Field (managed parameter; default: absent).
        #[arg(long)]
        aos_ocf: bool,
        /// TC frames are SDLS-protected (355.0-B-2): the SA's transmitted IV, sequence number,
        /// pad length and MAC lengths in octets, as IV:SN:PL:MAC (e.g. 12:0:0:16).
        #[arg(long, value_parser = parse_sdls)]
        sdls_spi_config: Option<inspect::SdlsLayout>,
    },
    /// Verify or decrypt a BPSec-secured bundle (RFC 9172, RFC 9173 contexts) with a key from
    /// a key file.
    #[command(after_help = key_file::FORMAT_HELP)]
    Bpsec {
        #[command(subcommand)]
        command: bpsec_cmd::BpsecCommand,
    },
    /// Create and manage a mission's OTAR key material (CCSDS 355.1-B-1 key management):
    /// ground-signed messages for uplink, applied on the payload side. Secrets are never
    /// printed.
    #[command(after_help = keys_cmd::LAYOUT_HELP)]
    Keys {
        #[command(subcommand)]
        command: keys_cmd::KeysCommand,
    },
    /// The payload daemon (logs: `RUST_LOG`, default `info`).
    Payload {
        #[command(subcommand)]
        command: node_cmd::PayloadCommand,
    },
    /// The ground side: send requests, receive and list responses, reassemble images.
    Ground {
        /// Mission directory (`borealis keys init`).
        #[arg(long)]
        mission: PathBuf,
        #[command(subcommand)]
        command: node_cmd::GroundCommand,
    },
    /// Move files as the host forwarder does: uplink/ to the payload inbox, downlink/ to the
    /// ground inbox.
    Pass {
        /// Mission directory.
        #[arg(long)]
        mission: PathBuf,
        /// How the uplink crosses: `files` (one file per bundle) or `radio` (one coded stream
        /// of CLTUs per pass, kept as `<mission>/radio/uplink-<n>.cltu`).
        #[arg(long, value_enum, default_value_t)]
        link: borealis_node::node::LinkMode,
    },
    /// Sign the node state files of a mission written before they were authenticated
    /// (format version 1), once, after the upgrade. Only for files the node wrote itself: a
    /// version-1 file is refused otherwise, since anyone able to write it could set the
    /// counters back.
    MigrateState {
        /// Mission directory.
        #[arg(long)]
        mission: PathBuf,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    // The demo's transcript is its output: its daemons log errors only unless RUST_LOG says.
    let default_level = if matches!(cli.command, Command::Demo { .. }) {
        "error"
    } else {
        "info"
    };
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default_level)),
        )
        .with_writer(std::io::stderr)
        .init();
    match cli.command {
        Command::Payload { command } => node_cmd::payload(&command),
        Command::Ground { mission, command } => node_cmd::ground(&mission, &command),
        Command::Pass { mission, link } => node_cmd::run_pass(&mission, link),
        Command::MigrateState { mission } => node_cmd::run_migrate_state(&mission),
        Command::Bpsec { command } => bpsec_cmd::run(&command),
        Command::Keys { command } => keys_cmd::run(&command),
        Command::Demo { keep } => match demo::run(&mut std::io::stdout(), keep.as_deref()) {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("error: demo failed: {e}");
                ExitCode::from(1)
            }
        },
        Command::DemoLink => match demo_link::run(&mut std::io::stdout()) {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("error: {e}");
                ExitCode::from(1)
            }
        },
        Command::Inspect {
            file,
            json,
            no_segment_header,
            aos_insert_zone,
            aos_ocf,
            sdls_spi_config,
        } => {
            let bytes = match read_input(&file) {
                Ok(b) => b,
                Err(e) => {
                    eprintln!("error: {}: {e}", file.display());
                    return ExitCode::from(1);
                }
            };
            let options = inspect::Options {
                segment_header: !no_segment_header,
                aos_insert_zone,
                aos_ocf,
                sdls: sdls_spi_config,
            };
            match inspect::inspect(&bytes, &options) {
                Ok(report) => {
                    if json {
                        println!("{report}");
                    } else {
                        print!("{}", inspect::render_text(&report));
                    }
                    ExitCode::SUCCESS
                }
                Err(e) => {
                    eprintln!("error: {e}");
                    ExitCode::from(2)
                }
            }
        }
    }
}

/// `IV:SN:PL:MAC` octet counts of an SDLS security association.
fn parse_sdls(s: &str) -> Result<inspect::SdlsLayout, String> {
    let parts: Vec<u8> = s
        .split(':')
        .map(|p| p.parse::<u8>().map_err(|e| format!("{p}: {e}")))
        .collect::<Result<_, _>>()?;
    let [iv_len, sn_len, pad_length_len, mac_len] = parts[..] else {
        return Err("expected IV:SN:PL:MAC".into());
    };
    let header = ccsds_sdls::header::HeaderLayout {
        iv_len,
        sn_len,
        pad_length_len,
    };
    header.check().map_err(|e| e.to_string())?;
    Ok(inspect::SdlsLayout {
        header,
        mac_len: mac_len.into(),
    })
}

fn read_input(path: &PathBuf) -> std::io::Result<Vec<u8>> {
    if path.as_os_str() == "-" {
        let mut buf = Vec::new();
        std::io::stdin().read_to_end(&mut buf)?;
        Ok(buf)
    } else {
        std::fs::read(path)
    }
}
