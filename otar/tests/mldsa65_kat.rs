#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]
//! ML-DSA-65 known answers: prove `otar::sign` wires the `ml-dsa` crate to FIPS 204.
//!
//! Sources:
//! - keyGen: `tests/vectors/mldsa65_acvp.json`, from usnistgov/ACVP-Server
//!   `gen-val/json-files/ML-DSA-keyGen-FIPS204/` (prompt.json + expectedResults.json) at
//!   commit 203f667c26e10a1be89dfe8da7a54498fde2d848, vsId 42, tgId 2 (ML-DSA-65), tcId 26.
//! - signing: `tests/vectors/mldsa65_wycheproof.json`, from C2SP/wycheproof
//!   `testvectors_v1/mldsa_65_sign_seed_test.json` at commit
//!   38d7080b91ebcda875a5883913b6592853d31679, group 0, tcId 1 (empty context) and tcId 3
//!   (context "Context"). Those tests carry no `rnd`, i.e. deterministic ML-DSA.Sign
//!   (FIPS 204 Algorithm 2 with `rnd = {0}^32`, §3.4), the variant `otar::sign` uses; the
//!   ACVP sigGen files predate final FIPS 204 (see the `sigGen_not_included` note).

use ml_dsa::{Keypair, MlDsa65};
use otar::OtarError;
use otar::sign::{
    CONTEXT, EXPANDED_SECRET_KEY_LEN, PUBLIC_KEY_LEN, SIGNATURE_LEN, SigningKey, VerifyingKey,
};
use serde_json::Value;

fn vector() -> Value {
    serde_json::from_str(include_str!("vectors/mldsa65_acvp.json")).unwrap()
}

fn wycheproof() -> Value {
    serde_json::from_str(include_str!("vectors/mldsa65_wycheproof.json")).unwrap()
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

#[test]
fn wycheproof_seed_signs_deterministically_to_the_vector() {
    let v = wycheproof();
    assert_eq!(
        v["source"]["commit"],
        "38d7080b91ebcda875a5883913b6592853d31679"
    );
    let g = &v["group0"];
    let seed: [u8; 32] = h(&g["privateSeed"]).try_into().unwrap();
    let pk = h(&g["publicKey"]);
    assert_eq!(pk.len(), PUBLIC_KEY_LEN);

    // KeyGen_internal through our wrapper and through the crate.
    assert_eq!(
        SigningKey::from_seed(&seed, 1).verifying_key().to_bytes(),
        pk
    );
    let raw = ml_dsa::SigningKey::<MlDsa65>::from_seed(&seed.into());
    let raw_vk = raw.verifying_key();
    assert_eq!(raw_vk.encode().as_slice(), pk.as_slice());
    let decoded_vk = ml_dsa::VerifyingKey::<MlDsa65>::decode(&pk.as_slice().try_into().unwrap());
    // The vector's public key, decoded as OTAR would receive it over the link.
    let otar_vk = VerifyingKey::from_bytes(&pk, 1).unwrap();

    let tests = g["tests"].as_array().unwrap();
    let ids: Vec<u64> = tests.iter().map(|t| t["tcId"].as_u64().unwrap()).collect();
    assert_eq!(ids, [1, 3]);
    for t in tests {
        let (msg, ctx, expected) = (h(&t["msg"]), h(&t["ctx"]), h(&t["sig"]));
        assert_eq!(t["result"], "valid");
        assert_eq!(expected.len(), SIGNATURE_LEN);

        // Deterministic ML-DSA.Sign(sk, msg, ctx): the vector's signature, octet for octet.
        let sig = raw
            .expanded_key()
            .sign_deterministic(&msg, &ctx)
            .unwrap()
            .encode();
        assert_eq!(sig.as_slice(), expected.as_slice(), "tcId {}", t["tcId"]);

        // ML-DSA.Verify accepts it under the vector's public key and ctx only.
        let parsed = ml_dsa::Signature::<MlDsa65>::try_from(expected.as_slice()).unwrap();
        assert!(decoded_vk.verify_with_context(&msg, &ctx, &parsed));
        assert!(raw_vk.verify_with_context(&msg, &ctx, &parsed));
        assert!(!decoded_vk.verify_with_context(&msg, CONTEXT, &parsed));
        let mut tampered = msg.clone();
        tampered[0] ^= 1;
        assert!(!decoded_vk.verify_with_context(&tampered, &ctx, &parsed));

        // `otar::sign::VerifyingKey` fixes its context to `CONTEXT`, so it cannot take the
        // vector's ctx: a signature made under another context must be refused (FIPS 204
        // §5.2 domain separation).
        assert_eq!(
            otar_vk.verify(&msg, &expected),
            Err(OtarError::BadSignature)
        );
    }
}
