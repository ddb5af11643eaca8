//! `borealis keys …`: the key material of a mission, ground and payload side (issue #5).
//!
//! `init` creates a mission directory ([`mission::LAYOUT_HELP`]); `upload`, `activate`,
//! `deactivate`, `destroy`, `verify` and `rotate` are the ground: each writes one ML-DSA-65
//! signed OTAR message (CCSDS 355.1-B-1 key management procedures, `otar::message`) for
//! uplink and advances the ground counter; `apply` is the payload: it applies one message to
//! its store, all or nothing. `show` prints public information only. Secrets come from the
//! OS RNG and are never printed.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Subcommand, ValueEnum};
use otar::message::{Body, KeyIds, Response, Uploads, WrappedKey};
use otar::payload::Payload;
use otar::sign::SigningKey;
use otar::{ActivationPolicy, KeyId, KeyState, KeyStore, Purpose};
use serde_json::{Value, json};

use borealis_node::mission;
pub use mission::LAYOUT_HELP;
use mission::{Failure, GroundSide, Layout, SECRET_LEN, Sealed};

/// Initial key ids, the same on both sides.
const KEK_ID: KeyId = KeyId(1);
const BIB_ID: KeyId = KeyId(2);
const BCB_ID: KeyId = KeyId(3);

/// `borealis keys …`.
#[derive(Debug, Subcommand)]
pub enum KeysCommand {
    /// Create a mission directory: signing key generation 1, payload master KEK (#1), active
    /// bundle-integrity (#2) and bundle-confidentiality (#3) keys on both sides. Refuses an
    /// existing DIR.
    Init {
        /// Mission directory (must not exist).
        #[arg(long)]
        dir: PathBuf,
        /// Node number of the payload.
        #[arg(long)]
        payload_node: u64,
        /// When uploaded keys become active on the payload.
        #[arg(long, value_enum, default_value_t = Activation::OnCommand)]
        activation: Activation,
    },
    /// Print public information: node, activation policy, signing-key generation and
    /// fingerprint, counters, every key id with purpose and state (ground and payload views).
    Show {
        /// Mission directory.
        #[arg(long)]
        dir: PathBuf,
        /// Print one JSON object instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Generate the next signing key (generation + 1) and write the RotateSigningKey
    /// message, signed by the current key; the ground switches once it is written.
    Rotate {
        /// Mission directory.
        #[arg(long)]
        dir: PathBuf,
        /// Message file to write (must not exist).
        #[arg(short, long)]
        output: PathBuf,
    },
    /// Upload a new random key, wrapped (RFC 3394) under the master KEK.
    Upload {
        /// Mission directory.
        #[arg(long)]
        dir: PathBuf,
        /// Id of the new key (never used before).
        #[arg(long)]
        id: u32,
        /// What the new key is for.
        #[arg(long, value_enum)]
        purpose: PurposeArg,
        /// Key-encryption key to wrap under (default: the only active one).
        #[arg(long)]
        kek: Option<u32>,
        /// Message file to write (must not exist).
        #[arg(short, long)]
        output: PathBuf,
    },
    /// Activate pre-active keys.
    Activate(IdsArgs),
    /// Deactivate active keys.
    Deactivate(IdsArgs),
    /// Destroy deactivated (or never activated) keys.
    Destroy(IdsArgs),
    /// Ask the payload to prove it holds key ID (fresh random challenge); prints the proof
    /// the payload must answer.
    Verify {
        /// Mission directory.
        #[arg(long)]
        dir: PathBuf,
        /// The key to verify.
        #[arg(long)]
        id: u32,
        /// Message file to write (must not exist).
        #[arg(short, long)]
        output: PathBuf,
    },
    /// Payload side: apply one OTAR message to payload/store.bin and print the response.
    /// Exit 2 with the OTAR error if refused; the store is then unchanged.
    Apply {
        /// Mission directory.
        #[arg(long)]
        dir: PathBuf,
        /// The signed OTAR message.
        message: PathBuf,
    },
}

/// Mission directory, key ids and output of `activate`, `deactivate`, `destroy`.
#[derive(Debug, clap::Args)]
pub struct IdsArgs {
    /// Mission directory.
    #[arg(long)]
    dir: PathBuf,
    /// Key id (repeat for several keys in one message).
    #[arg(long = "id", required = true)]
    ids: Vec<u32>,
    /// Message file to write (must not exist).
    #[arg(short, long)]
    output: PathBuf,
}

/// [`ActivationPolicy`] on the command line.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum Activation {
    /// Uploaded keys are active as soon as the upload is applied.
    OnReceipt,
    /// Uploaded keys wait for an Activate message (verify them first).
    OnCommand,
}

/// [`Purpose`] on the command line.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum PurposeArg {
    /// BIB-HMAC-SHA2 key (RFC 9173 §3).
    BundleIntegrity,
    /// BCB-AES-GCM key (RFC 9173 §4).
    BundleConfidentiality,
    /// Key-encryption key for later uploads.
    KeyEncryption,
    /// SDLS security-association key of the space link.
    LinkSdls,
}

impl From<PurposeArg> for Purpose {
    fn from(p: PurposeArg) -> Self {
        match p {
            PurposeArg::BundleIntegrity => Self::BundleIntegrity,
            PurposeArg::BundleConfidentiality => Self::BundleConfidentiality,
            PurposeArg::KeyEncryption => Self::KeyEncryption,
            PurposeArg::LinkSdls => Self::LinkSdls,
        }
    }
}

/// Runs one `keys` command; exit 0, 1 (usage, I/O) or 2 (refused).
pub fn run(command: &KeysCommand) -> ExitCode {
    match execute(command) {
        Ok(()) => ExitCode::SUCCESS,
        Err(Failure::Io(msg)) => {
            eprintln!("error: {msg}");
            ExitCode::from(1)
        }
        Err(Failure::Refused(e)) => {
            eprintln!("error: refused: {e:?}: {e}");
            ExitCode::from(2)
        }
    }
}

fn execute(command: &KeysCommand) -> Result<(), Failure> {
    match command {
        KeysCommand::Init {
            dir,
            payload_node,
            activation,
        } => init(dir, *payload_node, *activation).map(|line| println!("{line}")),
        KeysCommand::Show { dir, json } => show(&Layout::new(dir), *json),
        KeysCommand::Rotate { dir, output } => rotate(&Layout::new(dir), output),
        KeysCommand::Upload {
            dir,
            id,
            purpose,
            kek,
            output,
        } => upload(
            &Layout::new(dir),
            KeyId(*id),
            (*purpose).into(),
            *kek,
            output,
        )
        .map(|line| println!("{line}")),
        KeysCommand::Activate(a) => lifecycle(a, Transition::Activate),
        KeysCommand::Deactivate(a) => lifecycle(a, Transition::Deactivate),
        KeysCommand::Destroy(a) => lifecycle(a, Transition::Destroy),
        KeysCommand::Verify { dir, id, output } => verify(&Layout::new(dir), KeyId(*id), output),
        KeysCommand::Apply { dir, message } => apply(&Layout::new(dir), message),
    }
}

/// `keys init`: creates the mission directory `dir` (which must not exist) and returns the
/// one-line summary (public information only). Also the first step of `borealis demo`.
pub fn init(dir: &Path, node: u64, activation: Activation) -> Result<String, Failure> {
    let layout = Layout::new(dir);
    if dir.exists() {
        return Err(Failure::io(
            dir,
            "already exists: refusing to overwrite a mission",
        ));
    }
    mission::create_dir(dir, false)?;
    let result = populate(&layout, node, activation);
    if result.is_err() {
        // Only what this command created: the directory did not exist before.
        let _ = std::fs::remove_dir_all(dir);
    }
    result
}

fn populate(layout: &Layout, node: u64, activation: Activation) -> Result<String, Failure> {
    let policy = match activation {
        Activation::OnReceipt => ActivationPolicy::OnReceipt,
        Activation::OnCommand => ActivationPolicy::OnCommand,
    };
    let seed = mission::random::<SECRET_LEN>()?;
    let signing = SigningKey::from_seed(&seed, 1);
    let state_key = mission::random::<SECRET_LEN>()?;
    let kek = mission::random::<SECRET_LEN>()?;
    let bib = mission::random::<SECRET_LEN>()?;
    let bcb = mission::random::<SECRET_LEN>()?;
    let store = || -> Result<KeyStore, Failure> {
        let mut s = KeyStore::new();
        for (id, purpose, octets) in [
            (KEK_ID, Purpose::KeyEncryption, &kek),
            (BIB_ID, Purpose::BundleIntegrity, &bib),
            (BCB_ID, Purpose::BundleConfidentiality, &bcb),
        ] {
            s.provision(id, purpose, octets.as_slice())
                .map_err(Failure::Refused)?;
        }
        Ok(s)
    };
    let state = |s| Payload::new(node, signing.verifying_key(), s, policy);

    mission::create_dir(&layout.ground_dir(), true)?;
    mission::create_dir(&layout.payload_dir(), true)?;
    mission::create_dir(&layout.public_dir(), false)?;
    mission::write_signing_seed(&layout.signing_seed(), &seed, signing.generation())?;
    mission::write_secret(
        &layout.ground_state_key(),
        "key protecting ground/state.bin; the id is unused",
        0,
        state_key.as_slice(),
    )?;
    mission::write_secret(
        &layout.master_key(),
        "payload master key-encryption key; the id is the KEK's",
        KEK_ID.0,
        kek.as_slice(),
    )?;
    mission::write_public_key(&layout.public_key(), &signing.verifying_key())?;
    Sealed::new(state(store()?), state_key, layout.ground_state()).save()?;
    Sealed::new(state(store()?), kek, layout.payload_store()).save()?;
    Ok(format!(
        "mission {}: payload node {node}, signing key generation {} {}, keys {KEK_ID} \
         key-encryption, {BIB_ID} bundle-integrity, {BCB_ID} bundle-confidentiality",
        layout.root().display(),
        signing.generation(),
        mission::fingerprint(&signing.verifying_key()),
    ))
}

fn rotate(layout: &Layout, out: &Path) -> Result<(), Failure> {
    let mut g = GroundSide::load(layout)?;
    let generation =
        g.ground.generation().checked_add(1).ok_or_else(|| {
            Failure::Io("the signing-key generation cannot go above 2^32-1".into())
        })?;
    let seed = mission::random::<SECRET_LEN>()?;
    let next = SigningKey::from_seed(&seed, generation);
    let signed = g
        .ground
        .rotation_message(g.mirror.state.node(), &next)
        .map_err(Failure::Refused)?;
    // Message first, then the new seed, then the state (which names the new key): a crash
    // in between leaves the new seed on disk, and `load` reports the mismatch.
    let response = g.mirror.state.apply(&signed).map_err(Failure::Refused)?;
    mission::write_message(out, &signed)?;
    mission::write_signing_seed(&layout.signing_seed(), &seed, generation)?;
    mission::write_public_key(&layout.public_key(), &next.verifying_key())?;
    g.mirror.save()?;
    println!(
        "{}: counter {}, signing key generation {generation} {}",
        out.display(),
        response.counter(),
        mission::fingerprint(&next.verifying_key()),
    );
    Ok(())
}

/// `keys upload`: writes the signed upload of a new random key `id` to `out` and returns the
/// one-line summary.
pub fn upload(
    layout: &Layout,
    id: KeyId,
    purpose: Purpose,
    kek: Option<u32>,
    out: &Path,
) -> Result<String, Failure> {
    let mut g = GroundSide::load(layout)?;
    let kek = mission::upload_kek(&g.mirror.state, kek)?;
    let octets = mission::random::<SECRET_LEN>()?;
    let kek_octets = g
        .mirror
        .state
        .store()
        .active_octets(kek)
        .ok_or(Failure::Refused(otar::OtarError::UnknownKey(kek)))?;
    let wrapped =
        otar::ground::wrap(kek, kek_octets, octets.as_slice()).map_err(Failure::Refused)?;
    let keys = [WrappedKey {
        id,
        purpose,
        wrapped: &wrapped,
    }];
    let response = g.issue(
        Body::KeyUpload {
            kek,
            keys: Uploads::new(&keys),
        },
        out,
    )?;
    Ok(format!(
        "{}: counter {}, upload of {id} ({}) wrapped under {kek}",
        out.display(),
        response.counter(),
        purpose_name(purpose)
    ))
}

/// The lifecycle messages that name a list of keys (355.1-B-1 activation, deactivation,
/// destruction).
#[derive(Debug, Clone, Copy)]
pub enum Transition {
    /// `keys activate`.
    Activate,
    /// `keys deactivate`.
    Deactivate,
    /// `keys destroy`.
    Destroy,
}

impl Transition {
    const fn body(self, ids: KeyIds<'_>) -> Body<'_> {
        match self {
            Self::Activate => Body::Activate(ids),
            Self::Deactivate => Body::Deactivate(ids),
            Self::Destroy => Body::Destroy(ids),
        }
    }

    const fn name(self) -> &'static str {
        match self {
            Self::Activate => "activate",
            Self::Deactivate => "deactivate",
            Self::Destroy => "destroy",
        }
    }
}

fn lifecycle(args: &IdsArgs, transition: Transition) -> Result<(), Failure> {
    let ids: Vec<KeyId> = args.ids.iter().copied().map(KeyId).collect();
    let line = issue_transition(&Layout::new(&args.dir), &ids, transition, &args.output)?;
    println!("{line}");
    Ok(())
}

/// `keys activate|deactivate|destroy`: writes the signed lifecycle message for `ids` to `out`
/// and returns the one-line summary.
pub fn issue_transition(
    layout: &Layout,
    ids: &[KeyId],
    transition: Transition,
    out: &Path,
) -> Result<String, Failure> {
    let mut g = GroundSide::load(layout)?;
    let response = g.issue(transition.body(KeyIds::new(ids)), out)?;
    let names: Vec<String> = ids.iter().map(ToString::to_string).collect();
    Ok(format!(
        "{}: counter {}, {} {}",
        out.display(),
        response.counter(),
        transition.name(),
        names.join(" ")
    ))
}

fn verify(layout: &Layout, id: KeyId, out: &Path) -> Result<(), Failure> {
    let mut g = GroundSide::load(layout)?;
    let challenge = mission::random::<{ otar::message::CHALLENGE_LEN }>()?;
    let response = g.issue(
        Body::Verify {
            id,
            challenge: *challenge,
        },
        out,
    )?;
    let Response::Verified { counter, proof, .. } = response else {
        return Err(Failure::Io(format!("{id}: no verification answer")));
    };
    println!(
        "{}: counter {counter}, verify {id}; the payload must answer proof {}",
        out.display(),
        hex::encode(proof)
    );
    Ok(())
}

fn apply(layout: &Layout, message: &Path) -> Result<(), Failure> {
    let mut payload = Sealed::open(&layout.master_key(), layout.payload_store())?;
    let signed = std::fs::read(message).map_err(|e| Failure::io(message, e))?;
    // A refusal returns before the save: the store file stays as it was.
    let response = payload.state.apply(&signed).map_err(Failure::Refused)?;
    payload.save()?;
    println!("{}", render_response(&response));
    Ok(())
}

/// A response as one line; a verification proof in hex (it is not secret: it reveals
/// nothing about the key, 355.1-B-1 key verification).
fn render_response(response: &Response) -> String {
    match response {
        Response::Ack { counter } => format!("ack: counter {counter}"),
        Response::Verified { counter, id, proof } => format!(
            "verified: counter {counter}, key {id}, proof {}",
            hex::encode(proof)
        ),
    }
}

fn show(layout: &Layout, as_json: bool) -> Result<(), Failure> {
    // The ground state without the signing seed: `show` never needs it.
    let ground = Sealed::open(&layout.ground_state_key(), layout.ground_state())?;
    let next_counter = ground.state.last_counter().saturating_add(1);
    let payload = if layout.payload_store().exists() {
        Some(Sealed::open(&layout.master_key(), layout.payload_store())?)
    } else {
        None
    };
    let mut ground_view = view(&ground.state, "signing_key");
    let payload_view = payload
        .as_ref()
        .map(|p| view(&p.state, "trusted_ground_key"));
    if as_json {
        if let Some(obj) = ground_view.as_object_mut() {
            obj.insert("next_counter".into(), json!(next_counter));
        }
        let value = json!({
            "mission": layout.root().display().to_string(),
            "ground": ground_view,
            "payload": payload_view,
        });
        println!("{value}");
    } else {
        println!("mission: {}", layout.root().display());
        println!("ground (its view of the payload):");
        println!("  next counter: {next_counter}");
        print!("{}", render_view(&ground_view));
        match payload_view {
            Some(p) => {
                println!("payload:");
                print!("{}", render_view(&p));
            }
            None => println!("payload: (no {})", layout.payload_store().display()),
        }
    }
    Ok(())
}

/// Public facts of an OTAR state: node, policy, ground key, counter, keys.
fn view(state: &Payload, key_label: &str) -> Value {
    let store = state.store();
    let mut keys: Vec<(KeyId, KeyState)> = [
        KeyState::PreActive,
        KeyState::Active,
        KeyState::Deactivated,
        KeyState::Destroyed,
    ]
    .into_iter()
    .flat_map(|s| store.ids_in(s).map(move |id| (id, s)))
    .collect();
    keys.sort();
    let keys: Vec<Value> = keys
        .into_iter()
        .map(|(id, s)| {
            json!({
                "id": id.0,
                "purpose": store.purpose(id).map(purpose_name),
                "state": state_name(s),
            })
        })
        .collect();
    json!({
        "node": state.node(),
        "activation": match state.policy() {
            ActivationPolicy::OnReceipt => "on-receipt",
            ActivationPolicy::OnCommand => "on-command",
        },
        key_label: {
            "generation": state.ground_key().generation(),
            "fingerprint": mission::fingerprint(state.ground_key()),
        },
        "last_counter": state.last_counter(),
        "keys": keys,
    })
}

/// [`view`] as indented text lines.
fn render_view(v: &Value) -> String {
    let mut out = String::new();
    for (name, value) in v.as_object().into_iter().flatten() {
        let name = name.replace('_', " ");
        match value {
            Value::Array(keys) => {
                out.push_str(&format!("  {name}:\n"));
                for k in keys {
                    let field = |f: &str| k.get(f).cloned().unwrap_or(Value::Null);
                    out.push_str(&format!(
                        "    #{} {} {}\n",
                        field("id"),
                        field("purpose").as_str().unwrap_or("-"),
                        field("state").as_str().unwrap_or("-"),
                    ));
                }
            }
            Value::Object(key) => out.push_str(&format!(
                "  {name}: generation {} {}\n",
                key.get("generation").unwrap_or(&Value::Null),
                key.get("fingerprint")
                    .and_then(Value::as_str)
                    .unwrap_or("-"),
            )),
            Value::String(s) => out.push_str(&format!("  {name}: {s}\n")),
            other => out.push_str(&format!("  {name}: {other}\n")),
        }
    }
    out
}

const fn purpose_name(p: Purpose) -> &'static str {
    match p {
        Purpose::BundleIntegrity => "bundle-integrity",
        Purpose::BundleConfidentiality => "bundle-confidentiality",
        Purpose::KeyEncryption => "key-encryption",
        Purpose::LinkSdls => "link-sdls",
    }
}

const fn state_name(s: KeyState) -> &'static str {
    match s {
        KeyState::PreActive => "pre-active",
        KeyState::Active => "active",
        KeyState::Deactivated => "deactivated",
        KeyState::Destroyed => "destroyed",
    }
}
