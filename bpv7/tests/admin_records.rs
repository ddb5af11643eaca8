#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]
//! Administrative records and bundle status reports (RFC 9171 §6.1, §6.1.1): hand-built CBOR
//! vectors (diagnostic notation next to the hex; no external source publishes status-report
//! vectors, so these are written from the RFC text), one test per rejection rule, round-trip and
//! never-panic properties, and a two-way cross-check against the dtn7 `bp7` crate (0.12.1).

use bpv7::admin::{
    AdminRecord, ReasonCode, STATUS_REPORT_TYPE, StatusInfo, StatusItem, StatusReport,
    SubjectFragment,
};
use bpv7::cbor::Decoder;
use bpv7::crc::CrcType;
use bpv7::eid::Eid;
use bpv7::primary::{BundleFlags, CreationTimestamp, FragmentInfo, PrimaryBlock};
use bpv7::{Error, ErrorKind};
use proptest::prelude::*;

/// Hex with spaces (for readability) to bytes.
fn hex(s: &str) -> Vec<u8> {
    hex::decode(s.replace(' ', "")).unwrap()
}

fn encode(record: &AdminRecord<'_>) -> Vec<u8> {
    let mut out = Vec::new();
    record.encode(&mut out).unwrap();
    assert_eq!(out.len(), record.encoded_len());
    out
}

fn report(record: AdminRecord<'_>) -> StatusReport<'_> {
    match record {
        AdminRecord::StatusReport(report) => report,
        other => panic!("not a status report: {other:?}"),
    }
}

const IPN_2_1: Eid<'static> = Eid::Ipn {
    allocator: 0,
    node: 2,
    service: 1,
};

// A reception report for a bundle from ipn:2.1 that did not request status times.
const RECEIVED_ONLY: &str = concat!(
    "82",             // [                       administrative record
    "01",             //   1,                    type: bundle status report
    "84",             //   [                     status report, 4 items (not a fragment)
    "84",             //     [                   status information
    "81 f5",          //       [true],           received
    "81 f4",          //       [false],          forwarded
    "81 f4",          //       [false],          delivered
    "81 f4",          //       [false]],         deleted
    "00",             //     0,                  no additional information
    "82 02 82 02 01", //     [2, [2, 1]],        source ipn:2.1
    "82 19 03e8 05",  //     [1000, 5]]]         creation timestamp
);

fn received_only() -> StatusReport<'static> {
    StatusReport {
        status: StatusInfo {
            received: StatusItem::Asserted { time: None },
            ..StatusInfo::default()
        },
        reason: ReasonCode::NO_ADDITIONAL_INFORMATION,
        source: IPN_2_1,
        creation: CreationTimestamp {
            time: 1000,
            sequence: 5,
        },
        fragment: None,
    }
}

// A delivery report with the status time, for a bundle that set "status time requested".
const DELIVERED_WITH_TIME: &str = concat!(
    "82",                              // [
    "01",                              //   1,
    "84",                              //   [
    "84",                              //     [
    "81 f4",                           //       [false],
    "81 f4",                           //       [false],
    "82 f5 1a 000f4240",               //       [true, 1000000],   delivered at DTN time 1000 s
    "81 f4",                           //       [false]],
    "00",                              //     0,
    "82 01 6b 2f2f6e6f6465312f617070", //     [1, "//node1/app"],  source dtn://node1/app
    "82 1a 000f4240 00",               //     [1000000, 0]]]
);

fn delivered_with_time() -> StatusReport<'static> {
    StatusReport {
        status: StatusInfo {
            delivered: StatusItem::Asserted {
                time: Some(1_000_000),
            },
            ..StatusInfo::default()
        },
        reason: ReasonCode::NO_ADDITIONAL_INFORMATION,
        source: Eid::Dtn { ssp: "//node1/app" },
        creation: CreationTimestamp {
            time: 1_000_000,
            sequence: 0,
        },
        fragment: None,
    }
}

// A deletion report: the bundle's lifetime expired.
const DELETED_LIFETIME_EXPIRED: &str = concat!(
    "82",                  // [
    "01",                  //   1,
    "84",                  //   [
    "84",                  //     [
    "81 f4",               //       [false],
    "81 f4",               //       [false],
    "81 f4",               //       [false],
    "81 f5",               //       [true]],         deleted
    "01",                  //     1,                 lifetime expired
    "82 02 82 19 03d1 00", //    [2, [977, 0]],     source ipn:977.0
    "82 19 07d0 03",       //     [2000, 3]]]
);

fn deleted_lifetime_expired() -> StatusReport<'static> {
    StatusReport {
        status: StatusInfo {
            deleted: StatusItem::Asserted { time: None },
            ..StatusInfo::default()
        },
        reason: ReasonCode::LIFETIME_EXPIRED,
        source: Eid::Ipn {
            allocator: 0,
            node: 977,
            service: 0,
        },
        creation: CreationTimestamp {
            time: 2000,
            sequence: 3,
        },
        fragment: None,
    }
}

// A reception report whose subject is a fragment: offset 100, 50 payload octets.
const FRAGMENT_SUBJECT: &str = concat!(
    "82",             // [
    "01",             //   1,
    "86",             //   [                  6 items: the subject is a fragment
    "84",             //     [
    "81 f5",          //       [true],
    "81 f4",          //       [false],
    "81 f4",          //       [false],
    "81 f4",          //       [false]],
    "00",             //     0,
    "82 02 82 02 01", //     [2, [2, 1]],
    "82 19 03e8 05",  //     [1000, 5],
    "18 64",          //     100,             fragment offset
    "18 32",          //     50]]             subject payload length
);

fn fragment_subject() -> StatusReport<'static> {
    StatusReport {
        fragment: Some(SubjectFragment {
            offset: 100,
            length: 50,
        }),
        ..received_only()
    }
}

fn vectors() -> [(&'static str, &'static str, StatusReport<'static>); 4] {
    [
        ("received only", RECEIVED_ONLY, received_only()),
        (
            "delivered with time",
            DELIVERED_WITH_TIME,
            delivered_with_time(),
        ),
        (
            "deleted, lifetime expired",
            DELETED_LIFETIME_EXPIRED,
            deleted_lifetime_expired(),
        ),
        ("fragment subject", FRAGMENT_SUBJECT, fragment_subject()),
    ]
}

fn check_vector(hex_text: &str, expected: StatusReport<'static>) {
    let bytes = hex(hex_text);
    let record = AdminRecord::parse(&bytes).unwrap();
    assert_eq!(record, AdminRecord::StatusReport(expected));
    assert_eq!(record.type_code(), STATUS_REPORT_TYPE);
    assert_eq!(encode(&record), bytes, "round trip");
}

#[test]
fn received_only_report() {
    check_vector(RECEIVED_ONLY, received_only());
}

#[test]
fn delivered_with_time_report() {
    check_vector(DELIVERED_WITH_TIME, delivered_with_time());
    let bytes = hex(DELIVERED_WITH_TIME);
    let status = report(AdminRecord::parse(&bytes).unwrap()).status;
    assert_eq!(status.delivered.time(), Some(1_000_000));
    assert!(!status.received.is_asserted());
}

#[test]
fn deleted_lifetime_expired_report() {
    check_vector(DELETED_LIFETIME_EXPIRED, deleted_lifetime_expired());
    let bytes = hex(DELETED_LIFETIME_EXPIRED);
    let reason = report(AdminRecord::parse(&bytes).unwrap()).reason;
    assert_eq!(reason.to_string(), "1 (lifetime expired)");
}

#[test]
fn fragment_subject_report() {
    check_vector(FRAGMENT_SUBJECT, fragment_subject());
}

#[test]
fn report_without_wrapper_round_trips() {
    // The status report alone, as StatusReport::decode/encode see it: the vector minus `82 01`.
    for (name, hex_text, expected) in vectors() {
        let bytes = hex(hex_text);
        let mut dec = Decoder::new(&bytes[2..]);
        assert_eq!(StatusReport::decode(&mut dec), Ok(expected), "{name}");
        assert!(dec.is_empty(), "{name}");
        let mut out = Vec::new();
        expected.encode(&mut out).unwrap();
        assert_eq!(out, &bytes[2..], "{name}");
        assert_eq!(out.len(), expected.encoded_len(), "{name}");
    }
}

#[test]
fn unassigned_reason_code_is_carried() {
    // RECEIVED_ONLY with reason 200 (`18 c8`), unassigned today.
    let bytes = patched(12, "18 c8");
    let record = AdminRecord::parse(&bytes).unwrap();
    assert_eq!(report(record).reason, ReasonCode(200));
    assert_eq!(ReasonCode(200).description(), None);
    assert_eq!(encode(&record), bytes);
}

#[test]
fn unknown_record_types_are_opaque() {
    for (hex_text, type_code, content) in [
        ("82 02 42 0102", 2, "42 0102"),             // [2, h'0102']
        ("82 18 2a a1 01 61 61", 42, "a1 01 61 61"), // [42, {1: "a"}]
        ("82 00 80", 0, "80"),                       // [0, []]   (type 0 is reserved, still opaque)
    ] {
        let bytes = hex(hex_text);
        let content = hex(content);
        let record = AdminRecord::parse(&bytes).unwrap();
        assert_eq!(
            record,
            AdminRecord::Unknown {
                type_code,
                content: &content
            }
        );
        assert_eq!(record.type_code(), type_code);
        assert_eq!(encode(&record), bytes);
    }
}

#[test]
fn about_copies_the_subject_identity() {
    let subject = PrimaryBlock {
        flags: BundleFlags::IS_FRAGMENT | BundleFlags::STATUS_TIME_REQUESTED,
        crc_type: CrcType::Crc32C,
        destination: Eid::Ipn {
            allocator: 0,
            node: 3,
            service: 1,
        },
        source: IPN_2_1,
        report_to: IPN_2_1,
        creation: CreationTimestamp {
            time: 1000,
            sequence: 5,
        },
        lifetime: 60_000,
        fragment: Some(FragmentInfo {
            offset: 100,
            total_adu_length: 1000,
        }),
    };
    let mut report = StatusReport::about(&subject, 50);
    assert_eq!(
        report,
        StatusReport {
            status: StatusInfo::default(),
            ..fragment_subject()
        }
    );
    report.status.received = StatusItem::asserted_for(subject.flags, 7);
    assert_eq!(
        report.status.received,
        StatusItem::Asserted { time: Some(7) }
    );
    assert_eq!(
        StatusItem::asserted_for(BundleFlags::default(), 7),
        StatusItem::Asserted { time: None }
    );
}

// ---- one test per rejection rule -------------------------------------------------------------

fn rejects(bytes: &[u8], offset: usize, kind: ErrorKind) {
    assert_eq!(AdminRecord::parse(bytes), Err(Error::new(offset, kind)));
}

/// RECEIVED_ONLY with the octet at `at` replaced by `with` (hex, any length).
fn patched(at: usize, with: &str) -> Vec<u8> {
    let mut bytes = hex(RECEIVED_ONLY);
    bytes.splice(at..=at, hex(with));
    bytes
}

#[test]
fn rejects_record_that_is_not_an_array() {
    let found = ErrorKind::UnexpectedType {
        expected: "definite-length array",
        found: 0,
    };
    rejects(&hex("01"), 0, found);
}

#[test]
fn rejects_record_of_wrong_length() {
    // [1]
    let kind = ErrorKind::ArrayLength {
        expected: "administrative record: [type code, content]",
        found: 1,
    };
    rejects(&hex("81 01"), 0, kind);
}

#[test]
fn rejects_indefinite_record_array() {
    // [_ 1, ...]
    rejects(&patched(0, "9f"), 0, ErrorKind::IndefiniteLength);
}

#[test]
fn rejects_type_code_that_is_not_uint() {
    // [-1, 0]
    let kind = ErrorKind::UnexpectedType {
        expected: "unsigned integer",
        found: 1,
    };
    rejects(&hex("82 20 00"), 1, kind);
}

#[test]
fn rejects_trailing_bytes_after_record() {
    let mut bytes = hex(RECEIVED_ONLY);
    bytes.push(0x00);
    rejects(&bytes, 23, ErrorKind::TrailingBytes(1));
}

#[test]
fn rejects_malformed_unknown_content() {
    // [2, h'01' with one octet missing]
    let kind = ErrorKind::Truncated {
        needed: 3,
        available: 2,
    };
    rejects(&hex("82 02 42 01"), 2, kind);
    // [2, <reserved additional information 28>]
    rejects(&hex("82 02 1c"), 2, ErrorKind::ReservedAdditionalInfo(28));
}

#[test]
fn rejects_report_of_wrong_length() {
    for (head, found) in [("83", 3), ("85", 5), ("87", 7)] {
        let kind = ErrorKind::ArrayLength {
            expected: "bundle status report: 4 items, or 6 for a fragment",
            found,
        };
        rejects(&patched(2, head), 2, kind);
    }
}

#[test]
fn rejects_six_item_report_without_fragment_fields() {
    // The head says 6 items, only 4 follow.
    let kind = ErrorKind::Truncated {
        needed: 1,
        available: 0,
    };
    rejects(&patched(2, "86"), 23, kind);
}

#[test]
fn rejects_status_information_of_wrong_length() {
    for (head, found) in [("83", 3), ("85", 5)] {
        let kind = ErrorKind::ArrayLength {
            expected: "bundle status information: 4 status items",
            found,
        };
        rejects(&patched(3, head), 3, kind);
    }
}

#[test]
fn rejects_indefinite_status_information() {
    rejects(&patched(3, "9f"), 3, ErrorKind::IndefiniteLength);
}

#[test]
fn rejects_status_item_of_wrong_length() {
    // received = [] and received = [true, 1, 2]
    for (item, found) in [("80", 0), ("83 f5 01 02", 3)] {
        let mut bytes = hex(RECEIVED_ONLY);
        bytes.splice(4..6, hex(item));
        let kind = ErrorKind::ArrayLength {
            expected: "bundle status item: [asserted] or [true, time]",
            found,
        };
        rejects(&bytes, 4, kind);
    }
}

#[test]
fn rejects_status_indicator_that_is_not_bool() {
    // received = [1]
    let kind = ErrorKind::UnexpectedType {
        expected: "bool",
        found: 0,
    };
    rejects(&patched(5, "01"), 5, kind);
}

#[test]
fn rejects_status_time_on_unasserted_status() {
    // forwarded = [false, 1]: §6.1.1 allows a time only with an asserted status.
    let mut bytes = hex(RECEIVED_ONLY);
    bytes.splice(6..8, hex("82 f4 01"));
    let kind = ErrorKind::InvalidBlock("status time on a status that is not asserted");
    rejects(&bytes, 6, kind);
}

#[test]
fn rejects_status_time_that_is_not_uint() {
    // received = [true, "x"]
    let mut bytes = hex(RECEIVED_ONLY);
    bytes.splice(4..6, hex("82 f5 61 78"));
    let kind = ErrorKind::UnexpectedType {
        expected: "unsigned integer",
        found: 3,
    };
    rejects(&bytes, 6, kind);
}

#[test]
fn rejects_reason_code_that_is_not_uint() {
    let kind = ErrorKind::UnexpectedType {
        expected: "unsigned integer",
        found: 1,
    };
    rejects(&patched(12, "20"), 12, kind);
}

#[test]
fn rejects_invalid_source_eid() {
    // source [3, [2, 1]]: unknown URI scheme code.
    rejects(
        &patched(14, "03"),
        14,
        ErrorKind::InvalidEid("unknown URI scheme code"),
    );
}

#[test]
fn rejects_creation_timestamp_of_wrong_length() {
    // [1000, 5] -> [1000]
    let mut bytes = hex(RECEIVED_ONLY);
    bytes.splice(18.., hex("81 19 03e8"));
    let kind = ErrorKind::ArrayLength {
        expected: "creation timestamp: [time, sequence]",
        found: 1,
    };
    rejects(&bytes, 18, kind);
}

#[test]
fn rejects_fragment_field_that_is_not_uint() {
    // fragment length true
    let mut bytes = hex(FRAGMENT_SUBJECT);
    bytes.splice(25.., hex("f5"));
    let kind = ErrorKind::UnexpectedType {
        expected: "unsigned integer",
        found: 7,
    };
    rejects(&bytes, 25, kind);
}

#[test]
fn rejects_every_truncation() {
    for (name, hex_text, _) in vectors() {
        let bytes = hex(hex_text);
        for len in 0..bytes.len() {
            let err = AdminRecord::parse(&bytes[..len]).unwrap_err();
            assert!(
                matches!(err.kind, ErrorKind::Truncated { .. }),
                "{name}, {len} octets: {err}"
            );
        }
    }
}

#[test]
fn failed_decode_keeps_position() {
    let bytes = patched(12, "20");
    let mut dec = Decoder::new(&bytes);
    assert!(AdminRecord::decode(&mut dec).is_err());
    assert_eq!(dec.position(), 0);
    let mut dec = Decoder::new(&bytes[2..]);
    assert!(StatusReport::decode(&mut dec).is_err());
    assert_eq!(dec.position(), 0);
}

// ---- the encoder refuses what the decoder rejects -------------------------------------------

#[test]
fn refuses_unknown_record_with_status_report_type() {
    let record = AdminRecord::Unknown {
        type_code: STATUS_REPORT_TYPE,
        content: &[0x80],
    };
    let err = record.encode(&mut Vec::new()).unwrap_err();
    assert_eq!(
        err.kind,
        ErrorKind::InvalidBlock("unknown administrative record with type code 1")
    );
}

#[test]
fn refuses_unknown_content_that_is_not_one_item() {
    let empty = AdminRecord::Unknown {
        type_code: 2,
        content: &[],
    };
    let truncated = ErrorKind::Truncated {
        needed: 1,
        available: 0,
    };
    assert_eq!(empty.validate(), Err(Error::new(0, truncated)));
    let two = AdminRecord::Unknown {
        type_code: 2,
        content: &[0x01, 0x02],
    };
    assert_eq!(
        two.encode(&mut Vec::new()),
        Err(Error::new(1, ErrorKind::TrailingBytes(1)))
    );
}

#[test]
fn refuses_invalid_source_eid() {
    let bad_dtn = StatusReport {
        source: Eid::Dtn { ssp: "node1/app" },
        ..received_only()
    };
    let err = AdminRecord::StatusReport(bad_dtn)
        .encode(&mut Vec::new())
        .unwrap_err();
    assert!(matches!(err.kind, ErrorKind::InvalidEid(_)), "{err}");
    let big_ipn = StatusReport {
        source: Eid::Ipn {
            allocator: 1,
            node: u64::from(u32::MAX) + 1,
            service: 0,
        },
        ..received_only()
    };
    assert_eq!(
        big_ipn.encode(&mut Vec::new()),
        Err(Error::new(0, ErrorKind::IntegerTooLarge))
    );
}

// ---- properties -----------------------------------------------------------------------------

/// An EID description that owns its `dtn` SSP, so a report can borrow it.
#[derive(Debug, Clone)]
enum EidSpec {
    Null,
    Dtn(String),
    Ipn(u64, u64, u64),
}

impl EidSpec {
    fn eid(&self) -> Eid<'_> {
        match *self {
            Self::Null => Eid::Null,
            Self::Dtn(ref ssp) => Eid::Dtn { ssp },
            Self::Ipn(allocator, node, service) => Eid::Ipn {
                allocator,
                node,
                service,
            },
        }
    }
}

fn eid_spec() -> impl Strategy<Value = EidSpec> {
    let u32s = 0..=u64::from(u32::MAX);
    prop_oneof![
        Just(EidSpec::Null),
        "//[a-z][a-z0-9.-]{0,10}/[a-z0-9/._~-]{0,10}".prop_map(EidSpec::Dtn),
        (any::<u64>(), any::<u64>()).prop_map(|(node, service)| EidSpec::Ipn(0, node, service)),
        (1..=u64::from(u32::MAX), u32s.clone(), u32s).prop_map(|(a, n, s)| EidSpec::Ipn(a, n, s)),
    ]
}

fn status_item() -> impl Strategy<Value = StatusItem> {
    prop_oneof![
        Just(StatusItem::NotAsserted),
        proptest::option::of(any::<u64>()).prop_map(|time| StatusItem::Asserted { time }),
    ]
}

prop_compose! {
    fn report_parts()(
        items in [status_item(), status_item(), status_item(), status_item()],
        reason in prop_oneof![0..20u64, any::<u64>()],
        source in eid_spec(),
        time in any::<u64>(),
        sequence in any::<u64>(),
        fragment in proptest::option::of((any::<u64>(), any::<u64>())),
    ) -> (StatusInfo, u64, EidSpec, CreationTimestamp, Option<SubjectFragment>) {
        let [received, forwarded, delivered, deleted] = items;
        let status = StatusInfo { received, forwarded, delivered, deleted };
        let fragment = fragment.map(|(offset, length)| SubjectFragment { offset, length });
        (status, reason, source, CreationTimestamp { time, sequence }, fragment)
    }
}

/// Any accepted input re-encodes, and decoding that encoding gives the same record.
fn accepted_inputs_are_stable(bytes: &[u8]) {
    if let Ok(record) = AdminRecord::parse(bytes) {
        let again = encode(&record);
        assert_eq!(AdminRecord::parse(&again), Ok(record));
    }
}

proptest! {
    #[test]
    fn reports_round_trip((status, reason, source, creation, fragment) in report_parts()) {
        let report = StatusReport {
            status,
            reason: ReasonCode(reason),
            source: source.eid(),
            creation,
            fragment,
        };
        let record = AdminRecord::StatusReport(report);
        let bytes = encode(&record);
        prop_assert_eq!(AdminRecord::parse(&bytes), Ok(record));
    }

    #[test]
    fn unknown_records_round_trip(
        type_code in any::<u64>().prop_filter("not a status report", |&t| t != STATUS_REPORT_TYPE),
        data in proptest::collection::vec(any::<u8>(), 0..40),
    ) {
        let mut content = Vec::new();
        bpv7::cbor::write_bytes(&mut content, &data);
        let record = AdminRecord::Unknown { type_code, content: &content };
        let bytes = encode(&record);
        prop_assert_eq!(AdminRecord::parse(&bytes), Ok(record));
    }

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..64)) {
        accepted_inputs_are_stable(&bytes);
        let _ = StatusReport::decode(&mut Decoder::new(&bytes));
    }

    #[test]
    fn mutated_reports_never_panic(
        which in 0..4usize,
        at in any::<prop::sample::Index>(),
        value in any::<u8>(),
        cut in any::<prop::sample::Index>(),
    ) {
        // Single-octet corruptions and truncations of valid reports reach deeper than random bytes.
        let mut bytes = hex(vectors()[which].1);
        let i = at.index(bytes.len());
        bytes[i] = value;
        accepted_inputs_are_stable(&bytes);
        let len = cut.index(bytes.len() + 1);
        accepted_inputs_are_stable(&bytes[..len]);
    }
}

// ---- cross-check with dtn7 bp7 0.12.1 ------------------------------------------------------

#[test]
fn bp7_cross_check_both_ways() {
    use bp7::administrative_record::{
        AdministrativeRecord, BundleStatusItem, LIFETIME_EXPIRED, StatusReport as Bp7Report,
    };
    use bp7::dtntime::CreationTimestamp as Bp7Timestamp;
    use bp7::eid::EndpointID;

    let item = |asserted, time: Option<u64>| BundleStatusItem {
        asserted,
        time: time.unwrap_or(0),
        status_requested: time.is_some(),
    };
    // A fragment subject, deleted at DTN time 1000000 because its lifetime expired.
    let theirs = AdministrativeRecord::BundleStatusReport(Bp7Report {
        status_information: vec![
            item(true, Some(999_000)),
            item(false, None),
            item(false, None),
            item(true, Some(1_000_000)),
        ],
        report_reason: LIFETIME_EXPIRED,
        source_node: EndpointID::try_from("dtn://node1/app").unwrap(),
        timestamp: Bp7Timestamp::with_time_and_seq(1_000_000, 7),
        frag_offset: 100,
        frag_len: 50,
    });
    let ours = AdminRecord::StatusReport(StatusReport {
        status: StatusInfo {
            received: StatusItem::Asserted {
                time: Some(999_000),
            },
            deleted: StatusItem::Asserted {
                time: Some(1_000_000),
            },
            ..StatusInfo::default()
        },
        reason: ReasonCode::LIFETIME_EXPIRED,
        source: Eid::Dtn { ssp: "//node1/app" },
        creation: CreationTimestamp {
            time: 1_000_000,
            sequence: 7,
        },
        fragment: Some(SubjectFragment {
            offset: 100,
            length: 50,
        }),
    });

    // bp7 -> us
    let their_bytes = serde_cbor::to_vec(&theirs).unwrap();
    assert_eq!(AdminRecord::parse(&their_bytes), Ok(ours));
    // us -> bp7
    let our_bytes = encode(&ours);
    let decoded: AdministrativeRecord = serde_cbor::from_slice(&our_bytes).unwrap();
    assert_eq!(decoded, theirs);
    // Both emit the same deterministic encoding.
    assert_eq!(our_bytes, their_bytes);
}
