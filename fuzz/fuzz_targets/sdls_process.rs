//! SDLS ProcessSecurity on hostile input: arbitrary security fields and TC frames against an SA
//! table with every cipher suite (first input octet picks the mode), plus frames we protect and
//! then corrupt with the input. Never panics; a frame protected here and left alone processes
//! to its data; a corrupted frame never passes the authenticating SA that protected it.
#![no_main]

use ccsds_sdls::replay::ReplayWindow;
use ccsds_sdls::{KeyId, KeyMaterial, SaConfig, SecurityAssociation, Spi, Suite, process_security, tc};
use ccsds_tc::frame::FrameConfig;
use libfuzzer_sys::fuzz_target;

fn keys(id: KeyId) -> Option<KeyMaterial> {
    let len = if id.0 == 2 { 64 } else { 32 };
    KeyMaterial::new(&[0x5A; 64][..len]).ok()
}

fn table(pad: u8) -> Vec<SecurityAssociation> {
    Suite::ALL
        .iter()
        .enumerate()
        .map(|(i, &suite)| {
            let mut c = SaConfig::new(Spi(i as u16), suite);
            if suite.uses_gcm() {
                c.iv_len = 12;
                c.iv_transmitted_len = 6;
                c.iv_counter_len = 12;
            }
            c.mac_len = match suite {
                Suite::Clear | Suite::AesGcmEncryptOnly => 0,
                Suite::AesGcm | Suite::AesGmac => 16,
                Suite::AesCmac => 12,
                _ => 32,
            };
            c.arsn_len = 4;
            c.arsn_transmitted_len = 2;
            c.pad_length_len = pad % 3;
            c.window = ReplayWindow::Window(10);
            c.abm = vec![0xFF; 8];
            let mut sa = SecurityAssociation::new(c, 0).expect("valid SA");
            let key = Some(KeyId(if suite == Suite::HmacSha512 { 2 } else { 1 }));
            sa.rekey(key, key, 0).expect("rekey");
            sa.start().expect("start");
            sa
        })
        .collect()
}

const TC: FrameConfig = FrameConfig { segment_header: true, fecf: true };

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else { return };
    let mut sas = table(mode >> 4);
    match mode % 3 {
        0 => {
            let split = rest.len().min(usize::from(mode >> 2) % 8);
            let (hdr, field) = rest.split_at(split);
            let mut field = field.to_vec();
            if let Ok(done) = process_security(sas.as_mut_slice(), &keys, hdr, &mut field) {
                assert!(done.data.end <= field.len());
            }
        }
        1 => {
            let mut frame = rest.to_vec();
            if let Ok(done) = tc::process(sas.as_mut_slice(), &keys, TC, &mut frame) {
                assert!(done.data.end <= frame.len());
            }
        }
        _ => {
            // rest = [suite index][payload length][corruption: (offset, xor) pairs...]
            let [which, len, corrupt @ ..] = rest else { return };
            let i = usize::from(*which) % sas.len();
            let payload: Vec<u8> = (0..usize::from(*len % 200) + 1).map(|b| b as u8).collect();
            let mut plain = vec![0x20, 0x03, 0x00, 0x00, 0x00, 0xC0];
            plain.extend_from_slice(&payload);
            plain.extend_from_slice(&[0, 0]);
            plain[3] = (plain.len() - 1) as u8;
            ccsds_core::fill_fecf(&mut plain).expect("fits");
            let mut tx = sas[i].clone();
            let mut out = [0u8; 1024];
            let n = tc::protect(&mut tx, &keys, TC, &plain, &mut out).expect("protects");
            let mut frame = out[..n].to_vec();
            for pair in corrupt.chunks_exact(2) {
                let at = usize::from(pair[0]) % n;
                frame[at] ^= pair[1];
            }
            ccsds_core::fill_fecf(&mut frame).expect("fits");
            let changed = frame[..] != out[..n];
            let spi = sas[i].spi();
            let suite = sas[i].config().suite;
            match tc::process(sas.as_mut_slice(), &keys, TC, &mut frame) {
                Ok(done) if !changed => assert_eq!(&frame[done.data], &payload[..]),
                Ok(done) => assert!(
                    done.spi != spi || !suite.authenticates(),
                    "a corrupted frame passed authentication under {suite:?}"
                ),
                Err(e) => assert!(changed, "untouched frame refused: {e:?}"),
            }
        }
    }
});
