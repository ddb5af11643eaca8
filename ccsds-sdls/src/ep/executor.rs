//! The sans-IO executor: one command PDU in, its effect on the SA table and the key store, and
//! the reply PDU (if any) out.

use ccsds_core::WireError;

use super::pdu::{Command, PDU_HEADER_LEN, Pdu, PduTag, field};
use super::{EpError, KeyManagement, KeyState, key_management as km, sa_management as sam};
use crate::SaProvider;

/// What an accepted command did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Executed<'p> {
    /// The command, decoded (borrowing the PDU): e.g. the GVCIDs of a Start SA, for the caller
    /// to bind channels, or for its log.
    pub command: Command<'p>,
    /// Length of the reply PDU written at the start of the reply buffer, for the procedures
    /// that answer (Key Verification, Key Inventory, Read ARSN, SA Status).
    pub reply_len: Option<usize>,
}

/// Executes SDLS-EP command PDUs (see the [module docs](super)). It holds the one piece of
/// state the procedures need besides the SAs and keys: the last Key Verification IV.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Executor {
    last_verification_iv: u128,
}

impl Executor {
    /// An executor whose Key Verification IVs continue after `last_verification_iv`: 0 on the
    /// mission's first start, afterwards the value last persisted
    /// ([`Executor::last_verification_iv`]). A value above 2^96 − 1 leaves no IV
    /// ([`EpError::VerificationIvExhausted`]).
    pub const fn new(last_verification_iv: u128) -> Self {
        Self {
            last_verification_iv,
        }
    }

    /// The last IV a Key Verification reply used. Persist it after every reply (or a value
    /// ahead of use) and hand it back to [`Executor::new`] after a restart: IVs must never
    /// repeat under a key (AES-GCM, SP 800-38D §8).
    pub const fn last_verification_iv(&self) -> u128 {
        self.last_verification_iv
    }

    /// Applies the command PDU `pdu` (exactly one PDU: tag, length, value) to `sas` and `keys`,
    /// and writes the reply PDU, if the procedure has one, at the start of `reply`.
    ///
    /// All or nothing: a refused command ([`EpError`]) leaves the SAs, the keys and this
    /// executor as they were (only `reply` may have been written to).
    pub fn execute<'p, S, K>(
        &mut self,
        pdu: &'p [u8],
        sas: &mut S,
        keys: &mut K,
        reply: &mut [u8],
    ) -> Result<Executed<'p>, EpError>
    where
        S: SaProvider + ?Sized,
        K: KeyManagement + ?Sized,
    {
        let (parsed, rest) = Pdu::parse(pdu)?;
        if !rest.is_empty() {
            let actual = pdu.len() - PDU_HEADER_LEN;
            let f = field::LENGTH.name;
            return Err(WireError::length_mismatch(1, f, parsed.value.len(), actual).into());
        }
        let command = Command::parse(&parsed)?;
        let answer = PduTag {
            reply: true,
            ..parsed.tag
        };
        let reply_len = match command {
            Command::Otar {
                mkid,
                iv,
                encrypted_keys,
                mac,
            } => km::otar(keys, mkid, iv, encrypted_keys, mac).map(|()| None),
            Command::KeyActivation(ids) => {
                km::change_states(keys, ids, KeyState::Active).map(|()| None)
            }
            Command::KeyDeactivation(ids) => {
                km::change_states(keys, ids, KeyState::Deactivated).map(|()| None)
            }
            Command::KeyDestruction(ids) => {
                km::change_states(keys, ids, KeyState::Destroyed).map(|()| None)
            }
            Command::KeyVerification(value) => {
                km::verify(keys, value, &mut self.last_verification_iv, answer, reply).map(Some)
            }
            Command::KeyInventory { first, last } => {
                km::inventory(keys, first, last, answer, reply).map(Some)
            }
            Command::StartSa { spi, gvcids } => sam::start(sas, keys, spi, gvcids).map(|()| None),
            Command::StopSa(spi) => sam::stop(sas, spi).map(|()| None),
            Command::RekeySa { spi, ekid, rest } => {
                sam::rekey(sas, keys, spi, ekid, rest).map(|()| None)
            }
            Command::ExpireSa(spi) => sam::expire(sas, spi).map(|()| None),
            Command::SetArsn { spi, arsn } => sam::set_arsn(sas, spi, arsn).map(|()| None),
            Command::SetArsnWindow { spi, window } => {
                sam::set_window(sas, spi, window).map(|()| None)
            }
            Command::ReadArsn(spi) => sam::read_arsn(sas, spi, answer, reply).map(Some),
            Command::SaStatus(spi) => sam::status(sas, spi, answer, reply).map(Some),
        }?;
        Ok(Executed { command, reply_len })
    }
}
