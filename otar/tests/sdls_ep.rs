//! SDLS-EP commands (ccsds-sdls `ep::Executor`) executed against the `otar` key store: the
//! CryptoLib OTAR upload lands pre-active as link keys, Key Activation, Rekey SA and Start SA
//! put an SA in service with one of them, and a TC frame protected under it is processed —
//! the same story as with ccsds-sdls's reference key ring. Then the refusals, each leaving the
//! store as it was.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use bpsec::KeyId;
use ccsds_sdls::ep::{Command, EpError, Executor, KeyIds, KeyManagement, KeyState, seal_otar};
use ccsds_sdls::replay::ReplayWindow;
use ccsds_sdls::{
    KeyMaterial, SaConfig, SaState, SecurityAssociation, Spi, apply_security, process_security,
};
use otar::store::{KeyStore, Purpose};

/// `nasa/CryptoLib:test/unit/ut_ep_key_mgmt.c@2a237a3fa46822c2c339a0ab0b152c8697aa5093`, UTEST
/// EP_KEY_MGMT.OTAR_0_140_142 (vector `ut_ep_key_mgmt.EP_KEY_MGMT.OTAR_0_140_142` of
/// `shared/vectors/ccsds/nasa_cryptolib.json`): the OTAR PDU value (MKID 0, IV, three
/// encrypted key blocks, MAC; CryptoLib's declared length counts 4 octets more), master key 0,
/// and the uploaded key 0x8D.
const OTAR_VALUE: &str = concat!(
    "0000344892bbc54f5395297d4c37172f2a3c46f6a81c1349e9e26ac80985d8bb",
    "d55a5814c662e49fba52f99ba09558cd21cf268b8e50b2184137e80f76122034",
    "c580464e2f06d2659a50508bdfe9e9a55990ba4148af896d8a6eebe8b5d22586",
    "85d4ce217a20174fdd4f0efac62758c51b04e55710a47209c923b641d19a3900",
    "1f9e9861",
);
const MASTER_0: &str = "000102030405060708090a0b0c0d0e0f000102030405060708090a0b0c0d0e0f";
const KEY_8D: &str = "2ceecd328ee02d4282ad808c50cdb9052d7cab3e0c47f4b915eb666fd1502335";

fn sid(id: u16) -> ccsds_sdls::KeyId {
    ccsds_sdls::KeyId(id)
}

fn otar_pdu() -> Vec<u8> {
    let mut p = vec![0x01, 0x04, 0x20];
    p.extend_from_slice(&hex::decode(OTAR_VALUE).unwrap());
    p
}

fn pdu(cmd: Command<'_>) -> Vec<u8> {
    let mut buf = vec![0u8; 512];
    let n = cmd.emit(&mut buf).unwrap();
    buf.truncate(n);
    buf
}

fn activate(ids: &[u16]) -> Vec<u8> {
    let list: Vec<u8> = ids.iter().flat_map(|id| id.to_be_bytes()).collect();
    pdu(Command::KeyActivation(KeyIds::new(&list).unwrap()))
}

fn gcm_sa() -> SecurityAssociation {
    SecurityAssociation::new(SaConfig::aes_gcm(Spi(1), ReplayWindow::Window(5)), 0).unwrap()
}

/// Master key 0 (key-encryption), a bundle key 150 and an active link key 151.
fn store() -> KeyStore {
    let mut s = KeyStore::new();
    let master = hex::decode(MASTER_0).unwrap();
    s.provision(KeyId(0), Purpose::KeyEncryption, &master)
        .unwrap();
    s.provision(KeyId(150), Purpose::BundleIntegrity, &[0x15; 32])
        .unwrap();
    s.provision(KeyId(151), Purpose::LinkSdls, &[0x16; 32])
        .unwrap();
    s
}

/// Runs `pdu`, which must be refused without touching the store; the error.
fn refused(
    exec: &mut Executor,
    sas: &mut [SecurityAssociation],
    s: &mut KeyStore,
    pdu: &[u8],
) -> EpError {
    let (before, sas_before, exec_before) = (format!("{s:?}"), sas.to_vec(), exec.clone());
    let err = exec.execute(pdu, sas, s, &mut [0u8; 256]).unwrap_err();
    assert_eq!(format!("{s:?}"), before, "{err:?} changed the store");
    assert_eq!((sas.to_vec(), exec.clone()), (sas_before, exec_before));
    err
}

#[test]
fn otar_activate_rekey_start_then_traffic() {
    let mut s = store();
    let mut sas = vec![gcm_sa()];
    let mut exec = Executor::new(0);
    let mut reply = [0u8; 64];
    let mut run = |s: &mut KeyStore, sas: &mut Vec<SecurityAssociation>, p: &[u8]| {
        exec.execute(p, sas.as_mut_slice(), s, &mut reply)
            .map(|d| d.reply_len)
    };

    assert_eq!(run(&mut s, &mut sas, &otar_pdu()), Ok(None));
    for id in [0x8C, 0x8D, 0x8E] {
        assert_eq!(s.state(KeyId(id)), Some(otar::KeyState::PreActive));
        assert_eq!(s.purpose(KeyId(id)), Some(Purpose::LinkSdls));
        assert_eq!(s.active_octets(KeyId(id)), None);
    }
    assert_eq!(
        run(&mut s, &mut sas, &activate(&[0x8C, 0x8D, 0x8E])),
        Ok(None)
    );
    assert_eq!(
        s.active_octets(KeyId(0x8D)),
        Some(&hex::decode(KEY_8D).unwrap()[..])
    );
    let iv = [0u8; 12];
    let rekey = pdu(Command::RekeySa {
        spi: Spi(1),
        ekid: sid(0x8D),
        rest: &iv,
    });
    assert_eq!(run(&mut s, &mut sas, &rekey), Ok(None));
    let start = pdu(Command::StartSa {
        spi: Spi(1),
        gvcids: &[0, 3, 0, 0],
    });
    assert_eq!(run(&mut s, &mut sas, &start), Ok(None));
    assert_eq!(sas[0].state(), SaState::Operational);

    // The ground protects a frame under the uploaded key; the store resolves it.
    let ground = |id: ccsds_sdls::KeyId| {
        (id == sid(0x8D)).then(|| KeyMaterial::new(&hex::decode(KEY_8D).unwrap()).unwrap())
    };
    let mut tx = gcm_sa();
    tx.rekey(Some(sid(0x8D)), None, 0).unwrap();
    tx.start().unwrap();
    let header = [0x20, 0x03, 0x00, 0x2a, 0x00];
    let data = b"SET HEATER 1";
    let hdr = tx.config().header_layout().len();
    let mut field = vec![0u8; hdr + data.len() + 16];
    field[hdr..hdr + data.len()].copy_from_slice(data);
    apply_security(&mut tx, &ground, &header, &mut field).unwrap();
    let done = process_security(sas.as_mut_slice(), &s, &header, &mut field).unwrap();
    assert_eq!(&field[done.data], data);

    // Key Inventory sees the link keys (not the bundle key, not the master key).
    let inventory = pdu(Command::KeyInventory {
        first: sid(0),
        last: sid(0x200),
    });
    let n = run(&mut s, &mut sas, &inventory).unwrap().unwrap();
    assert_eq!(
        &reply[3..n],
        &[0, 4, 0, 0x8C, 1, 0, 0x8D, 1, 0, 0x8E, 1, 0, 151, 1]
    );
}

#[test]
fn refusals_leave_the_store_unchanged() {
    let mut s = store();
    let mut sas = vec![gcm_sa()];
    let mut exec = Executor::new(0);
    exec.execute(&otar_pdu(), sas.as_mut_slice(), &mut s, &mut [])
        .unwrap();

    // The same upload again: its ids are taken.
    assert_eq!(
        refused(&mut exec, &mut sas, &mut s, &otar_pdu()),
        EpError::KeyExists(sid(0x8D))
    );
    // A bundle key is unknown to SDLS-EP (key separation).
    assert_eq!(
        refused(&mut exec, &mut sas, &mut s, &activate(&[0x8C, 150])),
        EpError::UnknownKey(sid(150))
    );
    // Rekey with a pre-active key.
    let rekey = pdu(Command::RekeySa {
        spi: Spi(1),
        ekid: sid(0x8D),
        rest: &[0; 12],
    });
    assert_eq!(
        refused(&mut exec, &mut sas, &mut s, &rekey),
        EpError::KeyState {
            key: sid(0x8D),
            expected: KeyState::Active,
            found: KeyState::PreActive
        }
    );
    // An upload sealed under another key than the master key it names installs nothing.
    let mut buf = [0u8; 128];
    let n = seal_otar(
        sid(0),
        &[0x16; 32],
        &[1; 12],
        &[(sid(300), &[3; 32])],
        &mut buf,
    )
    .unwrap();
    assert_eq!(
        refused(&mut exec, &mut sas, &mut s, &buf[..n]),
        EpError::OtarAuthentication(sid(0))
    );

    // A destroyed link key stays destroyed: listed as such, its id never uploaded again.
    let destroy = pdu(Command::KeyDestruction(KeyIds::new(&[0, 0x8C]).unwrap()));
    exec.execute(&destroy, sas.as_mut_slice(), &mut s, &mut [])
        .unwrap();
    assert_eq!(s.state(KeyId(0x8C)), Some(otar::KeyState::Destroyed));
    assert_eq!(
        KeyManagement::state(&s, sid(0x8C)),
        Some(KeyState::Destroyed)
    );
    let n = seal_otar(
        sid(0),
        &hex::decode(MASTER_0).unwrap(),
        &[2; 12],
        &[(sid(0x8C), &[4; 32])],
        &mut buf,
    )
    .unwrap();
    assert_eq!(
        refused(&mut exec, &mut sas, &mut s, &buf[..n]),
        EpError::KeyExists(sid(0x8C))
    );
}
