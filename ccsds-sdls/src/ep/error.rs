//! Why the executor refused a command: one variant per rule, so that an operator (and a test)
//! can tell exactly which precondition failed. A refused command changed nothing.

use ccsds_core::WireError;

use super::KeyState;
use crate::{Error, KeyId};

/// A refused SDLS-EP command (see [`super::Executor::execute`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum EpError {
    /// A malformed PDU (truncated, length not in whole octets, trailing octets, a value of the
    /// wrong length for its procedure), a procedure not executed here (`InvalidValue` at
    /// `procedure_id` / `pdu_type`), a reply that does not fit the caller's buffer
    /// (`BufferTooSmall`) or a PDU (`InvalidValue` at `pdu_length`). Offsets count from the
    /// start of the command PDU.
    #[error(transparent)]
    Wire(#[from] WireError),
    /// The SA table refused: unknown SPI ([`Error::UnknownSpi`]), a transition the SA state
    /// machine forbids ([`Error::InvalidTransition`]), a value out of range
    /// ([`Error::InvalidConfig`]), a key of the wrong length for the suite or for AES-GCM
    /// ([`Error::KeyLength`]).
    #[error(transparent)]
    Sdls(Error),
    /// No session key with this id (355.1-B-1, key management).
    #[error("unknown key {0}")]
    UnknownKey(KeyId),
    /// The key exists but its state does not allow the procedure (355.1-B-1 key states; only
    /// active keys are used).
    #[error("key {key} is {found:?}, expected {expected:?}")]
    KeyState {
        /// The key.
        key: KeyId,
        /// The state the procedure needs.
        expected: KeyState,
        /// The state the key is in.
        found: KeyState,
    },
    /// A master-key id (below [`super::MASTER_KEY_ID_LIMIT`]) where a session key is meant:
    /// master keys are never uploaded by OTAR, never key an SA, and their state is not
    /// changed over the link.
    #[error("key id {0} is a master key id: not uploaded, used or changed over SDLS-EP")]
    MasterKeyId(KeyId),
    /// The OTAR MKID does not name an active master key (an id ≥ 128, or none the store holds
    /// active as a master key).
    #[error("key {0} is not an active master key")]
    NotAMasterKey(KeyId),
    /// The OTAR MAC does not verify under the master key: nothing was installed.
    #[error("OTAR under master key {0}: MAC verification failed")]
    OtarAuthentication(KeyId),
    /// An uploaded key id is in use, or was used by a key since destroyed (ids are never
    /// reused, so that nothing naming the id silently picks up new key material).
    #[error("key id {0} is already in use or was destroyed")]
    KeyExists(KeyId),
    /// One key id appears twice in a command that changes keys.
    #[error("key id {0} appears twice in the command")]
    DuplicateKeyId(KeyId),
    /// The Key Verification IV counter would pass 2^96 − 1: no IV left that was never used.
    #[error("key verification IV counter exhausted")]
    VerificationIvExhausted,
    /// The key store refused a change the executor had validated (its state disagrees with
    /// what it reported).
    #[error("key store refused to change key {0}")]
    KeyStore(KeyId),
}

impl From<Error> for EpError {
    /// Wire errors stay wire errors; everything else is an SA-table refusal.
    fn from(e: Error) -> Self {
        match e {
            Error::Wire(w) => Self::Wire(w),
            other => Self::Sdls(other),
        }
    }
}
