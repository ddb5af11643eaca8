//! Image transfer (`PROTOCOL.md`, "Image transfer"): split to a payload budget, deliver out of
//! order with duplicates, reassemble and verify end to end.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::borrow::Cow;

use borealis_node::protocol::{
    Accepted, AssemblyError, CHUNK_BOOKKEEPING, ChunkError, ChunkSelection, ImageAssembler,
    ImageChunk, ImageChunker, Message,
};
use proptest::collection::vec;
use proptest::prelude::*;

/// The host's per-upload limit (issue #6): 5 MB.
const HOST_FILE_LIMIT: usize = 5_000_000;
/// A budget for the application payload that leaves room for the bundle's own blocks.
const PAYLOAD_BUDGET: usize = HOST_FILE_LIMIT - 64 * 1024;

/// A deterministic test image.
fn image(len: usize, seed: u8) -> Vec<u8> {
    (0..len)
        .map(|i| (i as u8).wrapping_mul(31).wrapping_add(seed) ^ (i >> 8) as u8)
        .collect()
}

/// The chunks as they travel: encoded messages, then decoded on the other side.
fn transmit(chunks: &[ImageChunk<'_>], max: usize) -> Vec<Vec<u8>> {
    chunks
        .iter()
        .map(|c| {
            let encoded = Message::ImageChunk(c.clone()).encode().unwrap();
            assert!(encoded.len() <= max, "{} > {max}", encoded.len());
            encoded
        })
        .collect()
}

fn receive(assembler: &mut ImageAssembler, encoded: &[u8]) -> Result<Accepted, AssemblyError> {
    let Message::ImageChunk(chunk) = Message::decode(encoded).unwrap() else {
        panic!("not a chunk")
    };
    assembler.accept(&chunk)
}

#[test]
fn one_mib_image_fits_the_budget_and_reassembles() {
    let img = image(1 << 20, 7);
    // A small budget forces many chunks; the default one fits the image in one.
    for budget in [64 * 1024, PAYLOAD_BUDGET] {
        let chunker = ImageChunker::new(42, &img, budget).unwrap();
        let chunks = chunker.select(u64::MAX, &ChunkSelection::All).unwrap();
        assert_eq!(chunks.len() as u32, chunker.total());
        let wire = transmit(&chunks, budget);
        // The budget is used well: full chunks are within a few octets of it.
        assert!(wire[0].len() + 16 > budget || chunker.total() == 1);
        let mut assembler = ImageAssembler::new(42, 2 << 20);
        for encoded in wire.iter().rev() {
            assert_eq!(receive(&mut assembler, encoded), Ok(Accepted::New));
        }
        assert_eq!(assembler.retransmission(), None);
        assert_eq!(assembler.finish().unwrap(), img);
    }
    assert_eq!(
        ImageChunker::new(42, &img, 64 * 1024).unwrap().total(),
        17,
        "1 MiB in chunks of just under 64 KiB"
    );
}

#[test]
fn retransmission_of_missing_chunks() {
    let img = image(10_000, 1);
    let chunker = ImageChunker::new(5, &img, 1_000).unwrap();
    let total = chunker.total();
    let mut assembler = ImageAssembler::new(5, 1 << 20);
    assert_eq!(assembler.retransmission(), Some(ChunkSelection::All));
    // First pass: every third chunk is lost.
    let first = chunker.select(11, &ChunkSelection::All).unwrap();
    for chunk in first.iter().filter(|c| c.index % 3 != 0) {
        assembler.accept(chunk).unwrap();
    }
    let Some(ChunkSelection::Only(missing)) = assembler.retransmission() else {
        panic!("chunks are missing")
    };
    assert_eq!(missing, (0..total).step_by(3).collect::<Vec<_>>());
    assert!(matches!(
        assembler.clone().finish(),
        Err(AssemblyError::Incomplete { total: Some(t), .. }) if t == total
    ));
    // The retransmission answers another request with the very same chunk data.
    let again = chunker
        .select(12, &ChunkSelection::Only(missing.clone()))
        .unwrap();
    for (chunk, &index) in again.iter().zip(&missing) {
        assert_eq!(chunk.data, first[index as usize].data);
        assembler.accept(chunk).unwrap();
    }
    assert!(assembler.is_complete());
    assert_eq!(assembler.finish().unwrap(), img);
    assert_eq!(
        chunker
            .select(1, &ChunkSelection::Only(vec![total]))
            .unwrap_err(),
        ChunkError::NoSuchChunk {
            index: total,
            total
        }
    );
}

#[test]
fn corrupted_chunk_fails_the_hash() {
    let img = image(5_000, 3);
    let chunker = ImageChunker::new(9, &img, 700).unwrap();
    let mut assembler = ImageAssembler::new(9, 1 << 20);
    for mut chunk in chunker.select(1, &ChunkSelection::All).unwrap() {
        if chunk.index == 2 {
            let mut data = chunk.data.into_owned();
            data[10] ^= 0x01;
            chunk.data = Cow::Owned(data);
        }
        assembler.accept(&chunk).unwrap();
    }
    assert!(assembler.is_complete());
    assert_eq!(assembler.finish(), Err(AssemblyError::HashMismatch));
}

#[test]
fn inconsistent_and_conflicting_chunks_are_refused() {
    let img = image(3_000, 4);
    let chunker = ImageChunker::new(1, &img, 600).unwrap();
    let chunk = chunker.chunk(1, 0).unwrap();
    let mut assembler = ImageAssembler::new(1, 1 << 20);
    assert_eq!(assembler.accept(&chunk), Ok(Accepted::New));
    assert_eq!(assembler.accept(&chunk), Ok(Accepted::Duplicate));
    let held = assembler.held();
    let refused = [
        ImageChunk {
            image_id: 2,
            ..chunk.clone()
        },
        ImageChunk {
            total: chunk.total + 1,
            ..chunk.clone()
        },
        ImageChunk {
            size: chunk.size + 1,
            ..chunk.clone()
        },
        ImageChunk {
            sha256: [0; 32],
            ..chunk.clone()
        },
        // Same index, other data.
        ImageChunk {
            data: Cow::Owned(vec![0; chunk.data.len()]),
            ..chunk.clone()
        },
        // Empty data of a non-empty image.
        ImageChunk {
            index: 1,
            data: Cow::Borrowed(&[]),
            ..chunk.clone()
        },
    ];
    for bad in &refused {
        assert!(assembler.accept(bad).is_err(), "{bad:?}");
    }
    assert_eq!(
        assembler.accept(&refused[4]),
        Err(AssemblyError::ConflictingDuplicate(0))
    );
    // A refused chunk changes nothing.
    assert_eq!(assembler.held(), held);
    assert_eq!(assembler.received(), 1);
    // More data than the image size (chunks of a lying sender).
    let mut liar = ImageAssembler::new(1, 1 << 20);
    let big = ImageChunk {
        request_id: 1,
        image_id: 1,
        index: 0,
        total: 2,
        size: 10,
        sha256: [0; 32],
        data: Cow::Owned(vec![0; 8]),
    };
    liar.accept(&big).unwrap();
    assert!(matches!(
        liar.accept(&ImageChunk { index: 1, ..big }),
        Err(AssemblyError::Inconsistent { index: 1, .. })
    ));
}

#[test]
fn memory_cap_is_enforced() {
    let img = image(100_000, 5);
    let chunker = ImageChunker::new(3, &img, 10_000).unwrap();
    // An image larger than the cap is refused at its first chunk.
    let mut small = ImageAssembler::new(3, 50_000);
    assert_eq!(
        small.accept(&chunker.chunk(1, 0).unwrap()),
        Err(AssemblyError::MemoryCap {
            cap: 50_000,
            needed: 100_000
        })
    );
    assert_eq!(small.held(), 0);
    // Exactly the image plus bookkeeping fits; one octet less does not, at the last chunk.
    let need = img.len() + chunker.total() as usize * CHUNK_BOOKKEEPING;
    let mut tight = ImageAssembler::new(3, need - 1);
    let chunks = chunker.select(1, &ChunkSelection::All).unwrap();
    let (last, rest) = chunks.split_last().unwrap();
    for chunk in rest {
        tight.accept(chunk).unwrap();
        assert!(tight.held() < need);
    }
    assert_eq!(
        tight.accept(last),
        Err(AssemblyError::MemoryCap {
            cap: need - 1,
            needed: need
        })
    );
    let mut enough = ImageAssembler::new(3, need);
    chunks
        .iter()
        .for_each(|c| assert!(enough.accept(c).is_ok()));
    assert_eq!(enough.held(), need);
    assert_eq!(enough.finish().unwrap(), img);
    // Many tiny chunks cannot exceed the cap either: the chunk count is bounded by the size,
    // and each chunk held counts its bookkeeping.
    let mut tiny = ImageAssembler::new(3, 1_000);
    let one = ImageChunk {
        request_id: 1,
        image_id: 3,
        index: 0,
        total: 1_000,
        size: 1_000,
        sha256: [0; 32],
        data: Cow::Borrowed(&[1]),
    };
    let mut accepted = 0;
    for index in 0..1_000 {
        if tiny
            .accept(&ImageChunk {
                index,
                ..one.clone()
            })
            .is_ok()
        {
            accepted += 1;
        }
    }
    assert_eq!(accepted, 1_000 / (1 + CHUNK_BOOKKEEPING));
    assert!(tiny.held() <= 1_000);
    assert!(matches!(
        tiny.accept(&ImageChunk {
            total: 1_001,
            ..one
        }),
        Err(AssemblyError::Inconsistent { .. })
    ));
}

#[test]
fn budget_edge_cases() {
    let img = image(1_000, 6);
    assert!(matches!(
        ImageChunker::new(1, &img, 10),
        Err(ChunkError::BudgetTooSmall { max: 10, .. })
    ));
    let Err(ChunkError::BudgetTooSmall { needed, .. }) = ImageChunker::new(1, &img, 10) else {
        panic!()
    };
    // The smallest working budget carries one octet per chunk.
    let smallest = ImageChunker::new(1, &img, needed).unwrap();
    assert_eq!(smallest.chunk_len(), 1);
    assert_eq!(smallest.total(), 1_000);
    assert!(ImageChunker::new(1, &img, needed - 1).is_err());
    // An empty image is one empty chunk.
    let empty = ImageChunker::new(1, &[], 200).unwrap();
    assert_eq!(empty.total(), 1);
    let mut assembler = ImageAssembler::new(1, CHUNK_BOOKKEEPING);
    let chunk = empty.chunk(1, 0).unwrap();
    transmit(std::slice::from_ref(&chunk), 200);
    assembler.accept(&chunk).unwrap();
    assert_eq!(assembler.finish().unwrap(), Vec::<u8>::new());
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// Split, then deliver shuffled with duplicates: the image comes back intact, and every
    /// chunk message fits the budget.
    #[test]
    fn split_shuffle_duplicate_reassemble(
        len in 0usize..20_000,
        budget in 120usize..3_000,
        seed in any::<u8>(),
        order in vec(any::<prop::sample::Index>(), 0..200),
    ) {
        let img = image(len, seed);
        let chunker = ImageChunker::new(77, &img, budget).unwrap();
        let chunks = chunker.select(u64::MAX, &ChunkSelection::All).unwrap();
        let wire = transmit(&chunks, budget);
        // Random chunks first (duplicates included), then all in reverse to complete it.
        let mut assembler = ImageAssembler::new(77, 1 << 26);
        for i in &order {
            let encoded = &wire[i.index(wire.len())];
            prop_assert!(receive(&mut assembler, encoded).is_ok());
        }
        for encoded in wire.iter().rev() {
            prop_assert!(receive(&mut assembler, encoded).is_ok());
        }
        prop_assert!(assembler.is_complete());
        prop_assert_eq!(assembler.finish().unwrap(), img);
    }
}
