//! Persistence of the payload's OTAR state in one file (feature `std`).
//!
//! ```text
//! file = MAGIC (8) ‖ body (CBOR) ‖ HMAC-SHA-256 (32) over MAGIC ‖ body
//! body = [version: 1, node, last_counter, ground_generation, ground_public_key: bstr,
//!         policy, [* [id, purpose, state, wrapped: bstr]], [* destroyed id],
//!         [* [peer, purpose, id]]]
//! ```
//!
//! Keys are wrapped (RFC 3394) and the whole file is authenticated, both under keys derived
//! from the 32-octet master key with HKDF-SHA-256 ([`crate::kdf::derive`], labels
//! `"borealis otar store wrap"` and `"borealis otar store mac"`): one secret to provision,
//! two keys that never serve two algorithms. The write is atomic (temporary file in the same
//! directory, `fsync`, `rename`, `fsync` of the directory) and the file is mode 0600 on unix.
//! A truncated, corrupted or foreign file, or the wrong master key, is refused with a typed
//! error — never silently replaced by an empty store.

use std::fs::{self, File, OpenOptions};
use std::io::Write;
use std::path::Path;
use std::vec::Vec;

use bpsec::KeyId;
use bpv7::cbor::{Decoder, write_array_head, write_bytes, write_uint};
use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;
use zeroize::Zeroizing;

use crate::OtarError;
use crate::kdf::derive;
use crate::key::KeyState;
use crate::payload::Payload;
use crate::sign::VerifyingKey;
use crate::store::{ActivationPolicy, KeyStore, Purpose, StoredKey};

/// First octets of a store file.
pub const MAGIC: &[u8; 8] = b"BOROTAR\0";
const VERSION: u64 = 1;
const MAC_LEN: usize = 32;
const WRAP_LABEL: &str = "borealis otar store wrap";
const MAC_LABEL: &str = "borealis otar store mac";

fn io(e: std::io::Error) -> OtarError {
    OtarError::Io(e.kind())
}

fn mac(master: &[u8; 32]) -> Result<Hmac<Sha256>, OtarError> {
    let key = derive::<32>(master, MAC_LABEL, b"");
    <Hmac<Sha256> as KeyInit>::new_from_slice(key.as_slice())
        .map_err(|_| OtarError::StoreAuthentication)
}

/// Writes `payload` (store, ground key and generation, counter, node, policy) to `path`,
/// atomically, protected by `master`.
pub fn save(path: &Path, payload: &Payload, master: &[u8; 32]) -> Result<(), OtarError> {
    let wrap_key = derive::<32>(master, WRAP_LABEL, b"");
    let mut body = Vec::new();
    write_array_head(&mut body, 9);
    write_uint(&mut body, VERSION);
    write_uint(&mut body, payload.node);
    write_uint(&mut body, payload.last_counter);
    write_uint(&mut body, payload.ground.generation().into());
    write_bytes(&mut body, &payload.ground.to_bytes());
    write_uint(&mut body, payload.policy.code().into());
    let keys: Vec<_> = payload.store.entries().collect();
    write_array_head(&mut body, keys.len() as u64);
    for (id, purpose, key) in keys {
        let wrapped = wrap_stored(&wrap_key, id, key)?;
        write_array_head(&mut body, 4);
        write_uint(&mut body, id.0.into());
        write_uint(&mut body, purpose.code().into());
        write_uint(&mut body, key.state().code().into());
        write_bytes(&mut body, &wrapped);
    }
    let destroyed: Vec<KeyId> = payload.store.ids_in(KeyState::Destroyed).collect();
    write_array_head(&mut body, destroyed.len() as u64);
    for id in destroyed {
        write_uint(&mut body, id.0.into());
    }
    let assignments: Vec<_> = payload.store.assignments().collect();
    write_array_head(&mut body, assignments.len() as u64);
    for (peer, purpose, id) in assignments {
        write_array_head(&mut body, 3);
        write_uint(&mut body, peer);
        write_uint(&mut body, purpose.code().into());
        write_uint(&mut body, id.0.into());
    }

    let mut file = Vec::with_capacity(MAGIC.len() + body.len() + MAC_LEN);
    file.extend_from_slice(MAGIC);
    file.extend_from_slice(&body);
    let mut m = mac(master)?;
    m.update(&file);
    file.extend_from_slice(&m.finalize().into_bytes());
    write_atomically(path, &file)
}

fn wrap_stored(wrap_key: &[u8; 32], id: KeyId, key: &StoredKey) -> Result<Vec<u8>, OtarError> {
    // The typestate keeps the octets of non-active keys private; the store file is the one
    // place that must hold them, through the crate-private accessor.
    let octets = key.octets_for_storage();
    bpsec::keywrap::wrap(id, wrap_key, octets).map_err(|_| OtarError::KeyLength {
        key: id,
        found: octets.len(),
    })
}

fn write_atomically(path: &Path, bytes: &[u8]) -> Result<(), OtarError> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let name = path
        .file_name()
        .ok_or(OtarError::Io(std::io::ErrorKind::InvalidInput))?;
    let mut tmp_name = std::ffi::OsString::from(".");
    tmp_name.push(name);
    tmp_name.push(".tmp");
    let tmp = dir.join(tmp_name);
    let mut options = OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let result = (|| {
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
    result.map_err(io)
}

/// Reads the state written by [`save`]. A missing file is [`OtarError::Io`]; a short one
/// [`OtarError::StoreTruncated`]; a foreign one [`OtarError::StoreFormat`]; a modified one,
/// or the wrong master key, [`OtarError::StoreAuthentication`].
pub fn load(path: &Path, master: &[u8; 32]) -> Result<Payload, OtarError> {
    let file = Zeroizing::new(fs::read(path).map_err(io)?);
    let len = file.len();
    let (head, rest) = file
        .split_first_chunk::<8>()
        .ok_or(OtarError::StoreTruncated { len })?;
    if head != MAGIC {
        return Err(OtarError::StoreFormat("not an otar store file"));
    }
    let body_len = rest
        .len()
        .checked_sub(MAC_LEN)
        .filter(|&n| n > 0)
        .ok_or(OtarError::StoreTruncated { len })?;
    let (body, tag) = rest
        .split_at_checked(body_len)
        .ok_or(OtarError::StoreTruncated { len })?;
    let mut m = mac(master)?;
    m.update(head);
    m.update(body);
    m.verify_slice(tag)
        .map_err(|_| OtarError::StoreAuthentication)?;
    // Authenticated: what follows was written by `save` with this master key.
    decode(body, master).map_err(|e| match e {
        OtarError::Cbor(_) | OtarError::Malformed { .. } => OtarError::StoreFormat("content"),
        other => other,
    })
}

fn decode(body: &[u8], master: &[u8; 32]) -> Result<Payload, OtarError> {
    let bad = |what| OtarError::StoreFormat(what);
    let wrap_key = derive::<32>(master, WRAP_LABEL, b"");
    let mut d = Decoder::strict(body);
    if d.array_definite()? != 9 || d.uint()? != VERSION {
        return Err(bad("version"));
    }
    let node = d.uint()?;
    let last_counter = d.uint()?;
    let generation = u32::try_from(d.uint()?).map_err(|_| bad("generation"))?;
    let ground = VerifyingKey::from_bytes(d.bytes()?, generation)?;
    let policy = ActivationPolicy::from_code(d.uint()?).ok_or(bad("policy"))?;
    let id = |d: &mut Decoder<'_>| -> Result<KeyId, OtarError> {
        Ok(KeyId(u32::try_from(d.uint()?).map_err(|_| bad("key id"))?))
    };
    let purpose = |d: &mut Decoder<'_>| Purpose::from_code(d.uint()?).ok_or(bad("purpose"));
    let mut store = KeyStore::new();
    for _ in 0..d.array_definite()? {
        if d.array_definite()? != 4 {
            return Err(bad("key entry"));
        }
        let (id, purpose) = (id(&mut d)?, purpose(&mut d)?);
        let state = u8::try_from(d.uint()?)
            .ok()
            .and_then(KeyState::from_code)
            .ok_or(bad("state"))?;
        let octets = bpsec::keywrap::unwrap(id, wrap_key.as_slice(), d.bytes()?)
            .map_err(|_| OtarError::Unwrap(id))?;
        match state {
            KeyState::PreActive => store.stage(id, purpose, octets)?,
            KeyState::Active => store.provision(id, purpose, &octets)?,
            KeyState::Deactivated => store.restore_deactivated(id, purpose, octets)?,
            KeyState::Destroyed => return Err(bad("destroyed key with octets")),
        }
    }
    for _ in 0..d.array_definite()? {
        store.remember_destroyed(id(&mut d)?);
    }
    for _ in 0..d.array_definite()? {
        if d.array_definite()? != 3 {
            return Err(bad("assignment"));
        }
        let peer = d.uint()?;
        let purpose = purpose(&mut d)?;
        store.restore_assignment(peer, purpose, id(&mut d)?)?;
    }
    if !d.is_empty() {
        return Err(bad("trailing bytes"));
    }
    Ok(Payload {
        store,
        ground,
        last_counter,
        node,
        policy,
    })
}
