//! Every RFC 9172 §3 rule, RFC 9173 parameter rule and policy rejection, each with a
//! hand-built bad bundle and its typed error.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use bpsec::asb::{self, AsbHeader, Item, SecurityBlock, Value};
use bpsec::context::Scope;
use bpsec::context::bib_hmac_sha2::ShaVariant;
use bpsec::{
    BcbSpec, BibSpec, Context, Error, KeyId, NewBlock, Options, Policy, PolicyViolation, Rule,
    StaticKeys, accept, add_bcb, add_bib,
};
use bpv7::block::{BlockFlags, CanonicalBlock, block_type};
use bpv7::bundle::{BundleBuilder, ParseOptions};
use bpv7::crc::CrcType;
use bpv7::primary::{BundleFlags, FragmentInfo};
use common::*;

const BIB: u64 = block_type::BIB;
const BCB: u64 = block_type::BCB;

/// An ASB with the given targets and context, one dummy result per target.
fn asb_bytes(targets: &[u64], context_id: i64, params: &[Item<'_>]) -> Vec<u8> {
    let mut out = Vec::new();
    AsbHeader {
        targets,
        context_id,
        source: source(),
        parameters: params,
    }
    .encode(&mut out);
    asb::write_results_head(&mut out, targets.len());
    for _ in targets {
        asb::write_result(&mut out, &[(1, Value::Bytes(&[0; 16]))]);
    }
    out
}

fn sec<'a>(ty: u64, number: u64, flags: u64, data: &'a [u8]) -> CanonicalBlock<'a> {
    CanonicalBlock {
        block_type: ty,
        number,
        flags: BlockFlags(flags),
        crc_type: CrcType::None,
        data,
    }
}

fn bib_params() -> Vec<Item<'static>> {
    vec![(1, Value::Uint(6)), (3, Value::Uint(7))]
}

fn bcb_params() -> Vec<Item<'static>> {
    vec![
        (1, Value::Bytes(&[7; 12])),
        (2, Value::Uint(3)),
        (4, Value::Uint(7)),
    ]
}

/// A BIB from the test source under the HMAC key, parameters left to their defaults.
fn bib(targets: &[u64]) -> BibSpec<'_> {
    BibSpec {
        block: NewBlock::from(source()),
        targets,
        sha_variant: None,
        scope: None,
        key: HMAC_KEY,
        wrap: None,
    }
}

/// A BCB from the test source under the AES key, IV 01…01, parameters left to their defaults.
fn bcb(targets: &[u64]) -> BcbSpec<'_> {
    BcbSpec {
        block: NewBlock::from(source()),
        targets,
        iv: &[1; 12],
        aes_variant: None,
        scope: None,
        key: AES_KEY,
        wrap: None,
    }
}

fn build(blocks: &[CanonicalBlock<'_>]) -> Vec<u8> {
    build_with(primary(1), blocks)
}

fn build_with(p: bpv7::primary::PrimaryBlock<'_>, blocks: &[CanonicalBlock<'_>]) -> Vec<u8> {
    let mut b = BundleBuilder::new(p).options(ParseOptions::LENIENT);
    for block in blocks {
        b = b.block(*block);
    }
    b.payload(b"payload", BlockFlags(0), CrcType::None)
        .to_vec()
        .unwrap()
}

fn accept_err(bundle: &[u8]) -> Error {
    accept(bundle, &policy(), &keys(), None, &Options::STRICT).unwrap_err()
}

fn assert_rule(err: Error, section: &str) {
    match err {
        Error::Rule { section: s, .. } if s == section => {}
        other => panic!("expected RFC 9172 {section} rule, got {other:?}"),
    }
}

#[test]
fn target_must_exist() {
    let a = asb_bytes(&[5], 1, &bib_params());
    assert_rule(accept_err(&build(&[sec(BIB, 2, 0, &a)])), "§3.6");
}

#[test]
fn no_two_operations_of_one_service_on_a_target() {
    let a = asb_bytes(&[1], 1, &bib_params());
    assert_rule(
        accept_err(&build(&[sec(BIB, 2, 0, &a), sec(BIB, 3, 0, &a)])),
        "§3.2",
    );
    let c = asb_bytes(&[1], 2, &bcb_params());
    assert_rule(
        accept_err(&build(&[sec(BCB, 2, 1, &c), sec(BCB, 3, 1, &c)])),
        "§3.2",
    );
}

#[test]
fn bib_must_not_target_security_blocks() {
    let c = asb_bytes(&[1], 2, &bcb_params());
    let on_bcb = asb_bytes(&[2], 1, &bib_params());
    assert_rule(
        accept_err(&build(&[sec(BCB, 2, 1, &c), sec(BIB, 3, 0, &on_bcb)])),
        "§3.7",
    );
    let a = asb_bytes(&[0], 1, &bib_params());
    let on_bib = asb_bytes(&[2], 1, &bib_params());
    assert_rule(
        accept_err(&build(&[sec(BIB, 2, 0, &a), sec(BIB, 3, 0, &on_bib)])),
        "§3.7",
    );
}

#[test]
fn bcb_target_rules() {
    let on_primary = asb_bytes(&[0], 2, &bcb_params());
    assert_rule(accept_err(&build(&[sec(BCB, 2, 0, &on_primary)])), "§3.8");
    let c = asb_bytes(&[1], 2, &bcb_params());
    let on_bcb = asb_bytes(&[2], 2, &bcb_params());
    assert_rule(
        accept_err(&build(&[sec(BCB, 2, 1, &c), sec(BCB, 3, 0, &on_bcb)])),
        "§3.8",
    );
    // A BIB over the primary block; a BCB may not encrypt it (no shared target). Refused by
    // the source before anything is encrypted.
    let signed = add_bib(&bundle(1, b"p"), &bib(&[0]), &keys(), &Options::STRICT).unwrap();
    let err = add_bcb(&signed, &bcb(&[2]), &keys(), &Options::STRICT).unwrap_err();
    assert_rule(err, "§3.8");
}

#[test]
fn bcb_flag_rules() {
    let c = asb_bytes(&[1], 2, &bcb_params());
    // Over the payload without "replicate in every fragment".
    assert_rule(accept_err(&build(&[sec(BCB, 2, 0, &c)])), "§3.8");
    // "Discard if unprocessable" set.
    assert_rule(accept_err(&build(&[sec(BCB, 2, 0x11, &c)])), "§3.8");
}

#[test]
fn bib_over_encrypted_target_must_be_encrypted() {
    let a = asb_bytes(&[1], 1, &bib_params());
    let c = asb_bytes(&[1], 2, &bcb_params());
    assert_rule(
        accept_err(&build(&[sec(BIB, 2, 0, &a), sec(BCB, 3, 1, &c)])),
        "§3.9",
    );
    // And the source never adds a BIB over an encrypted block.
    let sealed = seal(&bundle(1, b"p"));
    let err = add_bib(&sealed, &bib(&[1]), &keys(), &Options::STRICT).unwrap_err();
    assert_rule(err, "§3.9");
}

#[test]
fn bcb_over_part_of_a_bibs_targets_is_refused() {
    // A BIB over the payload and an extension block; encrypting the payload and the BIB but
    // not the extension block would need the BIB split (RFC 9172 §3.9).
    let age = [0x19, 0x01, 0x2c];
    let age_block = CanonicalBlock {
        block_type: block_type::BUNDLE_AGE,
        number: 2,
        flags: BlockFlags(0),
        crc_type: CrcType::None,
        data: &age,
    };
    let plain = bundle_with(1, b"p", CrcType::None, &[age_block]);
    let signed = add_bib(
        &plain,
        &BibSpec {
            block: NewBlock {
                number: Some(3),
                ..NewBlock::from(source())
            },
            ..bib(&[1, 2])
        },
        &keys(),
        &Options::STRICT,
    )
    .unwrap();
    let err = add_bcb(&signed, &bcb(&[3, 1]), &keys(), &Options::STRICT).unwrap_err();
    assert_rule(err, "§3.9");
}

#[test]
fn source_refuses_double_signing_and_encrypting_primary() {
    let spec = bib(&[1]);
    let once = add_bib(&bundle(1, b"p"), &spec, &keys(), &Options::STRICT).unwrap();
    assert_rule(
        add_bib(&once, &spec, &keys(), &Options::STRICT).unwrap_err(),
        "§3.2",
    );
    let err = add_bcb(&bundle(1, b"p"), &bcb(&[0]), &keys(), &Options::STRICT).unwrap_err();
    assert_rule(err, "§3.8");
    // Duplicate or missing targets, and an existing block number.
    let dup = bib(&[1, 1]);
    assert_rule(
        add_bib(&bundle(1, b"p"), &dup, &keys(), &Options::STRICT).unwrap_err(),
        "§3.6",
    );
    let none = bib(&[]);
    assert_rule(
        add_bib(&bundle(1, b"p"), &none, &keys(), &Options::STRICT).unwrap_err(),
        "§3.6",
    );
    let taken = BibSpec {
        block: NewBlock {
            number: Some(1),
            ..NewBlock::from(source())
        },
        ..spec
    };
    assert!(matches!(
        add_bib(&bundle(1, b"p"), &taken, &keys(), &Options::STRICT),
        Err(Error::Bundle(_))
    ));
}

#[test]
fn fragments_carry_no_payload_security() {
    let mut p = primary(1);
    p.flags = BundleFlags::IS_FRAGMENT;
    p.fragment = Some(FragmentInfo {
        offset: 0,
        total_adu_length: 100,
    });
    let a = asb_bytes(&[1], 1, &bib_params());
    assert_rule(accept_err(&build_with(p, &[sec(BIB, 2, 0, &a)])), "§5.2");
    let plain = build_with(p, &[]);
    let spec = bib(&[0]);
    assert_rule(
        add_bib(&plain, &spec, &keys(), &Options::STRICT).unwrap_err(),
        "§5.2",
    );
}

#[test]
fn malformed_asbs() {
    let cases: Vec<(&str, Vec<u8>)> = vec![
        ("no target", hex::decode("80010082028202000180").unwrap()),
        (
            "results count",
            hex::decode("810101008202820200 80".replace(' ', "")).unwrap(),
        ),
        ("trailing", {
            let mut a = asb_bytes(&[1], 1, &[]);
            a.push(0);
            a
        }),
        ("parameters flagged, absent", {
            // flags 1 but the next item is the results array: it decodes as the parameters,
            // then the results are missing.
            let mut a = Vec::new();
            AsbHeader {
                targets: &[1],
                context_id: 1,
                source: source(),
                parameters: &[],
            }
            .encode(&mut a);
            let flags_at = a.len() - source().encoded_len() - 1;
            a[flags_at] = 1;
            asb::write_results_head(&mut a, 1);
            asb::write_result(&mut a, &[]);
            a
        }),
        ("truncated", asb_bytes(&[1], 1, &bib_params())[..6].to_vec()),
    ];
    for (what, bytes) in cases {
        assert!(
            matches!(
                SecurityBlock::decode(&bytes, 2),
                Err(Error::MalformedAsb { block: 2, .. })
            ),
            "{what}: {:?}",
            SecurityBlock::decode(&bytes, 2)
        );
        // In a bundle: refused the same way.
        assert!(matches!(
            accept_err(&build(&[sec(BIB, 2, 0, &bytes)])),
            Error::MalformedAsb { .. }
        ));
    }
    // Duplicate targets, built properly.
    let mut dup = Vec::new();
    AsbHeader {
        targets: &[1, 1],
        context_id: 1,
        source: source(),
        parameters: &[],
    }
    .encode(&mut dup);
    asb::write_results_head(&mut dup, 2);
    asb::write_result(&mut dup, &[]);
    asb::write_result(&mut dup, &[]);
    assert!(matches!(
        SecurityBlock::decode(&dup, 2),
        Err(Error::MalformedAsb { .. })
    ));
}

/// A sealed bundle whose BCB parameters are replaced (the crypto is never reached).
fn with_bcb_params(params: &[Item<'_>]) -> Error {
    let c = asb_bytes(&[1], 2, params);
    accept_err(&build(&[sec(BCB, 2, 1, &c)]))
}

#[test]
fn context_parameter_rules() {
    let param = |e: Error| match e {
        Error::Parameter { reason, .. } => reason,
        other => panic!("expected a parameter error, got {other:?}"),
    };
    assert!(
        param(with_bcb_params(&[(2, Value::Uint(3)), (4, Value::Uint(7))])).starts_with("missing")
    );
    assert!(
        param(with_bcb_params(&[
            (1, Value::Bytes(&[0; 8])),
            (2, Value::Uint(3)),
            (4, Value::Uint(7))
        ]))
        .contains("12")
    );
    // A192GCM (2) is not an RFC 9173 variant.
    assert_eq!(
        param(with_bcb_params(&[
            (1, Value::Bytes(&[0; 12])),
            (2, Value::Uint(2))
        ])),
        "unknown AES variant"
    );
    assert_eq!(
        param(with_bcb_params(&[
            (1, Value::Bytes(&[0; 12])),
            (9, Value::Uint(2))
        ])),
        "unknown parameter"
    );
    assert_eq!(
        param(with_bcb_params(&[
            (1, Value::Bytes(&[0; 12])),
            (1, Value::Bytes(&[0; 12]))
        ])),
        "repeated parameter"
    );
    assert_eq!(
        param(with_bcb_params(&[(1, Value::Uint(5))])),
        "wrong CBOR type"
    );
    assert_eq!(
        param(with_bcb_params(&[
            (1, Value::Bytes(&[0; 12])),
            (4, Value::Uint(8))
        ])),
        "unassigned scope flag"
    );
}

#[test]
fn policy_rejections() {
    let opts = Options::STRICT;
    // Nothing protected, policy requires both.
    let plain = bundle(1, b"p");
    assert_eq!(
        accept(&plain, &policy(), &keys(), None, &opts),
        Err(Error::Policy(PolicyViolation::MissingBib(0)))
    );
    // Primary signed, payload left in clear.
    let primary_only = Policy::new().rule(policy().rules[0]);
    let mut ivs = bpsec::IvCounter::new([0; 4], 0);
    let signed = bpsec::seal(&plain, &primary_only, &source(), &keys(), &mut ivs, &opts).unwrap();
    assert_eq!(
        accept(&signed, &policy(), &keys(), None, &opts),
        Err(Error::Policy(PolicyViolation::MissingBcb(1)))
    );
    // Payload encrypted, primary not signed.
    let payload_only = Policy::new().rule(policy().rules[1]);
    let mut ivs = bpsec::IvCounter::new([0; 4], 0);
    let enc = bpsec::seal(&plain, &payload_only, &source(), &keys(), &mut ivs, &opts).unwrap();
    assert_eq!(
        accept(&enc, &policy(), &keys(), None, &opts),
        Err(Error::Policy(PolicyViolation::MissingBib(0)))
    );
    // A security operation from a source the policy does not know.
    let other = Policy::new().rule(Rule {
        source: bpv7::eid::Eid::parse_uri("ipn:66.0").unwrap(),
        ..policy().rules[1]
    });
    assert!(matches!(
        accept(&enc, &other, &keys(), None, &opts),
        Err(Error::Policy(PolicyViolation::UnexpectedOperation {
            target: 1,
            ..
        }))
    ));
    // Same source and key, but the policy wants another scope.
    let scope = Policy::new().rule(Rule {
        context: Context::AesGcm {
            variant: bpsec::context::bcb_aes_gcm::AesVariant::A256Gcm,
            scope: Scope(1),
        },
        ..policy().rules[1]
    });
    assert!(matches!(
        accept(&enc, &scope, &keys(), None, &opts),
        Err(Error::Policy(PolicyViolation::WrongParameters {
            what: "AAD scope",
            ..
        }))
    ));
    // The key the policy names is not in the store (or not usable).
    let no_keys = StaticKeys::new().with(HMAC_KEY, &[0x4b; 48]);
    assert_eq!(
        accept(&enc, &payload_only, &no_keys, None, &opts),
        Err(Error::UnknownKey(AES_KEY))
    );
    // An unknown security context where the policy expects BIB-HMAC-SHA2.
    let a = asb_bytes(&[0], 99, &[]);
    assert_eq!(
        accept(
            &build(&[sec(BIB, 2, 0, &a)]),
            &policy(),
            &keys(),
            None,
            &opts
        ),
        Err(Error::UnsupportedContext(99))
    );
}

#[test]
fn key_length_and_unwrap_failures() {
    // RFC 9173 §3.5 enforced under STRICT: a 16-octet key for HMAC 384.
    let short = StaticKeys::new().with(HMAC_KEY, &[1; 16]);
    let spec = BibSpec {
        block: NewBlock::from(source()),
        targets: &[0],
        sha_variant: Some(ShaVariant::Hmac384),
        scope: None,
        key: HMAC_KEY,
        wrap: None,
    };
    assert_eq!(
        add_bib(&bundle(1, b"p"), &spec, &short, &Options::STRICT),
        Err(Error::KeyLength {
            key: HMAC_KEY,
            expected: 48,
            found: 16
        })
    );
    // A wrapped content key unwrapped under the wrong key-encryption key.
    let kek = StaticKeys::new().with(KeyId(5), &[9; 16]);
    let wrapped = add_bcb(
        &bundle(1, b"p"),
        &BcbSpec {
            block: NewBlock::from(source()),
            targets: &[1],
            iv: &[3; 12],
            aes_variant: None,
            scope: None,
            key: KeyId(5),
            wrap: Some(&[0x77; 32]),
        },
        &kek,
        &Options::STRICT,
    )
    .unwrap();
    let policy = Policy::new().rule(Rule {
        key: KeyId(5),
        ..policy().rules[1]
    });
    // The primary is covered by the BCB's AAD (scope 7), so no BIB is needed.
    let ok = accept(&wrapped, &policy, &kek, None, &Options::STRICT).unwrap();
    assert_eq!(ok.bundle, bundle(1, b"p"));
    let wrong = StaticKeys::new().with(KeyId(5), &[8; 16]);
    assert_eq!(
        accept(&wrapped, &policy, &wrong, None, &Options::STRICT),
        Err(Error::KeyUnwrap(KeyId(5)))
    );
}

#[test]
fn bib_with_wrapped_hmac_key() {
    // RFC 9173 §3.3.2: the HMAC key travels wrapped under the resolved key-encryption key.
    let kek = StaticKeys::new().with(KeyId(5), &[0x31; 32]);
    let spec = BibSpec {
        block: NewBlock::from(source()),
        targets: &[0, 1],
        sha_variant: Some(ShaVariant::Hmac512),
        scope: None,
        key: KeyId(5),
        wrap: Some(&[0x6b; 64]),
    };
    let signed = add_bib(&bundle(4, b"p"), &spec, &kek, &Options::STRICT).unwrap();
    let policy = Policy::new()
        .rule(Rule {
            source: source(),
            targets: bpsec::Targets::Primary,
            context: Context::HmacSha2 {
                variant: ShaVariant::Hmac512,
                scope: Scope::ALL,
            },
            key: KeyId(5),
        })
        .rule(Rule {
            source: source(),
            targets: bpsec::Targets::Payload,
            context: Context::HmacSha2 {
                variant: ShaVariant::Hmac512,
                scope: Scope::ALL,
            },
            key: KeyId(5),
        });
    let accepted = accept(&signed, &policy, &kek, None, &Options::STRICT).unwrap();
    assert_eq!(accepted.bundle, bundle(4, b"p"));
    assert_eq!(accepted.checked.len(), 2);
    let wrong = StaticKeys::new().with(KeyId(5), &[0x32; 32]);
    assert_eq!(
        accept(&signed, &policy, &wrong, None, &Options::STRICT),
        Err(Error::KeyUnwrap(KeyId(5)))
    );
}

/// The acceptor checks the §3 rules while the cipher is keyed, after matching the policy and
/// resolving the key; a bundle that breaks a rule reports the rule all the same, as if the
/// rules had been checked first.
#[test]
fn broken_rule_reported_before_policy_and_key_errors() {
    // A BCB over the payload without "replicate in every fragment" (§3.8).
    let c = asb_bytes(&[1], 2, &bcb_params());
    let bundle = build(&[sec(BCB, 2, 0, &c)]);
    let opts = Options::STRICT;
    let payload_only = Policy::new().rule(policy().rules[1]);
    // The rule's key is not in the store.
    let no_keys = StaticKeys::new().with(HMAC_KEY, &[0x4b; 48]);
    assert_rule(
        accept(&bundle, &payload_only, &no_keys, None, &opts).unwrap_err(),
        "§3.8",
    );
    // The key is there but of the wrong length.
    let short = StaticKeys::new().with(AES_KEY, &[1; 5]);
    assert_rule(
        accept(&bundle, &payload_only, &short, None, &opts).unwrap_err(),
        "§3.8",
    );
    // No rule for the operation's source.
    let other = Policy::new().rule(Rule {
        source: bpv7::eid::Eid::parse_uri("ipn:66.0").unwrap(),
        ..policy().rules[1]
    });
    assert_rule(
        accept(&bundle, &other, &keys(), None, &opts).unwrap_err(),
        "§3.8",
    );
    // With the flag set, the same bundle gets as far as its key.
    let replicated = build(&[sec(BCB, 2, 1, &c)]);
    assert_eq!(
        accept(&replicated, &payload_only, &no_keys, None, &opts),
        Err(Error::UnknownKey(AES_KEY))
    );
}
