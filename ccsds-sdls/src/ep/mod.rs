//! SDLS Extended Procedures (355.1-B-1): the PDUs that manage keys and security associations
//! over the link, and a sans-IO [`Executor`] that applies one received command PDU to an SA
//! table ([`crate::SaProvider`]) and a key store ([`KeyManagement`]) and writes the reply PDU,
//! if the procedure has one, into a caller buffer.
//!
//! A refused command changes nothing — no SA, no key, no counter — and says why with a typed
//! [`EpError`]: every precondition is checked before the first change (e.g. a Key Activation
//! list with one bad id activates none).
//!
//! # Procedures
//!
//! Service group / procedure identification as CryptoLib numbers them (`crypto_config.h`);
//! "reply" is the value of the reply PDU (tag with the Type bit set).
//!
//! | 355.1-B-1 procedure | group / PID | executed | reply value |
//! | --- | --- | --- | --- |
//! | OTAR | key mgmt 0 / 1 | yes: keys installed pre-active | — |
//! | Key Activation | 0 / 2 | yes: pre-active → active | — |
//! | Key Deactivation | 0 / 3 | yes: active → deactivated | — |
//! | Key Verification | 0 / 4 | yes (active keys) | N × (KeyID 2, IV 12, encrypted challenge 16, MAC 16) |
//! | Key Destruction | 0 / 6 | yes: pre-active or deactivated → destroyed (zeroized) | — |
//! | Key Inventory | 0 / 7 | yes | count 2, then N × (KeyID 2, state 1) |
//! | Read ARSN | SA mgmt 1 / 0 | yes | SPI 2, ARSN (the SA's ARSN length) |
//! | Create SA | 1 / 1 | no (SAs are configured by the mission) | |
//! | Delete SA | 1 / 4 | no | |
//! | Set ARSN Window | 1 / 5 | yes (not operational) | — |
//! | Rekey SA | 1 / 6 | yes: unkeyed → keyed | — |
//! | Expire SA | 1 / 9 | yes: keyed → unkeyed | — |
//! | Set ARSN | 1 / 10 | yes (not operational) | — |
//! | Start SA | 1 / 11 | yes: keyed → operational | — |
//! | Stop SA | 1 / 14 | yes: operational → keyed | — |
//! | SA Status | 1 / 15 | yes | SPI 2, state 1 ([`sa_state_code`]) |
//! | Security monitoring & control (ping, log, self-test, alarm reset) | 3 / * | no | |
//!
//! A procedure not executed, a reply PDU or a user-defined procedure is refused as an
//! `InvalidValue` wire error at the `procedure_id` (or `pdu_type`) field.
//!
//! # Rules (355.1-B-1, key management and SA management)
//!
//! - **Key states** (355.1-B-1, key management): OTAR → pre-active → (Key Activation) → active →
//!   (Key Deactivation) → deactivated → (Key Destruction) → destroyed. A destroyed id stays
//!   destroyed and is never reused. Only **active** keys are used: by an SA (Rekey SA and
//!   Start SA check it), as an OTAR master key, and for Key Verification.
//! - **Master keys** (key-encryption keys) are pre-installed, never uploaded, and only protect
//!   OTAR. We follow CryptoLib's convention that ids below [`MASTER_KEY_ID_LIMIT`] (128) are
//!   master keys: an OTAR MKID must be one, an uploaded key, a rekeyed SA key, a verified key and
//!   a key whose state a command changes must not. The range makes the rule checkable on the
//!   wire (a ground system built on CryptoLib uses the same split) and keeps a master key out of
//!   reach of every command but OTAR; the key store additionally says which keys are master
//!   keys ([`KeyManagement::master_key`]; `otar`: purpose `KeyEncryption`).
//! - **OTAR** (355.1-B-1, OTAR): `MKID 2 | IV 12 | E(N × (KeyID 2 | Key 32)) | MAC 16`,
//!   AES-256-GCM under the active master key, no AAD. A MAC that does not verify installs
//!   nothing; so does an upload naming a master key id, an id in use or once destroyed, or one
//!   id twice.
//! - **Key Verification** (355.1-B-1, key verification): each block is the challenge
//!   AES-GCM-encrypted (no AAD) under the key, with a 12-octet IV taken from one counter that
//!   the [`Executor`] holds ([`Executor::last_verification_iv`]): it only moves forward, so no
//!   (key, IV) pair ever repeats. **Persist it** — after each reply, or ahead of use — and give
//!   the saved value back to [`Executor::new`] after a restart: a counter that restarts would
//!   reuse an IV under the same key, which breaks GCM.
//! - **SA management** follows the SA state machine of [`crate::sa`]; anything else is
//!   [`crate::Error::InvalidTransition`] (wrapped in [`EpError::Sdls`]).
//!
//! # Value layouts this crate fixes
//!
//! - Rekey SA: `SPI 2 | KeyID 2 | IV (the SA's full IV length)`; the key becomes the SA's
//!   encryption key for the GCM suites and its authentication key for CMAC/HMAC (every suite
//!   uses one key); a clear-mode SA binds none and ignores the field.
//! - Start SA: `SPI 2 | GVCID 4 × N`; the GVCIDs are handed back in [`Executed::command`] for the
//!   caller to bind channels (the SA itself is selected by SPI).
//! - Set ARSN: `SPI 2 | ARSN (the SA's ARSN length)`; Set ARSN Window: `SPI 2 | window 1..=8`.
//!
//! # Where CryptoLib differs
//!
//! Checked against NASA CryptoLib (`crypto_key_mgmt.c`, `sa_interface_inmemory.template.c`):
//!
//! - PDU length: 355.1-B-1 and most CryptoLib code count **bits**; CryptoLib's Key Activation and
//!   Deactivation test frames carry octets, and its OTAR and Key Verification frames declare 4
//!   octets more than the PDU holds (it finds the OTAR MAC from that length). We count bits and
//!   refuse any mismatch.
//! - Key Verification: CryptoLib verifies keys in any state (its vector verifies pre-active key
//!   132 and deactivated key 134); we verify active keys only (the `otar` store lets only active
//!   keys out). Its IV is the block's index + 1 in every reply, so IVs repeat under a key from one
//!   command to the next; ours is the persistent counter, which gives the same IVs (1, 2) for a
//!   first command, hence its reply byte for byte.
//! - Key Destruction: CryptoLib destroys deactivated keys only; we also destroy a pre-active
//!   key (a staged upload that failed verification), as the `otar` store does (NIST SP 800-57
//!   Part 1 §7.1).
//! - OTAR: CryptoLib overwrites whatever key slot the id names; we refuse an id in use or once
//!   destroyed. Both refuse MKID ≥ 128 and uploaded ids < 128.
//! - Key Inventory: CryptoLib lists every id of the range (count = range, failing past its key
//!   ring); we list the session keys the store knows in the range, destroyed ones included.
//! - SA Status: CryptoLib replies SPI and the last procedure's tag; we reply SPI and the state.
//! - Read ARSN: CryptoLib appends IV octets past its declared length for some SAs; we reply
//!   exactly SPI and ARSN.
//! - Rekey SA: CryptoLib reads the transmitted IV length, binds the key id as EKID whatever the
//!   suite and checks no key state; refused SA procedures often return success there.
//! - CryptoLib refuses to manage the SA the command arrived on; this executor does not know
//!   which SA that was (the caller may check [`Executed::command`] before applying — or
//!   better, route EP packets only from a dedicated SA).

mod error;
mod executor;
mod key_management;
mod key_store;
mod pdu;
mod sa_management;

pub use error::EpError;
pub use executor::{Executed, Executor};
pub use key_management::seal_otar;
pub use key_store::{KeyManagement, KeyRing, KeyState, MASTER_KEY_ID_LIMIT, is_master_key_id};
pub use pdu::{
    CHALLENGE_LEN, Command, EP_MAC_LEN, KEY_ID_LEN, KeyIds, OTAR_BLOCK_LEN, OTAR_IV_LEN,
    PDU_HEADER_LEN, Pdu, PduTag, VERIFICATION_REPLY_BLOCK_LEN, VerificationReplyBlock, field,
    group, verification_challenges, verification_reply,
};
pub use sa_management::sa_state_code;
