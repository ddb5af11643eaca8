//! Image transfer (`PROTOCOL.md`, "Image transfer"): splitting an image into [`ImageChunk`]s
//! whose encoded message fits a payload budget, and reassembling them on the ground in any
//! order, with duplicates, under a memory cap, verified end to end by SHA-256.
//!
//! Both halves are sans-IO: the chunker borrows the image and lends its data to each chunk
//! (no copy until the bundle is written), the assembler is fed decoded chunks.

use std::borrow::Cow;
use std::collections::BTreeMap;

use sha2::{Digest, Sha256};

use super::codec::head_len;
use super::message::{ChunkSelection, ImageChunk, Message};

/// Why an image cannot be split.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum ChunkError {
    /// The payload budget cannot hold a chunk message carrying even one octet.
    #[error("a payload budget of {max} octets cannot carry a chunk: {needed} needed")]
    BudgetTooSmall {
        /// The budget given.
        max: usize,
        /// The smallest budget that works for this image.
        needed: usize,
    },
    /// The image needs more than `u32::MAX` chunks at this budget.
    #[error("image needs more than 2^32 - 1 chunks")]
    TooManyChunks,
    /// A requested chunk index is not below the chunk total.
    #[error("no chunk {index}: the image has {total}")]
    NoSuchChunk {
        /// The index asked for.
        index: u32,
        /// Chunks of the image.
        total: u32,
    },
}

/// An image cut into chunks of `chunk_len` octets (the last one shorter), each of which
/// encodes as an `ImageChunk` message of at most the budget given to [`ImageChunker::new`].
///
/// The layout does not depend on the request id (it is sized for the largest one), so a chunk
/// retransmitted in answer to a later `ImageRequest` carries exactly the same octets as the
/// first time.
#[derive(Debug, Clone)]
pub struct ImageChunker<'a> {
    image_id: u64,
    image: &'a [u8],
    chunk_len: usize,
    total: u32,
    sha256: [u8; 32],
}

impl<'a> ImageChunker<'a> {
    /// Plans the chunks of `image` so that every `ImageChunk` message is at most
    /// `max_message_len` octets. The daemon derives that budget from the host's per-file limit
    /// (5 MB by default, issue #6) minus the bundle's own overhead (primary block, BPSec
    /// blocks). Hashes the image once.
    pub fn new(image_id: u64, image: &'a [u8], max_message_len: usize) -> Result<Self, ChunkError> {
        let size = image.len() as u64;
        // The largest envelope any chunk of this image can have: the largest request id and
        // 5-octet index and total heads, with empty data (a 1-octet data head).
        let template = Message::ImageChunk(ImageChunk {
            request_id: u64::MAX,
            image_id,
            index: u32::MAX - 1,
            total: u32::MAX,
            size,
            sha256: [0; 32],
            data: Cow::Borrowed(&[]),
        });
        let overhead = template.encode().map_or(usize::MAX, |m| m.len());
        let fits = |data: usize| {
            overhead
                .saturating_sub(1)
                .saturating_add(head_len(data as u64))
                .saturating_add(data)
                <= max_message_len
        };
        let mut budget = max_message_len.saturating_sub(overhead);
        while budget > 0 && !fits(budget) {
            budget -= 1;
        }
        // One data octet (a 1-octet head plus the octet) more than the empty template.
        let needed = overhead.saturating_add(usize::from(!image.is_empty()));
        if !fits(0) || (budget == 0 && !image.is_empty()) {
            return Err(ChunkError::BudgetTooSmall {
                max: max_message_len,
                needed,
            });
        }
        let chunk_len = budget.min(image.len());
        let total = if image.is_empty() {
            1
        } else {
            u32::try_from(image.len().div_ceil(chunk_len)).map_err(|_| ChunkError::TooManyChunks)?
        };
        Ok(Self {
            image_id,
            image,
            chunk_len,
            total,
            sha256: Sha256::digest(image).into(),
        })
    }

    /// Number of chunks (at least 1: an empty image is one empty chunk).
    pub const fn total(&self) -> u32 {
        self.total
    }

    /// Data octets per chunk; the last chunk may be shorter.
    pub const fn chunk_len(&self) -> usize {
        self.chunk_len
    }

    /// SHA-256 of the whole image, carried in every chunk.
    pub const fn sha256(&self) -> [u8; 32] {
        self.sha256
    }

    /// Chunk `index`, answering request `request_id`, borrowing its data from the image.
    pub fn chunk(&self, request_id: u64, index: u32) -> Result<ImageChunk<'a>, ChunkError> {
        let no_such = ChunkError::NoSuchChunk {
            index,
            total: self.total,
        };
        if index >= self.total {
            return Err(no_such);
        }
        let start = (index as usize).saturating_mul(self.chunk_len);
        let end = start.saturating_add(self.chunk_len).min(self.image.len());
        let data = self.image.get(start..end).ok_or(no_such)?;
        Ok(ImageChunk {
            request_id,
            image_id: self.image_id,
            index,
            total: self.total,
            size: self.image.len() as u64,
            sha256: self.sha256,
            data: Cow::Borrowed(data),
        })
    }

    /// The chunks an `ImageRequest` selects, in index order; an index beyond the image is an
    /// error (the daemon answers it with an `Error` of code `InvalidArgument`).
    pub fn select(
        &self,
        request_id: u64,
        selection: &ChunkSelection,
    ) -> Result<Vec<ImageChunk<'a>>, ChunkError> {
        match selection {
            ChunkSelection::All => (0..self.total).map(|i| self.chunk(request_id, i)).collect(),
            ChunkSelection::Only(indices) => {
                indices.iter().map(|&i| self.chunk(request_id, i)).collect()
            }
        }
    }
}

/// Octets of bookkeeping the memory cap counts for each chunk held, besides its data (a
/// `Vec` header plus its share of the map's nodes), so that many tiny chunks cannot exceed
/// the cap either.
pub const CHUNK_BOOKKEEPING: usize = 64;

/// Why a chunk was refused or an image could not be completed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AssemblyError {
    /// The chunk belongs to another image.
    #[error("chunk of image {found}, assembling image {expected}")]
    WrongImage {
        /// The image being assembled.
        expected: u64,
        /// The chunk's image.
        found: u64,
    },
    /// The chunk disagrees with the first chunk received about the image (total, size or
    /// hash), or its total or data cannot belong to an image of its size.
    #[error("inconsistent chunk {index}: {reason}")]
    Inconsistent {
        /// The chunk's index.
        index: u32,
        /// What disagrees.
        reason: &'static str,
    },
    /// Keeping the chunk would exceed the memory cap.
    #[error("memory cap of {cap} octets exceeded: {needed} needed")]
    MemoryCap {
        /// The cap.
        cap: usize,
        /// Octets the image (or the chunks so far) would need.
        needed: usize,
    },
    /// A chunk already received arrived again with different data.
    #[error("chunk {0} received twice with different data")]
    ConflictingDuplicate(u32),
    /// [`ImageAssembler::finish`] before every chunk arrived.
    #[error("incomplete: {received} chunks of {total:?} received")]
    Incomplete {
        /// Distinct chunks received.
        received: u32,
        /// Chunks of the image, if any chunk announced it.
        total: Option<u32>,
    },
    /// Every chunk arrived but their data add up to another size than announced.
    #[error("reassembled {found} octets, image size is {expected}")]
    SizeMismatch {
        /// The announced size.
        expected: u64,
        /// The octets received.
        found: u64,
    },
    /// The reassembled image does not have the announced SHA-256: a chunk was corrupted.
    #[error("SHA-256 of the reassembled image does not match")]
    HashMismatch,
}

/// What [`ImageAssembler::accept`] did with a chunk.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Accepted {
    /// A chunk not seen before, now held.
    New,
    /// The same chunk again (retransmission, duplicate bundle): ignored.
    Duplicate,
}

/// What every chunk of an image must agree on; learnt from the first chunk.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Announced {
    total: u32,
    size: u64,
    sha256: [u8; 32],
}

/// Reassembles one image from its chunks, received in any order and any number of times.
///
/// Memory is capped: the announced size, and the data plus [`CHUNK_BOOKKEEPING`] per chunk
/// actually held, never exceed `cap` octets. A refused chunk leaves the assembler unchanged.
#[derive(Debug, Clone)]
pub struct ImageAssembler {
    image_id: u64,
    cap: usize,
    announced: Option<Announced>,
    chunks: BTreeMap<u32, Vec<u8>>,
    /// Data octets held.
    data_len: u64,
    /// Data plus bookkeeping, what the cap limits.
    held: usize,
}

impl ImageAssembler {
    /// An assembler for image `image_id` that holds at most `cap` octets.
    pub const fn new(image_id: u64, cap: usize) -> Self {
        Self {
            image_id,
            cap,
            announced: None,
            chunks: BTreeMap::new(),
            data_len: 0,
            held: 0,
        }
    }

    /// The image being assembled.
    pub const fn image_id(&self) -> u64 {
        self.image_id
    }

    /// Number of chunks of the image, once a chunk has announced it.
    pub fn total(&self) -> Option<u32> {
        self.announced.map(|a| a.total)
    }

    /// Distinct chunks held.
    pub fn received(&self) -> u32 {
        u32::try_from(self.chunks.len()).unwrap_or(u32::MAX)
    }

    /// Octets counted against the cap.
    pub const fn held(&self) -> usize {
        self.held
    }

    /// Whether every chunk has arrived.
    pub fn is_complete(&self) -> bool {
        self.total() == Some(self.received())
    }

    /// The indices not yet received, ascending (none before the first chunk announces the
    /// total).
    pub fn missing(&self) -> impl Iterator<Item = u32> + '_ {
        (0..self.total().unwrap_or(0)).filter(|i| !self.chunks.contains_key(i))
    }

    /// What to ask for next: `All` before any chunk arrived, the missing indices after, `None`
    /// when complete. Feed it to an `ImageRequest`.
    pub fn retransmission(&self) -> Option<ChunkSelection> {
        match self.total() {
            None => Some(ChunkSelection::All),
            Some(_) if self.is_complete() => None,
            Some(_) => Some(ChunkSelection::Only(self.missing().collect())),
        }
    }

    /// Takes one chunk (copying its data).
    pub fn accept(&mut self, chunk: &ImageChunk<'_>) -> Result<Accepted, AssemblyError> {
        if chunk.image_id != self.image_id {
            return Err(AssemblyError::WrongImage {
                expected: self.image_id,
                found: chunk.image_id,
            });
        }
        let index = chunk.index;
        let inconsistent = |reason| AssemblyError::Inconsistent { index, reason };
        let this = Announced {
            total: chunk.total,
            size: chunk.size,
            sha256: chunk.sha256,
        };
        match self.announced {
            Some(first) if first.total != this.total => return Err(inconsistent("chunk total")),
            Some(first) if first.size != this.size => return Err(inconsistent("image size")),
            Some(first) if first.sha256 != this.sha256 => return Err(inconsistent("image hash")),
            _ => {}
        }
        // The rules every chunker output obeys (and the decoder mostly checks already): an
        // index below the total, no more chunks than octets, no empty chunk of a non-empty
        // image, no data beyond the size. They bound the number of chunks by the size.
        if index >= this.total {
            return Err(inconsistent("index not below the total"));
        }
        if u64::from(this.total) > this.size.max(1) {
            return Err(inconsistent("more chunks than image octets"));
        }
        if chunk.data.is_empty() && this.size > 0 {
            return Err(inconsistent("empty chunk of a non-empty image"));
        }
        let size = usize::try_from(this.size).unwrap_or(usize::MAX);
        if size > self.cap {
            return Err(AssemblyError::MemoryCap {
                cap: self.cap,
                needed: size,
            });
        }
        if let Some(held) = self.chunks.get(&index) {
            return if held.as_slice() == chunk.data.as_ref() {
                Ok(Accepted::Duplicate)
            } else {
                Err(AssemblyError::ConflictingDuplicate(index))
            };
        }
        let data_len = self.data_len.saturating_add(chunk.data.len() as u64);
        if data_len > this.size {
            return Err(inconsistent("chunks exceed the image size"));
        }
        let held = self
            .held
            .saturating_add(chunk.data.len())
            .saturating_add(CHUNK_BOOKKEEPING);
        if held > self.cap {
            return Err(AssemblyError::MemoryCap {
                cap: self.cap,
                needed: held,
            });
        }
        self.announced = Some(this);
        self.chunks.insert(index, chunk.data.to_vec());
        self.data_len = data_len;
        self.held = held;
        Ok(Accepted::New)
    }

    /// The image, once complete and verified against the announced size and SHA-256.
    pub fn finish(self) -> Result<Vec<u8>, AssemblyError> {
        let Some(announced) = self.announced.filter(|_| self.is_complete()) else {
            return Err(AssemblyError::Incomplete {
                received: self.received(),
                total: self.total(),
            });
        };
        if self.data_len != announced.size {
            return Err(AssemblyError::SizeMismatch {
                expected: announced.size,
                found: self.data_len,
            });
        }
        let mut image = Vec::with_capacity(usize::try_from(self.data_len).unwrap_or(0));
        self.chunks.into_values().for_each(|c| image.extend(c));
        let sha256: [u8; 32] = Sha256::digest(&image).into();
        if sha256 != announced.sha256 {
            return Err(AssemblyError::HashMismatch);
        }
        Ok(image)
    }
}
