#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]
//! HKDF-SHA-256 through our wrapper, against RFC 5869 Appendix A (test cases A.1, A.2, A.3).
//! Source: RFC 5869, "HMAC-based Extract-and-Expand Key Derivation Function (HKDF)", App. A.

use otar::kdf::{derive, hkdf_sha256, session_keys};

fn h(s: &str) -> Vec<u8> {
    hex::decode(s).unwrap()
}

#[test]
fn rfc5869_a1_basic() {
    let okm = hkdf_sha256::<42>(
        Some(&h("000102030405060708090a0b0c")),
        &[0x0b; 22],
        // The info split in pieces, as `derive` passes label ‖ 0 ‖ context.
        &[&h("f0f1f2f3"), &h("f4f5f6f7f8f9")],
    );
    assert_eq!(
        okm.as_slice(),
        h("3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865")
            .as_slice()
    );
}

#[test]
fn rfc5869_a2_long_inputs() {
    let ikm: Vec<u8> = (0x00..=0x4f).collect();
    let salt: Vec<u8> = (0x60..=0xaf).collect();
    let info: Vec<u8> = (0xb0..=0xff).collect();
    let okm = hkdf_sha256::<82>(Some(&salt), &ikm, &[&info]);
    assert_eq!(
        okm.as_slice(),
        h("b11e398dc80327a1c8e7f78c596a49344f012eda2d4efad8a050cc4c19afa97c59045a99cac7827271cb41c65e590e09da3275600c2f09b8367793a9aca3db71cc30c58179ec3e87c14c01d5c1f3434f1d87").as_slice()
    );
}

#[test]
fn rfc5869_a3_no_salt_no_info() {
    let okm = hkdf_sha256::<42>(None, &[0x0b; 22], &[]);
    assert_eq!(
        okm.as_slice(),
        h("8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d9d201395faa4b61a96c8")
            .as_slice()
    );
}

#[test]
fn labels_and_contexts_separate_keys() {
    let master = [7u8; 32];
    let a = derive::<32>(&master, "a", b"ctx");
    assert_eq!(
        a.as_slice(),
        hkdf_sha256::<32>(None, &master, &[b"a\0ctx"]).as_slice()
    );
    assert_ne!(a.as_slice(), derive::<32>(&master, "b", b"ctx").as_slice());
    assert_ne!(a.as_slice(), derive::<32>(&master, "a", b"ctx2").as_slice());
    // The separator keeps ("ab", "") and ("a", "b") apart.
    assert_ne!(
        derive::<32>(&master, "ab", b"").as_slice(),
        derive::<32>(&master, "a", b"b").as_slice()
    );
    let (up, down) = session_keys(&master, b"ipn:2-ipn:1");
    assert_ne!(up.as_slice(), down.as_slice());
}
