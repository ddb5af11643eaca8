//! A list that keeps its first few items inline and only allocates beyond them: the block
//! lists and operation lists of the security roles. A bundle usually has two to five blocks
//! and one or two security operations, and the 64-octet path allocates nothing but its
//! output this way (a heap list costs an allocation and a free per call).

use alloc::vec::Vec;

/// Items in insertion order: the first `N` inline, any more on the heap.
#[derive(Debug, Clone)]
pub(crate) struct List<T, const N: usize> {
    inline: [Option<T>; N],
    len: usize,
    heap: Vec<T>,
}

impl<T, const N: usize> List<T, N> {
    /// An empty list (allocates nothing). Slot by slot: a constant `[None; N]` is built as a
    /// whole array and copied (`memcpy`), where only each slot's discriminant needs writing.
    #[inline]
    pub fn new() -> Self {
        Self {
            inline: core::array::from_fn(|_| None),
            len: 0,
            heap: Vec::new(),
        }
    }

    /// Appends `item`.
    #[inline]
    pub fn push(&mut self, item: T) {
        match self.inline.get_mut(self.len) {
            Some(slot) => {
                *slot = Some(item);
                self.len += 1;
            }
            None => self.heap.push(item),
        }
    }

    /// The items in insertion order.
    #[inline]
    pub fn iter(&self) -> impl Iterator<Item = &T> {
        self.into_iter()
    }
}

impl<T, const N: usize> Default for List<T, N> {
    fn default() -> Self {
        Self::new()
    }
}

impl<'l, T, const N: usize> IntoIterator for &'l List<T, N> {
    type Item = &'l T;
    type IntoIter = core::iter::Chain<
        core::iter::Flatten<core::slice::Iter<'l, Option<T>>>,
        core::slice::Iter<'l, T>,
    >;

    fn into_iter(self) -> Self::IntoIter {
        self.inline
            .get(..self.len)
            .unwrap_or_default()
            .iter()
            .flatten()
            .chain(&self.heap)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_order_across_the_spill() {
        let mut list: List<u32, 2> = List::new();
        assert_eq!(list.iter().next(), None);
        for i in 0..5 {
            list.push(i);
        }
        assert_eq!(list.iter().copied().collect::<Vec<_>>(), [0, 1, 2, 3, 4]);
        assert_eq!((&list).into_iter().count(), 5);
    }
}
