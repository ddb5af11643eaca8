//! The SA management procedures (355.1-B-1, SA management) applied to an [`SaProvider`]: Start,
//! Stop, Rekey, Expire, Set ARSN, Set ARSN Window, and the two that answer, Read ARSN and SA
//! Status. Transitions are the [`SecurityAssociation`] state machine's; this module adds the
//! value layouts and the key checks (only active session keys key an SA).

use ccsds_core::WireError;

use super::key_management::active_session_key;
use super::pdu::{PDU_HEADER_LEN, PduTag, emit_pdu};
use super::{EpError, KeyManagement};
use crate::replay::{ReplayWindow, read_counter, write_counter};
use crate::sa::{MAX_COUNTER_LEN, SaState};
use crate::{Error, KeyId, SaProvider, SecurityAssociation, Spi};

/// Octets of a GVCID in Start SA (CryptoLib: TFVN, SCID, VCID, MAP ID in 4 octets).
const GVCID_LEN: usize = 4;
/// Octets of the SPI at the start of every SA management value.
const SPI_LEN: usize = 2;
/// Offset of what follows the SPI, from the start of the PDU.
const AFTER_SPI: usize = PDU_HEADER_LEN + SPI_LEN;
/// Longest ARSN window value (it is held as a `u64`).
const MAX_WINDOW_LEN: usize = 8;

/// The SA state code of the SA Status reply (CryptoLib's `SA_UNKEYED` 1, `SA_KEYED` 2,
/// `SA_OPERATIONAL` 3; 0, "none", is an SA not in the table).
pub const fn sa_state_code(state: SaState) -> u8 {
    match state {
        SaState::Unkeyed => 1,
        SaState::Keyed => 2,
        SaState::Operational => 3,
    }
}

fn sa<S: SaProvider + ?Sized>(sas: &mut S, spi: Spi) -> Result<&mut SecurityAssociation, EpError> {
    sas.sa_mut(spi).ok_or(EpError::Sdls(Error::UnknownSpi(spi)))
}

/// A value after the SPI that must be exactly `expected` octets long.
fn exact_len(field: &'static str, expected: usize, found: &[u8]) -> Result<(), EpError> {
    if found.len() == expected {
        Ok(())
    } else {
        Err(WireError::length_mismatch(AFTER_SPI, field, expected, found.len()).into())
    }
}

/// Start SA (355.1-B-1): keyed → operational, once the SA's key is checked still active (a key
/// deactivated since Rekey would make the SA refuse every frame).
pub(super) fn start<S, K>(sas: &mut S, keys: &K, spi: Spi, gvcids: &[u8]) -> Result<(), EpError>
where
    S: SaProvider + ?Sized,
    K: KeyManagement + ?Sized,
{
    let sa = sa(sas, spi)?;
    if !gvcids.len().is_multiple_of(GVCID_LEN) {
        let whole = gvcids.len().next_multiple_of(GVCID_LEN);
        return Err(WireError::length_mismatch(AFTER_SPI, "gvcid", whole, gvcids.len()).into());
    }
    if sa.state() == SaState::Keyed
        && let Some(id) = sa.key_id()
    {
        active_session_key(keys, id)?;
    }
    Ok(sa.start()?)
}

/// Stop SA (355.1-B-1): operational → keyed.
pub(super) fn stop<S: SaProvider + ?Sized>(sas: &mut S, spi: Spi) -> Result<(), EpError> {
    Ok(sa(sas, spi)?.stop()?)
}

/// Expire SA (355.1-B-1): keyed → unkeyed.
pub(super) fn expire<S: SaProvider + ?Sized>(sas: &mut S, spi: Spi) -> Result<(), EpError> {
    Ok(sa(sas, spi)?.expire()?)
}

/// Rekey SA (355.1-B-1): `KeyID 2 | IV (the SA's IV length)` binds an active session key of a
/// length the suite takes, and the IV, to an unkeyed SA.
pub(super) fn rekey<S, K>(
    sas: &mut S,
    keys: &K,
    spi: Spi,
    key: KeyId,
    iv: &[u8],
) -> Result<(), EpError>
where
    S: SaProvider + ?Sized,
    K: KeyManagement + ?Sized,
{
    let sa = sa(sas, spi)?;
    if sa.state() != SaState::Unkeyed {
        return Err(Error::InvalidTransition {
            state: sa.state(),
            procedure: "rekey",
        }
        .into());
    }
    let cfg = sa.config();
    if iv.len() != usize::from(cfg.iv_len) {
        let at = AFTER_SPI + 2;
        return Err(WireError::length_mismatch(at, "iv", cfg.iv_len.into(), iv.len()).into());
    }
    let suite = cfg.suite;
    let (ekid, akid) = match suite {
        crate::Suite::Clear => (None, None),
        _ if suite.uses_gcm() => (Some(key), None),
        _ => (None, Some(key)),
    };
    if suite != crate::Suite::Clear {
        suite.check_key(active_session_key(keys, key)?.as_bytes())?;
    }
    Ok(sa.rekey(ekid, akid, read_counter(iv))?)
}

/// Set ARSN (355.1-B-1): the new ARSN, the SA's ARSN length, big-endian; not while operational.
pub(super) fn set_arsn<S: SaProvider + ?Sized>(
    sas: &mut S,
    spi: Spi,
    arsn: &[u8],
) -> Result<(), EpError> {
    let sa = sa(sas, spi)?;
    exact_len("arsn", sa.config().arsn_len.into(), arsn)?;
    Ok(sa.set_arsn(read_counter(arsn))?)
}

/// Set ARSN Window (355.1-B-1): the window, 1 to 8 octets big-endian (CryptoLib sends 1); not
/// while operational.
pub(super) fn set_window<S: SaProvider + ?Sized>(
    sas: &mut S,
    spi: Spi,
    window: &[u8],
) -> Result<(), EpError> {
    let sa = sa(sas, spi)?;
    if window.is_empty() || window.len() > MAX_WINDOW_LEN {
        let expected = window.len().clamp(1, MAX_WINDOW_LEN);
        return Err(WireError::length_mismatch(AFTER_SPI, "arsnw", expected, window.len()).into());
    }
    let w = u64::try_from(read_counter(window)).unwrap_or(u64::MAX);
    Ok(sa.set_window(ReplayWindow::Window(w))?)
}

/// Read ARSN (355.1-B-1): replies SPI ‖ ARSN (the SA's ARSN length).
pub(super) fn read_arsn<S: SaProvider + ?Sized>(
    sas: &mut S,
    spi: Spi,
    tag: PduTag,
    reply: &mut [u8],
) -> Result<usize, EpError> {
    let sa = sa(sas, spi)?;
    let mut arsn = [0u8; MAX_COUNTER_LEN as usize];
    let len = usize::from(sa.config().arsn_len);
    let arsn = arsn.get_mut(..len).unwrap_or_default();
    write_counter(sa.arsn(), arsn);
    Ok(emit_pdu(tag, reply, &[&spi.0.to_be_bytes(), arsn])?)
}

/// SA Status (355.1-B-1): replies SPI ‖ state ([`sa_state_code`]).
pub(super) fn status<S: SaProvider + ?Sized>(
    sas: &mut S,
    spi: Spi,
    tag: PduTag,
    reply: &mut [u8],
) -> Result<usize, EpError> {
    let state = sa(sas, spi)?.state();
    let value = [&spi.0.to_be_bytes()[..], &[sa_state_code(state)]];
    Ok(emit_pdu(tag, reply, &value)?)
}
