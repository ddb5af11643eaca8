//! RFC 9173 Appendix A, all four examples, byte for byte: from the keys and the unsecured
//! bundle we produce exactly the secured bundle, and accept the secured bundle back to the
//! original. Vectors: `../shared/vectors/rfc9173/` (copied in bpv7/tests/vectors), extracted
//! from the RFC text and re-verified with Python `cryptography` (see their `provenance`).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use bpsec::context::Scope;
use bpsec::context::bcb_aes_gcm::AesVariant;
use bpsec::context::bib_hmac_sha2::{PrimaryIppt, ShaVariant};
use bpsec::{
    BcbSpec, BibSpec, Context, KeyId, NewBlock, Options, Placement, Policy, Rule, StaticKeys,
    Targets, accept, add_bcb, add_bib,
};
use bpv7::block::BlockFlags;
use bpv7::eid::Eid;
use serde_json::Value;

fn vector(name: &str) -> Value {
    let path = format!(
        "{}/../bpv7/tests/vectors/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn h(v: &Value) -> Vec<u8> {
    hex::decode(v.as_str().unwrap()).unwrap()
}

const HMAC_KEY: KeyId = KeyId(1);
const AES_KEY: KeyId = KeyId(2);
const OPTS: Options = Options::RFC9173_EXAMPLES;

fn block(source: &str, number: u64, flags: u64, placement: Placement) -> NewBlock<'_> {
    NewBlock {
        number: Some(number),
        flags: BlockFlags(flags),
        placement,
        ..NewBlock::from(Eid::parse_uri(source).unwrap())
    }
}

fn bib_rule(source: &str, targets: Targets, variant: ShaVariant, scope: u8) -> Rule<'_> {
    Rule {
        source: Eid::parse_uri(source).unwrap(),
        targets,
        context: Context::HmacSha2 {
            variant,
            scope: Scope(scope),
        },
        key: HMAC_KEY,
    }
}

fn bcb_rule(source: &str, variant: AesVariant, scope: u8) -> Rule<'_> {
    Rule {
        source: Eid::parse_uri(source).unwrap(),
        targets: Targets::Payload,
        context: Context::AesGcm {
            variant,
            scope: Scope(scope),
        },
        key: AES_KEY,
    }
}

fn iv(sb: &Value) -> [u8; 12] {
    h(&sb["parameters"]["iv_hex"]).try_into().unwrap()
}

#[test]
fn a1_simple_integrity() {
    let v = vector("a1_bib_hmac_sha2.json");
    let original = h(&v["original_bundle"]["hex"]);
    let sb = &v["security_blocks"][0];
    let keys = StaticKeys::new().with(HMAC_KEY, &h(&sb["key_hex"]));
    let spec = BibSpec {
        block: block("ipn:2.1", 2, 0, Placement::AfterPrimary),
        targets: &[1],
        sha_variant: Some(ShaVariant::Hmac512),
        scope: Some(Scope(0)),
        key: HMAC_KEY,
        wrap: None,
    };
    let secured = add_bib(&original, &spec, &keys, &OPTS).unwrap();
    assert_eq!(
        hex::encode(&secured),
        v["final_bundle"]["hex"].as_str().unwrap()
    );

    let policy = Policy::new().rule(bib_rule(
        "ipn:2.1",
        Targets::Payload,
        ShaVariant::Hmac512,
        0,
    ));
    let accepted = accept(&secured, &policy, &keys, None, &OPTS).unwrap();
    assert_eq!(accepted.bundle, original);
    assert_eq!(accepted.checked.len(), 1);
}

#[test]
fn a2_confidentiality_with_key_wrap() {
    let v = vector("a2_bcb_aes_gcm_keywrap.json");
    let original = h(&v["original_bundle"]["hex"]);
    let sb = &v["security_blocks"][0];
    let keys = StaticKeys::new().with(AES_KEY, &h(&sb["key_encryption_key_hex"]));
    let cek = h(&sb["content_encryption_key_hex"]);
    let spec = BcbSpec {
        block: block("ipn:2.1", 2, 1, Placement::AfterPrimary),
        targets: &[1],
        iv: &iv(sb),
        aes_variant: Some(AesVariant::A128Gcm),
        scope: Some(Scope(0)),
        key: AES_KEY,
        wrap: Some(&cek),
    };
    let secured = add_bcb(&original, &spec, &keys, &OPTS).unwrap();
    assert_eq!(
        hex::encode(&secured),
        v["final_bundle"]["hex"].as_str().unwrap()
    );

    let policy = Policy::new().rule(bcb_rule("ipn:2.1", AesVariant::A128Gcm, 0));
    let accepted = accept(&secured, &policy, &keys, None, &OPTS).unwrap();
    assert_eq!(accepted.bundle, original);
}

/// A.3 in two steps: the source ipn:2.1 encrypts the payload (BCB 4), then the waypoint
/// ipn:3.0 signs the primary block and the Bundle Age block (BIB 3).
fn a3_secure(v: &Value, options: &Options) -> Vec<u8> {
    let original = h(&v["original_bundle"]["hex"]);
    let bib = &v["security_blocks"][0];
    let bcb = &v["security_blocks"][1];
    let keys = StaticKeys::new()
        .with(HMAC_KEY, &h(&bib["key_hex"]))
        .with(AES_KEY, &h(&bcb["content_encryption_key_hex"]));
    let encrypted = add_bcb(
        &original,
        &BcbSpec {
            block: block("ipn:2.1", 4, 1, Placement::AfterPrimary),
            targets: &[1],
            iv: &iv(bcb),
            aes_variant: Some(AesVariant::A128Gcm),
            scope: Some(Scope(0)),
            key: AES_KEY,
            wrap: None,
        },
        &keys,
        options,
    )
    .unwrap();
    add_bib(
        &encrypted,
        &BibSpec {
            block: block("ipn:3.0", 3, 0, Placement::AfterPrimary),
            targets: &[0, 2],
            sha_variant: Some(ShaVariant::Hmac256),
            scope: Some(Scope(0)),
            key: HMAC_KEY,
            wrap: None,
        },
        &keys,
        options,
    )
    .unwrap()
}

fn a3_accept(v: &Value, secured: &[u8], options: &Options) -> Result<Vec<u8>, bpsec::Error> {
    let bib = &v["security_blocks"][0];
    let bcb = &v["security_blocks"][1];
    let keys = StaticKeys::new()
        .with(HMAC_KEY, &h(&bib["key_hex"]))
        .with(AES_KEY, &h(&bcb["content_encryption_key_hex"]));
    let policy = Policy::new()
        .rule(bib_rule(
            "ipn:3.0",
            Targets::Primary,
            ShaVariant::Hmac256,
            0,
        ))
        .rule(bib_rule(
            "ipn:3.0",
            Targets::BlockType(7),
            ShaVariant::Hmac256,
            0,
        ))
        .rule(bcb_rule("ipn:2.1", AesVariant::A128Gcm, 0));
    accept(secured, &policy, &keys, None, options).map(|a| a.bundle)
}

#[test]
fn a3_multiple_sources_per_rfc_text() {
    // RFC 9173 §3.7 step 5: the primary block's canonical form, unwrapped. This is the
    // erratum-corrected bundle of our vectors (errata[0].per_section_3_7_text).
    let v = vector("a3_multiple_sources.json");
    let secured = a3_secure(&v, &OPTS);
    let corrected = &v["errata"][0]["per_section_3_7_text"];
    assert_eq!(
        hex::encode(&secured),
        corrected["final_bundle_hex"].as_str().unwrap()
    );
    let original = h(&v["original_bundle"]["hex"]);
    assert_eq!(a3_accept(&v, &secured, &OPTS).unwrap(), original);
}

#[test]
fn a3_multiple_sources_as_published() {
    // The RFC's printed bundle: primary block wrapped in a byte string in the IPPT.
    let v = vector("a3_multiple_sources.json");
    let published = Options {
        primary_ippt: PrimaryIppt::Wrapped,
        ..OPTS
    };
    let secured = a3_secure(&v, &published);
    assert_eq!(
        hex::encode(&secured),
        v["final_bundle"]["hex"].as_str().unwrap()
    );
    let original = h(&v["original_bundle"]["hex"]);
    assert_eq!(a3_accept(&v, &secured, &published).unwrap(), original);
    // Each form verifies only under its own convention.
    assert!(matches!(
        a3_accept(&v, &secured, &OPTS),
        Err(bpsec::Error::IntegrityCheckFailed {
            block: 3,
            target: 0
        })
    ));
}

#[test]
fn a4_full_scope() {
    let v = vector("a4_full_scope.json");
    let original = h(&v["original_bundle"]["hex"]);
    let bib = &v["security_blocks"][0];
    let bcb = &v["security_blocks"][1];
    let keys = StaticKeys::new()
        .with(HMAC_KEY, &h(&bib["key_hex"]))
        .with(AES_KEY, &h(&bcb["content_encryption_key_hex"]));
    let signed = add_bib(
        &original,
        &BibSpec {
            block: block("ipn:2.1", 3, 0, Placement::AfterPrimary),
            targets: &[1],
            sha_variant: Some(ShaVariant::Hmac384),
            scope: Some(Scope(7)),
            key: HMAC_KEY,
            wrap: None,
        },
        &keys,
        &OPTS,
    )
    .unwrap();
    assert_eq!(
        hex::encode(&signed),
        v["signed_bundle_hex"]["hex"].as_str().unwrap()
    );
    let secured = add_bcb(
        &signed,
        &BcbSpec {
            block: block("ipn:2.1", 2, 1, Placement::BeforePayload),
            targets: &[3, 1],
            iv: &iv(bcb),
            aes_variant: Some(AesVariant::A256Gcm),
            scope: Some(Scope(7)),
            key: AES_KEY,
            wrap: None,
        },
        &keys,
        &OPTS,
    )
    .unwrap();
    assert_eq!(
        hex::encode(&secured),
        v["final_bundle"]["hex"].as_str().unwrap()
    );

    let policy = Policy::new()
        .rule(bib_rule(
            "ipn:2.1",
            Targets::Payload,
            ShaVariant::Hmac384,
            7,
        ))
        .rule(bcb_rule("ipn:2.1", AesVariant::A256Gcm, 7));
    let accepted = accept(&secured, &policy, &keys, None, &OPTS).unwrap();
    assert_eq!(accepted.bundle, original);
    assert_eq!(accepted.checked.len(), 3);
}
