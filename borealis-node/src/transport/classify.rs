//! What a received file is: a bundle with its identity, or the reason it must not be
//! delivered.

use std::fmt;

use bpv7::ErrorKind;
use bpv7::bundle::BundleView;

/// The identity of a bundle: source EID, creation timestamp and, for a fragment, its offset
/// and payload length. RFC 9171 §4.2.7 makes (source, creation timestamp) unique per bundle;
/// §5.8/§5.9 tell fragments of one bundle apart by offset and length. Two files with the
/// same id carry the same bundle (or the same fragment), so it is delivered at most once
/// (DESIGN.md, "Consume idempotently").
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct BundleId {
    /// The source EID in URI text form (`ipn:1.0`, `dtn://ground/`).
    pub source: String,
    /// Creation time, DTN ms (RFC 9171 §4.2.7); 0 if the source had no accurate clock.
    pub creation_time: u64,
    /// Creation sequence number (RFC 9171 §4.2.7).
    pub sequence: u64,
    /// Fragment offset and payload length, for a fragment (RFC 9171 §5.8).
    pub fragment: Option<FragmentId>,
}

/// Where a fragment sits in its ADU (RFC 9171 §5.8): offset of its payload, and payload length.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FragmentId {
    /// Offset of the fragment's payload in the ADU.
    pub offset: u64,
    /// Length of the fragment's payload.
    pub length: u64,
}

impl fmt::Display for BundleId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} {}.{}",
            self.source, self.creation_time, self.sequence
        )?;
        if let Some(FragmentId { offset, length }) = self.fragment {
            write!(f, " fragment {offset}+{length}")?;
        }
        Ok(())
    }
}

impl BundleId {
    /// The id of a parsed bundle.
    pub fn of(bundle: &BundleView<'_>) -> Self {
        let primary = bundle.primary();
        Self {
            source: primary.source.to_string(),
            creation_time: primary.creation.time,
            sequence: primary.creation.sequence,
            fragment: primary.fragment.map(|f| FragmentId {
                offset: f.offset,
                length: u64::try_from(bundle.payload().len()).unwrap_or(u64::MAX),
            }),
        }
    }
}

/// Why a received file is not delivered. Its `Display` text is what the quarantine reason
/// file holds.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Reject {
    /// The octets are not a valid bundle under `ParseOptions::STRICT` (RFC 9171 §4).
    #[error("not a bundle: {0}")]
    NotABundle(bpv7::Error),
    /// The octets end inside the bundle: a truncated file.
    #[error("truncated bundle: {0}")]
    Truncated(bpv7::Error),
    /// The bundle's lifetime has passed (RFC 9171 §4.2.6, §4.3.1): creation time + lifetime
    /// is before now.
    #[error(
        "expired: created at {creation_time} ms + lifetime {lifetime} ms < now {now} ms (DTN time)"
    )]
    Expired {
        /// Creation time, DTN ms.
        creation_time: u64,
        /// Lifetime, ms.
        lifetime: u64,
        /// The reading of the injected clock, DTN ms.
        now: u64,
    },
    /// The bundle's age (Bundle Age block, RFC 9171 §4.4.2; used when the creation time is 0)
    /// exceeds its lifetime.
    #[error("expired: bundle age {age} ms > lifetime {lifetime} ms")]
    ExpiredByAge {
        /// Bundle Age, ms.
        age: u64,
        /// Lifetime, ms.
        lifetime: u64,
    },
    /// Creation time 0 and no readable Bundle Age block (it is encrypted): the bundle's
    /// freshness cannot be decided, so it fails closed.
    #[error("unknown age: creation time 0 and no readable Bundle Age block")]
    UnknownAge,
    /// The file exceeds the maximum bundle file size.
    #[error("too large: {size} octets, maximum {max}")]
    TooLarge {
        /// Size of the file, octets.
        size: u64,
        /// The configured maximum, octets.
        max: u64,
    },
    /// A bundle with this id was already consumed (a duplicate delivery, a replay, or the
    /// leftover of a crash between recording and removing).
    #[error("duplicate: bundle {0} was already consumed")]
    Duplicate(BundleId),
    /// A temporary file left by a writer that crashed: its content is incomplete.
    #[error("incomplete: temporary file left by an interrupted writer")]
    Incomplete,
}

/// A bundle that classification accepted: its identity, and until when a copy of it could
/// still be accepted — how long the dedup log must remember its id (`DedupLog`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Classified {
    /// Its identity.
    pub id: BundleId,
    /// Its expiry on the receiving clock, DTN ms: creation time + lifetime (RFC 9171 §4.2.6),
    /// or, with creation time 0, the time of receipt + the lifetime its Bundle Age block
    /// leaves (§4.4.2). Saturates at `u64::MAX`.
    pub expires_at: u64,
}

/// Classifies `bytes` as received at DTN time `now_ms`, without the dedup check (see
/// `Inbox::classify`): the size limit, then a STRICT parse (RFC 9171 §4, every CRC checked),
/// then the lifetime (RFC 9171 §4.2.6: a bundle expires at creation time + lifetime; when the
/// creation time is 0 the source had no accurate clock and the Bundle Age block (§4.4.2) tells
/// how long the bundle has existed). Never panics, whatever the input.
pub fn classify_bundle(bytes: &[u8], now_ms: u64, max_octets: u64) -> Result<BundleId, Reject> {
    classify_received(bytes, now_ms, max_octets).map(|c| c.id)
}

/// [`classify_bundle`], also telling when the accepted bundle expires on the receiving clock.
pub fn classify_received(bytes: &[u8], now_ms: u64, max_octets: u64) -> Result<Classified, Reject> {
    let size = u64::try_from(bytes.len()).unwrap_or(u64::MAX);
    if size > max_octets {
        return Err(Reject::TooLarge {
            size,
            max: max_octets,
        });
    }
    let bundle = BundleView::parse(bytes).map_err(|e| match e.kind {
        ErrorKind::Truncated { .. } => Reject::Truncated(e),
        _ => Reject::NotABundle(e),
    })?;
    let primary = bundle.primary();
    let lifetime = primary.lifetime;
    let expires_at = if primary.creation.time == 0 {
        let age = bundle.bundle_age().ok_or(Reject::UnknownAge)?;
        if age > lifetime {
            return Err(Reject::ExpiredByAge { age, lifetime });
        }
        now_ms.saturating_add(lifetime.saturating_sub(age))
    } else {
        let expires_at = primary.creation.time.saturating_add(lifetime);
        if expires_at < now_ms {
            return Err(Reject::Expired {
                creation_time: primary.creation.time,
                lifetime,
                now: now_ms,
            });
        }
        expires_at
    };
    Ok(Classified {
        id: BundleId::of(&bundle),
        expires_at,
    })
}
