//! Security policy (RFC 9172 §6–§7): which blocks must be protected, by which security
//! source, with which context, parameters and key. The same [`Policy`] drives the source
//! ([`crate::seal`]: what to add) and the acceptor ([`crate::accept`]: what must be there, and
//! nothing else).

use alloc::vec::Vec;
use bpv7::block::block_type;
use bpv7::eid::Eid;

use crate::KeyId;
use crate::context::Scope;
use crate::context::bcb_aes_gcm::AesVariant;
use crate::context::bib_hmac_sha2::ShaVariant;

/// A security service (RFC 9172 §1.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Service {
    /// Integrity: a BIB.
    Integrity,
    /// Confidentiality (authenticated): a BCB.
    Confidentiality,
}

/// Which blocks a rule protects.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Targets {
    /// The primary block (integrity only: RFC 9172 §3.8 forbids encrypting it).
    Primary,
    /// The payload block.
    Payload,
    /// Every block of this type code.
    BlockType(u64),
}

impl Targets {
    /// Whether block `number` of type `block_type` (0, 0 for the primary) is selected.
    pub fn selects(self, number: u64, block_type_code: u64) -> bool {
        match self {
            Targets::Primary => number == 0,
            Targets::Payload => block_type_code == block_type::PAYLOAD && number != 0,
            Targets::BlockType(t) => number != 0 && block_type_code == t,
        }
    }
}

/// The security context and its parameters a rule requires.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Context {
    /// BIB-HMAC-SHA2 (RFC 9173 §3).
    HmacSha2 {
        /// SHA variant.
        variant: ShaVariant,
        /// Integrity scope.
        scope: Scope,
    },
    /// BCB-AES-GCM (RFC 9173 §4).
    AesGcm {
        /// AES variant.
        variant: AesVariant,
        /// AAD scope.
        scope: Scope,
    },
}

impl Context {
    /// The service this context provides.
    pub const fn service(self) -> Service {
        match self {
            Context::HmacSha2 { .. } => Service::Integrity,
            Context::AesGcm { .. } => Service::Confidentiality,
        }
    }

    /// The scope flags.
    pub const fn scope(self) -> Scope {
        match self {
            Context::HmacSha2 { scope, .. } | Context::AesGcm { scope, .. } => scope,
        }
    }
}

/// One requirement: blocks selected by `targets` are protected by `source` with `context`
/// under key `key`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rule<'p> {
    /// The security source that adds (and is expected to have added) the operation.
    pub source: Eid<'p>,
    /// The blocks protected.
    pub targets: Targets,
    /// Context and parameters.
    pub context: Context,
    /// The key (RFC 9173 carries no key id: it is this local choice, RFC 9172 §6).
    pub key: KeyId,
}

/// A set of rules. A bundle is accepted only if every rule whose targets exist is satisfied
/// and every security operation in it is accounted for by a rule.
///
/// An integrity rule is also satisfied by a confidentiality rule's BCB over the same block:
/// BCB-AES-GCM is an AEAD, and RFC 9172 §3.9 forbids adding a BIB over an encrypted target.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Policy<'p> {
    /// The rules.
    pub rules: Vec<Rule<'p>>,
}

impl<'p> Policy<'p> {
    /// An empty policy (no protection required; any security operation is unexpected).
    pub const fn new() -> Self {
        Self { rules: Vec::new() }
    }

    /// Adds a rule.
    pub fn rule(mut self, rule: Rule<'p>) -> Self {
        self.rules.push(rule);
        self
    }

    /// The rule for an operation of `service` by `source` on block `number` of type
    /// `block_type_code`.
    pub fn find(
        &self,
        service: Service,
        source: &Eid<'_>,
        number: u64,
        block_type_code: u64,
    ) -> Option<&Rule<'p>> {
        self.rules.iter().find(|r| {
            r.context.service() == service
                && r.source == *source
                && r.targets.selects(number, block_type_code)
        })
    }
}
