//! Checked identifiers shared by several link protocols.
//!
//! Each type holds the widest value any CCSDS link protocol gives the identifier; a protocol
//! whose field is narrower (TM's 3-bit VCID, AOS's 8-bit SCID) checks again when it encodes.

/// Defines a checked identifier newtype of a given bit width (used by the protocol crates for
/// their own identifiers, e.g. the Space Packet APID).
#[macro_export]
macro_rules! bounded_id {
    ($(#[$doc:meta])* $name:ident, $repr:ty, $bits:expr, $field:expr) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
        pub struct $name($repr);

        impl $name {
            /// Width of the identifier in bits.
            pub const BITS: u32 = $bits;
            /// The largest valid identifier.
            pub const MAX: Self = Self(((1u32 << $bits) - 1) as $repr);

            /// Checked constructor: fails if `value` needs more than [`Self::BITS`] bits.
            pub const fn new(value: $repr) -> Result<Self, $crate::WireError> {
                if (value as u64) <= Self::MAX.0 as u64 {
                    Ok(Self(value))
                } else {
                    Err($crate::WireError::invalid(0, $field, value as u64))
                }
            }

            /// The raw value.
            pub const fn get(self) -> $repr {
                self.0
            }
        }

        impl TryFrom<$repr> for $name {
            type Error = $crate::WireError;
            fn try_from(value: $repr) -> Result<Self, $crate::WireError> {
                Self::new(value)
            }
        }

        impl From<$name> for $repr {
            fn from(id: $name) -> $repr {
                id.0
            }
        }

        impl core::fmt::Display for $name {
            fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
                core::fmt::Display::fmt(&self.0, f)
            }
        }
    };
}

bounded_id!(
    /// Spacecraft Identifier (10 bits in TC 232.0-B-4 §4.1.2.2.3 and TM 132.0-B-3 §4.1.2.2.3;
    /// AOS 732.0-B-4 uses 8 bits).
    Scid, u16, 10, "spacecraft_id"
);
bounded_id!(
    /// Virtual Channel Identifier (6 bits in TC 232.0-B-4 §4.1.2.3 and AOS; TM uses 3 bits).
    Vcid, u8, 6, "virtual_channel_id"
);
bounded_id!(
    /// Multiplexer Access Point Identifier of the TC segment header (6 bits, 232.0-B-4 §4.1.3.2.3).
    MapId, u8, 6, "map_id"
);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::WireError;

    #[test]
    fn bounds() {
        assert_eq!(Scid::new(1023).unwrap().get(), 1023);
        assert_eq!(
            Scid::new(1024).unwrap_err(),
            WireError::invalid(0, "spacecraft_id", 1024)
        );
        assert!(Vcid::new(63).is_ok());
        assert!(Vcid::try_from(64).is_err());
        assert!(MapId::new(64).is_err());
        assert_eq!(u8::from(MapId::MAX), 63);
    }
}
