//! The key management procedures (355.1-B-1, key management): OTAR, Key Activation /
//! Deactivation / Destruction, Key Verification, Key Inventory — executed against a
//! [`KeyManagement`] store — and the ground side of OTAR ([`seal_otar`]). Each procedure checks
//! everything before its first change.

use ccsds_core::WireError;
use zeroize::Zeroizing;

use super::pdu::{
    CHALLENGE_LEN, Command, EP_MAC_LEN, KEY_ID_LEN, KeyIds, OTAR_BLOCK_LEN, OTAR_IV_LEN,
    PDU_HEADER_LEN, PduTag, VERIFICATION_REPLY_BLOCK_LEN, emit_header, verification_challenges,
};
use super::{EpError, KeyManagement, KeyState, is_master_key_id};
use crate::crypto;
use crate::replay::{counter_max, write_counter};
use crate::{Error, KeyId, KeyMaterial};

/// OTAR keys and master keys are AES-256 keys (355.1-B-1, OTAR: AES-256-GCM).
const OTAR_KEY_LEN: usize = 32;

/// Fails unless session key `id` is in state `expected`.
fn expect_state<K: KeyManagement + ?Sized>(
    keys: &K,
    id: KeyId,
    expected: KeyState,
) -> Result<(), EpError> {
    let found = keys.state(id).ok_or(EpError::UnknownKey(id))?;
    if found == expected {
        Ok(())
    } else {
        Err(EpError::KeyState {
            key: id,
            expected,
            found,
        })
    }
}

/// The octets of `id`, which must be an active session key: the only keys an SA or a Key
/// Verification may use (355.1-B-1, key management).
pub(super) fn active_session_key<K: KeyManagement + ?Sized>(
    keys: &K,
    id: KeyId,
) -> Result<KeyMaterial, EpError> {
    if is_master_key_id(id) {
        return Err(EpError::MasterKeyId(id));
    }
    expect_state(keys, id, KeyState::Active)?;
    keys.active_key(id).ok_or(EpError::KeyStore(id))
}

/// The key id at the start of a block (`KEY_ID_LEN` octets, big-endian).
fn block_id(block: &[u8]) -> KeyId {
    let id = block
        .first_chunk::<KEY_ID_LEN>()
        .copied()
        .unwrap_or_default();
    KeyId(u16::from_be_bytes(id))
}

/// OTAR (355.1-B-1, OTAR): decrypts the key blocks under active master key `mkid`
/// (AES-256-GCM, no AAD) and installs every key pre-active — or, if anything is wrong, none.
pub(super) fn otar<K: KeyManagement + ?Sized>(
    keys: &mut K,
    mkid: KeyId,
    iv: &[u8; OTAR_IV_LEN],
    encrypted: &[u8],
    mac: &[u8; EP_MAC_LEN],
) -> Result<(), EpError> {
    if !is_master_key_id(mkid) {
        return Err(EpError::NotAMasterKey(mkid));
    }
    let master = keys.master_key(mkid).ok_or(EpError::NotAMasterKey(mkid))?;
    check_key_len(master.as_bytes(), &[OTAR_KEY_LEN])?;
    let mut blocks = Zeroizing::new(encrypted.to_vec());
    if !crypto::gcm_open(master.as_bytes(), iv, &[], blocks.as_mut_slice(), mac)? {
        return Err(EpError::OtarAuthentication(mkid));
    }
    // `Command::parse` admitted whole blocks only.
    let uploads = || blocks.chunks_exact(OTAR_BLOCK_LEN);
    for (i, block) in uploads().enumerate() {
        let id = block_id(block);
        if is_master_key_id(id) {
            return Err(EpError::MasterKeyId(id));
        }
        if uploads().take(i).any(|earlier| block_id(earlier) == id) {
            return Err(EpError::DuplicateKeyId(id));
        }
        if !keys.is_free(id) {
            return Err(EpError::KeyExists(id));
        }
    }
    for block in uploads() {
        keys.install(block_id(block), block.get(KEY_ID_LEN..).unwrap_or_default())?;
    }
    Ok(())
}

/// Refuses a key whose length is not one of `lens` ([`Error::KeyLength`]).
fn check_key_len(key: &[u8], lens: &[usize]) -> Result<(), EpError> {
    if lens.contains(&key.len()) {
        Ok(())
    } else {
        Err(Error::KeyLength { len: key.len() }.into())
    }
}

/// Key Activation, Deactivation, Destruction (355.1-B-1): every id must be a session key id,
/// known, in a state that allows the move, and listed once; then all move.
pub(super) fn change_states<K: KeyManagement + ?Sized>(
    keys: &mut K,
    ids: KeyIds<'_>,
    to: KeyState,
) -> Result<(), EpError> {
    for (i, id) in ids.iter().enumerate() {
        if is_master_key_id(id) {
            return Err(EpError::MasterKeyId(id));
        }
        let found = keys.state(id).ok_or(EpError::UnknownKey(id))?;
        if !found.allows(to) {
            return Err(EpError::KeyState {
                key: id,
                expected: KeyState::before(to),
                found,
            });
        }
        if ids.iter().take(i).any(|earlier| earlier == id) {
            return Err(EpError::DuplicateKeyId(id));
        }
    }
    ids.iter().try_for_each(|id| keys.transition(id, to))
}

/// Key Verification (355.1-B-1, key verification): per (KeyID, challenge) block of `value`,
/// the reply block KeyID ‖ IV ‖ GCM(challenge) ‖ MAC under the active key, the IV counting
/// on from `*last_iv`. Writes the reply PDU into `reply`; `*last_iv` moves only on success.
pub(super) fn verify<K: KeyManagement + ?Sized>(
    keys: &K,
    value: &[u8],
    last_iv: &mut u128,
    tag: PduTag,
    reply: &mut [u8],
) -> Result<usize, EpError> {
    let mut blocks = 0usize;
    for (id, _) in verification_challenges(value) {
        // AES-128 or AES-256 (an HMAC key cannot answer a challenge with AES-GCM).
        check_key_len(active_session_key(keys, id)?.as_bytes(), &[16, 32])?;
        blocks += 1;
    }
    let n = u128::try_from(blocks).unwrap_or(u128::MAX);
    let end = last_iv
        .checked_add(n)
        .filter(|v| *v <= counter_max(OTAR_IV_LEN))
        .ok_or(EpError::VerificationIvExhausted)?;
    let (total, out) = emit_header(tag, blocks * VERIFICATION_REPLY_BLOCK_LEN, reply)?;
    let mut iv = *last_iv;
    for ((id, challenge), block) in
        verification_challenges(value).zip(out.chunks_exact_mut(VERIFICATION_REPLY_BLOCK_LEN))
    {
        iv += 1;
        let key = active_session_key(keys, id)?;
        let (kid, rest) = block.split_at_mut(KEY_ID_LEN);
        kid.copy_from_slice(&id.0.to_be_bytes());
        let (nonce, rest) = rest.split_at_mut(OTAR_IV_LEN);
        write_counter(iv, nonce);
        let (data, mac) = rest.split_at_mut(CHALLENGE_LEN);
        data.copy_from_slice(challenge);
        let mut n = [0u8; OTAR_IV_LEN];
        n.copy_from_slice(nonce);
        mac.copy_from_slice(&crypto::gcm_seal(key.as_bytes(), &n, &[], data)?);
    }
    *last_iv = end;
    Ok(total)
}

/// Octets of one Key Inventory reply entry: KeyID ‖ state.
const INVENTORY_ENTRY_LEN: usize = KEY_ID_LEN + 1;

/// Key Inventory (355.1-B-1): count (2 octets), then KeyID ‖ state per session key in
/// `first..=last`. A range with `first > last` is refused.
pub(super) fn inventory<K: KeyManagement + ?Sized>(
    keys: &K,
    first: KeyId,
    last: KeyId,
    tag: PduTag,
    reply: &mut [u8],
) -> Result<usize, EpError> {
    if first > last {
        let at = PDU_HEADER_LEN + KEY_ID_LEN;
        return Err(WireError::invalid(at, "last_key_id", u64::from(last.0)).into());
    }
    let mut count = 0usize;
    keys.inventory(first, last, &mut |_, _| count += 1);
    let (total, out) = emit_header(tag, 2 + count * INVENTORY_ENTRY_LEN, reply)?;
    // The value fits in 8191 octets, so the count fits its 16 bits.
    let count_field = u16::try_from(count).unwrap_or(u16::MAX).to_be_bytes();
    let (head, mut entries) = out.split_at_mut(2);
    head.copy_from_slice(&count_field);
    keys.inventory(first, last, &mut |id, state| {
        if let Some((entry, rest)) =
            core::mem::take(&mut entries).split_first_chunk_mut::<INVENTORY_ENTRY_LEN>()
        {
            let [a, b] = id.0.to_be_bytes();
            *entry = [a, b, state.code()];
            entries = rest;
        }
    });
    Ok(total)
}

/// The ground side of OTAR (355.1-B-1, OTAR): writes the OTAR command PDU that uploads `keys`
/// (id, 256-bit key) under master key `mkid` (AES-256-GCM with `iv`, no AAD) into `buf`;
/// returns its length. `iv` must never repeat under the master key. Refuses what the executor
/// would refuse on the wire: no keys, a master key that is not 32 octets, too many keys for
/// one PDU.
pub fn seal_otar(
    mkid: KeyId,
    master_key: &[u8],
    iv: &[u8; OTAR_IV_LEN],
    keys: &[(KeyId, &[u8; OTAR_KEY_LEN])],
    buf: &mut [u8],
) -> Result<usize, EpError> {
    check_key_len(master_key, &[OTAR_KEY_LEN])?;
    if keys.is_empty() {
        let needed = PDU_HEADER_LEN + KEY_ID_LEN + OTAR_IV_LEN + OTAR_BLOCK_LEN + EP_MAC_LEN;
        return Err(WireError::length_mismatch(1, "pdu_length", needed, 0).into());
    }
    let blocks_len = keys.len() * OTAR_BLOCK_LEN;
    let tag = Command::Otar {
        mkid,
        iv,
        encrypted_keys: &[],
        mac: &[0; EP_MAC_LEN],
    }
    .tag();
    let value_len = KEY_ID_LEN + OTAR_IV_LEN + blocks_len + EP_MAC_LEN;
    let (total, out) = emit_header(tag, value_len, buf)?;
    let (head, rest) = out.split_at_mut(KEY_ID_LEN);
    head.copy_from_slice(&mkid.0.to_be_bytes());
    let (nonce, rest) = rest.split_at_mut(OTAR_IV_LEN);
    nonce.copy_from_slice(iv);
    let (blocks, mac) = rest.split_at_mut(blocks_len);
    for ((id, key), block) in keys.iter().zip(blocks.chunks_exact_mut(OTAR_BLOCK_LEN)) {
        let (kid, k) = block.split_at_mut(KEY_ID_LEN);
        kid.copy_from_slice(&id.0.to_be_bytes());
        k.copy_from_slice(&key[..]);
    }
    mac.copy_from_slice(&crypto::gcm_seal(master_key, iv, &[], blocks)?);
    Ok(total)
}
