//! The sending-end ApplySecurity and receiving-end ProcessSecurity procedures
//! (355.0-B-2 §3.4), generic over the frame type: the caller hands over the frame's header
//! octets (everything before the Security Header: they are authenticated through the ABM) and
//! the *security field* — Security Header ‖ data ‖ Security Trailer — which is protected or
//! verified in place. The `tc` and `tm` modules wrap these for whole frames.
//!
//! Neither procedure allocates. Counters and SA state change only when a call succeeds.

use core::ops::Range;

use ccsds_core::WireError;
use subtle::ConstantTimeEq;

use crate::crypto::{self, GcmNonce, MacInput};
use crate::header::{SPI_LEN, SecurityHeader, peek_spi};
use crate::replay::{in_window, next, reconstruct, write_counter};
use crate::sa::AbmCoverage;
use crate::suite::Suite;
use crate::trailer::{MAX_MAC_LEN, split_mac_mut};
use crate::{Counter, Error, KeyMaterial, KeyResolver, MAX_AAD_LEN, SecurityAssociation, Spi};

const HEADER: &str = "security_header";
const PAD_LENGTH: &str = "pad_length";

/// Finds the SA a received frame names (355.0-B-2 §3.4).
pub trait SaProvider {
    /// The SA with this SPI, if any.
    fn sa_mut(&mut self, spi: Spi) -> Option<&mut SecurityAssociation>;
}

impl SaProvider for [SecurityAssociation] {
    fn sa_mut(&mut self, spi: Spi) -> Option<&mut SecurityAssociation> {
        self.iter_mut().find(|sa| sa.spi() == spi)
    }
}

impl SaProvider for SecurityAssociation {
    fn sa_mut(&mut self, spi: Spi) -> Option<&mut SecurityAssociation> {
        (self.spi() == spi).then_some(self)
    }
}

/// What [`apply_security`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Applied {
    /// The SA used.
    pub spi: Spi,
    /// The full IV used (0 without one).
    pub iv: u128,
    /// The ARSN used (0 without one).
    pub arsn: u128,
    /// Where the (now protected) data lies in the security field.
    pub data: Range<usize>,
}

/// What [`process_security`] accepted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Processed {
    /// The SA that accepted the frame.
    pub spi: Spi,
    /// The full IV of the frame (0 without one).
    pub iv: u128,
    /// The full ARSN of the frame (0 without one); its low octet goes into the FSR.
    pub arsn: u128,
    /// Where the plaintext data lies (in the security field, or in the frame for the `tc`
    /// and `tm` helpers), pad octets excluded.
    pub data: Range<usize>,
}

/// ApplySecurity (355.0-B-2 §3.4) with the SA `sa`: `field` must be laid out as
/// `[Security Header space][plaintext data][Security Trailer space]` with the SA's lengths.
/// Writes the Security Header (SPI, next IV, next ARSN, pad length 0), encrypts and/or MACs
/// the data over the masked `frame_header ‖ Security Header`, writes the MAC. The IV and
/// ARSN are committed only on success; an exhausted counter is an error, never a reuse.
pub fn apply_security<K: KeyResolver + ?Sized>(
    sa: &mut SecurityAssociation,
    keys: &K,
    frame_header: &[u8],
    field: &mut [u8],
) -> Result<Applied, Error> {
    sa.check_operational()?;
    let cfg = sa.config();
    let layout = cfg.header_layout();
    let field_len = field.len();
    let (rest, mac) = split_mac_mut(field, usize::from(cfg.mac_len))?;
    let (hdr, data) =
        rest.split_at_mut_checked(layout.len())
            .ok_or(WireError::buffer_too_small(
                HEADER,
                layout.len() + usize::from(cfg.mac_len),
                field_len,
            ))?;
    let iv = if cfg.iv_len > 0 {
        next(sa.iv(), cfg.iv_len.into(), cfg.iv_counter_len.into()).ok_or(
            Error::CounterExhausted {
                spi: cfg.spi,
                counter: Counter::Iv,
            },
        )?
    } else {
        0
    };
    let arsn = if cfg.arsn_len > 0 {
        next(sa.arsn(), cfg.arsn_len.into(), cfg.arsn_len.into()).ok_or(
            Error::CounterExhausted {
                spi: cfg.spi,
                counter: Counter::Arsn,
            },
        )?
    } else {
        0
    };
    let (spi_out, rest) = hdr.split_at_mut(SPI_LEN);
    spi_out.copy_from_slice(&cfg.spi.0.to_be_bytes());
    let (iv_out, rest) = rest.split_at_mut(usize::from(cfg.iv_transmitted_len));
    write_counter(iv, iv_out);
    let (sn_out, pad_out) = rest.split_at_mut(usize::from(cfg.arsn_transmitted_len));
    write_counter(arsn, sn_out);
    pad_out.fill(0);

    let key = resolve_key(sa, keys)?;
    let mut aad = [0u8; MAX_AAD_LEN];
    let span = masked_span(&cfg.abm, frame_header, hdr, &mut aad)?;
    let nonce = gcm_nonce(iv);
    let key = key.as_ref().map(KeyMaterial::as_bytes).unwrap_or(&[]);
    match cfg.suite {
        Suite::Clear => {}
        Suite::AesGcm => {
            let tag = crypto::gcm_seal(key, &nonce, span, data)?;
            copy_prefix(mac, &tag);
        }
        Suite::AesGcmEncryptOnly => crypto::gcm_keystream(key, &nonce, data)?,
        Suite::AesGmac | Suite::AesCmac | Suite::HmacSha256 | Suite::HmacSha512 => {
            let mut out = [0u8; MAX_MAC_LEN];
            let input = mac_input(cfg.abm_coverage, &cfg.abm, span, data);
            crypto::mac(cfg.suite, key, &nonce, &input, &mut out)?;
            copy_prefix(mac, &out);
        }
    }
    let spi = cfg.spi;
    let data_range = layout.len()..layout.len() + data.len();
    sa.commit(iv, arsn);
    Ok(Applied {
        spi,
        iv,
        arsn,
        data: data_range,
    })
}

/// ProcessSecurity (355.0-B-2 §3.4): reads the SPI at the start of `field`, finds the SA in
/// `sas`, and runs [`SecurityAssociation::process_security`].
pub fn process_security<S: SaProvider + ?Sized, K: KeyResolver + ?Sized>(
    sas: &mut S,
    keys: &K,
    frame_header: &[u8],
    field: &mut [u8],
) -> Result<Processed, Error> {
    let spi = peek_spi(field)?;
    sas.sa_mut(spi)
        .ok_or(Error::UnknownSpi(spi))?
        .process_security(keys, frame_header, field)
}

impl SecurityAssociation {
    /// ApplySecurity with this SA (see [`apply_security`]).
    pub fn apply_security<K: KeyResolver + ?Sized>(
        &mut self,
        keys: &K,
        frame_header: &[u8],
        field: &mut [u8],
    ) -> Result<Applied, Error> {
        apply_security(self, keys, frame_header, field)
    }

    /// ProcessSecurity with this SA, in this order:
    ///
    /// 1. the SPI is this SA's, the SA is operational;
    /// 2. the field holds the Security Header and Trailer (else a `Truncated` wire error: a
    ///    frame too short for its SA, or an SA whose trailer exceeds the frame);
    /// 3. the ARSN, then the IV, are inside the anti-replay window ([`Error::Replay`]) —
    ///    checked before and independently of the MAC (CryptoLib's order);
    /// 4. the pad length fits the data (else `InvalidValue` at the pad length field);
    /// 5. the MAC verifies ([`Error::MacMismatch`], constant-time) and the data is decrypted
    ///    in place.
    ///
    /// Only then are the last IV/ARSN updated. On error the buffer is unchanged.
    pub fn process_security<K: KeyResolver + ?Sized>(
        &mut self,
        keys: &K,
        frame_header: &[u8],
        field: &mut [u8],
    ) -> Result<Processed, Error> {
        let spi = peek_spi(field)?;
        if spi != self.spi() {
            return Err(Error::UnknownSpi(spi));
        }
        self.check_operational()?;
        let cfg = self.config();
        let layout = cfg.header_layout();
        let mac_len = usize::from(cfg.mac_len);
        let field_len = field.len();
        let (rest, mac) = split_mac_mut(field, mac_len)
            .map_err(|_| WireError::truncated(0, HEADER, layout.len() + mac_len, field_len))?;
        let (hdr, data) = rest
            .split_at_mut_checked(layout.len())
            .ok_or(WireError::truncated(
                0,
                HEADER,
                layout.len() + mac_len,
                field_len,
            ))?;
        let view = SecurityHeader::new_unchecked(&*hdr, layout);
        let replay = |counter| Error::Replay { spi, counter };
        let arsn = if cfg.arsn_len > 0 {
            reconstruct(self.arsn(), view.sn(), cfg.arsn_len.into())
                .filter(|v| in_window(self.arsn(), *v, cfg.window))
                .ok_or(replay(Counter::Arsn))?
        } else {
            0
        };
        let iv = if cfg.iv_len > 0 {
            reconstruct(self.iv(), view.iv(), cfg.iv_len.into())
                .filter(|v| in_window(self.iv(), *v, cfg.window))
                .ok_or(replay(Counter::Iv))?
        } else {
            0
        };
        let pad = usize::try_from(view.pad_length()).unwrap_or(usize::MAX);
        let plain_len = data.len().checked_sub(pad).ok_or_else(|| {
            let offset = layout.len() - usize::from(cfg.pad_length_len);
            WireError::invalid(offset, PAD_LENGTH, u64::from(view.pad_length()))
        })?;

        let key = resolve_key(self, keys)?;
        let mut aad = [0u8; MAX_AAD_LEN];
        let span = masked_span(&cfg.abm, frame_header, hdr, &mut aad)?;
        let nonce = gcm_nonce(iv);
        let key = key.as_ref().map(KeyMaterial::as_bytes).unwrap_or(&[]);
        match cfg.suite {
            Suite::Clear => {}
            Suite::AesGcm => {
                let tag: &[u8; 16] = (&*mac).try_into().map_err(|_| Error::MacMismatch(spi))?;
                if !crypto::gcm_open(key, &nonce, span, data, tag)? {
                    return Err(Error::MacMismatch(spi));
                }
            }
            Suite::AesGcmEncryptOnly => crypto::gcm_keystream(key, &nonce, data)?,
            Suite::AesGmac | Suite::AesCmac | Suite::HmacSha256 | Suite::HmacSha512 => {
                let mut out = [0u8; MAX_MAC_LEN];
                let input = mac_input(cfg.abm_coverage, &cfg.abm, span, data);
                crypto::mac(cfg.suite, key, &nonce, &input, &mut out)?;
                let expected = out.get(..mac_len).unwrap_or(&[]);
                if !bool::from(expected.ct_eq(mac)) {
                    return Err(Error::MacMismatch(spi));
                }
            }
        }
        let start = layout.len();
        self.commit(iv, arsn);
        Ok(Processed {
            spi,
            iv,
            arsn,
            data: start..start + plain_len,
        })
    }
}

/// The key the SA's suite needs, checked against the suite's key lengths.
fn resolve_key<K: KeyResolver + ?Sized>(
    sa: &SecurityAssociation,
    keys: &K,
) -> Result<Option<KeyMaterial>, Error> {
    let suite = sa.config().suite;
    if suite == Suite::Clear {
        return Ok(None);
    }
    // An operational SA was keyed with the id its suite needs (`rekey` checks).
    let id = sa.key_id().ok_or(Error::InvalidConfig("key id"))?;
    let key = keys.resolve(id).ok_or(Error::KeyUnavailable(id))?;
    suite.check_key(key.as_bytes())?;
    Ok(Some(key))
}

/// `frame_header ‖ security_header` ANDed with the ABM (355.0-B-2 §3.4), in `buf`.
/// Octets past the end of the mask are kept as they are.
fn masked_span<'b>(
    abm: &[u8],
    frame_header: &[u8],
    security_header: &[u8],
    buf: &'b mut [u8; MAX_AAD_LEN],
) -> Result<&'b [u8], Error> {
    let len = frame_header.len() + security_header.len();
    let span = buf.get_mut(..len).ok_or(Error::AadTooLong {
        len,
        max: MAX_AAD_LEN,
    })?;
    let (a, b) = span.split_at_mut(frame_header.len());
    a.copy_from_slice(frame_header);
    b.copy_from_slice(security_header);
    span.iter_mut().zip(abm).for_each(|(o, m)| *o &= m);
    Ok(span)
}

fn mac_input<'a>(
    coverage: AbmCoverage,
    abm: &'a [u8],
    span: &'a [u8],
    data: &'a [u8],
) -> MacInput<'a> {
    let data_mask = match coverage {
        AbmCoverage::Header => None,
        AbmCoverage::HeaderAndData => Some(abm.get(span.len()..).unwrap_or(&[])),
    };
    MacInput {
        span,
        data,
        data_mask,
    }
}

/// The 12-octet GCM IV of a full IV value (SAs of the GCM suites have `iv_len` 12).
fn gcm_nonce(iv: u128) -> GcmNonce {
    let mut n = [0u8; 12];
    write_counter(iv, &mut n);
    n
}

fn copy_prefix(dst: &mut [u8], src: &[u8]) {
    dst.iter_mut().zip(src).for_each(|(d, s)| *d = *s);
}
