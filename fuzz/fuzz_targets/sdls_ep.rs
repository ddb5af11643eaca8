//! SDLS-EP executor on hostile input: a stream of command PDUs (arbitrary octets, cut where each
//! PDU's length says) executed one after the other against a small SA table (one SA per state
//! and suite family) and a key ring (a master key, session keys in every state). The first
//! octet picks the reply buffer size and whether a genuine OTAR upload (key ids from the input,
//! sealed under the master key) goes first, so that later commands find fresh pre-active keys.
//! Invariants: no panic; a refused command changes nothing (SAs, keys, executor); an accepted
//! one with a reply wrote exactly one reply PDU inside the buffer.
#![no_main]

use ccsds_sdls::ep::{Executor, KeyManagement, KeyRing, KeyState, Pdu, seal_otar};
use ccsds_sdls::replay::ReplayWindow;
use ccsds_sdls::{KeyId, SaConfig, SecurityAssociation, Spi, Suite};
use libfuzzer_sys::fuzz_target;

const MASTER: [u8; 32] = [0x4D; 32];

fn world() -> (Executor, Vec<SecurityAssociation>, KeyRing) {
    let mut keys = KeyRing::new();
    keys.provision_master(KeyId(0), &MASTER).expect("master");
    for (id, len) in [(128, 32), (129, 32), (130, 16), (131, 64)] {
        keys.provision(KeyId(id), &vec![id as u8; len])
            .expect("session");
    }
    keys.install(KeyId(132), &[0x84; 32]).expect("pre-active");
    keys.transition(KeyId(129), KeyState::Deactivated)
        .expect("deactivate");
    keys.transition(KeyId(130), KeyState::Deactivated)
        .expect("deactivate");
    keys.transition(KeyId(130), KeyState::Destroyed)
        .expect("destroy");

    let gcm = |spi| SaConfig::aes_gcm(Spi(spi), ReplayWindow::Window(5));
    let mut with_arsn = gcm(3);
    with_arsn.arsn_len = 4;
    with_arsn.arsn_transmitted_len = 2;
    let mut hmac = SaConfig::new(Spi(4), Suite::HmacSha512);
    hmac.mac_len = 16;
    let configs = [
        gcm(0),
        gcm(1),
        gcm(2),
        with_arsn,
        hmac,
        SaConfig::new(Spi(5), Suite::Clear),
    ];
    let mut sas: Vec<_> = configs
        .into_iter()
        .map(|c| SecurityAssociation::new(c, 0).expect("valid SA"))
        .collect();
    for sa in &mut sas[2..4] {
        sa.rekey(Some(KeyId(128)), None, 1).expect("rekey");
    }
    sas[3].start().expect("start");
    (Executor::new(0), sas, keys)
}

fuzz_target!(|data: &[u8]| {
    let Some((&mode, mut rest)) = data.split_first() else {
        return;
    };
    let (mut exec, mut sas, mut keys) = world();
    let mut reply = vec![0u8; usize::from(mode & 0x3F) * 8];

    let mut pdus: Vec<Vec<u8>> = Vec::new();
    if mode & 0x40 != 0 && rest.len() >= 4 {
        let (ids, tail) = rest.split_at(4);
        let uploads: Vec<_> = ids
            .chunks(2)
            .map(|c| (KeyId(u16::from_be_bytes([c[0], c[1]])), &[0x5A; 32]))
            .collect();
        let mut buf = [0u8; 256];
        let n = seal_otar(KeyId(0), &MASTER, &[9; 12], &uploads, &mut buf).expect("seals");
        pdus.push(buf[..n].to_vec());
        rest = tail;
    }
    while !rest.is_empty() {
        let len = match Pdu::parse(rest) {
            Ok((pdu, _)) => pdu.buffer_len(),
            Err(_) => rest.len(),
        };
        let (one, tail) = rest.split_at(len);
        pdus.push(one.to_vec());
        rest = tail;
    }

    for pdu in &pdus {
        let before = (exec.clone(), sas.clone(), keys.clone());
        match exec.execute(pdu, sas.as_mut_slice(), &mut keys, &mut reply) {
            Err(e) => assert!(
                before == (exec.clone(), sas.clone(), keys.clone()),
                "refused with {e:?} but changed the state"
            ),
            Ok(done) => {
                if let Some(n) = done.reply_len {
                    let (answer, after) = Pdu::parse(&reply[..n]).expect("reply parses");
                    assert!(after.is_empty() && answer.tag.reply);
                }
            }
        }
    }
    // Whatever happened, a destroyed key stayed destroyed.
    assert_eq!(keys.state(KeyId(130)), Some(KeyState::Destroyed));
});
