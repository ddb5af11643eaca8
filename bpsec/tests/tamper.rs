//! Flipping any single bit of a sealed bundle makes acceptance fail with a typed error:
//! never a panic, never a silent success. Exhaustive over every bit of small bundles.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use bpsec::context::Scope;
use bpsec::context::bib_hmac_sha2::ShaVariant;
use bpsec::{Context, Options, Policy, Rule, Targets, accept};
use bpv7::crc::CrcType;
use common::*;

fn every_flip_fails(sealed: &[u8], policy: &Policy<'_>) {
    accept(sealed, policy, &keys(), None, &Options::STRICT)
        .expect("the untouched bundle is accepted");
    let mut copy = sealed.to_vec();
    for bit in 0..sealed.len() * 8 {
        copy[bit / 8] ^= 1 << (bit % 8);
        let result = accept(&copy, policy, &keys(), None, &Options::STRICT);
        assert!(result.is_err(), "bit {bit} flipped: accepted {:02x?}", copy);
        copy[bit / 8] ^= 1 << (bit % 8);
    }
}

#[test]
fn sealed_bundle_bib_and_bcb() {
    // Primary block signed (BIB), payload encrypted (BCB); no CRC on the payload, so every
    // flip there must be caught by the cryptography, not by a checksum.
    let sealed = seal(&bundle(42, b"PING 1234567890"));
    every_flip_fails(&sealed, &policy());
}

#[test]
fn signed_only_bundle() {
    // Integrity only, over primary and payload in one BIB, full scope.
    let policy = Policy::new().rule(Rule {
        source: source(),
        targets: Targets::Payload,
        context: Context::HmacSha2 {
            variant: ShaVariant::Hmac256,
            scope: Scope::ALL,
        },
        key: HMAC_KEY,
    });
    let keys = bpsec::StaticKeys::new().with(HMAC_KEY, &[0x4b; 32]);
    let plain = bundle_with(7, b"telemetry frame", CrcType::None, &[]);
    let mut ivs = bpsec::IvCounter::new([0; 4], 0);
    let sealed = bpsec::seal(
        &plain,
        &policy,
        &source(),
        &keys,
        &mut ivs,
        &Options::STRICT,
    )
    .unwrap();
    accept(&sealed, &policy, &keys, None, &Options::STRICT).unwrap();
    let mut copy = sealed.clone();
    for bit in 0..sealed.len() * 8 {
        copy[bit / 8] ^= 1 << (bit % 8);
        assert!(
            accept(&copy, &policy, &keys, None, &Options::STRICT).is_err(),
            "bit {bit} flipped and still accepted"
        );
        copy[bit / 8] ^= 1 << (bit % 8);
    }
}
