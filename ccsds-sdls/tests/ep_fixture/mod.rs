//! The world the SDLS-EP executor tests run in: an executor, a small SA table in every state
//! and a key ring with a master key and session keys in every state — and `World::refuses`,
//! which checks that a refused command changed none of it.
#![allow(
    dead_code,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use ccsds_sdls::ep::{Command, EpError, Executor, KeyIds, KeyManagement, KeyRing, KeyState};
use ccsds_sdls::replay::ReplayWindow;
use ccsds_sdls::{KeyId, SaConfig, SecurityAssociation, Spi, Suite};
use ccsds_tc::frame::FrameConfig;

use crate::common::{cryptolib, hexv, vector};

/// TC frames with a segment header and an FECF, as CryptoLib's.
pub const TC: FrameConfig = FrameConfig {
    segment_header: true,
    fecf: true,
};

/// Session keys of the fixture, by state.
pub const K_ACTIVE: u16 = 200;
pub const K_PRE: u16 = 201;
pub const K_DEACTIVATED: u16 = 202;
pub const K_DESTROYED: u16 = 203;
/// An active 64-octet key (HMAC-SHA-512).
pub const K_HMAC: u16 = 204;

/// SAs of the fixture: AES-GCM unkeyed, keyed (key 200), operational (key 200, 2-octet ARSN
/// 0x0102); HMAC-SHA-512 unkeyed; clear unkeyed.
pub const SPI_UNKEYED: Spi = Spi(1);
pub const SPI_KEYED: Spi = Spi(2);
pub const SPI_OPERATIONAL: Spi = Spi(3);
pub const SPI_HMAC: Spi = Spi(4);
pub const SPI_CLEAR: Spi = Spi(5);

/// CryptoLib's master key 0 (`keyring["0"]` of the vector file), the OTAR vector's MKID.
pub fn master_0() -> Vec<u8> {
    hexv(&cryptolib()["keyring"]["0"])
}

pub fn gcm_config(spi: Spi) -> SaConfig {
    SaConfig::aes_gcm(spi, ReplayWindow::Window(5))
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct World {
    pub exec: Executor,
    pub sas: Vec<SecurityAssociation>,
    pub keys: KeyRing,
}

impl World {
    pub fn new() -> Self {
        let mut keys = KeyRing::new();
        keys.provision_master(KeyId(0), &master_0()).unwrap();
        keys.provision(KeyId(K_ACTIVE), &[0x20; 32]).unwrap();
        keys.provision(KeyId(K_DEACTIVATED), &[0x22; 32]).unwrap();
        keys.provision(KeyId(K_DESTROYED), &[0x23; 32]).unwrap();
        keys.provision(KeyId(K_HMAC), &[0x24; 64]).unwrap();
        keys.install(KeyId(K_PRE), &[0x21; 32]).unwrap();
        for (id, to) in [
            (K_DEACTIVATED, KeyState::Deactivated),
            (K_DESTROYED, KeyState::Deactivated),
            (K_DESTROYED, KeyState::Destroyed),
        ] {
            keys.transition(KeyId(id), to).unwrap();
        }

        let unkeyed = SecurityAssociation::new(gcm_config(SPI_UNKEYED), 0).unwrap();
        let mut keyed = SecurityAssociation::new(gcm_config(SPI_KEYED), 0).unwrap();
        keyed.rekey(Some(KeyId(K_ACTIVE)), None, 7).unwrap();
        let mut c = gcm_config(SPI_OPERATIONAL);
        c.arsn_len = 2;
        c.arsn_transmitted_len = 2;
        let mut operational = SecurityAssociation::new(c, 0).unwrap();
        operational.rekey(Some(KeyId(K_ACTIVE)), None, 9).unwrap();
        operational.set_arsn(0x0102).unwrap();
        operational.start().unwrap();
        let mut c = SaConfig::new(SPI_HMAC, Suite::HmacSha512);
        c.mac_len = 16;
        let hmac = SecurityAssociation::new(c, 0).unwrap();
        let clear = SecurityAssociation::new(SaConfig::new(SPI_CLEAR, Suite::Clear), 0).unwrap();
        Self {
            exec: Executor::new(0),
            sas: vec![unkeyed, keyed, operational, hmac, clear],
            keys,
        }
    }

    /// Executes `pdu`; the reply length, if any.
    pub fn execute(&mut self, pdu: &[u8], reply: &mut [u8]) -> Result<Option<usize>, EpError> {
        self.exec
            .execute(pdu, self.sas.as_mut_slice(), &mut self.keys, reply)
            .map(|done| done.reply_len)
    }

    /// Executes `pdu`, which must be refused without changing anything; the error.
    pub fn refuses(&mut self, pdu: &[u8]) -> EpError {
        self.refuses_with_reply(pdu, &mut [0u8; 1024])
    }

    /// [`World::refuses`] with the reply buffer `reply`.
    pub fn refuses_with_reply(&mut self, pdu: &[u8], reply: &mut [u8]) -> EpError {
        let before = self.clone();
        let err = self.execute(pdu, reply).unwrap_err();
        assert_eq!(*self, before, "refused with {err:?} but changed the state");
        err
    }

    pub fn sa(&self, spi: Spi) -> &SecurityAssociation {
        self.sas.iter().find(|sa| sa.spi() == spi).unwrap()
    }
}

/// The encoded command.
pub fn pdu(cmd: Command<'_>) -> Vec<u8> {
    let mut buf = vec![0u8; 8200];
    let n = cmd.emit(&mut buf).unwrap();
    buf.truncate(n);
    buf
}

/// Key ids, 2 octets each.
pub fn id_list(ids: &[u16]) -> Vec<u8> {
    ids.iter().flat_map(|id| id.to_be_bytes()).collect()
}

pub fn activate(ids: &[u16]) -> Vec<u8> {
    pdu(Command::KeyActivation(KeyIds::new(&id_list(ids)).unwrap()))
}

pub fn deactivate(ids: &[u16]) -> Vec<u8> {
    pdu(Command::KeyDeactivation(
        KeyIds::new(&id_list(ids)).unwrap(),
    ))
}

pub fn destroy(ids: &[u16]) -> Vec<u8> {
    pdu(Command::KeyDestruction(KeyIds::new(&id_list(ids)).unwrap()))
}

/// Key Verification of `ids`, challenge `[i; 16]` for the i-th.
pub fn verify(ids: &[u16]) -> Vec<u8> {
    let value: Vec<u8> = ids
        .iter()
        .enumerate()
        .flat_map(|(i, id)| {
            let mut b = id.to_be_bytes().to_vec();
            b.extend_from_slice(&[i as u8; 16]);
            b
        })
        .collect();
    pdu(Command::KeyVerification(&value))
}

/// Rekey SA: `key`, then `iv`.
pub fn rekey(spi: Spi, key: u16, iv: &[u8]) -> Vec<u8> {
    pdu(Command::RekeySa {
        spi,
        ekid: KeyId(key),
        rest: iv,
    })
}

/// An OTAR PDU uploading `keys` under master `mkid` (octets `master`), IV `[7; 12]`.
pub fn otar(mkid: u16, master: &[u8], keys: &[(u16, [u8; 32])]) -> Vec<u8> {
    let list: Vec<_> = keys.iter().map(|(id, k)| (KeyId(*id), k)).collect();
    let mut buf = vec![0u8; 8200];
    let n = ccsds_sdls::ep::seal_otar(KeyId(mkid), master, &[7; 12], &list, &mut buf).unwrap();
    buf.truncate(n);
    buf
}

/// CryptoLib's OTAR command (`ut_ep_key_mgmt.EP_KEY_MGMT.OTAR_0_140_142`) and the keys it
/// uploads. Its PDU declares 136 value octets but holds 132 (CryptoLib finds the MAC from the
/// declared length; see `ep_vectors.rs`): the PDU is re-encoded with the length of what it
/// holds, every octet of the value as CryptoLib sent it.
pub fn otar_vector() -> (Vec<u8>, Vec<(u16, Vec<u8>)>) {
    let v = vector("ut_ep_key_mgmt.EP_KEY_MGMT.OTAR_0_140_142");
    let frame = hexv(&v["fields"]["frame"]);
    let value = &frame[23..23 + 132];
    let mut pdu = vec![0x01, 0x04, 0x20];
    pdu.extend_from_slice(value);
    let keys = v["fields"]["decrypted_keys"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| {
            let id = hexv(&k["key_id"]);
            (u16::from_be_bytes([id[0], id[1]]), hexv(&k["key"]))
        })
        .collect();
    (pdu, keys)
}
