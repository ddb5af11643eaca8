//! The SDLS-EP executor (355.1-B-1) end to end: CryptoLib's OTAR and Key Verification vectors
//! (`tests/vectors/nasa_cryptolib.json`, each test names its vector), the whole key and SA
//! story up to a protected TC frame, every procedure's accepted path and reply layout, and
//! proptests: arbitrary PDUs never panic and change nothing unless accepted.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;
mod ep_fixture;

use ccsds_sdls::ep::{Command, Executor, KeyManagement, KeyState, Pdu, verification_reply};
use ccsds_sdls::replay::ReplayWindow;
use ccsds_sdls::{KeyId, KeyResolver, SaState, SecurityAssociation, tc};
use common::*;
use ep_fixture::*;
use proptest::prelude::*;

/// A plaintext TC frame (segment header, FECF) carrying `data`.
fn tc_frame(data: &[u8]) -> Vec<u8> {
    let mut plain = vec![0x20, 0x03, 0x00, 0x00, 0x00, 0xC0];
    plain.extend_from_slice(data);
    plain.extend_from_slice(&[0, 0]);
    plain[3] = (plain.len() - 1) as u8;
    ccsds_core::fill_fecf(&mut plain).unwrap();
    plain
}

/// The whole story on CryptoLib's OTAR vector `ut_ep_key_mgmt.EP_KEY_MGMT.OTAR_0_140_142`:
/// OTAR under master key 0 installs keys 0x8D, 0x8C, 0x8E pre-active (unusable: Rekey SA
/// refuses them); Key Activation makes them usable; Rekey SA + Start SA put SA 1 in service
/// with key 0x8D; a TC frame the ground protects under the uploaded key then processes, and
/// Key Inventory and SA Status report the new state.
#[test]
fn cryptolib_otar_to_protected_traffic() {
    let (otar_pdu, uploaded) = otar_vector();
    let mut w = World::new();
    let mut reply = [0u8; 256];
    assert_eq!(w.execute(&otar_pdu, &mut reply), Ok(None));
    for (id, _) in &uploaded {
        assert_eq!(w.keys.state(KeyId(*id)), Some(KeyState::PreActive));
        assert!(
            w.keys.resolve(KeyId(*id)).is_none(),
            "pre-active keys are not used"
        );
    }
    let iv = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10];
    let rekey_8d = rekey(SPI_UNKEYED, 0x8D, &iv);
    assert!(matches!(
        w.refuses(&rekey_8d),
        ccsds_sdls::ep::EpError::KeyState {
            found: KeyState::PreActive,
            ..
        }
    ));

    assert_eq!(
        w.execute(&activate(&[0x8D, 0x8C, 0x8E]), &mut reply),
        Ok(None)
    );
    for (id, key) in &uploaded {
        assert_eq!(w.keys.state(KeyId(*id)), Some(KeyState::Active));
        assert_eq!(w.keys.resolve(KeyId(*id)).unwrap().as_bytes(), &key[..]);
    }

    assert_eq!(w.execute(&rekey_8d, &mut reply), Ok(None));
    let gvcids = [0x00, 0x03, 0x00, 0x00];
    let start = pdu(Command::StartSa {
        spi: SPI_UNKEYED,
        gvcids: &gvcids,
    });
    let done = w
        .exec
        .execute(&start, w.sas.as_mut_slice(), &mut w.keys, &mut reply)
        .unwrap();
    assert_eq!(
        done.command,
        Command::StartSa {
            spi: SPI_UNKEYED,
            gvcids: &gvcids
        }
    );
    let sa = w.sa(SPI_UNKEYED);
    assert_eq!(
        (sa.state(), sa.ekid(), sa.iv()),
        (SaState::Operational, Some(KeyId(0x8D)), 0x10)
    );

    // The ground: the same SA, keyed with the key it uploaded.
    let key_8d = hex::encode(&uploaded.iter().find(|(id, _)| *id == 0x8D).unwrap().1);
    let ground_keys = MemKeys::default().with(0x8D, &key_8d);
    let mut tx = SecurityAssociation::new(gcm_config(SPI_UNKEYED), 0).unwrap();
    tx.rekey(Some(KeyId(0x8D)), None, 0x10).unwrap();
    tx.start().unwrap();
    let payload = b"TC under an OTAR key";
    let mut out = [0u8; 1024];
    let n = tc::protect(&mut tx, &ground_keys, TC, &tc_frame(payload), &mut out).unwrap();
    let mut frame = out[..n].to_vec();
    let got = tc::process(w.sas.as_mut_slice(), &w.keys, TC, &mut frame).unwrap();
    assert_eq!((got.spi, got.iv), (SPI_UNKEYED, 0x11));
    assert_eq!(&frame[got.data], payload);

    let inventory = pdu(Command::KeyInventory {
        first: KeyId(0x8C),
        last: KeyId(0x8E),
    });
    let n = w.execute(&inventory, &mut reply).unwrap().unwrap();
    assert_eq!(
        &reply[..n],
        &[
            0x87, 0x00, 0x58, 0x00, 0x03, 0x00, 0x8C, 1, 0x00, 0x8D, 1, 0x00, 0x8E, 1
        ]
    );
    let n = w
        .execute(&pdu(Command::SaStatus(SPI_UNKEYED)), &mut reply)
        .unwrap()
        .unwrap();
    assert_eq!(&reply[..n], &[0x9F, 0x00, 0x18, 0x00, 0x01, 3]);
}

/// CryptoLib's Key Verification vector `ut_ep_key_mgmt.EP_KEY_MGMT.VERIFY_132_134`: keys 132
/// and 134 (CryptoLib's key ring, in the vector file) verified with the command's challenges;
/// our reply PDU is CryptoLib's reply PDU byte for byte (its IVs 1 and 2 are where our counter
/// starts). CryptoLib holds 132 pre-active and 134 deactivated; we verify active keys only, so
/// both are active here. The command declares 40 value octets and holds 36: it is re-encoded
/// with the 36.
#[test]
fn cryptolib_key_verification_reply() {
    let v = vector("ut_ep_key_mgmt.EP_KEY_MGMT.VERIFY_132_134");
    let cmd = hexv(&v["fields"]["command_frame"]);
    let command = pdu(Command::KeyVerification(&cmd[21..21 + 36]));
    let expected = hexv(&v["fields"]["reply_packet"]);
    let expected = &expected[10..]; // after the space packet and PUS headers

    let ring = &cryptolib()["keyring"];
    let mut w = World::new();
    for id in [132, 134] {
        w.keys
            .provision(KeyId(id), &hexv(&ring[id.to_string()]))
            .unwrap();
    }
    let mut reply = [0u8; 256];
    let n = w.execute(&command, &mut reply).unwrap().unwrap();
    assert_eq!(hex::encode(&reply[..n]), hex::encode(expected));
    assert_eq!(w.exec.last_verification_iv(), 2);

    // The next verification continues the counter: no IV repeats under a key.
    let n = w.execute(&command, &mut reply).unwrap().unwrap();
    let (rpdu, _) = Pdu::parse(&reply[..n]).unwrap();
    for (i, block) in verification_reply(&rpdu).unwrap().enumerate() {
        assert_eq!(block.iv[11], 3 + i as u8);
        let key = hexv(&ring[block.key_id.0.to_string()]);
        let plain = gcm_open(&key, block.iv, block.encrypted_challenge, block.mac);
        assert_eq!(plain, cmd[21 + 18 * i + 2..21 + 18 * (i + 1)]);
    }
    assert_eq!(w.exec.last_verification_iv(), 4);

    // After a restart from the persisted counter, too.
    let mut restarted = World::new();
    restarted.keys = w.keys.clone();
    restarted.exec = Executor::new(w.exec.last_verification_iv());
    let n = restarted.execute(&command, &mut reply).unwrap().unwrap();
    assert_eq!(reply[3 + 2 + 11], 5);
    assert_eq!(n, expected.len());
}

/// Key Deactivation then Destruction (355.1-B-1): the octets are gone (only the id remains,
/// listed as destroyed), and an SA keyed with it stops at once.
#[test]
fn deactivate_destroy() {
    let mut w = World::new();
    let mut reply = [0u8; 64];
    assert_eq!(w.execute(&deactivate(&[K_ACTIVE]), &mut reply), Ok(None));
    assert!(w.keys.resolve(KeyId(K_ACTIVE)).is_none());
    // SPI 3, IV 10 and ARSN 0x0103 (the next ones), 8 data octets, 16 MAC octets.
    let mut f = vec![0u8; 40];
    f[..2].copy_from_slice(&SPI_OPERATIONAL.0.to_be_bytes());
    f[13] = 10;
    f[14..16].copy_from_slice(&[0x01, 0x03]);
    assert_eq!(
        tc::process(w.sas.as_mut_slice(), &w.keys, TC, &mut tc_frame(&f)),
        Err(ccsds_sdls::Error::KeyUnavailable(KeyId(K_ACTIVE)))
    );
    assert_eq!(
        w.execute(&destroy(&[K_ACTIVE, K_PRE]), &mut reply),
        Ok(None)
    );
    for id in [K_ACTIVE, K_PRE] {
        assert_eq!(w.keys.state(KeyId(id)), Some(KeyState::Destroyed));
    }
    let inventory = pdu(Command::KeyInventory {
        first: KeyId(0),
        last: KeyId(0xFFFF),
    });
    let n = w.execute(&inventory, &mut reply).unwrap().unwrap();
    let listed: Vec<_> = reply[5..n].chunks(3).map(|e| (e[1], e[2])).collect();
    assert_eq!(
        (&reply[3..5], listed),
        (
            &[0, 5][..],
            vec![(200, 3), (201, 3), (202, 2), (203, 3), (204, 1)]
        ),
        "count, then (id, state) ascending; the master key is not listed"
    );
}

/// Executes `cmd`, which must be accepted; its reply PDU (empty without one).
fn run(w: &mut World, cmd: Command<'_>) -> Vec<u8> {
    let mut reply = [0u8; 64];
    let n = w.execute(&pdu(cmd), &mut reply).unwrap().unwrap_or(0);
    reply[..n].to_vec()
}

/// The SA procedures through a whole cycle, with the Read ARSN and SA Status replies.
#[test]
fn sa_management_cycle() {
    let mut w = World::new();
    let spi = SPI_OPERATIONAL;
    assert_eq!(
        run(&mut w, Command::ReadArsn(spi)),
        [0x90, 0x00, 0x20, 0x00, 0x03, 0x01, 0x02]
    );
    assert!(run(&mut w, Command::StopSa(spi)).is_empty());
    assert_eq!(
        run(&mut w, Command::SaStatus(spi)),
        [0x9F, 0x00, 0x18, 0x00, 0x03, 2]
    );
    let arsn = [0x00, 0x05];
    assert!(run(&mut w, Command::SetArsn { spi, arsn: &arsn }).is_empty());
    assert!(run(&mut w, Command::SetArsnWindow { spi, window: &[10] }).is_empty());
    assert_eq!(w.sa(spi).arsn(), 5);
    assert_eq!(w.sa(spi).config().window, ReplayWindow::Window(10));
    assert!(run(&mut w, Command::ExpireSa(spi)).is_empty());
    assert_eq!(
        run(&mut w, Command::SaStatus(spi)),
        [0x9F, 0x00, 0x18, 0x00, 0x03, 1]
    );
    assert_eq!(w.sa(spi).ekid(), None);
    assert_eq!(
        w.execute(&rekey(spi, K_ACTIVE, &[0xAB; 12]), &mut []),
        Ok(None)
    );
    assert_eq!(w.sa(spi).iv(), 0xABAB_ABAB_ABAB_ABAB_ABAB_ABAB);
    assert!(run(&mut w, Command::StartSa { spi, gvcids: &[] }).is_empty());
    assert_eq!(
        run(&mut w, Command::SaStatus(spi)),
        [0x9F, 0x00, 0x18, 0x00, 0x03, 3]
    );

    // An HMAC SA takes the key as its authentication key; a clear one binds none.
    assert_eq!(w.execute(&rekey(SPI_HMAC, K_HMAC, &[]), &mut []), Ok(None));
    assert_eq!(
        (w.sa(SPI_HMAC).akid(), w.sa(SPI_HMAC).ekid()),
        (Some(KeyId(K_HMAC)), None)
    );
    assert_eq!(w.execute(&rekey(SPI_CLEAR, 0xFFFF, &[]), &mut []), Ok(None));
    assert_eq!(w.sa(SPI_CLEAR).state(), SaState::Keyed);
}

/// OTAR through `seal_otar` (the ground side) installs what it sealed.
#[test]
fn seal_otar_round_trip() {
    let mut w = World::new();
    let keys = [(300, [0x30; 32]), (301, [0x31; 32])];
    let otar_pdu = otar(0, &master_0(), &keys);
    assert_eq!(w.execute(&otar_pdu, &mut []), Ok(None));
    assert_eq!(w.execute(&activate(&[300, 301]), &mut []), Ok(None));
    for (id, key) in keys {
        assert_eq!(w.keys.resolve(KeyId(id)).unwrap().as_bytes(), &key);
    }
}

/// Runs arbitrary bytes; a refused PDU must have changed nothing, an accepted one's reply must
/// be one well-formed reply PDU.
fn all_or_nothing(bytes: &[u8], reply_len: usize) -> Result<(), TestCaseError> {
    let mut w = World::new();
    let before = w.clone();
    let mut reply = vec![0u8; reply_len];
    match w.execute(bytes, &mut reply) {
        Err(e) => prop_assert_eq!(&w, &before, "refused with {:?} but changed", e),
        Ok(Some(n)) => {
            let (p, rest) = Pdu::parse(&reply[..n]).unwrap();
            prop_assert!(rest.is_empty() && p.tag.reply);
        }
        Ok(None) => {}
    }
    Ok(())
}

/// Tags of the executed commands.
const TAGS: [u8; 14] = [
    0x01, 0x02, 0x03, 0x04, 0x06, 0x07, 0x10, 0x15, 0x16, 0x19, 0x1A, 0x1B, 0x1E, 0x1F,
];
/// Key ids worth naming: master, OTAR'd, the fixture's, an unknown one.
const IDS: [u16; 9] = [0, 1, 0x8D, 200, 201, 202, 203, 204, 999];

/// A PDU with one of the executed tags and a value assembled from meaningful ids and SPIs
/// plus arbitrary octets, so that many are accepted and the rest fail deep inside.
fn structured() -> impl Strategy<Value = Vec<u8>> {
    (
        prop::sample::select(&TAGS[..]),
        prop::collection::vec(prop::sample::select(&IDS[..]), 0..4),
        0u16..7,
        prop_oneof![
            Just(vec![]),
            prop::collection::vec(any::<u8>(), 1..3),
            prop::collection::vec(any::<u8>(), 12..=12),
            prop::collection::vec(any::<u8>(), 0..20),
        ],
        any::<bool>(),
    )
        .prop_map(|(tag, ids, spi, tail, corrupt)| {
            let id_bytes = id_list(&ids);
            let mut value = match tag {
                0x01 => {
                    let keys: Vec<_> = ids.iter().map(|id| (id + 300, [0x5A; 32])).collect();
                    let mkid = ids.first().copied().unwrap_or(0);
                    let mut p = if keys.is_empty() {
                        otar(0, &master_0(), &[(400, [1; 32])])
                    } else {
                        otar(mkid, &master_0(), &keys)
                    };
                    if corrupt {
                        let i = tail.len() % (p.len() - 3) + 3;
                        p[i] ^= 1;
                    }
                    return p;
                }
                0x02 | 0x03 | 0x06 => id_bytes,
                0x04 => ids
                    .iter()
                    .flat_map(|id| [&id.to_be_bytes()[..], &[9; 16]].concat())
                    .collect(),
                0x07 => [&id_bytes[..], &tail[..]].concat(),
                0x16 => {
                    let key = ids.first().copied().unwrap_or(200);
                    [&spi.to_be_bytes()[..], &key.to_be_bytes(), &tail].concat()
                }
                _ => {
                    let mut v = spi.to_be_bytes().to_vec();
                    v.extend_from_slice(&tail);
                    v
                }
            };
            if tag == 0x07 {
                value.truncate(4);
            }
            let bits = (value.len() * 8) as u16;
            let mut p = vec![tag];
            p.extend_from_slice(&bits.to_be_bytes());
            p.extend_from_slice(&value);
            p
        })
}

proptest! {
    /// Arbitrary bytes: no panic, and nothing changes unless the command was accepted.
    #[test]
    fn arbitrary_bytes_are_all_or_nothing(
        bytes in prop::collection::vec(any::<u8>(), 0..300),
        reply_len in 0usize..300,
    ) {
        all_or_nothing(&bytes, reply_len)?;
    }

    /// Well-tagged PDUs with meaningful and arbitrary values: the same.
    #[test]
    fn structured_pdus_are_all_or_nothing(bytes in structured(), reply_len in 0usize..300) {
        all_or_nothing(&bytes, reply_len)?;
    }
}
