//! Shared helpers: the CryptoLib vector file, an in-memory key resolver, SA set-up.
#![allow(
    dead_code,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::collections::BTreeMap;

use aes_gcm::Aes256Gcm;
use aes_gcm::aead::{AeadInOut, KeyInit};
use ccsds_sdls::replay::ReplayWindow;
use ccsds_sdls::sa::AbmCoverage;
use ccsds_sdls::{KeyId, KeyMaterial, SaConfig, SecurityAssociation, Spi, Suite};
use serde_json::Value;

pub const CRYPTOLIB: &str = include_str!("../vectors/nasa_cryptolib.json");

pub fn cryptolib() -> Value {
    serde_json::from_str(CRYPTOLIB).unwrap()
}

/// The CryptoLib vector named `name` (its `source` is inside).
pub fn vector(name: &str) -> Value {
    cryptolib()["vectors"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["name"] == name)
        .unwrap_or_else(|| panic!("no vector {name}"))
        .clone()
}

pub fn hexv(v: &Value) -> Vec<u8> {
    hex::decode(v.as_str().unwrap()).unwrap()
}

/// An in-memory key store: the test-side implementation of `KeyResolver`.
#[derive(Default)]
pub struct MemKeys(pub BTreeMap<u16, Vec<u8>>);

impl MemKeys {
    pub fn with(mut self, id: u16, key_hex: &str) -> Self {
        self.0.insert(id, hex::decode(key_hex).unwrap());
        self
    }
}

impl ccsds_sdls::KeyResolver for MemKeys {
    fn resolve(&self, id: KeyId) -> Option<KeyMaterial> {
        self.0.get(&id.0).map(|k| KeyMaterial::new(k).unwrap())
    }
}

/// Creates, keys (key id `key`) and starts an SA.
pub fn operational(config: SaConfig, iv: u128, arsn: u128, key: u16) -> SecurityAssociation {
    let gcm = config.suite != Suite::Clear
        && matches!(
            config.suite,
            Suite::AesGcm | Suite::AesGcmEncryptOnly | Suite::AesGmac
        );
    let mut sa = SecurityAssociation::new(config, 0).unwrap();
    let id = Some(KeyId(key));
    if gcm {
        sa.rekey(id, None, iv).unwrap();
    } else {
        sa.rekey(None, id, iv).unwrap();
    }
    sa.set_arsn(arsn).unwrap();
    sa.start().unwrap();
    sa
}

/// CryptoLib's usual TC GCM SA: 12-octet IV all transmitted, 16-octet MAC (0 if
/// encryption-only), all-zero ABM over the header, window 5.
pub fn cryptolib_gcm(spi: u16, suite: Suite, arsn_len: u8) -> SaConfig {
    let mut c = SaConfig::aes_gcm(Spi(spi), ReplayWindow::Window(5));
    c.suite = suite;
    c.mac_len = if suite == Suite::AesGcmEncryptOnly {
        0
    } else {
        16
    };
    c.arsn_len = arsn_len;
    c.arsn_transmitted_len = arsn_len;
    c.abm = vec![0; 64];
    c
}

/// CryptoLib's authentication-only TC SA: no IV, `arsn_len` octets of ARSN, 16-octet MAC, its
/// ABM either all-zero over header and data (its quirk) or all-ones.
pub fn cryptolib_auth(spi: u16, suite: Suite, arsn_len: u8, zero_abm: bool) -> SaConfig {
    let mut c = SaConfig::new(Spi(spi), suite);
    c.mac_len = 16;
    c.arsn_len = arsn_len;
    c.arsn_transmitted_len = arsn_len;
    c.window = ReplayWindow::Window(5);
    if zero_abm {
        c.abm = vec![0; 1024];
        c.abm_coverage = AbmCoverage::HeaderAndData;
    }
    c
}

/// AES-256-GCM decryption without AAD (the SDLS-EP OTAR and key-verification cryptography),
/// panicking on a bad tag.
pub fn gcm_open(key: &[u8], iv: &[u8], ct: &[u8], tag: &[u8]) -> Vec<u8> {
    let cipher = Aes256Gcm::new_from_slice(key).unwrap();
    let mut buf = ct.to_vec();
    let nonce = aes_gcm::aead::Nonce::<Aes256Gcm>::try_from(iv).unwrap();
    let tag = aes_gcm::aead::Tag::<Aes256Gcm>::try_from(tag).unwrap();
    cipher
        .decrypt_inout_detached(&nonce, &[], buf.as_mut_slice().into(), &tag)
        .unwrap();
    buf
}
