//! HKDF-SHA-256 (RFC 5869) with labelled info strings, for key hierarchies: a derived key is
//! bound to what it is for (the label) and to whom (the context), so one master never yields
//! the same octets for two purposes.
//!
//! `info = label ‖ 0x00 ‖ context` (the zero octet separates a label from a context that
//! could otherwise be shifted into it); no salt (RFC 5869 §3.1: optional when the input is
//! already a uniformly random key, as a provisioned master key is).

use hkdf::Hkdf;
use sha2::Sha256;
use zeroize::Zeroizing;

/// Label for the uplink (ground → payload) session key of a pair ([`session_keys`]).
pub const LABEL_UPLINK: &str = "borealis session uplink";
/// Label for the downlink (payload → ground) session key of a pair ([`session_keys`]).
pub const LABEL_DOWNLINK: &str = "borealis session downlink";

/// RFC 5869 HKDF-SHA-256: extract with `salt`, expand with the concatenation of `info`
/// into `N` octets. `N` above 255 × 32 (RFC 5869 §2.3) yields all zeros (the const sizes
/// used in this crate are all ≤ 64).
pub fn hkdf_sha256<const N: usize>(
    salt: Option<&[u8]>,
    ikm: &[u8],
    info: &[&[u8]],
) -> Zeroizing<[u8; N]> {
    let mut okm = Zeroizing::new([0u8; N]);
    if Hkdf::<Sha256>::new(salt, ikm)
        .expand_multi_info(info, okm.as_mut_slice())
        .is_err()
    {
        okm.fill(0);
    }
    okm
}

/// `N` octets derived from `master` for `label`, bound to `context`.
pub fn derive<const N: usize>(master: &[u8], label: &str, context: &[u8]) -> Zeroizing<[u8; N]> {
    hkdf_sha256(None, master, &[label.as_bytes(), &[0], context])
}

/// Per-direction session keys `(uplink, downlink)` for a ground–payload pair, from a shared
/// master: each direction gets its own key, so a nonce or counter reused across directions
/// never meets the same key. `context` names the pair (e.g. both node numbers).
pub fn session_keys(master: &[u8], context: &[u8]) -> (Zeroizing<[u8; 32]>, Zeroizing<[u8; 32]>) {
    (
        derive(master, LABEL_UPLINK, context),
        derive(master, LABEL_DOWNLINK, context),
    )
}
