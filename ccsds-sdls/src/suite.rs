//! Cipher suites: which algorithm protects an SA's frames, how long its keys are, and the
//! algorithm identifiers an SA is configured (or created over SDLS-EP) with.
//!
//! 355.0-B-2 §3.3 leaves the algorithms to the mission and points at CCSDS 352.0-B-2, whose
//! baseline is AES-GCM authenticated encryption with a 96-bit IV and a 128-bit tag. The
//! identifiers below are the Encryption/Authentication Cipher Suite codes (ECS/ACS) used by
//! NASA CryptoLib's SA tables and SA Create PDUs, since no SANA registry assigns them.

use crate::Error;

/// Encryption cipher suite codes (ECS), as CryptoLib numbers them.
pub mod ecs {
    /// No encryption.
    pub const NONE: u8 = 0x00;
    /// AES-GCM (CryptoLib: `CRYPTO_CIPHER_AES256_GCM`; 128-bit keys are accepted too).
    pub const AES_GCM: u8 = 0x01;
}

/// Authentication cipher suite codes (ACS), as CryptoLib numbers them.
pub mod acs {
    /// No separate MAC algorithm.
    pub const NONE: u8 = 0x00;
    /// AES-CMAC (NIST SP 800-38B).
    pub const AES_CMAC: u8 = 0x01;
    /// HMAC-SHA-256 (FIPS 198-1), truncated to the SA's MAC length.
    pub const HMAC_SHA256: u8 = 0x02;
    /// HMAC-SHA-512 (FIPS 198-1), truncated to the SA's MAC length.
    pub const HMAC_SHA512: u8 = 0x03;
}

/// The protection an SA applies: the service type (355.0-B-2 §2.3: clear, authentication,
/// encryption, authenticated encryption) together with its algorithm.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Suite {
    /// Clear mode: security header (and optional sequence number) only, no cryptography.
    Clear,
    /// AES-GCM authenticated encryption (SP 800-38D): the data field is encrypted, the tag
    /// covers the masked header span as AAD and the ciphertext.
    AesGcm,
    /// AES-GCM encryption only: the GCM ciphertext without a tag (no MAC field).
    AesGcmEncryptOnly,
    /// AES-GMAC authentication only: a GCM tag over masked header span ‖ data, no encryption.
    AesGmac,
    /// AES-CMAC authentication only.
    AesCmac,
    /// HMAC-SHA-256 authentication only.
    HmacSha256,
    /// HMAC-SHA-512 authentication only.
    HmacSha512,
}

impl Suite {
    /// The suite for an SA's Encryption Service Type / Authentication Service Type flags and
    /// ECS/ACS codes (the SA parameters of 355.0-B-2 managed parameters and the SA Create PDU of 355.1-B-1).
    pub fn from_ids(est: bool, ast: bool, ecs: u8, acs: u8) -> Result<Self, Error> {
        match (est, ast, ecs, acs) {
            (false, false, _, _) => Ok(Self::Clear),
            (true, true, ecs::AES_GCM, _) => Ok(Self::AesGcm),
            (true, false, ecs::AES_GCM, _) => Ok(Self::AesGcmEncryptOnly),
            (false, true, _, acs::AES_CMAC) => Ok(Self::AesCmac),
            (false, true, _, acs::HMAC_SHA256) => Ok(Self::HmacSha256),
            (false, true, _, acs::HMAC_SHA512) => Ok(Self::HmacSha512),
            (false, true, ecs::AES_GCM, acs::NONE) => Ok(Self::AesGmac),
            (true, _, _, _) => Err(Error::InvalidConfig("encryption cipher suite")),
            (false, true, _, _) => Err(Error::InvalidConfig("authentication cipher suite")),
        }
    }

    /// The (EST, AST, ECS, ACS) this suite is configured with: the inverse of
    /// [`Suite::from_ids`].
    pub const fn ids(self) -> (bool, bool, u8, u8) {
        match self {
            Self::Clear => (false, false, ecs::NONE, acs::NONE),
            Self::AesGcm => (true, true, ecs::AES_GCM, acs::NONE),
            Self::AesGcmEncryptOnly => (true, false, ecs::AES_GCM, acs::NONE),
            Self::AesGmac => (false, true, ecs::AES_GCM, acs::NONE),
            Self::AesCmac => (false, true, ecs::NONE, acs::AES_CMAC),
            Self::HmacSha256 => (false, true, ecs::NONE, acs::HMAC_SHA256),
            Self::HmacSha512 => (false, true, ecs::NONE, acs::HMAC_SHA512),
        }
    }

    /// The suite encrypts the data field.
    pub const fn encrypts(self) -> bool {
        matches!(self, Self::AesGcm | Self::AesGcmEncryptOnly)
    }

    /// The suite produces a MAC (a Security Trailer is present).
    pub const fn authenticates(self) -> bool {
        !matches!(self, Self::Clear | Self::AesGcmEncryptOnly)
    }

    /// The suite is GCM-based: it needs a 12-octet IV that must never repeat under one key,
    /// so the IV is also checked as an anti-replay counter.
    pub const fn uses_gcm(self) -> bool {
        matches!(self, Self::AesGcm | Self::AesGcmEncryptOnly | Self::AesGmac)
    }

    /// Whether a key of `len` octets fits: AES-128/256 for the AES suites; HMAC keys of the
    /// hash's output length, or 32 octets for HMAC-SHA-512 (CryptoLib's short-key vector).
    pub const fn key_len_ok(self, len: usize) -> bool {
        match self {
            Self::Clear => true,
            Self::AesGcm | Self::AesGcmEncryptOnly | Self::AesGmac | Self::AesCmac => {
                len == 16 || len == 32
            }
            Self::HmacSha256 => len == 32,
            Self::HmacSha512 => len == 32 || len == 64,
        }
    }

    /// Checks a key's length against the suite ([`Error::KeyLength`]).
    pub fn check_key(self, key: &[u8]) -> Result<(), Error> {
        if self.key_len_ok(key.len()) {
            Ok(())
        } else {
            Err(Error::KeyLength { len: key.len() })
        }
    }

    /// Largest MAC this suite can produce (its tag or hash output); the SA's MAC length may
    /// truncate an HMAC or a CMAC, never a GCM tag.
    pub const fn max_mac_len(self) -> usize {
        match self {
            Self::Clear | Self::AesGcmEncryptOnly => 0,
            Self::AesGcm | Self::AesGmac | Self::AesCmac => 16,
            Self::HmacSha256 => 32,
            Self::HmacSha512 => 64,
        }
    }

    /// Every suite, for tests and tools.
    pub const ALL: [Self; 7] = [
        Self::Clear,
        Self::AesGcm,
        Self::AesGcmEncryptOnly,
        Self::AesGmac,
        Self::AesCmac,
        Self::HmacSha256,
        Self::HmacSha512,
    ];
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_round_trip() {
        for s in Suite::ALL {
            let (est, ast, e, a) = s.ids();
            assert_eq!(Suite::from_ids(est, ast, e, a), Ok(s));
        }
    }

    #[test]
    fn unknown_ids_refused() {
        assert!(Suite::from_ids(true, true, 0x02, 0).is_err());
        assert!(Suite::from_ids(false, true, 0, 0x09).is_err());
    }

    #[test]
    fn key_lengths() {
        assert!(Suite::AesGcm.check_key(&[0; 32]).is_ok());
        assert_eq!(
            Suite::AesGcm.check_key(&[0; 24]),
            Err(Error::KeyLength { len: 24 })
        );
        assert!(Suite::HmacSha512.check_key(&[0; 64]).is_ok());
        assert!(Suite::HmacSha256.check_key(&[0; 64]).is_err());
    }
}
