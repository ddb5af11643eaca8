#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]
//! The `secured` typestate at run time (issue #6, "Fail closed by construction"): protect →
//! downlink → verify → handler, and every refusal (tampered, replayed, unknown key, a policy
//! that would leave the payload in clear) with its typed error, nothing written and no handler
//! call.

use std::io;

use borealis_node::secured::{
    Bundle, BundleSink, Downlink, Error, Handler, Plain, Received, Verified,
};
use bpsec::context::Scope;
use bpsec::context::bcb_aes_gcm::AesVariant;
use bpsec::context::bib_hmac_sha2::ShaVariant;
use bpsec::{
    Context, IvCounter, KeyId, Options, Policy, PolicyViolation, ReplayFilter, Rule, Service,
    StaticKeys, Targets,
};
use bpv7::block::BlockFlags;
use bpv7::bundle::BundleBuilder;
use bpv7::crc::CrcType;
use bpv7::eid::Eid;
use bpv7::primary::{BundleFlags, CreationTimestamp, PrimaryBlock};

/// A command payload, long enough that finding it in the output means it went out in clear.
const COMMAND: &[u8] = b"borealis command: CAPTURE image 42 at full resolution";

const HMAC_KEY: KeyId = KeyId(1);
const GCM_KEY: KeyId = KeyId(2);

fn ground() -> Eid<'static> {
    Eid::parse_uri("ipn:2.0").unwrap()
}

fn keys() -> StaticKeys {
    StaticKeys::new()
        .with(HMAC_KEY, &[7; 48])
        .with(GCM_KEY, &[9; 32])
}

fn hmac_rule(targets: Targets, scope: Scope) -> Rule<'static> {
    Rule {
        source: ground(),
        targets,
        context: Context::HmacSha2 {
            variant: ShaVariant::Hmac384,
            scope,
        },
        key: HMAC_KEY,
    }
}

fn gcm_rule(source: Eid<'static>, scope: Scope) -> Rule<'static> {
    Rule {
        source,
        targets: Targets::Payload,
        context: Context::AesGcm {
            variant: AesVariant::A256Gcm,
            scope,
        },
        key: GCM_KEY,
    }
}

/// The mission policy of DESIGN.md: primary block under a BIB, payload under a BCB.
fn policy() -> Policy<'static> {
    Policy::new()
        .rule(hmac_rule(Targets::Primary, Scope::ALL))
        .rule(gcm_rule(ground(), Scope::ALL))
}

fn plain(sequence: u64) -> Bundle<Plain> {
    let primary = PrimaryBlock {
        flags: BundleFlags(0),
        crc_type: CrcType::Crc32C,
        destination: Eid::parse_uri("ipn:1.1").unwrap(),
        source: ground(),
        report_to: ground(),
        creation: CreationTimestamp {
            time: 815_000_000_000,
            sequence,
        },
        lifetime: 3_600_000,
        fragment: None,
    };
    let builder = BundleBuilder::new(primary).payload(COMMAND, BlockFlags(0), CrcType::Crc32C);
    Bundle::build(&builder).unwrap()
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

/// A recording sink: what the transport's outbox writer would have written.
#[derive(Default)]
struct Outbox(Vec<Vec<u8>>);

impl BundleSink for Outbox {
    fn write(&mut self, bytes: &[u8]) -> io::Result<()> {
        self.0.push(bytes.to_vec());
        Ok(())
    }
}

/// Protects and sends `bundles` sequence numbers through a recording downlink.
fn downlink_bytes(sequences: &[u64]) -> Vec<Vec<u8>> {
    let mut ivs = IvCounter::new(*b"GND1", 0);
    let mut downlink = Downlink::new(Outbox::default());
    for &seq in sequences {
        let protected = plain(seq)
            .protect(&policy(), &ground(), &keys(), &mut ivs, &Options::STRICT)
            .unwrap();
        downlink.send(protected).unwrap();
    }
    downlink.into_inner().0
}

/// A command handler that records what it was given.
#[derive(Default)]
struct Recorder {
    payloads: Vec<Vec<u8>>,
}

impl Handler for Recorder {
    type Output = usize;
    fn handle(&mut self, bundle: &Received<Verified>) -> usize {
        self.payloads.push(bundle.payload().to_vec());
        self.payloads.len()
    }
}

/// The payload side's receive path: verify, and only then handle.
fn deliver(
    bytes: &[u8],
    keys: &StaticKeys,
    replay: &mut ReplayFilter,
    handler: &mut Recorder,
) -> Result<usize, Error> {
    let verified =
        Received::new(bytes.to_vec()).verify(&policy(), keys, replay, &Options::STRICT)?;
    Ok(handler.handle(&verified))
}

#[test]
fn protect_writes_the_sealed_bundle_to_the_downlink() {
    let written = downlink_bytes(&[1]);
    assert_eq!(written.len(), 1);
    let bytes = &written[0];
    assert!(!contains(bytes, COMMAND), "payload went out in clear");
    let view = bpv7::bundle::BundleView::parse(bytes).unwrap();
    let types: Vec<u64> = view.blocks().map(|(b, _)| b.block_type).collect();
    assert!(types.contains(&bpv7::block::block_type::BCB));
    assert!(types.contains(&bpv7::block::block_type::BIB));
}

#[test]
fn verified_bytes_reach_the_handler_in_plaintext() {
    let written = downlink_bytes(&[1, 2]);
    let mut replay = ReplayFilter::new(64).unwrap();
    let mut handler = Recorder::default();
    for bytes in &written {
        deliver(bytes, &keys(), &mut replay, &mut handler).unwrap();
    }
    assert_eq!(handler.payloads, vec![COMMAND.to_vec(), COMMAND.to_vec()]);

    // The verified view: authenticated primary block, no security block left, what was
    // checked.
    let verified = Received::new(written[0].clone())
        .verify(
            &policy(),
            &keys(),
            &mut ReplayFilter::new(64).unwrap(),
            &Options::STRICT,
        )
        .unwrap();
    let view = verified.bundle().unwrap();
    assert_eq!(view.primary().source, ground());
    assert_eq!(view.primary().creation.sequence, 1);
    assert_eq!(view.block_count(), 1);
    assert_eq!(view.payload(), COMMAND);
    assert!(
        verified
            .checked()
            .iter()
            .any(|c| c.service == Service::Confidentiality && c.target == 1 && c.key == GCM_KEY)
    );
    assert!(
        verified
            .checked()
            .iter()
            .any(|c| c.service == Service::Integrity && c.target == 0 && c.key == HMAC_KEY)
    );
    // The primary block is as sent; the payload lost its CRC when encrypted (RFC 9173
    // §4.8.1: a CRC over plaintext would leak), the rest is the plaintext bundle.
    let plain = plain(1);
    let sent = plain
        .view_with(&bpv7::bundle::ParseOptions::STRICT)
        .unwrap();
    assert_eq!(
        verified.as_bytes()[view.primary_span()],
        sent.bytes()[sent.primary_span()]
    );
    assert_eq!(view.payload_block().0.crc_type, CrcType::None);

    // A closure is a handler too.
    let mut seen = 0;
    let mut count = |b: &Received<Verified>| seen += b.payload().len();
    count.handle(&verified);
    assert_eq!(seen, COMMAND.len());
}

#[test]
fn tampered_bundle_fails_verify_and_is_not_handled() {
    let mut bytes = downlink_bytes(&[1]).remove(0);
    // The payload block is last and, encrypted, has no CRC (RFC 9173 §4.8.1): the octet
    // before the closing break is ciphertext.
    let at = bytes.len() - 2;
    bytes[at] ^= 0x01;
    let mut replay = ReplayFilter::new(64).unwrap();
    let mut handler = Recorder::default();
    let err = deliver(&bytes, &keys(), &mut replay, &mut handler).unwrap_err();
    assert!(
        matches!(
            err,
            Error::Security(bpsec::Error::DecryptionFailed { target: 1, .. })
        ),
        "{err:?}"
    );
    assert!(handler.payloads.is_empty());
}

#[test]
fn replayed_bundle_fails_verify_and_is_not_handled_again() {
    let bytes = downlink_bytes(&[5]).remove(0);
    let mut replay = ReplayFilter::new(64).unwrap();
    let mut handler = Recorder::default();
    deliver(&bytes, &keys(), &mut replay, &mut handler).unwrap();
    let err = deliver(&bytes, &keys(), &mut replay, &mut handler).unwrap_err();
    assert!(
        matches!(err, Error::Security(bpsec::Error::Replay(_))),
        "{err:?}"
    );
    assert_eq!(handler.payloads.len(), 1);

    // Also after a restart, with the window restored from its persisted form.
    let mut restored = ReplayFilter::from_bytes(&replay.to_bytes()).unwrap();
    let err = deliver(&bytes, &keys(), &mut restored, &mut handler).unwrap_err();
    assert!(matches!(err, Error::Security(bpsec::Error::Replay(_))));
    assert_eq!(handler.payloads.len(), 1);
}

#[test]
fn unknown_key_fails_verify_and_is_not_handled() {
    let bytes = downlink_bytes(&[1]).remove(0);
    let other_keys = StaticKeys::new().with(HMAC_KEY, &[7; 48]);
    let mut replay = ReplayFilter::new(64).unwrap();
    let mut handler = Recorder::default();
    let err = deliver(&bytes, &other_keys, &mut replay, &mut handler).unwrap_err();
    assert_eq!(err, Error::Security(bpsec::Error::UnknownKey(GCM_KEY)));
    assert!(handler.payloads.is_empty());
    // The refused bundle did not consume its sequence number: with the right key it passes.
    deliver(&bytes, &keys(), &mut replay, &mut handler).unwrap();
    assert_eq!(handler.payloads.len(), 1);
}

#[test]
fn wrong_key_octets_fail_verify() {
    let bytes = downlink_bytes(&[1]).remove(0);
    let wrong = StaticKeys::new()
        .with(HMAC_KEY, &[7; 48])
        .with(GCM_KEY, &[8; 32]);
    let mut handler = Recorder::default();
    let err = deliver(
        &bytes,
        &wrong,
        &mut ReplayFilter::new(64).unwrap(),
        &mut handler,
    )
    .unwrap_err();
    assert!(matches!(
        err,
        Error::Security(bpsec::Error::DecryptionFailed { .. })
    ));
    assert!(handler.payloads.is_empty());
}

/// Protects `plain(1)` under `policy` towards a recording downlink; returns the outcome and
/// what was written.
fn try_send(policy: &Policy<'_>) -> (Result<(), Error>, Vec<Vec<u8>>, u64) {
    let mut ivs = IvCounter::new(*b"GND1", 0);
    let mut downlink = Downlink::new(Outbox::default());
    let result = plain(1)
        .protect(policy, &ground(), &keys(), &mut ivs, &Options::STRICT)
        .map(|protected| downlink.send(protected).unwrap());
    let written = downlink.into_inner().0;
    (result, written, ivs.next_value())
}

#[test]
fn a_policy_that_leaves_the_payload_in_clear_is_refused_and_nothing_is_written() {
    let other = Eid::parse_uri("ipn:3.0").unwrap();
    let cases = [
        ("empty policy", Policy::new()),
        (
            "integrity only",
            Policy::new()
                .rule(hmac_rule(Targets::Primary, Scope::ALL))
                .rule(hmac_rule(Targets::Payload, Scope::ALL)),
        ),
        (
            "payload encrypted by another source only",
            Policy::new().rule(gcm_rule(other, Scope::ALL)),
        ),
    ];
    for (what, policy) in cases {
        let (result, written, iv) = try_send(&policy);
        assert_eq!(result, Err(Error::PayloadInClear), "{what}");
        assert!(written.is_empty(), "{what}");
        assert_eq!(iv, 0, "{what}: no IV spent");
    }
}

#[test]
fn a_policy_that_leaves_the_primary_block_unauthenticated_is_refused() {
    // The BCB's AAD leaves out the primary block and no BIB covers it: the destination and
    // the anti-replay sequence number would travel unauthenticated.
    let without_primary = Scope(Scope::TARGET_HEADER.0 | Scope::SECURITY_HEADER.0);
    let policy = Policy::new().rule(gcm_rule(ground(), without_primary));
    let (result, written, _) = try_send(&policy);
    assert_eq!(result, Err(Error::PrimaryNotAuthenticated));
    assert!(written.is_empty());

    // A BIB over the primary block fixes it; so does the BCB's scope bit 0 alone.
    let with_bib = policy.clone().rule(hmac_rule(Targets::Primary, Scope::ALL));
    assert_eq!(try_send(&with_bib).0, Ok(()));
    let aad_only = Policy::new().rule(gcm_rule(ground(), Scope::PRIMARY_BLOCK));
    let (result, written, _) = try_send(&aad_only);
    assert_eq!(result, Ok(()));
    assert_eq!(written.len(), 1);
}

#[test]
fn a_missing_key_refuses_protection_and_nothing_is_written() {
    let mut downlink = Downlink::new(Outbox::default());
    let no_keys = StaticKeys::new();
    let result = plain(1)
        .protect(
            &policy(),
            &ground(),
            &no_keys,
            &mut IvCounter::new(*b"GND1", 0),
            &Options::STRICT,
        )
        .map(|p| downlink.send(p));
    assert!(matches!(
        result,
        Err(Error::Security(bpsec::Error::UnknownKey(_)))
    ));
    let written = downlink.into_inner().0;
    assert!(written.is_empty());
}

#[test]
fn the_receiver_refuses_an_unprotected_bundle() {
    let mut handler = Recorder::default();
    let mut replay = ReplayFilter::new(64).unwrap();
    // Under the mission policy: the BCB is missing.
    let err = deliver(plain(1).as_bytes(), &keys(), &mut replay, &mut handler).unwrap_err();
    assert!(
        matches!(
            err,
            Error::Security(bpsec::Error::Policy(
                PolicyViolation::MissingBcb(1) | PolicyViolation::MissingBib(0)
            ))
        ),
        "{err:?}"
    );
    // Under a policy that does not require payload encryption: refused before `accept`.
    let err = Received::new(plain(1).as_bytes().to_vec())
        .verify(&Policy::new(), &keys(), &mut replay, &Options::STRICT)
        .unwrap_err();
    assert_eq!(err, Error::PayloadInClear);
    assert!(handler.payloads.is_empty());
}

#[test]
fn garbage_and_truncated_input_fail_verify() {
    let bytes = downlink_bytes(&[1]).remove(0);
    let mut replay = ReplayFilter::new(64).unwrap();
    let mut handler = Recorder::default();
    for input in [&b"not a bundle"[..], &bytes[..bytes.len() / 2], &[]] {
        let err = deliver(input, &keys(), &mut replay, &mut handler).unwrap_err();
        assert!(
            matches!(err, Error::Security(bpsec::Error::Bundle(_))),
            "{err:?}"
        );
    }
    assert!(handler.payloads.is_empty());
    let received = Received::new(b"raw".to_vec());
    assert_eq!(received.untrusted_bytes(), b"raw");
}

#[test]
fn a_plain_bundle_must_parse_and_carry_no_security_block() {
    assert!(matches!(
        Bundle::<Plain>::new(b"\x9f\xff".to_vec()),
        Err(Error::Bundle(_))
    ));
    let sealed = downlink_bytes(&[1]).remove(0);
    assert!(matches!(
        Bundle::<Plain>::new(sealed),
        Err(Error::AlreadySecured { .. })
    ));
    let bundle = plain(1);
    assert!(format!("{bundle:?}").contains("Plain"));
    assert!(!format!("{bundle:?}").contains("CAPTURE"));
}

#[test]
fn a_failed_write_returns_the_protected_bundle_for_a_retry() {
    let mut failing = Downlink::new(|_: &[u8]| Err(io::Error::other("disk full")));
    let protected = plain(1)
        .protect(
            &policy(),
            &ground(),
            &keys(),
            &mut IvCounter::new(*b"GND1", 0),
            &Options::STRICT,
        )
        .unwrap();
    let sealed = protected.as_bytes().to_vec();
    let err = failing.send(protected).unwrap_err();
    assert_eq!(err.io_error().to_string(), "disk full");
    let (bundle, _) = err.into_parts();

    let mut downlink = Downlink::new(Outbox::default());
    downlink.send(bundle).unwrap();
    let written = downlink.into_inner().0;
    assert_eq!(written, vec![sealed]);
}
