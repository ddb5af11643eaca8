//! Set-up shared by the transport test files: a self-removing temp directory and a STRICT-valid
//! bundle builder.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    dead_code
)]

use std::fs;
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};

use bpv7::block::{BlockData, BlockFlags, CanonicalBlock, block_type};
use bpv7::bundle::BundleBuilder;
use bpv7::crc::CrcType;
use bpv7::eid::Eid;
use bpv7::primary::{BundleFlags, CreationTimestamp, PrimaryBlock};

/// A directory under the system temp dir, removed when dropped.
pub struct TempDir(pub PathBuf);

impl TempDir {
    pub fn new(tag: &str) -> Self {
        static N: AtomicUsize = AtomicUsize::new(0);
        let n = N.fetch_add(1, Ordering::Relaxed);
        let path = std::env::temp_dir().join(format!(
            "borealis-transport-{}-{n}-{tag}",
            std::process::id()
        ));
        let _ = fs::remove_dir_all(&path);
        fs::create_dir_all(&path).unwrap();
        Self(path)
    }

    pub fn join(&self, p: &str) -> PathBuf {
        self.0.join(p)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.0);
    }
}

/// A DTN time in 2024.
pub const T0: u64 = 757_051_200_000;

/// A STRICT-valid bundle from `ipn:1.0` to `ipn:2.1`; with `age`, a Bundle Age block.
pub fn bundle_with(
    time: u64,
    seq: u64,
    lifetime: u64,
    age: Option<u64>,
    payload: &[u8],
) -> Vec<u8> {
    let primary = PrimaryBlock {
        flags: BundleFlags(0),
        crc_type: CrcType::Crc32C,
        destination: Eid::parse_uri("ipn:2.1").unwrap(),
        source: Eid::parse_uri("ipn:1.0").unwrap(),
        report_to: Eid::Null,
        creation: CreationTimestamp {
            time,
            sequence: seq,
        },
        lifetime,
        fragment: None,
    };
    let mut age_data = Vec::new();
    let mut builder = BundleBuilder::new(primary);
    if let Some(age) = age {
        BlockData::BundleAge(age).encode(&mut age_data);
        builder = builder.block(CanonicalBlock {
            block_type: block_type::BUNDLE_AGE,
            number: 2,
            flags: BlockFlags(0),
            crc_type: CrcType::Crc16X25,
            data: &age_data,
        });
    }
    builder
        .payload(payload, BlockFlags(0), CrcType::Crc32C)
        .to_vec()
        .unwrap()
}
