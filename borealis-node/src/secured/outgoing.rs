//! Outgoing bundles: [`Bundle<Plain>`] → [`Bundle::protect`] → [`Bundle<Protected>`] →
//! [`Downlink::send`].

use std::fmt;
use std::io;
use std::marker::PhantomData;

use bpsec::asb::SecurityBlock;
use bpsec::context::Scope;
use bpsec::context::bcb_aes_gcm::{self, BcbParameters};
use bpsec::context::bib_hmac_sha2::{self, BibParameters};
use bpsec::{IvSource, KeyResolver, Options, Policy, PolicyViolation, Service};
use bpv7::block::block_type;
use bpv7::bundle::{BundleBuilder, BundleView};
use bpv7::eid::Eid;

use super::{BundleState, Error, Plain, Protected, encrypts_payload};

/// An encoded outgoing bundle in state `S` ([`Plain`] or [`Protected`]). The octets always
/// parse as a bundle (RFC 9171 §4.1); the state says whether they may leave the node.
pub struct Bundle<S: BundleState> {
    bytes: Vec<u8>,
    state: PhantomData<S>,
}

impl<S: BundleState> Bundle<S> {
    /// The encoded bundle.
    pub fn as_bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// The bundle's primary and canonical blocks, re-read from the octets (validated when
    /// this value was made, so this fails only under other parse options than the
    /// constructor's).
    pub fn view_with(&self, options: &bpv7::bundle::ParseOptions) -> Result<BundleView<'_>, Error> {
        Ok(BundleView::parse_with(&self.bytes, options)?)
    }
}

impl<S: BundleState> fmt::Debug for Bundle<S> {
    /// State and length only: a plain bundle's octets are application data.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Bundle")
            .field("state", &std::any::type_name::<S>())
            .field("len", &self.bytes.len())
            .finish()
    }
}

impl Bundle<Plain> {
    /// A plain bundle from encoded octets (e.g. [`BundleBuilder::to_vec`]). They must parse
    /// under [`bpv7::bundle::ParseOptions::STRICT`] and carry no BIB or BCB
    /// ([`Error::AlreadySecured`]): security blocks come from [`Self::protect`] only.
    pub fn new(bytes: Vec<u8>) -> Result<Self, Error> {
        let view = BundleView::parse(&bytes)?;
        if let Some((block, _)) = view.blocks().find(|(b, _)| is_security_block(b.block_type)) {
            return Err(Error::AlreadySecured {
                block: block.number,
            });
        }
        Ok(Self {
            bytes,
            state: PhantomData,
        })
    }

    /// Encodes `builder` and checks it as [`Self::new`] does.
    pub fn build(builder: &BundleBuilder<'_>) -> Result<Self, Error> {
        Self::new(builder.to_vec()?)
    }

    /// Seals the bundle as security source `source` under `policy` ([`bpsec::seal`], RFC 9172
    /// §3.9, RFC 9173 §3.8.1, §4.8.1) and checks the result against the protection rule (see
    /// [the module documentation](super)):
    ///
    /// - before sealing, `policy` must have a BCB-AES-GCM rule of `source` over the payload
    ///   ([`Error::PayloadInClear`]; nothing is sealed, no IV is spent);
    /// - the sealed octets must pass [`bpsec::verify`] (RFC 9172 §3 rules, every BIB's HMAC
    ///   recomputed), carry a security block of `source` for every block each of its rules
    ///   selects ([`PolicyViolation::MissingBib`] / [`PolicyViolation::MissingBcb`]), encrypt
    ///   the payload ([`Error::PayloadInClear`]) and authenticate the primary block
    ///   ([`Error::PrimaryNotAuthenticated`]).
    ///
    /// `keys` must resolve the source's keys for [`bpsec::KeyUsage::Seal`] and, for the BIB
    /// re-check, [`bpsec::KeyUsage::Open`] (the `otar` key store resolves active keys for
    /// both). IVs drawn from `ivs` are spent even if a later check fails (NIST SP 800-38D forbids
    /// reuse, not gaps). The check costs one extra parse and one HMAC per BIB; GCM targets are
    /// not decrypted again (the tag is computed by the same `aes-gcm` call that encrypted).
    pub fn protect(
        self,
        policy: &Policy<'_>,
        source: &Eid<'_>,
        keys: &impl KeyResolver,
        ivs: &mut impl IvSource,
        opts: &Options,
    ) -> Result<Bundle<Protected>, Error> {
        if !encrypts_payload(policy, Some(source)) {
            return Err(Error::PayloadInClear);
        }
        let sealed = bpsec::seal(&self.bytes, policy, source, keys, ivs, opts)?;
        bpsec::verify(&sealed, policy, keys, opts)?;
        check_protection(&sealed, policy, source, opts)?;
        Ok(Bundle {
            bytes: sealed,
            state: PhantomData,
        })
    }
}

fn is_security_block(code: u64) -> bool {
    code == block_type::BIB || code == block_type::BCB
}

/// One security block of the checked source in a sealed bundle.
struct Operation<'a> {
    service: Service,
    asb: SecurityBlock<'a>,
}

impl Operation<'_> {
    /// Whether this operation's context covers the primary block: a BIB targeting it, or
    /// either context with scope bit 0 (RFC 9173 §3.3.3, §4.3.4).
    fn authenticates_primary(&self) -> bool {
        let scope = match self.service {
            Service::Integrity if self.asb.has_target(0) => return true,
            Service::Integrity => (self.asb.context_id == bib_hmac_sha2::CONTEXT_ID)
                .then(|| BibParameters::decode(self.asb.parameters()).ok())
                .flatten()
                .map(|p| p.effective_scope()),
            Service::Confidentiality => self.encryption_parameters().map(|p| p.effective_scope()),
        };
        scope.is_some_and(|s| s.contains(Scope::PRIMARY_BLOCK))
    }

    /// The BCB-AES-GCM parameters, if this is such a BCB.
    fn encryption_parameters(&self) -> Option<BcbParameters<'_>> {
        (self.service == Service::Confidentiality && self.asb.context_id == bcb_aes_gcm::CONTEXT_ID)
            .then(|| BcbParameters::decode(self.asb.parameters()).ok())
            .flatten()
    }
}

/// The post-seal inspection of [`Bundle::protect`]: every rule of `source` met, payload
/// encrypted, primary block authenticated, all read from the sealed octets.
fn check_protection(
    sealed: &[u8],
    policy: &Policy<'_>,
    source: &Eid<'_>,
    opts: &Options,
) -> Result<(), Error> {
    let view = BundleView::parse_with(sealed, &opts.bundle)?;
    let mut operations = Vec::new();
    for (block, _) in view.blocks() {
        let service = match block.block_type {
            block_type::BIB => Service::Integrity,
            block_type::BCB => Service::Confidentiality,
            _ => continue,
        };
        let asb = SecurityBlock::decode(block.data, block.number).map_err(Error::Security)?;
        if asb.source == *source {
            operations.push(Operation { service, asb });
        }
    }

    // Every block a rule of `source` selects carries its operation; a BCB also meets an
    // integrity rule (AEAD; RFC 9172 §3.9 puts no BIB under a BCB). Same test as the
    // acceptor's, so the peer will not refuse the bundle for a missing block.
    let protectable = std::iter::once((0, 0)).chain(
        view.blocks()
            .filter(|(b, _)| !is_security_block(b.block_type))
            .map(|(b, _)| (b.number, b.block_type)),
    );
    for (number, code) in protectable {
        let rules = policy
            .rules
            .iter()
            .filter(|r| r.source == *source && r.targets.selects(number, code));
        for rule in rules {
            let wanted = rule.context.service();
            let met = operations.iter().any(|op| {
                (op.service == wanted || wanted == Service::Integrity) && op.asb.has_target(number)
            });
            if !met {
                let missing = match wanted {
                    Service::Integrity => PolicyViolation::MissingBib(number),
                    Service::Confidentiality => PolicyViolation::MissingBcb(number),
                };
                return Err(Error::Security(missing.into()));
            }
        }
    }

    let payload = view.payload_block().0.number;
    let encrypted = operations
        .iter()
        .any(|op| op.asb.has_target(payload) && op.encryption_parameters().is_some());
    if !encrypted {
        return Err(Error::PayloadInClear);
    }
    if !operations.iter().any(Operation::authenticates_primary) {
        return Err(Error::PrimaryNotAuthenticated);
    }
    Ok(())
}

/// Where protected bundles go: the transport's outbox writer (one file per bundle, DESIGN.md
/// "Filesystem DTN transport") or, in tests, a recorder. Any
/// `FnMut(&[u8]) -> io::Result<()>` is one.
///
/// The daemon hands its writer to a [`Downlink`] and never calls it directly, so every
/// octet written went through [`Downlink::send`].
pub trait BundleSink {
    /// Writes one whole encoded bundle; `Ok` means it is durably handed over.
    fn write(&mut self, bytes: &[u8]) -> io::Result<()>;
}

impl<F: FnMut(&[u8]) -> io::Result<()>> BundleSink for F {
    fn write(&mut self, bytes: &[u8]) -> io::Result<()> {
        self(bytes)
    }
}

/// The downlink writer: its only entry point, [`Self::send`], takes a [`Bundle<Protected>`]
/// by value, so a plain bundle cannot be written and a protected one is written once.
#[derive(Debug)]
pub struct Downlink<W: BundleSink> {
    sink: W,
}

impl<W: BundleSink> Downlink<W> {
    /// A downlink writing to `sink`.
    pub const fn new(sink: W) -> Self {
        Self { sink }
    }

    /// Writes `bundle`. If the sink fails, the bundle comes back in the error so that it can
    /// be retried without sealing again.
    pub fn send(&mut self, bundle: Bundle<Protected>) -> Result<(), SendError> {
        self.sink
            .write(&bundle.bytes)
            .map_err(|error| SendError { bundle, error })
    }

    /// The sink, read-only (no path around [`Self::send`]).
    pub const fn sink(&self) -> &W {
        &self.sink
    }

    /// Gives the sink back.
    pub fn into_inner(self) -> W {
        self.sink
    }
}

/// The sink refused a protected bundle; the bundle is returned for a retry.
#[derive(Debug, thiserror::Error)]
#[error("downlink write failed: {error}")]
pub struct SendError {
    bundle: Bundle<Protected>,
    #[source]
    error: io::Error,
}

impl SendError {
    /// The I/O error.
    pub const fn io_error(&self) -> &io::Error {
        &self.error
    }

    /// The bundle that was not written, and why.
    pub fn into_parts(self) -> (Bundle<Protected>, io::Error) {
        (self.bundle, self.error)
    }
}
