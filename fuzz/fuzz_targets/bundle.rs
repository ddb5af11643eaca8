//! BPv7 bundle parser (`bpv7::bundle::BundleView`) on arbitrary bytes, under
//! `ParseOptions::STRICT`, `LENIENT` and every rule off: never panics; the option sets are
//! monotone (what a stricter set accepts, a laxer one accepts as the same view); every accessor
//! of a parsed view works; and a parsed bundle rebuilt with `BundleBuilder` from its primary
//! block and blocks is accepted by the builder under the same options, parses back to equal
//! fields, is a fixed point of parse → build, is never longer than the input, and is the input
//! byte for byte when it is as long (our encoding is the shortest, so equal length means the
//! input was canonical).
#![no_main]

use bpv7::bundle::{BundleBuilder, BundleView, ParseOptions};
use bpv7::cbor::Decoder;
use libfuzzer_sys::fuzz_target;

/// No optional rule: structure, CRCs, numbering and type-specific data only.
const NO_RULES: ParseOptions = ParseOptions {
    require_primary_crc: false,
    require_bundle_age: false,
    require_node_ids: false,
    reject_reserved_flags: false,
};

/// Rebuilds `view` under `options`; panics on any disagreement between builder and parser.
fn rebuild(view: &BundleView<'_>, options: ParseOptions) -> Vec<u8> {
    let builder = view.blocks().fold(
        BundleBuilder::new(*view.primary()).options(options),
        |b, (block, _)| b.block(block),
    );
    assert_eq!(builder.blocks().len(), view.block_count());
    let bytes = builder
        .to_vec()
        .unwrap_or_else(|e| panic!("builder refused a bundle the parser accepted: {e}"));
    assert_eq!(bytes.len(), builder.encoded_len());
    bytes
}

fn check(data: &[u8], view: &BundleView<'_>, options: ParseOptions) {
    // Accessors.
    assert_eq!(view.bytes(), data);
    assert_eq!(view.blocks().count(), view.block_count());
    let (payload, span) = view.payload_block();
    assert_eq!(payload.data, view.payload());
    assert!(span.end < data.len() && view.primary_span().end <= span.start);
    assert_eq!(view.block(1).map(|(b, _)| b), Some(payload));
    for (block, span) in view.blocks() {
        assert!(data.get(span).is_some());
        assert_eq!(view.block(block.number).map(|(b, _)| b), Some(block));
        let _ = block.block_data();
    }
    let _ = (view.previous_node(), view.bundle_age(), view.hop_count());

    // Rebuild: equal fields, a fixed point, canonical input reproduced.
    let rebuilt = rebuild(view, options);
    let again = BundleView::parse_with(&rebuilt, &options)
        .unwrap_or_else(|e| panic!("rebuilt bundle does not parse: {e}"));
    assert_eq!(again.primary(), view.primary());
    assert!(
        again
            .blocks()
            .map(|(b, _)| b)
            .eq(view.blocks().map(|(b, _)| b))
    );
    assert_eq!(
        rebuild(&again, options),
        rebuilt,
        "parse → build is not a fixed point"
    );
    assert!(
        rebuilt.len() <= data.len(),
        "our encoding is longer than the input's"
    );
    if rebuilt.len() == data.len() {
        assert_eq!(
            rebuilt, data,
            "canonical input not reproduced byte for byte"
        );
    }
    // Shortest-form heads throughout: only a 3-element `ipn` EID with allocator 0 in the
    // primary block (one octet each) may still be shortened.
    let mut strict = Decoder::strict(data);
    if strict.skip().is_ok() && strict.is_empty() {
        assert!(
            data.len() - rebuilt.len() <= 3,
            "shortest-form input shortened"
        );
    }
}

fuzz_target!(|data: &[u8]| {
    let mut accepted_by_stricter: Option<BundleView<'_>> = None;
    for options in [ParseOptions::STRICT, ParseOptions::LENIENT, NO_RULES] {
        match BundleView::parse_with(data, &options) {
            Ok(view) => {
                if let Some(stricter) = &accepted_by_stricter {
                    assert_eq!(
                        stricter, &view,
                        "option sets disagree on an accepted bundle"
                    );
                }
                check(data, &view, options);
                accepted_by_stricter = Some(view);
            }
            Err(e) => {
                assert!(
                    accepted_by_stricter.is_none(),
                    "{options:?} rejects what a stricter set accepted: {e}"
                );
                assert!(
                    e.offset <= data.len(),
                    "error offset {} past the input",
                    e.offset
                );
            }
        }
    }
});
