//! The set operations shared by the two processing-control-flag words of RFC 9171 (§4.2.3 bundle
//! flags, §4.2.4 block flags): both are a `u64` newtype with named constants and an `ASSIGNED`
//! mask, so one macro writes their operations once.

/// Implements `contains`, `intersects`, `union`, `reserved_bits` and `BitOr` for a
/// `struct $name(pub u64)` that defines `const ASSIGNED: Self`.
macro_rules! flag_set {
    ($name:ident) => {
        impl $name {
            /// Whether every bit of `other` is set.
            pub const fn contains(self, other: Self) -> bool {
                self.0 & other.0 == other.0
            }

            /// Whether any bit of `other` is set.
            pub const fn intersects(self, other: Self) -> bool {
                self.0 & other.0 != 0
            }

            /// The bits of both.
            pub const fn union(self, other: Self) -> Self {
                Self(self.0 | other.0)
            }

            /// The reserved and unassigned bits that are set.
            pub const fn reserved_bits(self) -> u64 {
                self.0 & !Self::ASSIGNED.0
            }
        }

        impl core::ops::BitOr for $name {
            type Output = Self;
            fn bitor(self, rhs: Self) -> Self {
                self.union(rhs)
            }
        }
    };
}

pub(crate) use flag_set;
