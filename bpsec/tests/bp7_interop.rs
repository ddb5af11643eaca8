//! A bundle sealed here is still a well-formed bundle for the dtn7 `bp7` crate 0.12.1 (used
//! without its own BPSec feature): the BIB and BCB are carried as blocks of unknown type with
//! their data intact, CRCs valid, and `bp7` re-serializes it byte-identically.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use bp7::canonical::CanonicalData;
use bpv7::bundle::{BundleView, ParseOptions};
use bpv7::crc::CrcType;
use common::*;

#[test]
fn sealed_bundles_parse_in_bp7() {
    for crc in [CrcType::None, CrcType::Crc16X25, CrcType::Crc32C] {
        let sealed = seal(&bundle_with(11, b"HK telemetry: 28.5 C, 7.9 V", crc, &[]));
        let mut theirs = bp7::Bundle::try_from(sealed.as_slice()).unwrap();
        theirs.validate().unwrap();
        assert!(theirs.crc_valid());
        assert_eq!(theirs.to_cbor(), sealed);
        let ours = BundleView::parse_with(&sealed, &ParseOptions::STRICT).unwrap();
        let blocks: Vec<_> = ours.blocks().map(|(b, _)| b).collect();
        assert_eq!(blocks.len(), theirs.canonicals.len());
        for (ours, theirs) in blocks.iter().zip(&theirs.canonicals) {
            assert_eq!(ours.block_type, theirs.block_type);
            assert_eq!(ours.number, theirs.block_number);
            match theirs.data() {
                CanonicalData::Unknown(data) | CanonicalData::Data(data) => {
                    assert_eq!(ours.data, &data[..]);
                }
                other => panic!("block {}: {other:?}", ours.number),
            }
        }
    }
}
