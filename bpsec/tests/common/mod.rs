//! Bundles, keys and a policy shared by the bpsec integration tests.
#![allow(
    dead_code,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use bpsec::context::Scope;
use bpsec::context::bcb_aes_gcm::AesVariant;
use bpsec::context::bib_hmac_sha2::ShaVariant;
use bpsec::{Context, IvCounter, KeyId, Options, Policy, Rule, StaticKeys, Targets};
use bpv7::block::{BlockFlags, CanonicalBlock};
use bpv7::bundle::BundleBuilder;
use bpv7::crc::CrcType;
use bpv7::eid::Eid;
use bpv7::primary::{BundleFlags, CreationTimestamp, PrimaryBlock};

pub const HMAC_KEY: KeyId = KeyId(1);
pub const AES_KEY: KeyId = KeyId(2);
pub const SOURCE: &str = "ipn:2.0";

pub fn source() -> Eid<'static> {
    Eid::parse_uri(SOURCE).unwrap()
}

pub fn keys() -> StaticKeys {
    StaticKeys::new()
        .with(HMAC_KEY, &[0x4b; 48])
        .with(AES_KEY, &[0xa5; 32])
}

pub fn primary(seq: u64) -> PrimaryBlock<'static> {
    PrimaryBlock {
        flags: BundleFlags(0),
        crc_type: CrcType::Crc32C,
        destination: Eid::parse_uri("ipn:1.3").unwrap(),
        source: source(),
        report_to: source(),
        creation: CreationTimestamp {
            time: 815_000_000_000,
            sequence: seq,
        },
        lifetime: 3_600_000,
        fragment: None,
    }
}

/// A plain bundle: primary (CRC-32C) + `extra` blocks + payload.
pub fn bundle_with(
    seq: u64,
    payload: &[u8],
    crc: CrcType,
    extra: &[CanonicalBlock<'_>],
) -> Vec<u8> {
    let mut b = BundleBuilder::new(primary(seq));
    for block in extra {
        b = b.block(*block);
    }
    b.payload(payload, BlockFlags(0), crc).to_vec().unwrap()
}

pub fn bundle(seq: u64, payload: &[u8]) -> Vec<u8> {
    bundle_with(seq, payload, CrcType::None, &[])
}

/// Integrity over the primary block, confidentiality over the payload, full scopes.
pub fn policy() -> Policy<'static> {
    Policy::new()
        .rule(Rule {
            source: source(),
            targets: Targets::Primary,
            context: Context::HmacSha2 {
                variant: ShaVariant::Hmac384,
                scope: Scope::ALL,
            },
            key: HMAC_KEY,
        })
        .rule(Rule {
            source: source(),
            targets: Targets::Payload,
            context: Context::AesGcm {
                variant: AesVariant::A256Gcm,
                scope: Scope::ALL,
            },
            key: AES_KEY,
        })
}

pub fn seal(plain: &[u8]) -> Vec<u8> {
    let mut ivs = IvCounter::new([0, 0, 0, 7], 1);
    bpsec::seal(
        plain,
        &policy(),
        &source(),
        &keys(),
        &mut ivs,
        &Options::STRICT,
    )
    .unwrap()
}
