//! The `borealis` binary as an operator runs it: exit codes, one-line errors, JSON output.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::io::Write;
use std::process::{Command, Output, Stdio};

/// Runs the binary with `stdin` as its standard input (none when empty). A command that does
/// not read its input may exit before we finish writing it: a broken pipe is not a failure.
fn borealis(args: &[&str], stdin: &[u8]) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_borealis"))
        .args(args)
        .stdin(if stdin.is_empty() {
            Stdio::null()
        } else {
            Stdio::piped()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    if let Some(mut pipe) = child.stdin.take() {
        match pipe.write_all(stdin) {
            Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => {}
            other => other.unwrap(),
        }
    }
    child.wait_with_output().unwrap()
}

fn unhex(s: &str) -> Vec<u8> {
    hex::decode(s).unwrap()
}

#[test]
fn inspect_json_from_stdin() {
    // dariol83 TcTransferFrameTest.FIRST_FRAME
    let out = borealis(
        &["inspect", "--json", "-"],
        &unhex("207B001717C1000102030405060708090A0B0C0D0E0F0DEF"),
    );
    assert!(out.status.success());
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["kind"], "tc_frame");
    assert_eq!(v["frame_type"], "BD");
    assert_eq!(v["segment_header"]["map_id"], 1);
}

#[test]
fn inspect_file_text() {
    let path = std::env::temp_dir().join(format!("borealis-cli-{}.bin", std::process::id()));
    std::fs::write(&path, unhex("1002c0340002000102")).unwrap();
    let out = borealis(&["inspect", path.to_str().unwrap()], b"");
    std::fs::remove_file(&path).unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains("kind: space_packets") && text.contains("apid: 2"),
        "{text}"
    );
}

#[test]
fn bad_input_is_one_line_with_offset_and_exit_2() {
    for bad in [
        &b""[..],
        &[0x10, 0x02, 0xC0][..],
        &[0xEB, 0x90, 1, 2, 3][..],
        &[0xFF; 40][..],
    ] {
        let out = borealis(&["inspect", "-"], bad);
        assert_eq!(out.status.code(), Some(2), "{bad:02x?}");
        let err = String::from_utf8(out.stderr).unwrap();
        assert_eq!(err.lines().count(), 1, "{err}");
        assert!(err.starts_with("error: "), "{err}");
        assert!(bad.is_empty() || err.contains("at byte"), "{err}");
    }
}

/// bpv7/tests/vectors/bpv7_generated_vectors.json "bpv7-extension-blocks" (self-made vector,
/// cross-checked with the dtn7 bp7 crate).
const BUNDLE: &str = "9f89070002820282010282028202008202820200820018281a000f424044d33192a7860602000145820282030042d21086070300024319012c44eceb49d0860a0400014482181e0142d4b486010100025823526561647920746f2067656e657261746520612033322d62797465207061796c6f6164448f2b7e50ff";
/// The same file, "bpv7-extension-blocks-bad-hop-count-crc": one bit of the Hop Count CRC
/// flipped.
const BUNDLE_BAD_CRC: &str = "9f89070002820282010282028202008202820200820018281a000f424044d33192a7860602000145820282030042d21086070300024319012c44eceb49d0860a0400014482181e0142d4b586010100025823526561647920746f2067656e657261746520612033322d62797465207061796c6f6164448f2b7e50ff";

#[test]
fn inspect_bundle() {
    let out = borealis(&["inspect", "--json", "-"], &unhex(BUNDLE));
    assert!(out.status.success());
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["kind"], "bundle");
    assert_eq!(v["primary_block"]["crc"]["valid"], true);
    assert_eq!(v["blocks"][2]["type_name"], "hop count");
    let text = borealis(&["inspect", "-"], &unhex(BUNDLE));
    let text = String::from_utf8(text.stdout).unwrap();
    assert!(
        text.contains("destination: ipn:1.2") && text.contains("bundle_age_ms: 300"),
        "{text}"
    );
}

#[test]
fn bundle_with_bad_crc_is_exit_2() {
    let out = borealis(&["inspect", "-"], &unhex(BUNDLE_BAD_CRC));
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
    let err = String::from_utf8(out.stderr).unwrap();
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.contains("CRC mismatch") && err.contains("at byte 72"),
        "{err}"
    );
}

#[test]
fn missing_file_is_exit_1() {
    let out = borealis(&["inspect", "/nonexistent/borealis"], b"");
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn demo_link_runs() {
    let out = borealis(&["demo-link"], b"");
    assert!(out.status.success());
    assert!(
        String::from_utf8(out.stdout)
            .unwrap()
            .contains("round trip OK")
    );
}

/// The README's main command: every pass of the transcript, exit 0, nothing left behind.
#[test]
fn demo_runs_every_pass() {
    let out = borealis(&["demo"], b"");
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        out.status.success(),
        "{text}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    for expected in [
        "Telemetry, ",
        "Ping → PONG",
        "Check report:",
        "1048576 octets in 4 chunks",
        "4 chunks reassembled, 1048576 octets, SHA-256 ",
        "(same as the payload's capture)",
        "upload of #4 (bundle-confidentiality)",
        "rekey accepted: counter 2",
        "switches: sends with key #4",
        "deactivate #3",
        "Ping → PONG (answered under key #4",
        "quarantined replayed.bp7: duplicate",
        "quarantined tampered.bp7: not verified",
        "(the payload kept serving)",
        "demo OK",
        "temporary mission directory removed",
    ] {
        assert!(text.contains(expected), "missing {expected:?} in:\n{text}");
    }
    let line = text.lines().find(|l| l.contains("SHA-256 ")).unwrap();
    let hash = line.split("SHA-256 ").nth(1).unwrap();
    assert!(hash[..64].bytes().all(|b| b.is_ascii_hexdigit()), "{line}");
}

#[test]
fn demo_keep_leaves_the_mission_and_refuses_an_existing_directory() {
    let dir = std::env::temp_dir().join(format!("borealis-cli-demo-keep-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let out = borealis(&["demo", "--keep", dir.to_str().unwrap()], b"");
    assert!(out.status.success());
    assert!(dir.join("borealis.toml").is_file());
    assert!(dir.join("ground/responses").is_dir());
    // A second run would overwrite the mission: refused, exit 1, one clear line.
    let out = borealis(&["demo", "--keep", dir.to_str().unwrap()], b"");
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(
        err.contains("demo failed") && err.contains("already exists"),
        "{err}"
    );
    assert!(
        dir.join("borealis.toml").is_file(),
        "the kept mission is untouched"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

// ---- BPSec (RFC 9172 / RFC 9173): inspect, verify, decrypt ----------------------------------
//
// Vectors: RFC 9173 Appendix A examples, bpv7/tests/vectors/a{1,2,4}_*.json (extracted from the
// RFC text, re-verified with Python `cryptography`; see their `provenance`).

fn vector(name: &str) -> serde_json::Value {
    let path = format!(
        "{}/../bpv7/tests/vectors/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn vhex(v: &serde_json::Value) -> Vec<u8> {
    unhex(v.as_str().unwrap())
}

/// A scratch directory for one test.
fn scratch(test: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("borealis-cli-{}-{test}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Writes a key file with the given mode; returns its path.
fn key_file(dir: &std::path::Path, text: &str, mode: u32) -> String {
    let path = dir.join("keys");
    std::fs::write(&path, text).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(mode)).unwrap();
    }
    #[cfg(not(unix))]
    let _ = mode;
    path.to_str().unwrap().to_string()
}

fn write_input(dir: &std::path::Path, bytes: &[u8]) -> String {
    let path = dir.join("bundle.bin");
    std::fs::write(&path, bytes).unwrap();
    path.to_str().unwrap().to_string()
}

/// No key appears in stdout or stderr: neither its hex (either case) nor its raw octets.
fn assert_no_key(out: &Output, keys: &[Vec<u8>]) {
    for key in keys {
        for stream in [&out.stdout, &out.stderr] {
            let text = String::from_utf8_lossy(stream).to_lowercase();
            assert!(
                !text.contains(&hex::encode(key)),
                "key hex in output:\n{text}"
            );
            assert!(
                !stream.windows(key.len()).any(|w| w == key.as_slice()),
                "raw key octets in output"
            );
        }
    }
}

/// The A.2 keys: key-encryption key, content-encryption key, and the wrapped CEK (never shown
/// either: only its length).
fn a2_secrets(v: &serde_json::Value) -> Vec<Vec<u8>> {
    let sb = &v["security_blocks"][0];
    vec![
        vhex(&sb["key_encryption_key_hex"]),
        vhex(&sb["content_encryption_key_hex"]),
        vhex(&sb["parameters"]["wrapped_key_hex"]),
    ]
}

fn a4_secrets(v: &serde_json::Value) -> Vec<Vec<u8>> {
    vec![
        vhex(&v["security_blocks"][0]["key_hex"]),
        vhex(&v["security_blocks"][1]["content_encryption_key_hex"]),
    ]
}

#[test]
fn inspect_a2_shows_the_bcb_but_no_key() {
    let v = vector("a2_bcb_aes_gcm_keywrap.json");
    let bundle = vhex(&v["final_bundle"]["hex"]);
    let secrets = a2_secrets(&v);
    let out = borealis(&["inspect", "--json", "-"], &bundle);
    assert!(out.status.success());
    assert_no_key(&out, &secrets);
    let j: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let bcb = &j["blocks"][0];
    assert_eq!((&bcb["type"], &bcb["number"]), (&12.into(), &2.into()));
    assert_eq!(bcb["flags"], "0x1 (replicate_in_every_fragment)");
    assert!(bcb.get("data").is_none(), "raw ASB shown: {bcb}");
    let s = &bcb["security"];
    assert_eq!(s["service"], "confidentiality");
    assert_eq!(s["security_source"], "ipn:2.1");
    assert_eq!(s["context"]["id"], 2);
    assert_eq!(s["context"]["name"], "BCB-AES-GCM");
    assert_eq!(s["context_flags"], "0x1 (parameters_present)");
    assert_eq!(s["targets"], serde_json::json!([1]));
    let p = &s["parameters"];
    assert_eq!(p["iv"], v["security_blocks"][0]["parameters"]["iv_hex"]);
    assert_eq!(p["aes_variant"], "A128GCM (1)");
    assert_eq!(p["wrapped_key"], "24 octets");
    assert_eq!(p["aad_scope"], "0x0 (none)");
    assert_eq!(s["results"][0]["target"], 1);
    assert_eq!(
        s["results"][0]["authentication_tag"],
        v["security_blocks"][0]["targets"][0]["auth_tag_hex"]
    );
    let payload = &j["blocks"][1];
    assert_eq!(payload["data"], "(encrypted, 35 octets)");
    assert_eq!(payload["encrypted_by_bcb"], 2);
    assert_eq!(j["security_rules"]["valid"], true);

    let out = borealis(&["inspect", "-"], &bundle);
    assert!(out.status.success());
    assert_no_key(&out, &secrets);
    let text = String::from_utf8(out.stdout).unwrap();
    for field in [
        "security_source: ipn:2.1",
        "name: BCB-AES-GCM",
        "targets: [1]",
        "iv: 5477656c7665313231323132",
        "wrapped_key: 24 octets",
        "authentication_tag: efa4b5ac0108e3816c5606479801bc04",
        "data: (encrypted, 35 octets)",
    ] {
        assert!(text.contains(field), "{field} missing:\n{text}");
    }
}

#[test]
fn inspect_a4_shows_the_encrypted_bib_as_encrypted() {
    let v = vector("a4_full_scope.json");
    let bundle = vhex(&v["final_bundle"]["hex"]);
    let secrets = a4_secrets(&v);
    let out = borealis(&["inspect", "--json", "-"], &bundle);
    assert!(out.status.success());
    assert_no_key(&out, &secrets);
    let j: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let bib = &j["blocks"][0];
    assert_eq!((&bib["type"], &bib["number"]), (&11.into(), &3.into()));
    assert_eq!(bib["data"], "(encrypted, 70 octets)");
    assert_eq!(bib["encrypted_by_bcb"], 2);
    assert!(
        bib.get("security").is_none(),
        "encrypted BIB decoded: {bib}"
    );
    let s = &j["blocks"][1]["security"];
    assert_eq!(s["targets"], serde_json::json!([3, 1]));
    assert_eq!(s["parameters"]["aes_variant"], "A256GCM (3)");
    assert_eq!(
        s["parameters"]["aad_scope"],
        "0x7 (primary_block, target_header, security_header)"
    );
    assert!(s["parameters"].get("wrapped_key").is_none());
    assert_eq!(s["results"][0]["target"], 3);
    assert_eq!(s["results"][1]["target"], 1);
    assert_eq!(j["blocks"][2]["data"], "(encrypted, 35 octets)");

    let out = borealis(&["inspect", "-"], &bundle);
    assert!(out.status.success());
    assert_no_key(&out, &secrets);
    let text = String::from_utf8(out.stdout).unwrap();
    for field in [
        "data: (encrypted, 70 octets)",
        "targets: [3, 1]",
        "aes_variant: A256GCM (3)",
        "service: confidentiality",
    ] {
        assert!(text.contains(field), "{field} missing:\n{text}");
    }
}

#[test]
fn inspect_a1_shows_the_bib() {
    let v = vector("a1_bib_hmac_sha2.json");
    let out = borealis(
        &["inspect", "--json", "-"],
        &vhex(&v["final_bundle"]["hex"]),
    );
    assert!(out.status.success());
    assert_no_key(&out, &[vhex(&v["security_blocks"][0]["key_hex"])]);
    let j: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let s = &j["blocks"][0]["security"];
    assert_eq!(s["service"], "integrity");
    assert_eq!(s["context"]["name"], "BIB-HMAC-SHA2");
    assert_eq!(s["parameters"]["sha_variant"], "HMAC 512/512 (7)");
    assert_eq!(s["parameters"]["integrity_scope"], "0x0 (none)");
    assert_eq!(
        s["results"][0]["expected_hmac"],
        v["security_blocks"][0]["targets"][0]["expected_hmac_hex"]
    );
    // Not under a BCB: the payload is shown in clear.
    assert_eq!(
        j["blocks"][1]["data"],
        v["original_bundle"]["blocks"][1]["btsd_hex"]
    );
}

#[test]
fn inspect_malformed_asb_says_so() {
    // A.1 with the BIB's target array emptied (0x81 -> 0x80): RFC 9172 §3.6 needs a target.
    // The bundle itself still parses (no CRCs), so inspect shows it and names the ASB error.
    let v = vector("a1_bib_hmac_sha2.json");
    let mut bundle = vhex(&v["final_bundle"]["hex"]);
    let asb = vhex(&v["security_blocks"][0]["asb_hex"]);
    let at = bundle.windows(asb.len()).position(|w| w == asb).unwrap();
    bundle[at] = 0x80;
    let out = borealis(&["inspect", "--json", "-"], &bundle);
    assert!(out.status.success());
    let j: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let err = j["blocks"][0]["security_error"].as_str().unwrap();
    assert_eq!(
        err,
        "abstract security block of block 2 at byte 0: no security target (§3.6)"
    );
    assert_eq!(j["security_rules"]["valid"], false);
    let text = String::from_utf8(borealis(&["inspect", "-"], &bundle).stdout).unwrap();
    assert!(
        text.contains("security_error: abstract security block"),
        "{text}"
    );
}

#[test]
fn verify_a1_right_and_wrong_key() {
    let v = vector("a1_bib_hmac_sha2.json");
    let key = vhex(&v["security_blocks"][0]["key_hex"]);
    let dir = scratch("verify-a1");
    let bundle = write_input(&dir, &vhex(&v["final_bundle"]["hex"]));
    let keys = key_file(&dir, &format!("# A.1\n\n7 {}\n", hex::encode(&key)), 0o600);
    let args = [
        "bpsec",
        "verify",
        "--key-file",
        &keys,
        "--rfc9173-examples",
        &bundle,
    ];
    let out = borealis(&args, b"");
    assert_no_key(&out, std::slice::from_ref(&key));
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    assert_eq!(
        String::from_utf8(out.stdout).unwrap(),
        "integrity: BIB 2 over block 1 (payload): verified with key #7\n"
    );

    // A wrong key: the HMAC does not match.
    let mut wrong = key.clone();
    wrong[0] ^= 1;
    let keys = key_file(&dir, &format!("7 {}\n", hex::encode(&wrong)), 0o600);
    let args = [
        "bpsec",
        "verify",
        "--key-file",
        &keys,
        "--rfc9173-examples",
        &bundle,
    ];
    let out = borealis(&args, b"");
    assert_no_key(&out, &[key.clone(), wrong.clone()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
    assert_eq!(
        String::from_utf8(out.stderr).unwrap(),
        "error: integrity check failed for target block 1 of BIB 2\n"
    );

    // Without --rfc9173-examples the strict rules apply: the example bundle is refused.
    let keys = key_file(&dir, &format!("7 {}\n", hex::encode(&key)), 0o600);
    let out = borealis(&["bpsec", "verify", "--key-file", &keys, &bundle], b"");
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8(out.stderr)
            .unwrap()
            .starts_with("error: bundle: ")
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn verify_a2_says_decrypt_is_needed() {
    let v = vector("a2_bcb_aes_gcm_keywrap.json");
    let dir = scratch("verify-a2");
    let kek = vhex(&v["security_blocks"][0]["key_encryption_key_hex"]);
    let keys = key_file(&dir, &format!("1 {}\n", hex::encode(&kek)), 0o600);
    let args = [
        "bpsec",
        "verify",
        "--key-file",
        &keys,
        "--rfc9173-examples",
        "-",
    ];
    let out = borealis(&args, &vhex(&v["final_bundle"]["hex"]));
    assert_no_key(&out, &a2_secrets(&v));
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains("BCB 2 over block(s) 1: not checked"),
        "{text}"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn decrypt_a2_gives_the_original_bundle() {
    let v = vector("a2_bcb_aes_gcm_keywrap.json");
    let original = vhex(&v["original_bundle"]["hex"]);
    let secured = vhex(&v["final_bundle"]["hex"]);
    let secrets = a2_secrets(&v);
    let dir = scratch("decrypt-a2");
    let keys = key_file(&dir, &format!("2 {}\n", hex::encode(&secrets[0])), 0o600);
    let plain = dir.join("plain.bin");
    let plain_arg = plain.to_str().unwrap();
    let args = [
        "bpsec",
        "decrypt",
        "--key-file",
        &keys,
        "--rfc9173-examples",
        "-o",
        plain_arg,
        "-",
    ];
    let out = borealis(&args, &secured);
    assert_no_key(&out, &secrets);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    assert_eq!(std::fs::read(&plain).unwrap(), original);
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.starts_with(
            "confidentiality: BCB 2 over block 1 (payload): decrypted and authenticated with key #2\n"
        ),
        "{text}"
    );

    // --hex to standard output; raw octets when standard output is a pipe.
    let args = [
        "bpsec",
        "decrypt",
        "--key-file",
        &keys,
        "--rfc9173-examples",
        "--hex",
        "-",
    ];
    let out = borealis(&args, &secured);
    assert_no_key(&out, &secrets);
    assert_eq!(
        String::from_utf8(out.stdout).unwrap(),
        hex::encode(&original) + "\n"
    );
    let args = [
        "bpsec",
        "decrypt",
        "--key-file",
        &keys,
        "--rfc9173-examples",
        "-",
    ];
    let out = borealis(&args, &secured);
    assert_eq!(out.stdout, original);

    // A wrong key-encryption key: the RFC 3394 integrity check of the wrapped key fails.
    let mut wrong = secrets[0].clone();
    wrong[15] ^= 0x80;
    let keys = key_file(&dir, &format!("2 {}\n", hex::encode(&wrong)), 0o600);
    let args = [
        "bpsec",
        "decrypt",
        "--key-file",
        &keys,
        "--rfc9173-examples",
        "--hex",
        "-",
    ];
    let out = borealis(&args, &secured);
    assert_no_key(&out, &[secrets.clone(), vec![wrong]].concat());
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
    assert_eq!(
        String::from_utf8(out.stderr).unwrap(),
        "error: wrapped key under key #2 failed the RFC 3394 integrity check\n"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn decrypt_a4_with_a_key_per_service() {
    // A.4: the BCB encrypts the payload and the BIB over it; the BIB key and the AES key
    // differ, so each service gets its own key id.
    let v = vector("a4_full_scope.json");
    let secrets = a4_secrets(&v);
    let dir = scratch("decrypt-a4");
    let keys = key_file(
        &dir,
        &format!(
            "1 {}\n2 {}\n",
            hex::encode(&secrets[0]),
            hex::encode(&secrets[1])
        ),
        0o600,
    );
    let args = [
        "bpsec",
        "decrypt",
        "--key-file",
        &keys,
        "--bib-key-id",
        "1",
        "--bcb-key-id",
        "2",
        "--rfc9173-examples",
        "--hex",
        "-",
    ];
    let out = borealis(&args, &vhex(&v["final_bundle"]["hex"]));
    assert_no_key(&out, &secrets);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    assert_eq!(
        String::from_utf8(out.stdout).unwrap().trim_end(),
        v["original_bundle"]["hex"].as_str().unwrap()
    );
    let report = String::from_utf8(out.stderr).unwrap();
    assert_eq!(report.lines().count(), 3, "{report}");
    assert!(report.contains("integrity: BIB 3 over block 1 (payload): verified with key #1"));

    // Two keys and no --key-id: the operator must choose.
    let args = [
        "bpsec",
        "decrypt",
        "--key-file",
        &keys,
        "--rfc9173-examples",
        "--hex",
        "-",
    ];
    let out = borealis(&args, &vhex(&v["final_bundle"]["hex"]));
    assert_eq!(out.status.code(), Some(1));
    assert!(
        String::from_utf8(out.stderr)
            .unwrap()
            .contains("choose one with --key-id")
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[cfg(unix)]
#[test]
fn key_file_readable_by_others_is_refused() {
    let v = vector("a1_bib_hmac_sha2.json");
    let key = vhex(&v["security_blocks"][0]["key_hex"]);
    let dir = scratch("key-mode");
    let bundle = write_input(&dir, &vhex(&v["final_bundle"]["hex"]));
    for mode in [0o644, 0o640, 0o604, 0o620] {
        let keys = key_file(&dir, &format!("1 {}\n", hex::encode(&key)), mode);
        for cmd in ["verify", "decrypt"] {
            let args = [
                "bpsec",
                cmd,
                "--key-file",
                &keys,
                "--rfc9173-examples",
                "--hex",
                &bundle,
            ];
            let args: Vec<&str> = args
                .into_iter()
                .filter(|a| cmd == "decrypt" || *a != "--hex")
                .collect();
            let out = borealis(&args, b"");
            assert_no_key(&out, std::slice::from_ref(&key));
            assert_eq!(out.status.code(), Some(1), "mode {mode:o}");
            assert!(out.stdout.is_empty());
            let err = String::from_utf8(out.stderr).unwrap();
            assert!(
                err.contains(&format!("permissions {mode:04o} are too open")),
                "{err}"
            );
        }
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn key_file_errors_never_quote_the_key() {
    let dir = scratch("key-errors");
    let v = vector("a1_bib_hmac_sha2.json");
    let bundle = write_input(&dir, &vhex(&v["final_bundle"]["hex"]));
    // An odd number of digits, and a non-hex digit in the middle of a key.
    for (text, expected) in [
        (
            "1 1a2b1a2b1a2b1a2b1a2b1a2b1a2b1a2\n",
            "line 1: the key is not an even number",
        ),
        (
            "\n1 1a2b1a2b1a2bXa2b1a2b1a2b1a2b1a2b\n",
            "line 2: the key is not hexadecimal",
        ),
    ] {
        let keys = key_file(&dir, text, 0o600);
        let out = borealis(&["bpsec", "verify", "--key-file", &keys, &bundle], b"");
        assert_eq!(out.status.code(), Some(1));
        let err = String::from_utf8(out.stderr).unwrap();
        assert!(err.contains(expected), "{err}");
        assert!(!err.contains("1a2b") && !err.contains('X'), "{err}");
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn verify_never_passes_a_bib_it_could_not_check() {
    // Two BIBs of one source over two blocks of one type, with different integrity scopes: the
    // operator tool builds one rule per (source, service, block type), so the second BIB fits
    // no rule. `bpsec::verify` skips what no rule covers; the CLI must then fail, not pass.
    use bpsec::context::Scope;
    use bpsec::context::bib_hmac_sha2::ShaVariant;
    use bpsec::{BibSpec, KeyId, NewBlock, Options, StaticKeys, add_bib};
    use bpv7::block::{BlockFlags, CanonicalBlock};
    use bpv7::bundle::BundleBuilder;
    use bpv7::crc::CrcType;
    use bpv7::eid::Eid;
    use bpv7::primary::{BundleFlags, CreationTimestamp, PrimaryBlock};

    let node = Eid::parse_uri("ipn:1.0").unwrap();
    let primary = PrimaryBlock {
        flags: BundleFlags(0),
        crc_type: CrcType::Crc32C,
        destination: Eid::parse_uri("ipn:2.1").unwrap(),
        source: node,
        report_to: node,
        creation: CreationTimestamp {
            time: 757_382_400_000,
            sequence: 1,
        },
        lifetime: 60_000,
        fragment: None,
    };
    let extension = |number| CanonicalBlock {
        block_type: 192,
        number,
        flags: BlockFlags(0),
        crc_type: CrcType::Crc32C,
        data: b"extension",
    };
    let bundle = BundleBuilder::new(primary)
        .block(extension(3))
        .block(extension(4))
        .payload(b"payload", BlockFlags(0), CrcType::Crc32C)
        .to_vec()
        .unwrap();
    let key = [0x5A; 32];
    let keys = StaticKeys::new().with(KeyId(1), &key);
    let bib = |target: &'static [u64], scope| BibSpec {
        block: NewBlock::from(node),
        targets: target,
        sha_variant: Some(ShaVariant::Hmac256),
        scope: Some(Scope(scope)),
        key: KeyId(1),
        wrap: None,
    };
    let once = add_bib(&bundle, &bib(&[3], 7), &keys, &Options::STRICT).unwrap();
    let twice = add_bib(&once, &bib(&[4], 0), &keys, &Options::STRICT).unwrap();

    let dir = scratch("verify-unchecked");
    let keys = key_file(&dir, &format!("1 {}\n", hex::encode(key)), 0o600);
    let out = borealis(&["bpsec", "verify", "--key-file", &keys, "-"], &once);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let out = borealis(&["bpsec", "verify", "--key-file", &keys, "-"], &twice);
    assert_no_key(&out, &[key.to_vec()]);
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("verified with key #1"), "{text}");
    // Whichever BIB comes first in the bundle makes the rule; the other is not checked.
    assert_eq!(text.matches(": NOT checked").count(), 1, "{text}");
    assert_eq!(text.lines().count(), 2, "{text}");
    assert_eq!(
        String::from_utf8(out.stderr).unwrap(),
        "error: 1 integrity operation(s) not checked\n"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}
