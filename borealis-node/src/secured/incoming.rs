//! Incoming bundles: [`Received<Unverified>`] → [`Received::verify`] →
//! [`Received<Verified>`] → [`Handler::handle`].

use std::fmt;
use std::marker::PhantomData;
use std::ops::Range;

use bpsec::{Checked, CheckedList, KeyResolver, Options, Policy, ReplayFilter, Service};
use bpv7::bundle::{BundleView, ParseOptions};

use super::{Error, ReceivedState, Unverified, Verified, encrypts_payload};

/// A bundle that came in from the transport, in state `S` ([`Unverified`] or [`Verified`]).
///
/// Unverified, it is opaque octets; verified, it is the plaintext bundle the acceptor
/// produced (security blocks removed, RFC 9172 §5.1), with its payload and the operations
/// that were checked.
pub struct Received<S: ReceivedState> {
    /// Unverified: the raw octets. Verified: the accepted plaintext bundle.
    bytes: Vec<u8>,
    /// Verified: span of the payload data in `bytes`. Unverified: empty.
    payload_span: Range<usize>,
    /// Verified: the operations the acceptor checked. Unverified: empty.
    checked: CheckedList,
    /// Verified: the options `bytes` parses under. Unverified: unused.
    parse: ParseOptions,
    state: PhantomData<S>,
}

impl<S: ReceivedState> fmt::Debug for Received<S> {
    /// State and length only: unverified octets are hostile, verified ones application data.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Received")
            .field("state", &std::any::type_name::<S>())
            .field("len", &self.bytes.len())
            .finish()
    }
}

impl Received<Unverified> {
    /// Octets read from the transport (a file of the inbox). Nothing is checked yet: every
    /// check is [`Self::verify`]'s.
    pub const fn new(bytes: Vec<u8>) -> Self {
        Self {
            bytes,
            payload_span: 0..0,
            checked: CheckedList::new(),
            parse: ParseOptions::STRICT,
            state: PhantomData,
        }
    }

    /// The untrusted octets as received, for quarantine, logging and dedup bookkeeping.
    /// Their content is not authenticated (and the payload is ciphertext): decode nothing
    /// from them that decides an action; verify instead.
    pub fn untrusted_bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// Acts as security acceptor ([`bpsec::accept`], RFC 9172 §5.1): parses the bundle,
    /// checks the §3 rules and `policy`, decrypts every BCB target, verifies every BIB,
    /// checks the creation-timestamp sequence number against `replay` and commits it only if
    /// everything verified, and removes the security blocks. On top of the policy it
    /// enforces the protection rule of [the module documentation](super): `policy` must
    /// require the payload to be encrypted (checked first: a refused bundle never touches
    /// `replay`), and the accepted bundle's payload must be a decrypted BCB target
    /// ([`Error::PayloadInClear`]). The primary block is authenticated because `accept`
    /// refuses to check replay on a sequence number nothing authenticates.
    ///
    /// Persisting `replay` after a success is the caller's job (it must survive restarts).
    pub fn verify(
        self,
        policy: &Policy<'_>,
        keys: &impl KeyResolver,
        replay: &mut ReplayFilter,
        opts: &Options,
    ) -> Result<Received<Verified>, Error> {
        if !encrypts_payload(policy, None) {
            return Err(Error::PayloadInClear);
        }
        let accepted = bpsec::accept(&self.bytes, policy, keys, Some(replay), opts)?;
        // A primary block whose CRC only a removed BIB excused stays without one (bpsec
        // `Accepted::bundle`).
        let parse = ParseOptions {
            require_primary_crc: false,
            ..opts.bundle
        };
        let view = BundleView::parse_with(&accepted.bundle, &parse)?;
        let (payload_block, _) = view.payload_block();
        let encrypted = accepted
            .checked
            .iter()
            .any(|c| c.service == Service::Confidentiality && c.target == payload_block.number);
        if !encrypted {
            return Err(Error::PayloadInClear);
        }
        let payload_span = subslice_range(&accepted.bundle, payload_block.data);
        Ok(Received {
            bytes: accepted.bundle,
            payload_span,
            checked: accepted.checked,
            parse,
            state: PhantomData,
        })
    }
}

/// Where `part` (a subslice of `whole`) lies in `whole`. The payload data borrowed from the
/// view is always inside the bundle; an empty payload's position does not matter.
fn subslice_range(whole: &[u8], part: &[u8]) -> Range<usize> {
    part.as_ptr()
        .addr()
        .checked_sub(whole.as_ptr().addr())
        .and_then(|start| Some(start..start.checked_add(part.len())?))
        .filter(|range| range.end <= whole.len())
        .unwrap_or(0..0)
}

impl Received<Verified> {
    /// The payload (the ADU, decrypted and authenticated): what a handler decodes.
    pub fn payload(&self) -> &[u8] {
        self.bytes
            .get(self.payload_span.clone())
            .unwrap_or_default()
    }

    /// The plaintext bundle: primary block (source, destination, creation timestamp, all
    /// authenticated) and remaining canonical blocks. Parsed when verified; re-reading it
    /// does not fail.
    pub fn bundle(&self) -> Result<BundleView<'_>, Error> {
        Ok(BundleView::parse_with(&self.bytes, &self.parse)?)
    }

    /// The encoded plaintext bundle (security blocks removed).
    pub fn as_bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// Every security operation the acceptor checked (service, block, target, key id), for
    /// logs and audits.
    pub fn checked(&self) -> &[Checked] {
        &self.checked
    }
}

/// A consumer of verified bundles (the command dispatcher, the OTAR endpoint, the telemetry
/// store). Its only entry point takes a `&Received<Verified>`, so no unverified octet can
/// reach application code. Any `FnMut(&Received<Verified>) -> O` is one.
pub trait Handler {
    /// What handling produces (a response, an action, an error).
    type Output;

    /// Handles one verified bundle.
    fn handle(&mut self, bundle: &Received<Verified>) -> Self::Output;
}

impl<F, O> Handler for F
where
    F: FnMut(&Received<Verified>) -> O,
{
    type Output = O;

    fn handle(&mut self, bundle: &Received<Verified>) -> O {
        self(bundle)
    }
}

#[cfg(test)]
mod tests {
    use super::subslice_range;

    #[test]
    fn subslice_ranges() {
        let whole = [1u8, 2, 3, 4, 5];
        assert_eq!(subslice_range(&whole, &whole[1..4]), 1..4);
        assert_eq!(subslice_range(&whole, &whole[5..]), 5..5);
        assert_eq!(subslice_range(&whole, &whole), 0..5);
        // Not inside `whole`: the empty range, never a panic.
        let other = [9u8; 8];
        assert_eq!(subslice_range(&whole, &other), 0..0);
        assert_eq!(subslice_range(&whole[..2], &whole[1..4]), 0..0);
    }
}
