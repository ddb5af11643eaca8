//! The mission directory of `borealis keys`: where each side's key material lives, how a
//! secret is read (through [`crate::key_file`]: permission check on the open file, zeroizing
//! buffers) and written (mode 0600, atomically), and the two OTAR states it holds.
//!
//! Both sides keep an [`otar::payload::Payload`] saved with [`otar::store::save`]: the payload
//! its real state, the ground a *mirror* of what the payload holds once it has applied every
//! message the ground issued. The ground applies each message to its mirror before writing it,
//! so it refuses to issue a message the payload would refuse, and it learns the expected
//! verification proof; its mirror's counter is the ground's last issued counter.

use std::fs::{self, File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};

use bpsec::{KeyId, KeyResolver, KeyUsage};
use otar::OtarError;
use otar::ground::Ground;
use otar::payload::Payload;
use otar::sign::{SEED_LEN, SigningKey, VerifyingKey};
use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

use crate::key_file;

/// How the mission directory is explained in `borealis keys --help` and the README.
pub const LAYOUT_HELP: &str = "\
MISSION DIRECTORY (created by `init`; `secret` files are mode 0600, their directories 0700):
    ground/signing.seed          secret  ML-DSA-65 seed (FIPS 204 xi) of the ground's current
                                         signing key; key-file line `<generation> <hex>`
    ground/state.key             secret  32-octet key protecting ground/state.bin
    ground/state.bin             secret  the ground's mirror of the payload (otar store file):
                                         counter, keys the ground holds (copies of every
                                         payload key, the master KEK included: the ground needs
                                         it to wrap uploads), their expected states
    payload/master.key           secret  32-octet master KEK provisioned at integration; key-file
                                         line `<KEK id> <hex>`; also protects payload/store.bin
    payload/store.bin            secret  the payload's otar store file
    public/ground-signing-key.pub public ML-DSA-65 public key (1952 octets, hex)
Secret files use the key-file format (`<id> <hex octets>`, `#` comments) and are refused if
group or others may access them. Initial keys: #1 master KEK, #2 bundle integrity, #3 bundle
confidentiality, active on both sides. Secrets come from the OS RNG and are never printed.
Exit codes: 0 ok, 1 usage or I/O, 2 refused (the typed OTAR error; nothing is changed).";

/// Size of every symmetric secret of the mission (AES-256 / HMAC-SHA-256 keys, seeds).
pub const SECRET_LEN: usize = 32;

/// Why a `keys` command failed: exit 1 for usage and I/O, 2 for an OTAR refusal.
#[derive(Debug)]
pub enum Failure {
    /// Usage, I/O or an unusable mission file (exit 1).
    Io(String),
    /// The OTAR rules refused the operation or message (exit 2).
    Refused(OtarError),
}

impl Failure {
    /// `what` (a path or operation) failed with `e`.
    pub fn io(what: &Path, e: impl std::fmt::Display) -> Self {
        Self::Io(format!("{}: {e}", what.display()))
    }
}

/// Paths of a mission directory.
#[derive(Debug, Clone)]
pub struct Layout {
    root: PathBuf,
}

impl Layout {
    /// The mission at `root`.
    pub fn new(root: &Path) -> Self {
        Self {
            root: root.to_path_buf(),
        }
    }

    /// The mission directory.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Directory of the ground side's files.
    pub fn ground_dir(&self) -> PathBuf {
        self.root.join("ground")
    }

    /// Directory of the payload side's files.
    pub fn payload_dir(&self) -> PathBuf {
        self.root.join("payload")
    }

    /// Directory of the public files.
    pub fn public_dir(&self) -> PathBuf {
        self.root.join("public")
    }

    /// The ground's signing seed.
    pub fn signing_seed(&self) -> PathBuf {
        self.ground_dir().join("signing.seed")
    }

    /// The key protecting the ground state.
    pub fn ground_state_key(&self) -> PathBuf {
        self.ground_dir().join("state.key")
    }

    /// The ground state (mirror of the payload).
    pub fn ground_state(&self) -> PathBuf {
        self.ground_dir().join("state.bin")
    }

    /// The payload's master KEK.
    pub fn master_key(&self) -> PathBuf {
        self.payload_dir().join("master.key")
    }

    /// The payload's store.
    pub fn payload_store(&self) -> PathBuf {
        self.payload_dir().join("store.bin")
    }

    /// The ground's public signing key.
    pub fn public_key(&self) -> PathBuf {
        self.public_dir().join("ground-signing-key.pub")
    }
}

/// `N` octets from the OS random number generator.
pub fn random<const N: usize>() -> Result<Zeroizing<[u8; N]>, Failure> {
    let mut out = Zeroizing::new([0u8; N]);
    getrandom::fill(out.as_mut_slice())
        .map_err(|e| Failure::Io(format!("OS random number generator: {e}")))?;
    Ok(out)
}

/// SHA-256 fingerprint of an ML-DSA-65 public key, as `SHA256:<hex>`.
pub fn fingerprint(key: &VerifyingKey) -> String {
    format!("SHA256:{}", hex::encode(Sha256::digest(key.to_bytes())))
}

/// Reads a secret key file holding exactly one [`SECRET_LEN`]-octet key; returns its id
/// and octets. The permission check and parsing are [`key_file::load`]'s.
pub fn read_secret(path: &Path) -> Result<(u32, Zeroizing<[u8; SECRET_LEN]>), Failure> {
    let file = key_file::load(path).map_err(|e| Failure::io(path, e))?;
    let [id] = file.ids[..] else {
        return Err(Failure::io(path, "expected exactly one key"));
    };
    let octets = file
        .keys
        .resolve(id, KeyUsage::Open)
        .filter(|o| o.len() == SECRET_LEN)
        .ok_or_else(|| Failure::io(path, format!("key {id} must be {SECRET_LEN} octets")))?;
    let mut out = Zeroizing::new([0u8; SECRET_LEN]);
    out.copy_from_slice(octets);
    Ok((id.0, out))
}

/// Writes a secret key file (`# comment` then `<id> <hex>`), mode 0600, atomically.
pub fn write_secret(path: &Path, comment: &str, id: u32, octets: &[u8]) -> Result<(), Failure> {
    let text = Zeroizing::new(format!("# {comment}\n{id} {}\n", hex::encode(octets)));
    write_atomically(path, text.as_bytes(), 0o600)
}

/// Writes the public key file (hex, one line), atomically.
pub fn write_public_key(path: &Path, key: &VerifyingKey) -> Result<(), Failure> {
    let text = format!("{}\n", hex::encode(key.to_bytes()));
    write_atomically(path, text.as_bytes(), 0o644)
}

/// Writes an OTAR message for uplink; refuses to replace an existing file (it may hold a
/// message not yet sent, whose counter would be lost). Synced before returning: the ground
/// state is committed only after this.
pub fn write_message(path: &Path, signed: &[u8]) -> Result<(), Failure> {
    let result = (|| {
        let mut f = OpenOptions::new().write(true).create_new(true).open(path)?;
        f.write_all(signed)?;
        f.sync_all()
    })();
    result.map_err(|e| Failure::io(path, e))
}

/// Temporary file in the same directory, fsync, rename, fsync of the directory; the
/// temporary file is created with `mode`, so a secret is never readable by others.
fn write_atomically(path: &Path, bytes: &[u8], mode: u32) -> Result<(), Failure> {
    let dir = path.parent().unwrap_or(Path::new("."));
    let mut tmp_name = std::ffi::OsString::from(".");
    tmp_name.push(path.file_name().unwrap_or_default());
    tmp_name.push(".tmp");
    let tmp = dir.join(tmp_name);
    let mut options = OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, mode);
    #[cfg(not(unix))]
    let _ = mode;
    let result = (|| {
        match fs::remove_file(&tmp) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(e),
            _ => {}
        }
        let mut f = options.open(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        drop(f);
        fs::rename(&tmp, path)?;
        File::open(dir)?.sync_all()
    })();
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    result.map_err(|e| Failure::io(path, e))
}

/// Creates a directory; `private` ones are mode 0700.
pub fn create_dir(path: &Path, private: bool) -> Result<(), Failure> {
    let mut builder = fs::DirBuilder::new();
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, if private { 0o700 } else { 0o755 });
    #[cfg(not(unix))]
    let _ = private;
    builder.create(path).map_err(|e| Failure::io(path, e))
}

/// An OTAR state file and the key that protects it.
pub struct Sealed {
    /// The state.
    pub state: Payload,
    key: Zeroizing<[u8; SECRET_LEN]>,
    path: PathBuf,
}

impl std::fmt::Debug for Sealed {
    /// The path only: never the key.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Sealed").field("path", &self.path).finish()
    }
}

impl Sealed {
    /// A new state, to be written to `path` under `key`.
    pub fn new(state: Payload, key: Zeroizing<[u8; SECRET_LEN]>, path: PathBuf) -> Self {
        Self { state, key, path }
    }

    /// Loads the state at `path` with the key in key file `key_path`.
    pub fn open(key_path: &Path, path: PathBuf) -> Result<Self, Failure> {
        let (_, key) = read_secret(key_path)?;
        let state = otar::store::load(&path, &key).map_err(|e| Failure::io(&path, e))?;
        Ok(Self { state, key, path })
    }

    /// Saves the state (atomically, 0600: [`otar::store::save`]).
    pub fn save(&self) -> Result<(), Failure> {
        otar::store::save(&self.path, &self.state, &self.key)
            .map_err(|e| Failure::io(&self.path, e))
    }
}

/// The ground side: its signer and its mirror of the payload.
pub struct GroundSide {
    /// The signer, numbering from the mirror's last counter + 1.
    pub ground: Ground,
    /// What the payload holds after applying every message issued so far.
    pub mirror: Sealed,
}

impl GroundSide {
    /// Loads the signing key and the ground state, and checks they agree (they may not after
    /// a `rotate` interrupted between writing the new seed and the new state).
    pub fn load(layout: &Layout) -> Result<Self, Failure> {
        let key = read_signing_key(&layout.signing_seed())?;
        let mirror = Sealed::open(&layout.ground_state_key(), layout.ground_state())?;
        if *mirror.state.ground_key() != key.verifying_key() {
            return Err(Failure::Io(format!(
                "{}: signing key (generation {}) and ground state (generation {}) disagree \
                 (interrupted rotate?)",
                layout.root().display(),
                key.generation(),
                mirror.state.ground_key().generation()
            )));
        }
        let next = mirror.state.last_counter().saturating_add(1);
        Ok(Self {
            ground: Ground::new(key, next),
            mirror,
        })
    }

    /// Signs `body` for the payload, applies it to the mirror (a message the payload would
    /// refuse is refused here, nothing written), writes it to `out`, then saves the ground
    /// state. Returns the message and the response the payload should give.
    pub fn issue(
        &mut self,
        body: otar::message::Body<'_>,
        out: &Path,
    ) -> Result<otar::message::Response, Failure> {
        let signed = self
            .ground
            .sign(self.mirror.state.node(), body)
            .map_err(Failure::Refused)?;
        let response = self.mirror.state.apply(&signed).map_err(Failure::Refused)?;
        write_message(out, &signed)?;
        self.mirror.save()?;
        Ok(response)
    }
}

/// The signing key of a seed file (the key-file id is the generation).
pub fn read_signing_key(path: &Path) -> Result<SigningKey, Failure> {
    let (generation, seed) = read_secret(path)?;
    let seed: &[u8; SEED_LEN] = &seed;
    Ok(SigningKey::from_seed(seed, generation))
}

/// Writes the seed file of generation `generation`.
pub fn write_signing_seed(
    path: &Path,
    seed: &[u8; SEED_LEN],
    generation: u32,
) -> Result<(), Failure> {
    write_secret(
        path,
        "ML-DSA-65 signing seed (FIPS 204 xi); the id is the key generation",
        generation,
        seed,
    )
}

/// The key-encryption key the ground wraps uploads under: `--kek` (which must be an active
/// key-encryption key, as the payload will check), else the mirror's only active KEK.
pub fn upload_kek(mirror: &Payload, chosen: Option<u32>) -> Result<KeyId, Failure> {
    let store = mirror.store();
    if let Some(id) = chosen.map(KeyId) {
        store
            .expect_state(id, otar::KeyState::Active)
            .and_then(|()| store.expect_purpose(id, otar::Purpose::KeyEncryption))
            .map_err(Failure::Refused)?;
        return Ok(id);
    }
    let mut keks = store
        .ids_in(otar::KeyState::Active)
        .filter(|id| store.purpose(*id) == Some(otar::Purpose::KeyEncryption));
    match (keks.next(), keks.next()) {
        (Some(id), None) => Ok(id),
        (None, _) => Err(Failure::Io("no active key-encryption key".into())),
        (Some(_), Some(_)) => Err(Failure::Io(
            "several active key-encryption keys: choose one with --kek".into(),
        )),
    }
}
