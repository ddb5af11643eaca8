//! Property tests: seal → accept round trips over random bundles, variants, scopes and CRC
//! types; ASB encode → decode; arbitrary and mutated bytes never panic.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use bpsec::asb::{self, AsbHeader, SecurityBlock, Value};
use bpsec::context::Scope;
use bpsec::context::bcb_aes_gcm::AesVariant;
use bpsec::context::bib_hmac_sha2::ShaVariant;
use bpsec::{Context, IvCounter, Options, Policy, Rule, StaticKeys, Targets, accept, verify};
use bpv7::block::{BlockFlags, CanonicalBlock, block_type};
use bpv7::crc::CrcType;
use common::*;
use proptest::prelude::*;

fn crc() -> impl Strategy<Value = CrcType> {
    prop_oneof![
        Just(CrcType::None),
        Just(CrcType::Crc16X25),
        Just(CrcType::Crc32C)
    ]
}

fn sha() -> impl Strategy<Value = ShaVariant> {
    prop_oneof![
        Just(ShaVariant::Hmac256),
        Just(ShaVariant::Hmac384),
        Just(ShaVariant::Hmac512)
    ]
}

fn aes() -> impl Strategy<Value = AesVariant> {
    prop_oneof![Just(AesVariant::A128Gcm), Just(AesVariant::A256Gcm)]
}

fn keys_for(sha: ShaVariant, aes: AesVariant) -> StaticKeys {
    StaticKeys::new()
        .with(HMAC_KEY, &vec![0x4b; sha.mac_len()])
        .with(AES_KEY, &vec![0xa5; aes.key_len()])
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(96))]

    #[test]
    fn seal_then_accept_round_trips(
        payload in proptest::collection::vec(any::<u8>(), 0..600),
        age in proptest::option::of(any::<u32>()),
        seq in any::<u64>(),
        payload_crc in crc(),
        sha in sha(),
        aes in aes(),
        bib_scope in 0u8..8,
        bcb_scope in 0u8..8,
        encrypt_age in any::<bool>(),
    ) {
        let age_data;
        let extra: Vec<CanonicalBlock<'_>> = match age {
            Some(ms) => {
                age_data = { let mut v = Vec::new(); bpv7::cbor::write_uint(&mut v, u64::from(ms)); v };
                vec![CanonicalBlock { block_type: block_type::BUNDLE_AGE, number: 2, flags: BlockFlags(0), crc_type: CrcType::Crc32C, data: &age_data }]
            }
            None => vec![],
        };
        let plain = bundle_with(seq, &payload, payload_crc, &extra);
        let mut policy = Policy::new()
            .rule(Rule { source: source(), targets: Targets::Primary, context: Context::HmacSha2 { variant: sha, scope: Scope(bib_scope) }, key: HMAC_KEY })
            .rule(Rule { source: source(), targets: Targets::Payload, context: Context::AesGcm { variant: aes, scope: Scope(bcb_scope) }, key: AES_KEY });
        if age.is_some() {
            let context = if encrypt_age {
                Context::AesGcm { variant: aes, scope: Scope(bcb_scope) }
            } else {
                Context::HmacSha2 { variant: sha, scope: Scope(bib_scope) }
            };
            policy = policy.rule(Rule { source: source(), targets: Targets::BlockType(block_type::BUNDLE_AGE), context, key: if encrypt_age { AES_KEY } else { HMAC_KEY } });
        }
        let keys = keys_for(sha, aes);
        let mut ivs = IvCounter::new([9, 9, 9, 9], seq);
        let sealed = bpsec::seal(&plain, &policy, &source(), &keys, &mut ivs, &Options::STRICT).unwrap();
        // A verifier at a waypoint checks the BIB (not under encryption) without changing it.
        prop_assert!(!verify(&sealed, &policy, &keys, &Options::STRICT).unwrap().is_empty());
        let accepted = accept(&sealed, &policy, &keys, None, &Options::STRICT).unwrap();
        // Encrypted blocks lose their CRC (RFC 9173 §4.8.1); otherwise the bundle is the
        // original.
        let expected_payload_crc = CrcType::None;
        let expected_age: Vec<CanonicalBlock<'_>> = extra.iter().map(|b| CanonicalBlock { crc_type: if encrypt_age { CrcType::None } else { b.crc_type }, ..*b }).collect();
        prop_assert_eq!(accepted.bundle, bundle_with(seq, &payload, expected_payload_crc, &expected_age));
    }

    #[test]
    fn asb_encode_decode(
        targets in proptest::collection::btree_set(0u64..100, 1..6),
        context_id in any::<i64>(),
        params in proptest::collection::vec((any::<i64>(), any::<u64>()), 0..4),
        blob in proptest::collection::vec(any::<u8>(), 0..40),
    ) {
        let targets: Vec<u64> = targets.into_iter().collect();
        let items: Vec<(i64, Value<'_>)> = params.iter().map(|(i, v)| (*i, Value::Uint(*v))).collect();
        let mut bytes = Vec::new();
        let header = AsbHeader { targets: &targets, context_id, source: source(), parameters: &items };
        header.encode(&mut bytes);
        prop_assert_eq!(bytes.len(), header.encoded_len());
        asb::write_results_head(&mut bytes, targets.len());
        for _ in &targets {
            asb::write_result(&mut bytes, &[(1, Value::Bytes(&blob)), (-7, Value::Uint(3))]);
        }
        let asb = SecurityBlock::decode(&bytes, 9).unwrap();
        prop_assert_eq!(asb.targets().collect::<Vec<_>>(), targets.clone());
        prop_assert_eq!(asb.context_id, context_id);
        prop_assert_eq!(asb.source, source());
        prop_assert_eq!(asb.parameters().collect::<Vec<_>>(), items);
        for r in asb.results() {
            prop_assert_eq!(r.collect::<Vec<_>>(), vec![(1, Value::Bytes(&blob)), (-7, Value::Uint(3))]);
        }
    }

    #[test]
    fn arbitrary_asb_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..200)) {
        if let Ok(asb) = SecurityBlock::decode(&bytes, 2) {
            let _ = asb.targets().count();
            let _ = asb.parameters().count();
            let _ = asb.results().map(Iterator::count).sum::<usize>();
        }
    }

    #[test]
    fn arbitrary_bundles_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..300)) {
        let _ = accept(&bytes, &policy(), &keys(), None, &Options::STRICT);
        let _ = verify(&bytes, &policy(), &keys(), &Options::STRICT);
    }

    #[test]
    fn mutated_sealed_bundles_never_panic_nor_pass(
        edits in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..6),
        cut in proptest::option::of(any::<prop::sample::Index>()),
    ) {
        let sealed = seal(&bundle(5, b"image chunk 0001"));
        let mut bytes = sealed.clone();
        for (i, b) in &edits {
            let at = i.index(bytes.len());
            bytes[at] = *b;
        }
        if let Some(c) = cut {
            bytes.truncate(c.index(bytes.len()));
        }
        let result = accept(&bytes, &policy(), &keys(), None, &Options::STRICT);
        if bytes != sealed {
            prop_assert!(result.is_err());
        }
    }
}
