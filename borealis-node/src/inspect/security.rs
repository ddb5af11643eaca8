//! BIBs and BCBs (RFC 9172 §3.6) in `borealis inspect`: security source, context, targets,
//! parameters by name and results.
//!
//! Never key material: a wrapped key (RFC 9173 §3.3.2, §4.3.3) is shown by its length only, and
//! a security block's raw data is never dumped (it may hold one). What is shown in hex, the IV,
//! the HMAC and the authentication tag, is public by design (RFC 9173 §3.4, §4.3.1, §4.4).

use bpsec::asb::{Items, SecurityBlock, Value as AsbValue};
use bpsec::context::Scope;
use bpsec::context::bcb_aes_gcm::{self, AesVariant, BcbParameters};
use bpsec::context::bib_hmac_sha2::{self, BibParameters, ShaVariant};
use bpv7::block::{CanonicalBlock, block_type};
use serde_json::{Map, Value, json};

use super::flags_text;

/// Names of the security context flags (RFC 9172 §3.6).
const CONTEXT_FLAG_NAMES: [(u64, &str); 1] =
    [(bpsec::asb::FLAG_PARAMETERS_PRESENT, "parameters_present")];

/// Names of the integrity (RFC 9173 §3.3.3) and AAD (§4.3.4) scope flags, numbered alike.
const SCOPE_FLAG_NAMES: [(u64, &str); 3] = [
    (Scope::PRIMARY_BLOCK.0 as u64, "primary_block"),
    (Scope::TARGET_HEADER.0 as u64, "target_header"),
    (Scope::SECURITY_HEADER.0 as u64, "security_header"),
];

/// Whether blocks of this type carry an abstract security block (RFC 9172 §3.6).
pub(super) const fn is_security_block(block_type_code: u64) -> bool {
    matches!(block_type_code, block_type::BIB | block_type::BCB)
}

/// Which blocks the bundle's BCBs encrypt: `(target, BCB number)`. A BCB whose ASB does not
/// decode contributes nothing (its own entry reports the error).
pub(super) struct Encrypted(Vec<(u64, u64)>);

impl Encrypted {
    /// Collects the targets of every well-formed BCB in `blocks`.
    pub(super) fn of(blocks: &[CanonicalBlock<'_>]) -> Self {
        let pairs = blocks
            .iter()
            .filter(|b| b.block_type == block_type::BCB)
            .filter_map(|b| Some((b.number, SecurityBlock::decode(b.data, b.number).ok()?)))
            .flat_map(|(bcb, asb)| asb.targets().map(move |t| (t, bcb)).collect::<Vec<_>>())
            .collect();
        Self(pairs)
    }

    /// The BCB that encrypts block `number`, if any.
    pub(super) fn by(&self, number: u64) -> Option<u64> {
        self.0
            .iter()
            .find(|(t, _)| *t == number)
            .map(|(_, bcb)| *bcb)
    }
}

/// Name of a security context (RFC 9172 §11.3 registry).
fn context_name(id: i64) -> String {
    match id {
        bib_hmac_sha2::CONTEXT_ID => "BIB-HMAC-SHA2".into(),
        bcb_aes_gcm::CONTEXT_ID => "BCB-AES-GCM".into(),
        other => format!("unknown ({other})"),
    }
}

/// Describes the ASB of a BIB or BCB: everything but key material. A malformed ASB is the
/// typed [`bpsec::Error`]; parameters that do not satisfy their context are shown as
/// `parameters_error` beside the rest.
pub(super) fn describe(block: &CanonicalBlock<'_>) -> Result<Value, bpsec::Error> {
    let asb = SecurityBlock::decode(block.data, block.number)?;
    let mut m = Map::new();
    let service = if block.block_type == block_type::BIB {
        "integrity"
    } else {
        "confidentiality"
    };
    m.insert("service".into(), service.into());
    m.insert("security_source".into(), asb.source.to_string().into());
    m.insert(
        "context".into(),
        json!({"id": asb.context_id, "name": context_name(asb.context_id)}),
    );
    m.insert(
        "context_flags".into(),
        flags_text(asb.context_flags, &CONTEXT_FLAG_NAMES).into(),
    );
    let targets: Vec<u64> = asb.targets().collect();
    m.insert("targets".into(), targets.clone().into());
    match parameters_json(asb.context_id, asb.parameters()) {
        Ok(params) => m.insert("parameters".into(), params),
        Err(e) => m.insert("parameters_error".into(), e.to_string().into()),
    };
    let results: Vec<Value> = targets
        .iter()
        .zip(asb.results())
        .map(|(target, items)| results_json(asb.context_id, *target, items))
        .collect();
    m.insert("results".into(), results.into());
    Ok(Value::Object(m))
}

/// `name (code)` of a variant on the wire, or `name (default, absent)` (RFC 9173 §3.3, §4.3:
/// an absent parameter takes its default).
fn variant_text(present: bool, name: &str, code: u64) -> String {
    if present {
        format!("{name} ({code})")
    } else {
        format!("{name} (default, absent)")
    }
}

fn scope_text(scope: Option<Scope>) -> String {
    let shown = flags_text(u64::from(scope.unwrap_or_default().0), &SCOPE_FLAG_NAMES);
    if scope.is_some() {
        shown
    } else {
        format!("{shown} (default, absent)")
    }
}

const fn sha_name(v: ShaVariant) -> &'static str {
    match v {
        ShaVariant::Hmac256 => "HMAC 256/256",
        ShaVariant::Hmac384 => "HMAC 384/384",
        ShaVariant::Hmac512 => "HMAC 512/512",
    }
}

const fn aes_name(v: AesVariant) -> &'static str {
    match v {
        AesVariant::A128Gcm => "A128GCM",
        AesVariant::A256Gcm => "A256GCM",
    }
}

/// A wrapped key is shown by its length only.
fn wrapped_key_text(key: &[u8]) -> String {
    format!("{} octets", key.len())
}

/// The parameters by name for the RFC 9173 contexts, or by id (values without their octets)
/// for any other.
fn parameters_json(context: i64, items: Items<'_>) -> Result<Value, bpsec::Error> {
    let mut m = Map::new();
    match context {
        bib_hmac_sha2::CONTEXT_ID => {
            let p = BibParameters::decode(items)?;
            let sha = p.sha();
            m.insert(
                "sha_variant".into(),
                variant_text(p.sha_variant.is_some(), sha_name(sha), sha.code()).into(),
            );
            if let Some(key) = p.wrapped_key {
                m.insert("wrapped_key".into(), wrapped_key_text(key).into());
            }
            m.insert("integrity_scope".into(), scope_text(p.scope).into());
        }
        bcb_aes_gcm::CONTEXT_ID => {
            let p = BcbParameters::decode(items)?;
            let aes = p.variant();
            m.insert("iv".into(), hex::encode(p.iv).into());
            m.insert(
                "aes_variant".into(),
                variant_text(p.aes_variant.is_some(), aes_name(aes), aes.code()).into(),
            );
            if let Some(key) = p.wrapped_key {
                m.insert("wrapped_key".into(), wrapped_key_text(key).into());
            }
            m.insert("aad_scope".into(), scope_text(p.scope).into());
        }
        _ => {
            for (id, value) in items {
                m.insert(format!("id {id}"), opaque(value).into());
            }
        }
    }
    Ok(Value::Object(m))
}

/// A value of a context we do not know: it might be key material, so its octets are not shown.
fn opaque(value: AsbValue<'_>) -> String {
    match value {
        AsbValue::Uint(v) => format!("uint {v}"),
        AsbValue::Bytes(b) => format!("byte string, {} octets", b.len()),
        AsbValue::Raw(raw) => format!("CBOR item, {} octets", raw.len()),
    }
}

/// One target's results: the HMAC (RFC 9173 §3.4) or authentication tag (§4.4) in hex; any
/// other result by id, its octets not shown.
fn results_json(context: i64, target: u64, items: Items<'_>) -> Value {
    let mut m = Map::new();
    m.insert("target".into(), target.into());
    for (id, value) in items {
        let name = match (context, id) {
            (bib_hmac_sha2::CONTEXT_ID, bib_hmac_sha2::RESULT_EXPECTED_HMAC) => "expected_hmac",
            (bcb_aes_gcm::CONTEXT_ID, bcb_aes_gcm::RESULT_AUTH_TAG) => "authentication_tag",
            _ => {
                m.insert(format!("id {id}"), opaque(value).into());
                continue;
            }
        };
        let shown = match value {
            AsbValue::Bytes(b) => hex::encode(b),
            other => opaque(other),
        };
        m.insert(name.into(), shown.into());
    }
    Value::Object(m)
}

#[cfg(test)]
mod tests {
    use super::*;
    use bpsec::asb::{AsbHeader, write_result, write_results_head};
    use bpv7::block::BlockFlags;
    use bpv7::crc::CrcType;
    use bpv7::eid::Eid;

    /// An ASB with one target, `context`, the given parameters and one result.
    fn asb(
        context: i64,
        params: &[(i64, AsbValue<'_>)],
        result: &[(i64, AsbValue<'_>)],
    ) -> Vec<u8> {
        let mut data = Vec::new();
        AsbHeader {
            targets: &[1],
            context_id: context,
            source: Eid::parse_uri("ipn:9.0").unwrap(),
            parameters: params,
        }
        .encode(&mut data);
        write_results_head(&mut data, 1);
        write_result(&mut data, result);
        data
    }

    fn bib(data: &[u8]) -> CanonicalBlock<'_> {
        CanonicalBlock {
            block_type: block_type::BIB,
            number: 2,
            flags: BlockFlags(0),
            crc_type: CrcType::None,
            data,
        }
    }

    #[test]
    fn unknown_context_shows_no_octets() {
        let secret = [0xC5; 16];
        let data = asb(
            99,
            &[(1, AsbValue::Uint(5)), (2, AsbValue::Bytes(&secret))],
            &[(1, AsbValue::Bytes(&secret))],
        );
        let v = describe(&bib(&data)).unwrap();
        assert_eq!(v["context"]["name"], "unknown (99)");
        assert_eq!(v["parameters"]["id 1"], "uint 5");
        assert_eq!(v["parameters"]["id 2"], "byte string, 16 octets");
        assert_eq!(v["results"][0]["id 1"], "byte string, 16 octets");
        assert!(!v.to_string().contains(&hex::encode(secret)), "{v}");
    }

    #[test]
    fn defaults_and_bad_parameters() {
        // No parameters: RFC 9173 §3.3 defaults, marked as such.
        let data = asb(
            bib_hmac_sha2::CONTEXT_ID,
            &[],
            &[(1, AsbValue::Bytes(&[7; 48]))],
        );
        let v = describe(&bib(&data)).unwrap();
        assert_eq!(v["context_flags"], "0x0 (none)");
        assert_eq!(
            v["parameters"]["sha_variant"],
            "HMAC 384/384 (default, absent)"
        );
        assert_eq!(
            v["parameters"]["integrity_scope"],
            "0x7 (primary_block, target_header, security_header) (default, absent)"
        );
        assert_eq!(v["results"][0]["expected_hmac"], hex::encode([7; 48]));
        // An unknown SHA variant: the typed error, beside the rest of the block.
        let data = asb(bib_hmac_sha2::CONTEXT_ID, &[(1, AsbValue::Uint(9))], &[]);
        let v = describe(&bib(&data)).unwrap();
        assert_eq!(
            v["parameters_error"],
            "security context 1, parameter 1: unknown SHA variant"
        );
        assert_eq!(v["security_source"], "ipn:9.0");
    }
}
