//! The application protocol codec (`PROTOCOL.md`): every message round-trips, re-encoding
//! reproduces the exact bytes, hostile input never panics, and each rule of "Decoding rules"
//! is a typed error.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::borrow::Cow;

use borealis_node::protocol::{
    CaptureParams, CheckItem, ChunkSelection, Command, CommandKind, CommandResult, DecodeError,
    DecodeErrorKind, EncodeError, ErrorCode, ErrorReply, Header, ImageChunk, ImageRequest,
    MAX_SCALE, Message, MessageKind, RekeyOutcome, RekeyRequest, RekeyResult, Response, Sample,
    Telemetry, TelemetryQuery, VERSION, Value,
};
use proptest::collection::{btree_set, vec};
use proptest::prelude::*;

fn text() -> impl Strategy<Value = Cow<'static, str>> {
    ".{0,12}".prop_map(Cow::Owned)
}

fn bytes() -> impl Strategy<Value = Cow<'static, [u8]>> {
    vec(any::<u8>(), 0..40).prop_map(Cow::Owned)
}

fn request_id() -> impl Strategy<Value = u64> {
    prop_oneof![1..30u64, 1..=u64::MAX]
}

fn value() -> impl Strategy<Value = Value<'static>> {
    prop_oneof![
        any::<i64>().prop_map(Value::Int),
        (any::<i64>(), 1..=MAX_SCALE)
            .prop_map(|(mantissa, scale)| Value::Fixed { mantissa, scale }),
        text().prop_map(Value::Text),
    ]
}

fn sample() -> impl Strategy<Value = Sample<'static>> {
    (text(), any::<u64>(), value()).prop_map(|(name, time_ms, value)| Sample {
        name,
        time_ms,
        value,
    })
}

fn command() -> impl Strategy<Value = CommandKind<'static>> {
    prop_oneof![
        Just(CommandKind::Ping),
        Just(CommandKind::Check),
        Just(CommandKind::Halt),
        (any::<u16>(), any::<u16>(), any::<u32>()).prop_map(|(width, height, exposure_ms)| {
            CommandKind::Capture(CaptureParams {
                width,
                height,
                exposure_ms,
            })
        }),
        (any::<u16>(), bytes()).prop_map(|(code, args)| CommandKind::Mission { code, args }),
    ]
}

fn result() -> impl Strategy<Value = CommandResult<'static>> {
    prop_oneof![
        Just(CommandResult::Pong),
        Just(CommandResult::Halting),
        vec(
            (text(), any::<bool>(), text()).prop_map(|(name, passed, detail)| CheckItem {
                name,
                passed,
                detail
            }),
            0..5
        )
        .prop_map(CommandResult::CheckReport),
        (any::<u64>(), any::<u64>(), any::<u32>()).prop_map(|(image_id, size, chunks)| {
            CommandResult::Captured {
                image_id,
                size,
                chunks,
            }
        }),
        (any::<u16>(), bytes()).prop_map(|(code, data)| CommandResult::Mission { code, data }),
    ]
}

fn chunk() -> impl Strategy<Value = ImageChunk<'static>> {
    (
        any::<u64>(),
        any::<u64>(),
        1..=u32::MAX,
        any::<u32>(),
        any::<[u8; 32]>(),
        bytes(),
        any::<u64>(),
    )
        .prop_map(
            |(request_id, image_id, total, index, sha256, data, extra)| {
                let size = (data.len() as u64).saturating_add(extra % 1000);
                ImageChunk {
                    request_id,
                    image_id,
                    index: index % total,
                    total,
                    size,
                    sha256,
                    data,
                }
            },
        )
}

/// Every message type, with every variant of every field.
fn message() -> impl Strategy<Value = Message<'static>> {
    prop_oneof![
        (request_id(), vec(text(), 0..4))
            .prop_map(|(id, names)| Message::TelemetryQuery(TelemetryQuery { id, names })),
        (any::<u64>(), vec(sample(), 0..5)).prop_map(|(request_id, samples)| {
            Message::Telemetry(Telemetry {
                request_id,
                samples,
            })
        }),
        (request_id(), command())
            .prop_map(|(id, command)| Message::Command(Command { id, command })),
        (any::<u64>(), result())
            .prop_map(|(request_id, result)| Message::Response(Response { request_id, result })),
        (request_id(), bytes())
            .prop_map(|(id, otar)| Message::RekeyRequest(RekeyRequest { id, otar })),
        (
            any::<u64>(),
            prop_oneof![
                bytes().prop_map(RekeyOutcome::Accepted),
                text().prop_map(RekeyOutcome::Rejected)
            ]
        )
            .prop_map(|(request_id, outcome)| Message::RekeyResult(RekeyResult {
                request_id,
                outcome
            })),
        (
            request_id(),
            any::<u64>(),
            prop_oneof![
                Just(ChunkSelection::All),
                btree_set(any::<u32>(), 1..6)
                    .prop_map(|s| ChunkSelection::Only(s.into_iter().collect()))
            ]
        )
            .prop_map(
                |(id, image_id, chunks)| Message::ImageRequest(ImageRequest {
                    id,
                    image_id,
                    chunks
                })
            ),
        chunk().prop_map(Message::ImageChunk),
        (
            any::<u64>(),
            prop::sample::select(ErrorCode::ALL.to_vec()),
            text()
        )
            .prop_map(|(request_id, code, text)| Message::Error(ErrorReply {
                request_id,
                code,
                text
            })),
    ]
}

/// Hex with spaces (for readability) to octets.
fn h(hex_text: &str) -> Vec<u8> {
    hex::decode(hex_text.replace(' ', "")).unwrap()
}

fn kind(payload: &[u8]) -> DecodeErrorKind {
    Message::decode(payload).unwrap_err().kind
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    /// `decode(encode(m)) == m`, and the decoded message borrows its data from the payload.
    #[test]
    fn round_trip(m in message()) {
        let encoded = m.encode().unwrap();
        let decoded = Message::decode(&encoded).unwrap();
        prop_assert_eq!(&decoded, &m);
        prop_assert_eq!(decoded.kind(), m.kind());
        prop_assert_eq!(decoded.id(), m.id());
        // Re-encoding the decoded message reproduces the exact bytes.
        prop_assert_eq!(decoded.encode().unwrap(), encoded.clone());
        prop_assert_eq!(decoded.into_owned(), m.clone());
        // The envelope is readable on its own.
        prop_assert_eq!(
            Header::peek(&encoded),
            Some(Header { version: VERSION, kind: m.kind().code(), id: m.id() })
        );
        // `encode_into` appends.
        let mut out = vec![0xAA];
        m.encode_into(&mut out).unwrap();
        prop_assert_eq!(&out[1..], &encoded[..]);
    }

    /// Any truncation of a valid message is an error, never a panic or a shorter message.
    #[test]
    fn truncation_is_an_error(m in message(), cut in any::<prop::sample::Index>()) {
        let encoded = m.encode().unwrap();
        let len = cut.index(encoded.len());
        prop_assert!(Message::decode(&encoded[..len]).is_err());
    }

    /// Trailing octets after a valid message are a typed error.
    #[test]
    fn trailing_bytes(m in message(), extra in vec(any::<u8>(), 1..8)) {
        let mut encoded = m.encode().unwrap();
        let at = encoded.len();
        encoded.extend_from_slice(&extra);
        prop_assert_eq!(
            Message::decode(&encoded),
            Err(DecodeError::new(at, DecodeErrorKind::TrailingBytes(extra.len())))
        );
    }

    /// Arbitrary bytes never panic; whatever is accepted is canonical (re-encodes to itself).
    #[test]
    fn arbitrary_bytes_never_panic(payload in vec(any::<u8>(), 0..200)) {
        let _ = Header::peek(&payload);
        if let Ok(m) = Message::decode(&payload) {
            prop_assert_eq!(m.encode().unwrap(), payload);
        }
    }

    /// Valid messages with a few octets flipped never panic either (deep paths), and anything
    /// still accepted is canonical.
    #[test]
    fn mutated_messages_never_panic(
        m in message(),
        flips in vec((any::<prop::sample::Index>(), any::<u8>()), 1..4),
    ) {
        let mut encoded = m.encode().unwrap();
        for (at, byte) in flips {
            let i = at.index(encoded.len());
            encoded[i] = byte;
        }
        if let Ok(decoded) = Message::decode(&encoded) {
            prop_assert_eq!(decoded.encode().unwrap(), encoded);
        }
    }

    /// Any version other than 1 is refused as such, whatever follows.
    #[test]
    fn unknown_version(m in message(), version in any::<u64>()) {
        prop_assume!(version != VERSION);
        let mut encoded = m.encode().unwrap();
        // The version is the second octet (after the array head) and is 0x01; splice in the
        // other version's shortest encoding.
        let mut head = Vec::new();
        bpv7::cbor::write_uint(&mut head, version);
        encoded.splice(1..2, head);
        prop_assert_eq!(kind(&encoded), DecodeErrorKind::UnsupportedVersion(version));
        // The envelope is still readable, so the node can answer with an `Error`.
        prop_assert_eq!(Header::peek(&encoded).map(|h| (h.version, h.id)), Some((version, m.id())));
    }
}

/// `[1, 3, 7, [0]]`: Command id 7, Ping. And its known encodings (also in PROTOCOL.md).
#[test]
fn known_answers() {
    let cases: [(Message<'static>, &str); 6] = [
        (
            Message::Command(Command {
                id: 7,
                command: CommandKind::Ping,
            }),
            "8401030781 00",
        ),
        (
            Message::Response(Response {
                request_id: 7,
                result: CommandResult::Pong,
            }),
            "84010407 82 00 64504f4e47",
        ),
        (
            Message::TelemetryQuery(TelemetryQuery {
                id: 8,
                names: vec![Cow::Borrowed("power")],
            }),
            "84010108 81 65706f776572",
        ),
        (
            Message::Telemetry(Telemetry {
                request_id: 8,
                samples: vec![Sample {
                    name: Cow::Borrowed("power.bus_voltage_v"),
                    time_ms: 835_000_000_000,
                    value: Value::Fixed {
                        mantissa: 7412,
                        scale: 3,
                    },
                }],
            }),
            "84010208 81 83 73706f7765722e6275735f766f6c746167655f76 1b000000c269e0de00 c4 82 22 191cf4",
        ),
        (
            Message::ImageRequest(ImageRequest {
                id: 9,
                image_id: 3,
                chunks: ChunkSelection::Only(vec![2, 5]),
            }),
            "8501070903 82 02 05",
        ),
        (
            Message::Error(ErrorReply {
                request_id: 10,
                code: ErrorCode::UnknownCommand,
                text: Cow::Borrowed("no"),
            }),
            "8501090a03 626e6f",
        ),
    ];
    for (m, hex_text) in cases {
        let expected = h(hex_text);
        assert_eq!(m.encode().unwrap(), expected, "{m:?}");
        assert_eq!(Message::decode(&expected).unwrap(), m);
    }
}

#[test]
fn zero_copy_decode() {
    let data = vec![0x5Au8; 4096];
    let m = Message::ImageChunk(ImageChunk {
        request_id: 1,
        image_id: 2,
        index: 0,
        total: 1,
        size: 4096,
        sha256: [0; 32],
        data: Cow::Borrowed(&data),
    });
    let encoded = m.encode().unwrap();
    let Message::ImageChunk(chunk) = Message::decode(&encoded).unwrap() else {
        panic!("not a chunk")
    };
    let Cow::Borrowed(borrowed) = chunk.data else {
        panic!("chunk data was copied")
    };
    // The data is the tail of the payload itself.
    let payload_range = encoded.as_ptr_range();
    assert!(payload_range.contains(&borrowed.as_ptr()));
}

#[test]
fn unknown_codes_are_typed_errors() {
    // Command code 5 does not exist: reported as such, whatever its arguments.
    assert_eq!(
        Message::decode(&h("8401030782 05 00")),
        Err(DecodeError::new(5, DecodeErrorKind::UnknownCommand(5)))
    );
    assert_eq!(
        kind(&h("840104078118ff")),
        DecodeErrorKind::UnknownResult(255)
    );
    assert_eq!(
        kind(&h("8401000700")),
        DecodeErrorKind::UnknownMessageType(0)
    );
    assert_eq!(
        kind(&h("840118ff0700")),
        DecodeErrorKind::UnknownMessageType(255)
    );
    assert_eq!(
        kind(&h("8501090a00 60")),
        DecodeErrorKind::UnknownErrorCode(0)
    );
    // Version 2 is refused before anything else is looked at, even an unknown shape.
    assert_eq!(
        Message::decode(&h("8102")),
        Err(DecodeError::new(1, DecodeErrorKind::UnsupportedVersion(2)))
    );
}

#[test]
fn structural_rules_are_typed_errors() {
    let cases: [(&str, DecodeErrorKind); 14] = [
        // Non-shortest head (RFC 8949 §4.2.1): id 7 as 0x18 0x07.
        (
            "840103180781 00",
            DecodeErrorKind::Cbor(bpv7::ErrorKind::NotShortestForm),
        ),
        // Indefinite-length message array.
        (
            "9f01030781 00ff",
            DecodeErrorKind::Cbor(bpv7::ErrorKind::IndefiniteLength),
        ),
        // A map instead of an array.
        (
            "a0",
            DecodeErrorKind::Cbor(bpv7::ErrorKind::UnexpectedType {
                expected: "definite-length array",
                found: 5,
            }),
        ),
        // Empty input.
        (
            "",
            DecodeErrorKind::Cbor(bpv7::ErrorKind::Truncated {
                needed: 1,
                available: 0,
            }),
        ),
        // Too many elements for a Command.
        (
            "8501030781 00 00",
            DecodeErrorKind::ArrayLength {
                what: "message",
                expected: 4,
                found: 5,
            },
        ),
        // Ping with an argument.
        (
            "8401030782 00 00",
            DecodeErrorKind::ArrayLength {
                what: "command",
                expected: 1,
                found: 2,
            },
        ),
        // A request with id 0.
        (
            "8401030081 00",
            DecodeErrorKind::InvalidField {
                field: "request id",
                reason: "0 is reserved for unsolicited responses",
            },
        ),
        // Pong with another text.
        (
            "84010407 82 00 64504f4e48",
            DecodeErrorKind::InvalidField {
                field: "pong",
                reason: "text is not \"PONG\"",
            },
        ),
        // Mission code above u16.
        (
            "84010307 83 04 1a00010000 40",
            DecodeErrorKind::InvalidField {
                field: "mission command code",
                reason: "out of range",
            },
        ),
        // Retransmission indices not increasing.
        (
            "8501070903 82 05 02",
            DecodeErrorKind::InvalidField {
                field: "chunk indices",
                reason: "not strictly increasing",
            },
        ),
        // Decimal fraction with scale 0 (would duplicate an integer).
        (
            "84010208 81 83 6161 00 c4 82 00 01",
            DecodeErrorKind::InvalidField {
                field: "fixed-point scale",
                reason: "must be in 1..=18",
            },
        ),
        // A float value.
        (
            "84010208 81 83 6161 00 f93c00",
            DecodeErrorKind::Cbor(bpv7::ErrorKind::UnexpectedType {
                expected: "integer, text or decimal fraction",
                found: 7,
            }),
        ),
        // Another tag (1, epoch time) as value.
        (
            "84010208 81 83 6161 00 c1 00",
            DecodeErrorKind::Cbor(bpv7::ErrorKind::UnexpectedType {
                expected: "integer, text or decimal fraction",
                found: 6,
            }),
        ),
        // Chunk index equal to the total.
        (
            &format!("8901080102 01 01 01 5820{} 41 00", "00".repeat(32)),
            DecodeErrorKind::InvalidField {
                field: "chunk index",
                reason: "not below the chunk total",
            },
        ),
    ];
    for (hex_text, expected) in cases {
        let payload = h(hex_text);
        assert_eq!(kind(&payload), expected, "{hex_text}");
    }
    // A hash that is not 32 octets.
    let short_hash = h(&format!(
        "8901080102 00 01 01 581f{} 41 00",
        "00".repeat(31)
    ));
    assert_eq!(
        kind(&short_hash),
        DecodeErrorKind::InvalidField {
            field: "image sha256",
            reason: "not 32 octets",
        }
    );
    // Invalid UTF-8 in a text field.
    assert_eq!(
        kind(&h("8501090a03 62fffe")),
        DecodeErrorKind::Cbor(bpv7::ErrorKind::InvalidUtf8)
    );
}

#[test]
fn encoder_refuses_what_the_decoder_rejects() {
    let refuse = |m: Message<'_>| m.encode().unwrap_err();
    assert_eq!(
        refuse(Message::Command(Command {
            id: 0,
            command: CommandKind::Ping
        })),
        EncodeError {
            field: "request id",
            reason: "0 is reserved for unsolicited responses"
        }
    );
    for indices in [vec![], vec![3, 3], vec![4, 1]] {
        let e = refuse(Message::ImageRequest(ImageRequest {
            id: 1,
            image_id: 1,
            chunks: ChunkSelection::Only(indices),
        }));
        assert_eq!(e.field, "chunk indices");
    }
    for scale in [0, MAX_SCALE + 1] {
        let e = refuse(Message::Telemetry(Telemetry {
            request_id: 0,
            samples: vec![Sample {
                name: Cow::Borrowed("x"),
                time_ms: 0,
                value: Value::Fixed { mantissa: 1, scale },
            }],
        }));
        assert_eq!(e.field, "fixed-point scale");
    }
    let chunk = ImageChunk {
        request_id: 1,
        image_id: 1,
        index: 1,
        total: 1,
        size: 1,
        sha256: [0; 32],
        data: Cow::Borrowed(&[0]),
    };
    assert_eq!(
        refuse(Message::ImageChunk(chunk.clone())).field,
        "chunk index"
    );
    assert_eq!(
        refuse(Message::ImageChunk(ImageChunk {
            index: 0,
            size: 0,
            ..chunk
        }))
        .field,
        "chunk data"
    );
    // Nothing is appended on refusal.
    let mut out = vec![1, 2];
    assert!(
        Message::Command(Command {
            id: 0,
            command: CommandKind::Halt
        })
        .encode_into(&mut out)
        .is_err()
    );
    assert_eq!(out, [1, 2]);
}

#[test]
fn kinds_and_requests() {
    for kind in MessageKind::ALL {
        assert_eq!(MessageKind::from_code(kind.code()), Some(kind));
        // Requests are odd, their responses even.
        assert_eq!(
            kind.is_request(),
            kind.code() % 2 == 1 && kind != MessageKind::Error
        );
    }
    for code in ErrorCode::ALL {
        assert_eq!(ErrorCode::from_code(code.code()), Some(code));
    }
    assert_eq!(MessageKind::from_code(10), None);
    assert_eq!(ErrorCode::from_code(0), None);
    // Unsolicited responses (id 0) are fine.
    let m = Message::Telemetry(Telemetry {
        request_id: 0,
        samples: vec![],
    });
    assert_eq!(Message::decode(&m.encode().unwrap()).unwrap(), m);
    assert_eq!(Header::peek(&[0x82, 0x01, 0x01]), None);
}
