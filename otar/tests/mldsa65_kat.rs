#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]
//! scratch
use ml_dsa::{B32, ExpandedSigningKey, Keypair, MlDsa65, Signature, SigningKey, VerifyingKey};
use serde_json::Value;

fn h(v: &Value) -> Vec<u8> {
    hex::decode(v.as_str().unwrap()).unwrap()
}

#[test]
#[allow(deprecated)]
fn scratch() {
    let j: Value = serde_json::from_str(include_str!("vectors/mldsa65_acvp.json")).unwrap();
    let kg = &j["keyGen"];
    let seed = B32::try_from(h(&kg["seed"]).as_slice()).unwrap();
    let sk = SigningKey::<MlDsa65>::from_seed(&seed);
    assert_eq!(
        sk.verifying_key().encode().as_slice(),
        h(&kg["pk"]).as_slice(),
        "pk"
    );
    assert_eq!(
        sk.expanded_key().to_expanded().as_slice(),
        h(&kg["sk"]).as_slice(),
        "sk"
    );
    let sg = &j["sigGen"];
    let skb = h(&sg["sk"]);
    let esk = ExpandedSigningKey::<MlDsa65>::from_expanded(&skb.as_slice().try_into().unwrap());
    let sig = esk.sign_internal(&[&h(&sg["message"])], &B32::default());
    let pk = VerifyingKey::<MlDsa65>::decode(&h(&sg["pk"]).as_slice().try_into().unwrap());
    assert_eq!(esk.verifying_key().encode(), pk.encode(), "sigGen pk");
    assert!(
        pk.verify_internal(
            &h(&sg["message"]),
            &Signature::try_from(h(&sg["signature"]).as_slice()).unwrap()
        ),
        "verify"
    );
    assert_eq!(
        sig.encode().as_slice(),
        h(&sg["signature"]).as_slice(),
        "sig"
    );
}
