#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]
//! ML-DSA-65 known answer: proves `otar::sign` wires the `ml-dsa` crate to FIPS 204.
//!
//! Source: `tests/vectors/mldsa65_acvp.json`, from usnistgov/ACVP-Server
//! `gen-val/json-files/ML-DSA-keyGen-FIPS204/` (prompt.json + expectedResults.json) at
//! commit 203f667c26e10a1be89dfe8da7a54498fde2d848, vsId 42, tgId 2 (ML-DSA-65), tcId 26.

use ml_dsa::{Keypair, MlDsa65};
use otar::sign::{
    CONTEXT, EXPANDED_SECRET_KEY_LEN, PUBLIC_KEY_LEN, SIGNATURE_LEN, SigningKey, VerifyingKey,
};
use serde_json::Value;

fn vector() -> Value {
    serde_json::from_str(include_str!("vectors/mldsa65_acvp.json")).unwrap()
}

fn h(v: &Value) -> Vec<u8> {
    hex::decode(v.as_str().unwrap()).unwrap()
}

#[test]
fn acvp_keygen_seed_reproduces_pk_and_sk() {
    let v = vector();
    let kg = &v["keyGen"];
    assert_eq!(kg["source"]["tcId"], 26);
    let seed: [u8; 32] = h(&kg["seed"]).try_into().unwrap();
    let (pk, sk) = (h(&kg["pk"]), h(&kg["sk"]));
    assert_eq!(
        (pk.len(), sk.len()),
        (PUBLIC_KEY_LEN, EXPANDED_SECRET_KEY_LEN)
    );

    // Through our wrapper: the public key.
    let ours = SigningKey::from_seed(&seed, 1);
    assert_eq!(ours.verifying_key().to_bytes(), pk);

    // Through the crate: the expanded secret key (skEncode, FIPS 204 Algorithm 24).
    let raw = ml_dsa::SigningKey::<MlDsa65>::from_seed(&seed.into());
    #[allow(deprecated)]
    let expanded = raw.expanded_key().to_expanded();
    assert_eq!(expanded.as_slice(), sk.as_slice());
    assert_eq!(raw.verifying_key().encode().as_slice(), pk.as_slice());
}

#[test]
fn acvp_key_signs_and_verifies_through_the_wrapper() {
    let v = vector();
    let seed: [u8; 32] = h(&v["keyGen"]["seed"]).try_into().unwrap();
    let pk = h(&v["keyGen"]["pk"]);
    let sk = SigningKey::from_seed(&seed, 1);
    let message = b"OTAR known-answer message";
    let sig = sk.sign(message).unwrap();
    assert_eq!(sig.len(), SIGNATURE_LEN);
    // Deterministic: the same bytes every time.
    assert_eq!(sk.sign(message).unwrap(), sig);
    // Verifies under the ACVP public key decoded from bytes, with our context only.
    let vk = VerifyingKey::from_bytes(&pk, 1).unwrap();
    vk.verify(message, &sig).unwrap();
    let raw = ml_dsa::VerifyingKey::<MlDsa65>::decode(&pk.as_slice().try_into().unwrap());
    let parsed = ml_dsa::Signature::<MlDsa65>::try_from(sig.as_slice()).unwrap();
    assert!(raw.verify_with_context(message, CONTEXT, &parsed));
    assert!(!raw.verify_with_context(message, b"", &parsed));
    // Equal to the crate's own deterministic ML-DSA.Sign with the same context.
    let expected = ml_dsa::SigningKey::<MlDsa65>::from_seed(&seed.into())
        .expanded_key()
        .sign_deterministic(message, CONTEXT)
        .unwrap();
    assert_eq!(expected.encode().as_slice(), sig.as_slice());
}
