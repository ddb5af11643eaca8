//! The Security Trailer (355.0-B-2 §3.3): the Message Authentication Code, as long as the
//! security association says (§3.3; 0 when the SA does not authenticate). It follows the
//! protected data field and precedes the frame's OCF and FECF.

use ccsds_core::WireError;

use crate::Error;

const MAC: &str = "message_authentication_code";

/// Longest MAC this crate handles (an untruncated HMAC-SHA-512).
pub const MAX_MAC_LEN: usize = 64;

/// The MAC field at the end of `field` (header ‖ data ‖ MAC), `mac_len` octets long. A field
/// too short to hold it — an SA whose trailer is larger than the frame, the shape of one of
/// CryptoLib's parser CVEs — is a [`crate::ErrorKind`]`::Truncated` error, never a wrap-around.
pub fn split_mac(field: &[u8], mac_len: usize) -> Result<(&[u8], &[u8]), Error> {
    let available = field.len();
    let at = available
        .checked_sub(mac_len)
        .ok_or(WireError::truncated(0, MAC, mac_len, available))?;
    field
        .split_at_checked(at)
        .ok_or(WireError::truncated(0, MAC, mac_len, available).into())
}

/// Mutable form of [`split_mac`].
pub fn split_mac_mut(field: &mut [u8], mac_len: usize) -> Result<(&mut [u8], &mut [u8]), Error> {
    let available = field.len();
    let at = available
        .checked_sub(mac_len)
        .ok_or(WireError::truncated(0, MAC, mac_len, available))?;
    field
        .split_at_mut_checked(at)
        .ok_or(WireError::truncated(0, MAC, mac_len, available).into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn oversized_trailer_is_an_error() {
        assert!(split_mac(&[0u8; 10], 16).is_err());
        let (body, mac) = split_mac(&[1, 2, 3], 2).unwrap();
        assert_eq!((body, mac), (&[1u8][..], &[2u8, 3][..]));
    }
}
