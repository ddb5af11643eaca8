//! One key store for both protocols: an SDLS security association (ccsds-sdls) keyed from the
//! `otar` store protects and processes a frame while its key is active, and stops as soon as
//! the key is deactivated; a bundle key never keys a link SA.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use bpsec::KeyId;
use ccsds_sdls::replay::ReplayWindow;
use ccsds_sdls::{Error, SaConfig, SecurityAssociation, Spi, apply_security, process_security};
use otar::store::{KeyStore, Purpose};

fn sa(key: u16) -> SecurityAssociation {
    let mut sa =
        SecurityAssociation::new(SaConfig::aes_gcm(Spi(2), ReplayWindow::Window(8)), 0).unwrap();
    sa.rekey(Some(ccsds_sdls::KeyId(key)), None, 0).unwrap();
    sa.start().unwrap();
    sa
}

/// A security field laid out as [Security Header][data][MAC] for `sa`.
fn field(sa: &SecurityAssociation, data: &[u8]) -> Vec<u8> {
    let hdr = sa.config().header_layout().len();
    let mut f = vec![0u8; hdr + data.len() + usize::from(sa.config().mac_len)];
    f[hdr..hdr + data.len()].copy_from_slice(data);
    f
}

#[test]
fn sdls_sa_keyed_from_the_otar_store() {
    let header = [0x20, 0x03, 0x00, 0x2a, 0x00];
    let mut store = KeyStore::default();
    store
        .provision(KeyId(9), Purpose::LinkSdls, &[0x5c; 32])
        .unwrap();
    store
        .provision(KeyId(10), Purpose::BundleConfidentiality, &[0x5d; 32])
        .unwrap();

    let mut tx = sa(9);
    let mut rx = sa(9);
    let mut f = field(&tx, b"TC: HEATER ON");
    let applied = apply_security(&mut tx, &store, &header, &mut f).unwrap();
    let done = process_security(&mut rx, &store, &header, &mut f).unwrap();
    assert_eq!(done.data, applied.data);
    assert_eq!(&f[done.data], b"TC: HEATER ON");

    // A bundle key is not a link key.
    let mut wrong = sa(10);
    let mut f = field(&wrong, b"x");
    assert_eq!(
        apply_security(&mut wrong, &store, &header, &mut f),
        Err(Error::KeyUnavailable(ccsds_sdls::KeyId(10)))
    );

    // Deactivated: the link stops using it at once, both ways.
    store.deactivate(KeyId(9)).unwrap();
    let mut f = field(&tx, b"TC: HEATER OFF");
    assert_eq!(
        apply_security(&mut tx, &store, &header, &mut f),
        Err(Error::KeyUnavailable(ccsds_sdls::KeyId(9)))
    );
}
