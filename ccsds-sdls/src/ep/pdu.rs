//! The PDU codec (355.1-B-1, PDU structure): tag, length in bits, value; the commands this
//! crate decodes and encodes, and the Key Verification reply.
//!
//! A PDU is a tag-length-value (355.1-B-1 / CryptoLib `crypto_config.h`):
//!
//! ```text
//! Tag (1): Type 1 (0 command, 1 reply) | User Flag 1 | Service Group 2 | Procedure ID 4
//! Length (2): length of the Value in bits
//! Value
//! ```

use ccsds_core::{Field, WireError};

use crate::{Error, KeyId, Spi};

/// The tag and length, written once for parse and emit.
pub mod field {
    use ccsds_core::Field;
    /// Type: 0 command, 1 reply.
    pub const TYPE: Field = Field::new("pdu_type", 0, 1);
    /// User Flag: 0 for CCSDS-defined procedures.
    pub const USER_FLAG: Field = Field::new("user_flag", 1, 1);
    /// Service Group.
    pub const SERVICE_GROUP: Field = Field::new("service_group", 2, 2);
    /// Procedure Identification.
    pub const PROCEDURE_ID: Field = Field::new("procedure_id", 4, 4);
    /// Value length in bits.
    pub const LENGTH: Field = Field::new("pdu_length", 8, 16);
}

/// Octets of tag + length.
pub const PDU_HEADER_LEN: usize = 3;
/// Octets of a key id on the wire.
pub const KEY_ID_LEN: usize = 2;
/// OTAR: MKID, IV, MAC lengths; each uploaded key is KeyID(2) ‖ Key(32).
pub const OTAR_IV_LEN: usize = 12;
/// GCM tag length used by OTAR and key verification.
pub const EP_MAC_LEN: usize = 16;
/// One OTAR key block (KeyID ‖ 256-bit key).
pub const OTAR_BLOCK_LEN: usize = KEY_ID_LEN + 32;
/// Key verification challenge length.
pub const CHALLENGE_LEN: usize = 16;

/// Service groups (355.1-B-1; codes as in CryptoLib).
pub mod group {
    /// Key management.
    pub const KEY_MANAGEMENT: u8 = 0b00;
    /// SA management.
    pub const SA_MANAGEMENT: u8 = 0b01;
    /// Security monitoring and control (CryptoLib's code).
    pub const MONITORING_CONTROL: u8 = 0b11;
}

/// The PDU tag.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct PduTag {
    /// A reply (Type 1) rather than a command.
    pub reply: bool,
    /// User-defined (1) rather than CCSDS-defined (0) procedure.
    pub user_flag: bool,
    /// Service group (2 bits).
    pub group: u8,
    /// Procedure identification (4 bits).
    pub procedure: u8,
}

/// One PDU: tag and borrowed value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Pdu<'a> {
    /// The tag.
    pub tag: PduTag,
    /// The value.
    pub value: &'a [u8],
}

impl<'a> Pdu<'a> {
    /// Decodes one PDU at the start of `buf`; returns it and the octets after it. The length
    /// must be whole octets and fit the buffer.
    pub fn parse(buf: &'a [u8]) -> Result<(Self, &'a [u8]), Error> {
        let head: &[u8; PDU_HEADER_LEN] = buf.first_chunk().ok_or(WireError::truncated(
            0,
            "pdu_header",
            PDU_HEADER_LEN,
            buf.len(),
        ))?;
        let get = |f: Field| f.get(head);
        let bits = get(field::LENGTH);
        if !bits.is_multiple_of(8) {
            return Err(WireError::invalid(1, field::LENGTH.name, bits).into());
        }
        let len = usize::try_from(bits / 8).unwrap_or(usize::MAX);
        let rest = buf.get(PDU_HEADER_LEN..).unwrap_or(&[]);
        let (value, rest) = rest.split_at_checked(len).ok_or(WireError::truncated(
            PDU_HEADER_LEN,
            "pdu_value",
            PDU_HEADER_LEN + len,
            buf.len(),
        ))?;
        let tag = PduTag {
            reply: get(field::TYPE) == 1,
            user_flag: get(field::USER_FLAG) == 1,
            group: u8::try_from(get(field::SERVICE_GROUP)).unwrap_or_default(),
            procedure: u8::try_from(get(field::PROCEDURE_ID)).unwrap_or_default(),
        };
        Ok((Self { tag, value }, rest))
    }

    /// Encoded length.
    pub fn buffer_len(&self) -> usize {
        PDU_HEADER_LEN + self.value.len()
    }

    /// Writes the PDU; refuses tag fields that do not fit and values over 8191 octets.
    pub fn emit(&self, buf: &mut [u8]) -> Result<usize, Error> {
        emit_pdu(self.tag, buf, &[self.value])
    }
}

/// Writes the tag and the length of a `value_len`-octet value at the start of `buf`; returns
/// the PDU's total length and the space for its value. Refuses tag fields that do not fit, a
/// value over 8191 octets (the length counts bits in 16 bits) and a short buffer.
pub(crate) fn emit_header(
    tag: PduTag,
    value_len: usize,
    buf: &mut [u8],
) -> Result<(usize, &mut [u8]), Error> {
    let bits = u64::try_from(value_len)
        .unwrap_or(u64::MAX)
        .saturating_mul(8);
    let mut word = 0u64;
    for (f, v) in [
        (field::TYPE, u64::from(tag.reply)),
        (field::USER_FLAG, u64::from(tag.user_flag)),
        (field::SERVICE_GROUP, u64::from(tag.group)),
        (field::PROCEDURE_ID, u64::from(tag.procedure)),
        (field::LENGTH, bits),
    ] {
        word = f.insert::<PDU_HEADER_LEN>(word, v, 0)?;
    }
    let total = PDU_HEADER_LEN + value_len;
    let available = buf.len();
    let out = buf
        .get_mut(..total)
        .ok_or(WireError::buffer_too_small("pdu", total, available))?;
    let (head, value) = out.split_at_mut(PDU_HEADER_LEN);
    let mut h = [0u8; PDU_HEADER_LEN];
    ccsds_core::write_be(&mut h, word);
    head.copy_from_slice(&h);
    Ok((total, value))
}

/// Writes a PDU whose value is the concatenation of `parts`.
pub(crate) fn emit_pdu(tag: PduTag, buf: &mut [u8], parts: &[&[u8]]) -> Result<usize, Error> {
    let len: usize = parts.iter().map(|p| p.len()).sum();
    let (total, mut rest) = emit_header(tag, len, buf)?;
    for p in parts {
        let (dst, tail) = rest.split_at_mut(p.len());
        dst.copy_from_slice(p);
        rest = tail;
    }
    Ok(total)
}

/// A list of 2-octet key ids (activation, deactivation, destruction).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct KeyIds<'a>(&'a [u8]);

impl<'a> KeyIds<'a> {
    /// Checks that `bytes` is a whole number of key ids.
    pub fn new(bytes: &'a [u8]) -> Result<Self, Error> {
        if !bytes.len().is_multiple_of(KEY_ID_LEN) {
            return Err(WireError::length_mismatch(
                PDU_HEADER_LEN,
                "key_id_list",
                bytes.len() + 1,
                bytes.len(),
            )
            .into());
        }
        Ok(Self(bytes))
    }

    /// The ids.
    pub fn iter(&self) -> impl Iterator<Item = KeyId> + 'a {
        self.0.chunks_exact(KEY_ID_LEN).map(|c| {
            KeyId(u16::from_be_bytes([
                c.first().copied().unwrap_or(0),
                c.get(1).copied().unwrap_or(0),
            ]))
        })
    }

    /// The encoded list.
    pub fn as_bytes(&self) -> &'a [u8] {
        self.0
    }
}

/// The commands this crate decodes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Command<'a> {
    /// OTAR (key management 1): keys encrypted (AES-GCM, no AAD) under master key `mkid`.
    Otar {
        /// Master key id.
        mkid: KeyId,
        /// GCM IV.
        iv: &'a [u8; OTAR_IV_LEN],
        /// N × (KeyID ‖ Key), encrypted.
        encrypted_keys: &'a [u8],
        /// GCM tag.
        mac: &'a [u8; EP_MAC_LEN],
    },
    /// Key Activation (2).
    KeyActivation(KeyIds<'a>),
    /// Key Deactivation (3).
    KeyDeactivation(KeyIds<'a>),
    /// Key Verification (4): N × (KeyID ‖ 16-octet challenge).
    KeyVerification(&'a [u8]),
    /// Key Destruction (6).
    KeyDestruction(KeyIds<'a>),
    /// Key Inventory (7): ids in `first..=last`.
    KeyInventory {
        /// First key id.
        first: KeyId,
        /// Last key id.
        last: KeyId,
    },
    /// Start SA (SA management 11): SPI and the GVCIDs it applies to (opaque here).
    StartSa {
        /// The SA.
        spi: Spi,
        /// GVCID list as carried.
        gvcids: &'a [u8],
    },
    /// Stop SA (14).
    StopSa(Spi),
    /// Rekey SA (6): SPI, encryption key id, then the rest (authentication key id and IV,
    /// mission-specific widths) as carried.
    RekeySa {
        /// The SA.
        spi: Spi,
        /// Encryption key id.
        ekid: KeyId,
        /// The remaining octets.
        rest: &'a [u8],
    },
    /// Expire SA (9).
    ExpireSa(Spi),
    /// Set ARSN (10): the new ARSN, big-endian.
    SetArsn {
        /// The SA.
        spi: Spi,
        /// The ARSN octets.
        arsn: &'a [u8],
    },
    /// Set ARSN Window (5): the window, big-endian.
    SetArsnWindow {
        /// The SA.
        spi: Spi,
        /// The window octets.
        window: &'a [u8],
    },
    /// Read ARSN (0).
    ReadArsn(Spi),
    /// SA Status request (15).
    SaStatus(Spi),
}

fn spi_and_rest(v: &[u8]) -> Result<(Spi, &[u8]), Error> {
    let (spi, rest) = v.split_first_chunk::<2>().ok_or(WireError::truncated(
        PDU_HEADER_LEN,
        "security_parameter_index",
        PDU_HEADER_LEN + 2,
        PDU_HEADER_LEN + v.len(),
    ))?;
    Ok((Spi(u16::from_be_bytes(*spi)), rest))
}

fn spi_only(v: &[u8]) -> Result<Spi, Error> {
    let (spi, rest) = spi_and_rest(v)?;
    if !rest.is_empty() {
        return Err(WireError::length_mismatch(1, field::LENGTH.name, 2, v.len()).into());
    }
    Ok(spi)
}

impl<'a> Command<'a> {
    /// Decodes a command PDU's value by its tag. Replies, user-defined procedures and
    /// procedures not listed are `InvalidValue` at the tag.
    pub fn parse(pdu: &Pdu<'a>) -> Result<Self, Error> {
        let t = pdu.tag;
        let v = pdu.value;
        if t.reply || t.user_flag {
            return Err(WireError::invalid(0, field::TYPE.name, 1).into());
        }
        let unknown = WireError::invalid(0, field::PROCEDURE_ID.name, u64::from(t.procedure));
        match (t.group, t.procedure) {
            (group::KEY_MANAGEMENT, 1) => {
                let (mkid, rest) = v.split_first_chunk::<2>().ok_or(otar_short(v))?;
                let (iv, rest) = rest
                    .split_first_chunk::<OTAR_IV_LEN>()
                    .ok_or(otar_short(v))?;
                let (keys, mac) = rest.split_last_chunk::<EP_MAC_LEN>().ok_or(otar_short(v))?;
                if keys.is_empty() || !keys.len().is_multiple_of(OTAR_BLOCK_LEN) {
                    return Err(WireError::length_mismatch(
                        1,
                        field::LENGTH.name,
                        keys.len().div_ceil(OTAR_BLOCK_LEN).max(1) * OTAR_BLOCK_LEN + 30,
                        v.len(),
                    )
                    .into());
                }
                Ok(Self::Otar {
                    mkid: KeyId(u16::from_be_bytes(*mkid)),
                    iv,
                    encrypted_keys: keys,
                    mac,
                })
            }
            (group::KEY_MANAGEMENT, 2) => KeyIds::new(v).map(Self::KeyActivation),
            (group::KEY_MANAGEMENT, 3) => KeyIds::new(v).map(Self::KeyDeactivation),
            (group::KEY_MANAGEMENT, 4) => {
                if v.is_empty() || !v.len().is_multiple_of(KEY_ID_LEN + CHALLENGE_LEN) {
                    return Err(
                        WireError::length_mismatch(1, field::LENGTH.name, 18, v.len()).into(),
                    );
                }
                Ok(Self::KeyVerification(v))
            }
            (group::KEY_MANAGEMENT, 6) => KeyIds::new(v).map(Self::KeyDestruction),
            (group::KEY_MANAGEMENT, 7) => match v {
                [a, b, c, d] => Ok(Self::KeyInventory {
                    first: KeyId(u16::from_be_bytes([*a, *b])),
                    last: KeyId(u16::from_be_bytes([*c, *d])),
                }),
                _ => Err(WireError::length_mismatch(1, field::LENGTH.name, 4, v.len()).into()),
            },
            (group::SA_MANAGEMENT, 11) => {
                spi_and_rest(v).map(|(spi, gvcids)| Self::StartSa { spi, gvcids })
            }
            (group::SA_MANAGEMENT, 14) => spi_only(v).map(Self::StopSa),
            (group::SA_MANAGEMENT, 6) => {
                let (spi, rest) = spi_and_rest(v)?;
                let (ekid, rest) = rest.split_first_chunk::<2>().ok_or(WireError::truncated(
                    PDU_HEADER_LEN + 2,
                    "ekid",
                    PDU_HEADER_LEN + 4,
                    PDU_HEADER_LEN + v.len(),
                ))?;
                Ok(Self::RekeySa {
                    spi,
                    ekid: KeyId(u16::from_be_bytes(*ekid)),
                    rest,
                })
            }
            (group::SA_MANAGEMENT, 9) => spi_only(v).map(Self::ExpireSa),
            (group::SA_MANAGEMENT, 10) => {
                spi_and_rest(v).map(|(spi, arsn)| Self::SetArsn { spi, arsn })
            }
            (group::SA_MANAGEMENT, 5) => {
                spi_and_rest(v).map(|(spi, window)| Self::SetArsnWindow { spi, window })
            }
            (group::SA_MANAGEMENT, 0) => spi_only(v).map(Self::ReadArsn),
            (group::SA_MANAGEMENT, 15) => spi_only(v).map(Self::SaStatus),
            _ => Err(unknown.into()),
        }
    }

    /// The tag of this command.
    pub const fn tag(&self) -> PduTag {
        let (group, procedure) = match self {
            Self::Otar { .. } => (group::KEY_MANAGEMENT, 1),
            Self::KeyActivation(_) => (group::KEY_MANAGEMENT, 2),
            Self::KeyDeactivation(_) => (group::KEY_MANAGEMENT, 3),
            Self::KeyVerification(_) => (group::KEY_MANAGEMENT, 4),
            Self::KeyDestruction(_) => (group::KEY_MANAGEMENT, 6),
            Self::KeyInventory { .. } => (group::KEY_MANAGEMENT, 7),
            Self::StartSa { .. } => (group::SA_MANAGEMENT, 11),
            Self::StopSa(_) => (group::SA_MANAGEMENT, 14),
            Self::RekeySa { .. } => (group::SA_MANAGEMENT, 6),
            Self::ExpireSa(_) => (group::SA_MANAGEMENT, 9),
            Self::SetArsn { .. } => (group::SA_MANAGEMENT, 10),
            Self::SetArsnWindow { .. } => (group::SA_MANAGEMENT, 5),
            Self::ReadArsn(_) => (group::SA_MANAGEMENT, 0),
            Self::SaStatus(_) => (group::SA_MANAGEMENT, 15),
        };
        PduTag {
            reply: false,
            user_flag: false,
            group,
            procedure,
        }
    }

    /// Writes the whole PDU (tag, length, value) into `buf`. Refuses what [`Command::parse`]
    /// would refuse (e.g. an OTAR with a partial key block).
    pub fn emit(&self, buf: &mut [u8]) -> Result<usize, Error> {
        let tag = self.tag();
        let n = match self {
            Self::Otar {
                mkid,
                iv,
                encrypted_keys,
                mac,
            } => emit_pdu(
                tag,
                buf,
                &[&mkid.0.to_be_bytes(), &iv[..], encrypted_keys, &mac[..]],
            ),
            Self::KeyActivation(ids) | Self::KeyDeactivation(ids) | Self::KeyDestruction(ids) => {
                emit_pdu(tag, buf, &[ids.as_bytes()])
            }
            Self::KeyVerification(v) => emit_pdu(tag, buf, &[v]),
            Self::KeyInventory { first, last } => {
                emit_pdu(tag, buf, &[&first.0.to_be_bytes(), &last.0.to_be_bytes()])
            }
            Self::StartSa { spi, gvcids } => emit_pdu(tag, buf, &[&spi.0.to_be_bytes(), gvcids]),
            Self::StopSa(spi) | Self::ExpireSa(spi) | Self::ReadArsn(spi) | Self::SaStatus(spi) => {
                emit_pdu(tag, buf, &[&spi.0.to_be_bytes()])
            }
            Self::RekeySa { spi, ekid, rest } => emit_pdu(
                tag,
                buf,
                &[&spi.0.to_be_bytes(), &ekid.0.to_be_bytes(), rest],
            ),
            Self::SetArsn { spi, arsn: v } | Self::SetArsnWindow { spi, window: v } => {
                emit_pdu(tag, buf, &[&spi.0.to_be_bytes(), v])
            }
        }?;
        // Re-decode: the encoder refuses anything its decoder would refuse.
        let written = buf.get(..n).unwrap_or(&[]);
        let (pdu, _) = Pdu::parse(written)?;
        Command::parse(&pdu)?;
        Ok(n)
    }
}

fn otar_short(v: &[u8]) -> WireError {
    WireError::truncated(
        PDU_HEADER_LEN,
        "otar",
        PDU_HEADER_LEN + 2 + OTAR_IV_LEN + OTAR_BLOCK_LEN + EP_MAC_LEN,
        PDU_HEADER_LEN + v.len(),
    )
}

/// One block of a Key Verification reply: the challenge encrypted (AES-GCM, no AAD) under the
/// key being verified.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct VerificationReplyBlock<'a> {
    /// The key verified.
    pub key_id: KeyId,
    /// GCM IV.
    pub iv: &'a [u8; OTAR_IV_LEN],
    /// Encrypted challenge.
    pub encrypted_challenge: &'a [u8; CHALLENGE_LEN],
    /// GCM tag.
    pub mac: &'a [u8; EP_MAC_LEN],
}

/// Octets of one verification reply block.
pub const VERIFICATION_REPLY_BLOCK_LEN: usize =
    KEY_ID_LEN + OTAR_IV_LEN + CHALLENGE_LEN + EP_MAC_LEN;

/// The blocks of a Key Verification reply PDU (tag: reply, key management, procedure 4).
pub fn verification_reply<'a>(
    pdu: &Pdu<'a>,
) -> Result<impl Iterator<Item = VerificationReplyBlock<'a>> + 'a, Error> {
    let t = pdu.tag;
    if !t.reply || t.group != group::KEY_MANAGEMENT || t.procedure != 4 {
        return Err(WireError::invalid(0, field::PROCEDURE_ID.name, u64::from(t.procedure)).into());
    }
    let v = pdu.value;
    if v.is_empty() || !v.len().is_multiple_of(VERIFICATION_REPLY_BLOCK_LEN) {
        let f = field::LENGTH.name;
        return Err(WireError::length_mismatch(1, f, VERIFICATION_REPLY_BLOCK_LEN, v.len()).into());
    }
    Ok(v.chunks_exact(VERIFICATION_REPLY_BLOCK_LEN)
        .filter_map(|b| {
            let (id, b) = b.split_first_chunk::<2>()?;
            let (iv, b) = b.split_first_chunk::<OTAR_IV_LEN>()?;
            let (ch, b) = b.split_first_chunk::<CHALLENGE_LEN>()?;
            let mac = b.first_chunk::<EP_MAC_LEN>()?;
            Some(VerificationReplyBlock {
                key_id: KeyId(u16::from_be_bytes(*id)),
                iv,
                encrypted_challenge: ch,
                mac,
            })
        }))
}

/// The (KeyID, challenge) pairs of a Key Verification command.
pub fn verification_challenges<'a>(
    value: &'a [u8],
) -> impl Iterator<Item = (KeyId, &'a [u8; CHALLENGE_LEN])> + 'a {
    value
        .chunks_exact(KEY_ID_LEN + CHALLENGE_LEN)
        .filter_map(|b| {
            let (id, ch) = b.split_first_chunk::<2>()?;
            Some((KeyId(u16::from_be_bytes(*id)), ch.first_chunk()?))
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tlv_round_trip() {
        let cmd = Command::KeyActivation(KeyIds::new(&[0, 0x8d, 0, 0x8e]).unwrap());
        let mut buf = [0u8; 16];
        let n = cmd.emit(&mut buf).unwrap();
        assert_eq!(&buf[..n], &[0x02, 0x00, 0x20, 0, 0x8d, 0, 0x8e]);
        let (pdu, rest) = Pdu::parse(&buf[..n]).unwrap();
        assert!(rest.is_empty());
        assert_eq!(Command::parse(&pdu), Ok(cmd));
        let ids: Vec<_> = match Command::parse(&pdu).unwrap() {
            Command::KeyActivation(ids) => ids.iter().collect(),
            _ => unreachable!(),
        };
        assert_eq!(ids, [KeyId(141), KeyId(142)]);
    }

    #[test]
    fn refusals() {
        assert!(
            Pdu::parse(&[0x02, 0x00, 0x21, 0, 0]).is_err(),
            "not whole octets"
        );
        assert!(Pdu::parse(&[0x02, 0x00, 0x20, 0, 0]).is_err(), "truncated");
        let (pdu, _) = Pdu::parse(&[0x02, 0x00, 0x18, 0, 1, 2]).unwrap();
        assert!(Command::parse(&pdu).is_err(), "odd key id list");
        assert!(
            Command::KeyVerification(&[0; 17])
                .emit(&mut [0; 64])
                .is_err()
        );
        assert!(
            Command::StopSa(Spi(1)).emit(&mut [0; 4]).is_err(),
            "buffer too small"
        );
    }
}
