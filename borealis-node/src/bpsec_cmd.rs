//! `borealis bpsec verify|decrypt`: an operator checks the cryptography of a secured bundle
//! (RFC 9172) with a key from a key file ([`borealis_node::key_file`]).
//!
//! The tool trusts the bundle's own security blocks for *which* operations to check: it builds
//! a [`Policy`] with one rule per (security source, service, target kind) found in the bundle,
//! with the context, variant and scope the block names, and the key the operator chose. The
//! node itself never does this (its policy is configured, RFC 9172 §6); here the point is to
//! check the crypto with a key.

use bpsec::asb::{SecurityBlock, Value as AsbValue};
use bpsec::context::BlockHeader;
use bpsec::context::bcb_aes_gcm::{self, BcbParameters, Cipher};
use bpsec::context::bib_hmac_sha2::{self, BibParameters};
use bpsec::{
    Checked, Context, KeyId, KeyResolver, KeyUsage, Options, Policy, Rule, Service, StaticKeys,
    Targets,
};
use bpv7::block::{CanonicalBlock, block_type};
use bpv7::bundle::BundleView;
use clap::{Args, Subcommand};
use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use zeroize::Zeroizing;

use borealis_node::key_file::{self, KeyFile};

/// `borealis bpsec …`.
#[derive(Debug, Subcommand)]
pub enum BpsecCommand {
    /// Verify every BIB not under encryption (RFC 9172 §5.1.2); BCBs are listed as needing
    /// `decrypt`. Exit 0 if all verify, 2 with the reason otherwise.
    #[command(after_help = key_file::FORMAT_HELP)]
    Verify {
        /// Keys and options.
        #[command(flatten)]
        keys: KeyArgs,
        /// Bundle to read, or '-' for standard input.
        file: PathBuf,
    },
    /// Decrypt every BCB, verify every BIB and remove the security blocks (RFC 9172 §5.1),
    /// writing the plaintext bundle. Exit 0 on success, 2 with the reason otherwise.
    #[command(after_help = key_file::FORMAT_HELP)]
    Decrypt {
        /// Keys and options.
        #[command(flatten)]
        keys: KeyArgs,
        /// Write the plaintext bundle to this file (default: standard output, if it is not a
        /// terminal).
        #[arg(short, long)]
        output: Option<PathBuf>,
        /// Write the plaintext bundle to standard output in hex.
        #[arg(long, conflicts_with = "output")]
        hex: bool,
        /// Bundle to read, or '-' for standard input.
        file: PathBuf,
    },
}

/// Where the keys come from and which rules apply.
#[derive(Debug, Args)]
pub struct KeyArgs {
    /// Key file (format below).
    #[arg(long)]
    key_file: PathBuf,
    /// Key for every operation (default: the only key in the file).
    #[arg(long)]
    key_id: Option<u32>,
    /// Key for BIBs (default: --key-id).
    #[arg(long)]
    bib_key_id: Option<u32>,
    /// Key for BCBs (default: --key-id).
    #[arg(long)]
    bcb_key_id: Option<u32>,
    /// Rules of the RFC 9173 Appendix A examples: lenient bundle rules, HMAC keys shorter than
    /// the HMAC (RFC 9173 §3.5 relaxed). Default: every rule.
    #[arg(long)]
    rfc9173_examples: bool,
}

/// The key for each service.
#[derive(Debug, Clone, Copy)]
struct KeyChoice {
    bib: KeyId,
    bcb: KeyId,
}

impl KeyChoice {
    /// `--bib-key-id`/`--bcb-key-id`, else `--key-id`, else the file's only key; each must be
    /// in the file.
    fn choose(args: &KeyArgs, file: &KeyFile) -> Result<Self, String> {
        let default = args.key_id.map(KeyId).or(match file.ids.as_slice() {
            [only] => Some(*only),
            _ => None,
        });
        let pick = |explicit: Option<u32>| {
            let id = explicit.map(KeyId).or(default).ok_or(format!(
                "{}: {} keys: choose one with --key-id",
                args.key_file.display(),
                file.ids.len()
            ))?;
            if file.ids.contains(&id) {
                Ok(id)
            } else {
                Err(format!("{}: no key {id}", args.key_file.display()))
            }
        };
        Ok(Self {
            bib: pick(args.bib_key_id)?,
            bcb: pick(args.bcb_key_id)?,
        })
    }

    const fn for_service(self, service: Service) -> KeyId {
        match service {
            Service::Integrity => self.bib,
            Service::Confidentiality => self.bcb,
        }
    }
}

/// The inputs shared by both commands.
struct Loaded {
    keys: StaticKeys,
    choice: KeyChoice,
    options: Options,
    bundle: Vec<u8>,
}

fn load(args: &KeyArgs, file: &PathBuf) -> Result<Loaded, ExitCode> {
    let usage = |msg: String| {
        eprintln!("error: {msg}");
        ExitCode::from(1)
    };
    let key_file = key_file::load(&args.key_file)
        .map_err(|e| usage(format!("{}: {e}", args.key_file.display())))?;
    let choice = KeyChoice::choose(args, &key_file).map_err(usage)?;
    let bundle = crate::read_input(file).map_err(|e| usage(format!("{}: {e}", file.display())))?;
    let options = if args.rfc9173_examples {
        Options::RFC9173_EXAMPLES
    } else {
        Options::STRICT
    };
    Ok(Loaded {
        keys: key_file.keys,
        choice,
        options,
        bundle,
    })
}

/// Runs a `borealis bpsec` command: exit 0 success, 1 usage / I/O / key file, 2 a bundle that
/// does not decode or does not pass.
pub fn run(command: &BpsecCommand) -> ExitCode {
    let result = match command {
        BpsecCommand::Verify { keys, file } => load(keys, file).map(|l| verify(&l)),
        BpsecCommand::Decrypt {
            keys,
            output,
            hex,
            file,
        } => load(keys, file).map(|l| decrypt(&l, output.as_ref(), *hex)),
    };
    result.unwrap_or_else(|code| code)
}

fn refuse(e: &bpsec::Error) -> ExitCode {
    eprintln!("error: {e}");
    ExitCode::from(2)
}

fn verify(l: &Loaded) -> ExitCode {
    let view = match BundleView::parse_with(&l.bundle, &l.options.bundle) {
        Ok(v) => v,
        Err(e) => return refuse(&e.into()),
    };
    let policy = policy(&view, &[], l.choice);
    let checked = match bpsec::verify(&l.bundle, &policy, &l.keys, &l.options) {
        Ok(c) => c,
        Err(e) => return refuse(&e),
    };
    // `bpsec::verify` decoded every security block: none fails to decode here.
    let security: Vec<(CanonicalBlock<'_>, SecurityBlock<'_>)> = view
        .blocks()
        .filter_map(|(b, _)| Some((b, SecurityBlock::decode(b.data, b.number).ok()?)))
        .collect();
    let encrypted = |n: u64| {
        security
            .iter()
            .any(|(b, asb)| b.block_type == block_type::BCB && asb.has_target(n))
    };
    let mut lines: Vec<String> = checked.iter().map(|c| checked_line(&view, c)).collect();
    let mut unchecked = 0usize;
    for (block, asb) in &security {
        if block.block_type == block_type::BCB {
            let targets: Vec<String> = asb.targets().map(|t| t.to_string()).collect();
            lines.push(format!(
                "confidentiality: BCB {} over block(s) {}: not checked (run `borealis bpsec decrypt`)",
                block.number,
                targets.join(", ")
            ));
            continue;
        }
        if encrypted(block.number) || asb.targets().any(encrypted) {
            continue;
        }
        // Never a silent pass: a BIB the verifier skipped (no rule fits it, e.g. two BIBs of
        // one source over one kind of block with different parameters) is an error.
        for target in asb.targets() {
            if !checked
                .iter()
                .any(|c| c.block == block.number && c.target == target)
            {
                lines.push(format!(
                    "integrity: BIB {} over {}: NOT checked (no single rule fits it)",
                    block.number,
                    target_text(&view, target)
                ));
                unchecked += 1;
            }
        }
    }
    if lines.is_empty() {
        lines.push("no BIB or BCB: nothing to verify".into());
    }
    let mut out = std::io::stdout().lock();
    for line in lines {
        if writeln!(out, "{line}").is_err() {
            return ExitCode::from(1);
        }
    }
    if unchecked > 0 {
        eprintln!("error: {unchecked} integrity operation(s) not checked");
        return ExitCode::from(2);
    }
    ExitCode::SUCCESS
}

fn decrypt(l: &Loaded, output: Option<&PathBuf>, hex: bool) -> ExitCode {
    let view = match BundleView::parse_with(&l.bundle, &l.options.bundle) {
        Ok(v) => v,
        Err(e) => return refuse(&e.into()),
    };
    if output.is_none() && !hex && std::io::stdout().is_terminal() {
        eprintln!("error: not writing a binary bundle to a terminal: use -o FILE or --hex");
        return ExitCode::from(1);
    }
    let plain_bibs = peek_encrypted_bibs(&view, &l.keys, l.choice.bcb);
    let policy = policy(&view, &plain_bibs, l.choice);
    let accepted = match bpsec::accept(&l.bundle, &policy, &l.keys, None, &l.options) {
        Ok(a) => a,
        Err(e) => return refuse(&e),
    };
    let mut report: Vec<String> = accepted
        .checked
        .iter()
        .map(|c| checked_line(&view, c))
        .collect();
    if report.is_empty() {
        report.push("no BIB or BCB: nothing to decrypt or verify".into());
    }
    let written = match output {
        Some(path) => std::fs::write(path, &accepted.bundle)
            .map_err(|e| format!("{}: {e}", path.display()))
            .map(|()| {
                println!("{}", report.join("\n"));
                println!(
                    "plaintext bundle ({} octets) written to {}",
                    accepted.bundle.len(),
                    path.display()
                );
            }),
        None => {
            eprintln!("{}", report.join("\n"));
            let mut out = std::io::stdout().lock();
            let r = if hex {
                writeln!(out, "{}", hex::encode(&accepted.bundle))
            } else {
                out.write_all(&accepted.bundle)
            };
            r.and_then(|()| out.flush())
                .map_err(|e| format!("standard output: {e}"))
        }
    };
    match written {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(1)
        }
    }
}

/// "primary block" or "block N (type name)".
fn target_text(view: &BundleView<'_>, target: u64) -> String {
    match view.block(target) {
        _ if target == 0 => "primary block".to_string(),
        Some((b, _)) => format!(
            "block {target} ({})",
            crate::inspect::block_type_name(b.block_type)
        ),
        None => format!("block {target}"),
    }
}

/// One line per checked operation.
fn checked_line(view: &BundleView<'_>, c: &Checked) -> String {
    let target = target_text(view, c.target);
    match c.service {
        Service::Integrity => format!(
            "integrity: BIB {} over {target}: verified with key {}",
            c.block, c.key
        ),
        Service::Confidentiality => format!(
            "confidentiality: BCB {} over {target}: decrypted and authenticated with key {}",
            c.block, c.key
        ),
    }
}

/// The rule context a security block names, if its context and parameters are ones `bpsec`
/// implements (otherwise no rule: `bpsec` reports the block).
fn context_of(asb: &SecurityBlock<'_>) -> Option<Context> {
    match asb.context_id {
        bib_hmac_sha2::CONTEXT_ID => {
            let p = BibParameters::decode(asb.parameters()).ok()?;
            Some(Context::HmacSha2 {
                variant: p.sha(),
                scope: p.effective_scope(),
            })
        }
        bcb_aes_gcm::CONTEXT_ID => {
            let p = BcbParameters::decode(asb.parameters()).ok()?;
            Some(Context::AesGcm {
                variant: p.variant(),
                scope: p.effective_scope(),
            })
        }
        _ => None,
    }
}

/// One rule per (security source, service, target kind) of the bundle's security blocks and
/// of the BIBs `plain_bibs` holds decrypted, each with the context the block names and the
/// chosen key. Blocks that do not decode get no rule: `bpsec` then refuses them with their
/// typed error.
fn policy<'b>(
    view: &BundleView<'b>,
    plain_bibs: &'b [(CanonicalBlock<'b>, Vec<u8>)],
    keys: KeyChoice,
) -> Policy<'b> {
    let visible = view
        .blocks()
        .map(|(b, _)| b)
        .filter(|b| matches!(b.block_type, block_type::BIB | block_type::BCB))
        .map(|b| (b, b.data));
    let decrypted = plain_bibs.iter().map(|(b, plain)| (*b, plain.as_slice()));
    let mut policy = Policy::new();
    for (block, data) in visible.chain(decrypted) {
        let Ok(asb) = SecurityBlock::decode(data, block.number) else {
            continue;
        };
        let Some(context) = context_of(&asb) else {
            continue;
        };
        let service = context.service();
        for target in asb.targets() {
            let targets = match view.block(target) {
                _ if target == 0 => Targets::Primary,
                Some((b, _)) if b.block_type == block_type::PAYLOAD => Targets::Payload,
                Some((b, _)) => Targets::BlockType(b.block_type),
                None => continue,
            };
            let known = policy.rules.iter().any(|r| {
                r.source == asb.source && r.context.service() == service && r.targets == targets
            });
            if !known {
                policy.rules.push(Rule {
                    source: asb.source,
                    targets,
                    context,
                    key: keys.for_service(service),
                });
            }
        }
    }
    policy
}

/// The BIBs that a BCB encrypts, decrypted with the BCB key (RFC 9173 §4.8.2) only to read
/// which context they name: the acceptor's policy must name it. Whatever fails here is left
/// for [`bpsec::accept`] to report with its typed error.
fn peek_encrypted_bibs<'b>(
    view: &BundleView<'b>,
    keys: &StaticKeys,
    bcb_key: KeyId,
) -> Vec<(CanonicalBlock<'b>, Vec<u8>)> {
    let blocks: Vec<CanonicalBlock<'b>> = view.blocks().map(|(b, _)| b).collect();
    let primary = view.bytes().get(view.primary_span()).unwrap_or_default();
    let header = |b: &CanonicalBlock<'_>| BlockHeader {
        block_type: b.block_type,
        number: b.number,
        flags: b.flags,
    };
    let mut plain_bibs = Vec::new();
    let mut aad = bcb_aes_gcm::Aad::new();
    for bcb in blocks.iter().filter(|b| b.block_type == block_type::BCB) {
        let Ok(asb) = SecurityBlock::decode(bcb.data, bcb.number) else {
            continue;
        };
        let Ok(params) = BcbParameters::decode(asb.parameters()) else {
            continue;
        };
        let Some(key) = keys.resolve(bcb_key, KeyUsage::Open) else {
            continue;
        };
        let cek = match params.wrapped_key {
            Some(wrapped) => match bpsec::keywrap::unwrap(bcb_key, key, wrapped) {
                Ok(k) => k,
                Err(_) => continue,
            },
            None => Zeroizing::new(key.to_vec()),
        };
        let Some(cipher) = Cipher::new(params.variant(), &cek) else {
            continue;
        };
        for (index, target) in asb.targets().enumerate() {
            let Some(bib) = blocks
                .iter()
                .find(|b| b.number == target && b.block_type == block_type::BIB)
            else {
                continue;
            };
            let tag = asb
                .results_of(index)
                .and_then(|r| r.get(bcb_aes_gcm::RESULT_AUTH_TAG));
            let Some(AsbValue::Bytes(tag)) = tag else {
                continue;
            };
            let aad = aad.build(
                params.effective_scope(),
                primary,
                &header(bib),
                &header(bcb),
            );
            let mut plain = bib.data.to_vec();
            if cipher.decrypt(params.iv, aad, &mut plain, tag) {
                plain_bibs.push((*bib, plain));
            }
        }
    }
    plain_bibs
}
