//! Anti-replay: duplicates, numbers left of the window and reordered-but-fresh numbers, on the
//! window alone and end to end through `accept`; the state survives serialize/restore.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use bpsec::context::Scope;
use bpsec::context::bcb_aes_gcm::AesVariant;
use bpsec::{
    Context, Error, KeyId, Options, Policy, PolicyViolation, ReplayError, ReplayFilter,
    ReplayWindow, Rule, Targets, accept,
};
use common::*;
use proptest::prelude::*;

#[test]
fn window_accepts_fresh_refuses_duplicate_and_old() {
    let mut w = ReplayWindow::new(64).unwrap();
    w.commit(100).unwrap();
    assert_eq!(w.commit(100), Err(ReplayError::Duplicate(100)));
    // Reordered but fresh: inside the window, not seen yet.
    w.commit(90).unwrap();
    assert_eq!(w.commit(90), Err(ReplayError::Duplicate(90)));
    w.commit(37).unwrap(); // 100 - 37 = 63: the oldest number still inside.
    assert_eq!(
        w.commit(36),
        Err(ReplayError::TooOld {
            seq: 36,
            highest: 100,
            width: 64
        })
    );
    // Jump ahead: 100 slides inside, 37 falls out.
    w.commit(130).unwrap();
    assert_eq!(w.commit(100), Err(ReplayError::Duplicate(100)));
    assert!(matches!(w.commit(37), Err(ReplayError::TooOld { .. })));
    w.commit(99).unwrap();
    // A jump far beyond the window forgets everything below.
    w.commit(100_000).unwrap();
    assert!(matches!(w.check(99_000), Err(ReplayError::TooOld { .. })));
    w.commit(99_999).unwrap();
}

#[test]
fn window_width_bounds() {
    assert_eq!(ReplayWindow::new(0), Err(ReplayError::BadWidth(0)));
    assert_eq!(ReplayWindow::new(1025), Err(ReplayError::BadWidth(1025)));
    let mut w = ReplayWindow::new(1).unwrap();
    w.commit(5).unwrap();
    assert!(matches!(w.commit(4), Err(ReplayError::TooOld { .. })));
    w.commit(6).unwrap();
    let mut wide = ReplayWindow::new(1024).unwrap();
    wide.commit(2000).unwrap();
    wide.commit(977).unwrap();
    assert!(matches!(wide.commit(976), Err(ReplayError::TooOld { .. })));
}

proptest! {
    /// The window against a model: a set of every number accepted so far.
    #[test]
    fn window_matches_model(width in 1u32..200, seqs in proptest::collection::vec(0u64..400, 1..300)) {
        let mut w = ReplayWindow::new(width).unwrap();
        let mut seen = std::collections::BTreeSet::new();
        let mut highest: Option<u64> = None;
        for s in seqs {
            let expect_ok = !seen.contains(&s)
                && highest.is_none_or(|h| s > h || h - s < u64::from(width));
            prop_assert_eq!(w.commit(s).is_ok(), expect_ok, "seq {}", s);
            if expect_ok {
                seen.insert(s);
                highest = Some(highest.map_or(s, |h| h.max(s)));
            }
        }
        // Serialize/restore keeps the exact state.
        let mut f = ReplayFilter::new(width).unwrap();
        for s in &seen { let _ = f.commit(&source(), KeyId(9), *s); }
        let restored = ReplayFilter::from_bytes(&f.to_bytes()).unwrap();
        prop_assert_eq!(&restored, &f);
    }

    #[test]
    fn state_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..200)) {
        let _ = ReplayFilter::from_bytes(&bytes);
    }
}

#[test]
fn accept_refuses_replays_and_state_survives_restart() {
    let mut filter = ReplayFilter::new(64).unwrap();
    let b100 = seal(&bundle(100, b"cmd 100"));
    let b90 = seal(&bundle(90, b"cmd 90"));
    let b20 = seal(&bundle(20, b"cmd 20"));
    let opts = Options::STRICT;
    accept(&b100, &policy(), &keys(), Some(&mut filter), &opts).unwrap();
    assert_eq!(
        accept(&b100, &policy(), &keys(), Some(&mut filter), &opts),
        Err(Error::Replay(ReplayError::Duplicate(100)))
    );
    // Restart: persist, restore, continue.
    let mut filter = ReplayFilter::from_bytes(&filter.to_bytes()).unwrap();
    assert_eq!(
        accept(&b100, &policy(), &keys(), Some(&mut filter), &opts),
        Err(Error::Replay(ReplayError::Duplicate(100)))
    );
    accept(&b90, &policy(), &keys(), Some(&mut filter), &opts).unwrap();
    assert!(matches!(
        accept(&b20, &policy(), &keys(), Some(&mut filter), &opts),
        Err(Error::Replay(ReplayError::TooOld { seq: 20, .. }))
    ));
    // Windows are per (source, key): forgetting the key forgets its window.
    filter.forget_key(AES_KEY);
    filter.forget_key(HMAC_KEY);
    accept(&b20, &policy(), &keys(), Some(&mut filter), &opts).unwrap();
}

#[test]
fn failed_authentication_does_not_advance_the_window() {
    let mut filter = ReplayFilter::new(64).unwrap();
    let mut forged = seal(&bundle(500, b"forged"));
    let last = forged.len() - 2;
    forged[last] ^= 1; // payload ciphertext
    assert!(matches!(
        accept(
            &forged,
            &policy(),
            &keys(),
            Some(&mut filter),
            &Options::STRICT
        ),
        Err(Error::DecryptionFailed { .. })
    ));
    let genuine = seal(&bundle(500, b"genuine"));
    accept(
        &genuine,
        &policy(),
        &keys(),
        Some(&mut filter),
        &Options::STRICT,
    )
    .unwrap();
}

#[test]
fn sequence_must_be_authenticated() {
    // Payload encrypted with AAD scope 0 and no BIB over the primary block: the creation
    // timestamp is covered by nothing, so the replay filter cannot trust it.
    let policy = Policy::new().rule(Rule {
        source: source(),
        targets: Targets::Payload,
        context: Context::AesGcm {
            variant: AesVariant::A256Gcm,
            scope: Scope::TARGET_HEADER,
        },
        key: AES_KEY,
    });
    let plain = bundle(3, b"x");
    let mut ivs = bpsec::IvCounter::new([1; 4], 0);
    let sealed = bpsec::seal(
        &plain,
        &policy,
        &source(),
        &keys(),
        &mut ivs,
        &Options::STRICT,
    )
    .unwrap();
    accept(&sealed, &policy, &keys(), None, &Options::STRICT).unwrap();
    let mut filter = ReplayFilter::new(64).unwrap();
    assert_eq!(
        accept(
            &sealed,
            &policy,
            &keys(),
            Some(&mut filter),
            &Options::STRICT
        ),
        Err(Error::Policy(PolicyViolation::SequenceNotAuthenticated))
    );
}
