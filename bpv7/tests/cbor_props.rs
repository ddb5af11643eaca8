#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]
//! CBOR codec (RFC 8949 subset): encoder → decoder round trips, `skip` spans, never-panic on
//! arbitrary bytes, and one test per decoder rejection. Byte examples are from RFC 8949
//! Appendix A/§3 where noted, otherwise constructed here.

use bpv7::cbor::{self, Decoder, MAX_DEPTH};
use bpv7::{Error, ErrorKind};
use proptest::prelude::*;

/// A CBOR item of the kinds the encoder writes.
#[derive(Debug, Clone, PartialEq)]
enum Item {
    Uint(u64),
    Bytes(Vec<u8>),
    Text(String),
    Bool(bool),
    Array(Vec<Item>),
    Indefinite(Vec<Item>),
}

fn encode(item: &Item, out: &mut Vec<u8>) {
    match item {
        Item::Uint(v) => cbor::write_uint(out, *v),
        Item::Bytes(b) => cbor::write_bytes(out, b),
        Item::Text(t) => cbor::write_text(out, t),
        Item::Bool(b) => cbor::write_bool(out, *b),
        Item::Array(items) => {
            cbor::write_array_head(out, items.len() as u64);
            items.iter().for_each(|i| encode(i, out));
        }
        Item::Indefinite(items) => {
            cbor::write_indefinite_array(out);
            items.iter().for_each(|i| encode(i, out));
            cbor::write_break(out);
        }
    }
}

/// Decodes the item `like` says should come next with the matching typed reader, checking
/// that `skip` on a copy of the decoder spans exactly the same octets.
fn decode(dec: &mut Decoder<'_>, like: &Item) -> Item {
    let start = dec.position();
    let span = dec.clone().skip().unwrap();
    let item = match like {
        Item::Uint(_) => Item::Uint(dec.uint().unwrap()),
        Item::Bytes(_) => {
            let (range, content) = dec.clone().bytes_with_head().unwrap();
            assert_eq!(range, span);
            assert_eq!(
                content.len(),
                range.len() - cbor::head_len(content.len() as u64)
            );
            Item::Bytes(dec.bytes().unwrap().to_vec())
        }
        Item::Text(_) => Item::Text(dec.text().unwrap().to_owned()),
        Item::Bool(_) => Item::Bool(dec.bool().unwrap()),
        Item::Array(items) => {
            assert_eq!(dec.clone().array_definite().unwrap(), items.len() as u64);
            let n = dec.array().unwrap().unwrap();
            assert_eq!(n, items.len() as u64);
            Item::Array(items.iter().map(|i| decode(dec, i)).collect())
        }
        Item::Indefinite(items) => {
            assert_eq!(dec.array().unwrap(), None);
            let decoded = items.iter().map(|i| decode(dec, i)).collect();
            assert!(dec.is_break());
            dec.expect_break().unwrap();
            Item::Indefinite(decoded)
        }
    };
    assert_eq!(span, start..dec.position());
    item
}

fn item() -> impl Strategy<Value = Item> {
    let leaf = prop_oneof![
        any::<u64>().prop_map(Item::Uint),
        (0u64..300).prop_map(Item::Uint),
        proptest::collection::vec(any::<u8>(), 0..300).prop_map(Item::Bytes),
        ".{0,40}".prop_map(Item::Text),
        any::<bool>().prop_map(Item::Bool),
    ];
    leaf.prop_recursive(6, 64, 8, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..8).prop_map(Item::Array),
            proptest::collection::vec(inner, 0..8).prop_map(Item::Indefinite),
        ]
    })
}

/// Every decoder method on `bytes`, in both modes; must return, never panic.
fn exercise(bytes: &[u8]) {
    for make in [Decoder::new, Decoder::strict] {
        let dec = make(bytes);
        let _ = dec.peek_major();
        let _ = dec.is_break();
        let _ = dec.remaining();
        let _ = dec.is_empty();
        let _ = dec.clone().uint();
        let _ = dec.clone().bytes();
        let _ = dec.clone().bytes_with_head();
        let _ = dec.clone().text();
        let _ = dec.clone().array();
        let _ = dec.clone().array_definite();
        let _ = dec.clone().expect_break();
        let _ = dec.clone().bool();
        let mut walk = dec.clone();
        while !walk.is_empty() {
            let before = walk.position();
            match walk.skip() {
                Ok(span) => assert!(span.start == before && span.end > before),
                Err(e) => {
                    assert!(e.offset <= bytes.len());
                    assert_eq!(walk.position(), before);
                    break;
                }
            }
        }
    }
}

proptest! {
    #[test]
    fn uint_round_trip(v in any::<u64>()) {
        let mut out = Vec::new();
        cbor::write_uint(&mut out, v);
        prop_assert_eq!(out.len(), cbor::head_len(v));
        prop_assert_eq!(Decoder::new(&out).uint(), Ok(v));
        // The encoder's output is shortest form: the strict decoder accepts it.
        let mut strict = Decoder::strict(&out);
        prop_assert_eq!(strict.uint(), Ok(v));
        prop_assert!(strict.is_empty());
    }

    #[test]
    fn head_len_matches_every_writer(len in any::<u64>(), small in 0usize..100_000) {
        let mut out = Vec::new();
        cbor::write_array_head(&mut out, len);
        prop_assert_eq!(out.len(), cbor::head_len(len));
        out.clear();
        cbor::write_bytes_head(&mut out, small);
        prop_assert_eq!(out.len(), cbor::head_len(small as u64));
        prop_assert_eq!(Decoder::new(&out).peek_major(), Ok(2));
    }

    #[test]
    fn bytes_round_trip(data in proptest::collection::vec(any::<u8>(), 0..1000), pre in 0usize..4) {
        let mut out = vec![0u8; pre]; // items need not start at offset 0
        cbor::write_bytes(&mut out, &data);
        let mut dec = Decoder::new(&out);
        for _ in 0..pre { dec.uint().unwrap(); }
        let (range, content) = dec.bytes_with_head().unwrap();
        prop_assert_eq!(content, &data[..]);
        prop_assert_eq!(range, pre..out.len());
        prop_assert_eq!(out.len() - pre, cbor::head_len(data.len() as u64) + data.len());
    }

    #[test]
    fn text_round_trip(s in ".{0,200}") {
        let mut out = Vec::new();
        cbor::write_text(&mut out, &s);
        let mut dec = Decoder::strict(&out);
        prop_assert_eq!(dec.text(), Ok(s.as_str()));
        prop_assert!(dec.is_empty());
    }

    #[test]
    fn bool_round_trip(b in any::<bool>()) {
        let mut out = Vec::new();
        cbor::write_bool(&mut out, b);
        prop_assert_eq!(Decoder::new(&out).bool(), Ok(b));
    }

    #[test]
    fn nested_items_round_trip_and_skip_spans(it in item()) {
        let mut out = Vec::new();
        encode(&it, &mut out);
        let mut dec = Decoder::strict(&out);
        prop_assert_eq!(decode(&mut dec, &it), it);
        prop_assert!(dec.is_empty());
        prop_assert_eq!(Decoder::new(&out).skip(), Ok(0..out.len()));
    }

    /// Non-shortest heads: accepted by the lenient decoder, rejected by the strict one.
    #[test]
    fn non_shortest_policy(raw in any::<u64>(), shift in 32u32..64, extra in any::<usize>()) {
        let v = raw >> shift;
        // The narrowest head width (AI 24 + width) that is still longer than shortest form.
        let min_width = match cbor::head_len(v) { 1 => 0, 2 => 1, 3 => 2, 5 => 3, _ => 4 };
        prop_assume!(min_width < 4);
        let width = min_width + extra % (4 - min_width);
        let n = 1usize << width;
        let mut out = vec![0x18 + width as u8];
        out.extend_from_slice(&v.to_be_bytes()[8 - n..]);
        prop_assert_eq!(Decoder::new(&out).uint(), Ok(v));
        prop_assert_eq!(Decoder::new(&out).skip(), Ok(0..out.len()));
        prop_assert_eq!(Decoder::strict(&out).uint(), Err(Error::new(0, ErrorKind::NotShortestForm)));
    }

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..64)) {
        exercise(&bytes);
    }

    /// Mutated valid encodings reach deeper paths than random bytes.
    #[test]
    fn mutated_items_never_panic(it in item(), at in any::<usize>(), byte in any::<u8>(), cut in any::<usize>()) {
        let mut out = Vec::new();
        encode(&it, &mut out);
        let len = out.len();
        out[at % len] = byte;
        out.truncate(1 + cut % len);
        exercise(&out);
    }
}

fn err(offset: usize, kind: ErrorKind) -> Error {
    Error::new(offset, kind)
}

#[test]
fn rejects_truncated_head() {
    assert_eq!(
        Decoder::new(&[]).uint(),
        Err(err(
            0,
            ErrorKind::Truncated {
                needed: 1,
                available: 0
            }
        ))
    );
    assert_eq!(
        Decoder::new(&[0x19, 0x01]).uint(),
        Err(err(
            0,
            ErrorKind::Truncated {
                needed: 3,
                available: 2
            }
        ))
    );
    assert_eq!(
        Decoder::new(&[0x9b, 0, 0, 0]).array(),
        Err(err(
            0,
            ErrorKind::Truncated {
                needed: 9,
                available: 4
            }
        ))
    );
    // The offset is the failing item's, inside a container.
    assert_eq!(
        Decoder::new(&[0x82, 0x01, 0x1a, 0x00]).skip(),
        Err(err(
            2,
            ErrorKind::Truncated {
                needed: 5,
                available: 2
            }
        ))
    );
}

#[test]
fn rejects_truncated_string() {
    assert_eq!(
        Decoder::new(&[0x45, 1, 2]).bytes(),
        Err(err(
            0,
            ErrorKind::Truncated {
                needed: 6,
                available: 3
            }
        ))
    );
    assert_eq!(
        Decoder::new(&[0x63, b'a']).text(),
        Err(err(
            0,
            ErrorKind::Truncated {
                needed: 4,
                available: 2
            }
        ))
    );
    // A length of 2^64 - 1 is reported as truncated, without overflow.
    let huge = [0x5b, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x00];
    let e = Decoder::new(&huge).bytes().unwrap_err();
    assert_eq!(e.offset, 0);
    assert!(matches!(e.kind, ErrorKind::Truncated { needed, available: 10 } if needed > 10));
    assert!(Decoder::new(&huge).skip().is_err());
    // An array claiming 2^64 - 1 items ends at the input's end.
    let many = [
        0x9b, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x00, 0x00,
    ];
    assert_eq!(
        Decoder::new(&many).skip(),
        Err(err(
            11,
            ErrorKind::Truncated {
                needed: 1,
                available: 0
            }
        ))
    );
}

#[test]
fn rejects_reserved_additional_info() {
    for major in 0u8..8 {
        for info in 28u8..=30 {
            let byte = [(major << 5) | info];
            let expected = Err(err(0, ErrorKind::ReservedAdditionalInfo(info)));
            assert_eq!(Decoder::new(&byte).skip(), expected);
        }
    }
    assert_eq!(
        Decoder::new(&[0x1c]).uint(),
        Err(err(0, ErrorKind::ReservedAdditionalInfo(28)))
    );
    assert_eq!(
        Decoder::new(&[0x5d]).bytes(),
        Err(err(0, ErrorKind::ReservedAdditionalInfo(29)))
    );
}

#[test]
fn rejects_indefinite_string() {
    // RFC 8949 §3.2.3 example shape: (_ h'01', h'02') — well-formed, but not borrowable.
    let indef_bytes = [0x5f, 0x41, 0x01, 0x41, 0x02, 0xff];
    assert_eq!(
        Decoder::new(&indef_bytes).bytes(),
        Err(err(0, ErrorKind::IndefiniteLength))
    );
    assert_eq!(Decoder::new(&indef_bytes).skip(), Ok(0..6));
    let indef_text = [0x7f, 0x61, b'a', 0xff];
    assert_eq!(
        Decoder::new(&indef_text).text(),
        Err(err(0, ErrorKind::IndefiniteLength))
    );
    assert_eq!(Decoder::new(&indef_text).skip(), Ok(0..4));
    // A chunk of another major type is not well-formed.
    assert!(Decoder::new(&[0x5f, 0x61, b'a', 0xff]).skip().is_err());
    // Indefinite where only a definite array is allowed, and AI 31 on an integer.
    assert_eq!(
        Decoder::new(&[0x9f, 0xff]).array_definite(),
        Err(err(0, ErrorKind::IndefiniteLength))
    );
    assert_eq!(Decoder::new(&[0x9f, 0xff]).array(), Ok(None));
    assert_eq!(
        Decoder::new(&[0x1f]).uint(),
        Err(err(0, ErrorKind::IndefiniteLength))
    );
    assert_eq!(
        Decoder::new(&[0x1f]).skip(),
        Err(err(0, ErrorKind::IndefiniteLength))
    );
}

#[test]
fn rejects_invalid_utf8() {
    assert_eq!(
        Decoder::new(&[0x62, 0xc3, 0x28]).text(),
        Err(err(0, ErrorKind::InvalidUtf8))
    );
    // RFC 8949 Appendix A: "\u00fc" is 0x62c3bc.
    assert_eq!(Decoder::new(&[0x62, 0xc3, 0xbc]).text(), Ok("\u{fc}"));
}

#[test]
fn rejects_wrong_major_type() {
    let unexpected = |expected, found| err(0, ErrorKind::UnexpectedType { expected, found });
    assert_eq!(
        Decoder::new(&[0x40]).uint(),
        Err(unexpected("unsigned integer", 2))
    );
    assert_eq!(
        Decoder::new(&[0x20]).uint(),
        Err(unexpected("unsigned integer", 1))
    );
    assert_eq!(
        Decoder::new(&[0xff]).uint(),
        Err(unexpected("unsigned integer", 0xFF))
    );
    assert_eq!(
        Decoder::new(&[0x60]).bytes(),
        Err(unexpected("byte string", 3))
    );
    assert_eq!(
        Decoder::new(&[0x40]).text(),
        Err(unexpected("text string", 2))
    );
    assert_eq!(Decoder::new(&[0xa0]).array(), Err(unexpected("array", 5)));
    assert_eq!(Decoder::new(&[0xf6]).bool(), Err(unexpected("bool", 7)));
    assert_eq!(
        Decoder::new(&[0x00]).expect_break(),
        Err(unexpected("break", 0))
    );
    // The type is reported even when the rest of the item is missing.
    assert_eq!(
        Decoder::new(&[0x5b]).uint(),
        Err(unexpected("unsigned integer", 2))
    );
    // A lone break is not a data item.
    assert_eq!(
        Decoder::new(&[0xff]).skip(),
        Err(unexpected("data item", 0xFF))
    );
    assert_eq!(Decoder::new(&[0xff]).peek_major(), Ok(7));
}

#[test]
fn rejects_deep_nesting() {
    let nest = |depth: usize| {
        let mut v = vec![0x81; depth];
        v.push(0x00);
        v
    };
    let ok = nest(MAX_DEPTH);
    assert_eq!(Decoder::new(&ok).skip(), Ok(0..ok.len()));
    assert_eq!(
        Decoder::new(&nest(MAX_DEPTH + 1)).skip(),
        Err(err(MAX_DEPTH, ErrorKind::TooDeep))
    );
    // Tags and indefinite arrays count too; hostile depth never recurses unboundedly.
    assert!(Decoder::new(&[0xc1; 10_000]).skip().is_err());
    assert_eq!(
        Decoder::new(&[0x9f; 10_000]).skip().unwrap_err().kind,
        ErrorKind::TooDeep
    );
}

#[test]
fn skips_every_major_type() {
    // RFC 8949 Appendix A: -1000, 1.5 (half), {"a": 1, "b": [2, 3]}, 1(1363896240), simple(255).
    for item in [
        &[0x39, 0x03, 0xe7][..],
        &[0xf9, 0x3e, 0x00],
        &[0xa2, 0x61, 0x61, 0x01, 0x61, 0x62, 0x82, 0x02, 0x03],
        &[0xbf, 0x61, 0x61, 0x01, 0xff],
        &[0xc1, 0x1a, 0x51, 0x4b, 0x67, 0xb0],
        &[0xf8, 0xff],
        &[0xfb, 0x7e, 0x37, 0xe4, 0x3c, 0x88, 0x00, 0x75, 0x9c],
    ] {
        assert_eq!(Decoder::new(item).skip(), Ok(0..item.len()), "{item:02x?}");
    }
    // RFC 8949 §3.3: simple value 24 with an argument below 32 is not well-formed.
    assert_eq!(
        Decoder::new(&[0xf8, 0x10]).skip(),
        Err(err(0, ErrorKind::NotShortestForm))
    );
    // An indefinite map whose break falls where a value belongs.
    assert!(Decoder::new(&[0xbf, 0x01, 0xff]).skip().is_err());
}
