//! `borealis keys …` as an operator runs it: a mission directory in a temporary directory,
//! the ground issuing OTAR messages, the payload applying them, `show` agreeing with both, and
//! no secret ever printed.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use bpsec::{KeyResolver, KeyUsage};

/// A temporary directory, removed on drop.
struct TempDir(PathBuf);

impl TempDir {
    fn new(name: &str) -> Self {
        let path =
            std::env::temp_dir().join(format!("borealis-keys-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&path);
        std::fs::create_dir(&path).unwrap();
        Self(path)
    }

    fn join(&self, name: &str) -> PathBuf {
        self.0.join(name)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A mission under a temporary directory; every output of the CLI is kept to be checked for
/// secrets at the end.
struct Mission {
    tmp: TempDir,
    dir: PathBuf,
    outputs: Vec<u8>,
}

impl Mission {
    fn init(name: &str, activation: &str) -> Self {
        let tmp = TempDir::new(name);
        let dir = tmp.join("mission");
        let mut m = Self {
            tmp,
            dir,
            outputs: Vec::new(),
        };
        let out = m.keys(&["init", "--payload-node", "42", "--activation", activation]);
        assert!(out.status.success(), "{}", text(&out.stderr));
        m
    }

    /// `borealis keys <command> --dir DIR <args>`.
    fn keys(&mut self, args: &[&str]) -> Output {
        let (command, rest) = args.split_first().unwrap();
        let out = Command::new(env!("CARGO_BIN_EXE_borealis"))
            .arg("keys")
            .arg(command)
            .arg("--dir")
            .arg(&self.dir)
            .args(rest)
            .output()
            .unwrap();
        self.outputs.extend_from_slice(&out.stdout);
        self.outputs.extend_from_slice(&out.stderr);
        out
    }

    fn msg(&self, name: &str) -> String {
        self.tmp.join(name).to_str().unwrap().to_owned()
    }

    /// Runs a ground command writing message `name`, asserts success, returns stdout.
    fn issue(&mut self, args: &[&str], name: &str) -> String {
        let path = self.msg(name);
        let mut full = args.to_vec();
        full.extend(["-o", &path]);
        let out = self.keys(&full);
        assert!(out.status.success(), "{args:?}: {}", text(&out.stderr));
        text(&out.stdout)
    }

    /// `apply` of message `name`, asserting success; returns stdout.
    fn apply(&mut self, name: &str) -> String {
        let path = self.msg(name);
        let out = self.keys(&["apply", &path]);
        assert!(out.status.success(), "apply {name}: {}", text(&out.stderr));
        text(&out.stdout)
    }

    fn show_json(&mut self) -> serde_json::Value {
        let out = self.keys(&["show", "--json"]);
        assert!(out.status.success(), "{}", text(&out.stderr));
        serde_json::from_slice(&out.stdout).unwrap()
    }

    fn path(&self, rel: &str) -> PathBuf {
        self.dir.join(rel)
    }

    /// The octets of a secret key file (`# comment` lines, then `<id> <hex>`).
    fn secret(&self, rel: &str) -> (u32, Vec<u8>) {
        let text = std::fs::read_to_string(self.path(rel)).unwrap();
        let line = text.lines().find(|l| !l.starts_with('#')).unwrap();
        let (id, hex_octets) = line.split_once(' ').unwrap();
        (id.parse().unwrap(), hex::decode(hex_octets).unwrap())
    }

    /// Every secret of the mission: the files' octets and every active key of the payload.
    fn secrets(&self) -> Vec<Vec<u8>> {
        let mut out: Vec<Vec<u8>> = [
            "ground/signing.seed",
            "ground/state.key",
            "payload/master.key",
        ]
        .iter()
        .map(|f| self.secret(f).1)
        .collect();
        let master: [u8; 32] = self.secret("payload/master.key").1.try_into().unwrap();
        let payload = otar::store::load(&self.path("payload/store.bin"), &master).unwrap();
        for id in payload.store().ids_in(otar::KeyState::Active) {
            out.push(
                payload
                    .store()
                    .resolve(id, KeyUsage::Open)
                    .unwrap()
                    .to_vec(),
            );
        }
        out
    }

    /// No secret octets, raw or in hex (either case), in anything the CLI printed.
    fn assert_no_secret_printed(&self) {
        let printed = String::from_utf8_lossy(&self.outputs).to_lowercase();
        let secrets = self.secrets();
        assert!(secrets.len() >= 6, "{}", secrets.len());
        for secret in secrets {
            let hex_secret = hex::encode(&secret);
            assert!(!printed.contains(&hex_secret), "secret printed: {printed}");
            // Any 8-octet window of the secret: a partial leak is a leak too.
            for window in secret.windows(8) {
                assert!(!printed.contains(&hex::encode(window)));
                assert!(!self.outputs.windows(8).any(|w| w == window));
            }
        }
    }
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// `(id, purpose, state)` of every key of one side of `show --json`.
fn keys_of(view: &serde_json::Value) -> Vec<(u64, String, String)> {
    view["keys"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| {
            (
                k["id"].as_u64().unwrap(),
                k["purpose"].as_str().unwrap_or("-").to_owned(),
                k["state"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

fn state_of(view: &serde_json::Value, id: u64) -> String {
    keys_of(view)
        .into_iter()
        .find(|k| k.0 == id)
        .map(|k| k.2)
        .unwrap_or_else(|| panic!("no key {id}"))
}

/// Both views of `show --json` list the same keys in the same states.
fn assert_views_agree(show: &serde_json::Value) {
    assert_eq!(keys_of(&show["ground"]), keys_of(&show["payload"]));
    assert_eq!(
        show["ground"]["last_counter"],
        show["payload"]["last_counter"]
    );
    assert_eq!(
        show["ground"]["signing_key"],
        show["payload"]["trusted_ground_key"]
    );
}

fn fingerprint_of_public_file(m: &Mission) -> String {
    use sha2::Digest;
    let text = std::fs::read_to_string(m.path("public/ground-signing-key.pub")).unwrap();
    let public = hex::decode(text.trim()).unwrap();
    assert_eq!(public.len(), otar::sign::PUBLIC_KEY_LEN);
    format!("SHA256:{}", hex::encode(sha2::Sha256::digest(&public)))
}

#[test]
fn full_lifecycle_matches_show_and_prints_no_secret() {
    let mut m = Mission::init("lifecycle", "on-command");

    // init → show: public facts only, JSON parses, both sides agree.
    let show = m.show_json();
    assert_eq!(show["ground"]["node"], 42);
    assert_eq!(show["ground"]["activation"], "on-command");
    assert_eq!(show["ground"]["signing_key"]["generation"], 1);
    assert_eq!(
        show["ground"]["signing_key"]["fingerprint"],
        fingerprint_of_public_file(&m).as_str()
    );
    assert_eq!(show["ground"]["next_counter"], 1);
    assert_eq!(show["payload"]["last_counter"], 0);
    assert_eq!(
        keys_of(&show["payload"]),
        [
            (1, "key-encryption".into(), "active".into()),
            (2, "bundle-integrity".into(), "active".into()),
            (3, "bundle-confidentiality".into(), "active".into()),
        ]
    );
    assert_views_agree(&show);
    let shown = text(&m.keys(&["show"]).stdout);
    assert!(shown.contains("#2 bundle-integrity active"), "{shown}");

    // upload → apply: the new key lands pre-active (on-command policy).
    m.issue(
        &["upload", "--id", "10", "--purpose", "bundle-integrity"],
        "1.msg",
    );
    assert_eq!(m.apply("1.msg").trim(), "ack: counter 1");
    let show = m.show_json();
    assert_eq!(state_of(&show["payload"], 10), "pre-active");
    assert_views_agree(&show);

    // verify → apply: the payload's proof is the one the ground expects.
    let issued = m.issue(&["verify", "--id", "10"], "2.msg");
    let expected = issued.trim().rsplit(' ').next().unwrap().to_owned();
    assert_eq!(expected.len(), 64, "{issued}");
    let answered = m.apply("2.msg");
    assert_eq!(
        answered.trim(),
        format!("verified: counter 2, key #10, proof {expected}")
    );

    // activate new → apply; deactivate old → apply; destroy old → apply.
    m.issue(&["activate", "--id", "10"], "3.msg");
    assert_eq!(m.apply("3.msg").trim(), "ack: counter 3");
    assert_eq!(state_of(&m.show_json()["payload"], 10), "active");
    m.issue(&["deactivate", "--id", "2"], "4.msg");
    m.apply("4.msg");
    assert_eq!(state_of(&m.show_json()["payload"], 2), "deactivated");
    m.issue(&["destroy", "--id", "2"], "5.msg");
    m.apply("5.msg");
    let show = m.show_json();
    assert_eq!(
        keys_of(&show["payload"]),
        [
            (1, "key-encryption".into(), "active".into()),
            (2, "-".into(), "destroyed".into()),
            (3, "bundle-confidentiality".into(), "active".into()),
            (10, "bundle-integrity".into(), "active".into()),
        ]
    );
    assert_views_agree(&show);
    assert_eq!(show["payload"]["last_counter"], 5);
    assert_eq!(show["ground"]["next_counter"], 6);

    // Replays are refused with the typed error and leave the store byte-identical.
    let store = std::fs::read(m.path("payload/store.bin")).unwrap();
    for replay in ["1.msg", "3.msg", "5.msg"] {
        let path = m.msg(replay);
        let out = m.keys(&["apply", &path]);
        assert_eq!(out.status.code(), Some(2), "{replay}");
        assert!(
            text(&out.stderr).contains("StaleCounter"),
            "{}",
            text(&out.stderr)
        );
        assert_eq!(std::fs::read(m.path("payload/store.bin")).unwrap(), store);
    }

    m.assert_no_secret_printed();
}

#[test]
fn ground_refuses_what_the_payload_would_refuse() {
    let mut m = Mission::init("refuse", "on-command");
    let state = std::fs::read(m.path("ground/state.bin")).unwrap();
    for (args, error) in [
        (&["activate", "--id", "99"][..], "UnknownKey"),
        (&["destroy", "--id", "2"][..], "KeyNotInState"),
        (
            &["upload", "--id", "3", "--purpose", "link-sdls"][..],
            "DuplicateKey",
        ),
        (
            &[
                "upload",
                "--id",
                "11",
                "--purpose",
                "link-sdls",
                "--kek",
                "2",
            ][..],
            "PurposeMismatch",
        ),
    ] {
        let path = m.msg("refused.msg");
        let mut full = args.to_vec();
        full.extend(["-o", &path]);
        let out = m.keys(&full);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(text(&out.stderr).contains(error), "{}", text(&out.stderr));
        assert!(!Path::new(&path).exists(), "no message written");
        assert_eq!(std::fs::read(m.path("ground/state.bin")).unwrap(), state);
    }
    // An existing message file is never overwritten (it may not have been sent yet).
    let path = m.msg("taken.msg");
    std::fs::write(&path, b"unsent").unwrap();
    let out = m.keys(&["deactivate", "--id", "2", "-o", &path]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(std::fs::read(&path).unwrap(), b"unsent");
    assert_eq!(std::fs::read(m.path("ground/state.bin")).unwrap(), state);
    m.assert_no_secret_printed();
}

#[test]
fn on_receipt_activates_uploads_as_applied() {
    let mut m = Mission::init("receipt", "on-receipt");
    m.issue(&["upload", "--id", "7", "--purpose", "link-sdls"], "1.msg");
    m.apply("1.msg");
    let show = m.show_json();
    assert_eq!(show["payload"]["activation"], "on-receipt");
    assert_eq!(state_of(&show["payload"], 7), "active");
    assert_views_agree(&show);
    m.assert_no_secret_printed();
}

#[test]
fn rotation_retires_the_old_signing_key() {
    let mut m = Mission::init("rotate", "on-command");
    let (generation, old_seed) = m.secret("ground/signing.seed");
    assert_eq!(generation, 1);

    let issued = m.issue(&["rotate"], "1.msg");
    assert!(issued.contains("generation 2"), "{issued}");
    let (generation, new_seed) = m.secret("ground/signing.seed");
    assert_eq!(generation, 2);
    assert_ne!(new_seed, old_seed);
    m.apply("1.msg");
    let show = m.show_json();
    assert_eq!(show["payload"]["trusted_ground_key"]["generation"], 2);
    assert_eq!(
        show["payload"]["trusted_ground_key"]["fingerprint"],
        fingerprint_of_public_file(&m).as_str()
    );
    assert_views_agree(&show);

    // The ground's next message is signed by generation 2 and accepted.
    m.issue(&["verify", "--id", "2"], "2.msg");
    m.apply("2.msg");

    // A message signed with the old generation (e.g. a compromised old key), with a fresh
    // counter, is refused; the store is unchanged.
    let old_seed: [u8; 32] = old_seed.try_into().unwrap();
    let mut old = otar::ground::Ground::new(otar::sign::SigningKey::from_seed(&old_seed, 1), 100);
    let forged = old
        .sign(
            42,
            otar::message::Body::Deactivate(otar::message::KeyIds::new(&[otar::KeyId(2)])),
        )
        .unwrap();
    let path = m.msg("forged.msg");
    std::fs::write(&path, forged).unwrap();
    let store = std::fs::read(m.path("payload/store.bin")).unwrap();
    let out = m.keys(&["apply", &path]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("BadSignature"),
        "{}",
        text(&out.stderr)
    );
    assert_eq!(std::fs::read(m.path("payload/store.bin")).unwrap(), store);
    assert_eq!(state_of(&m.show_json()["payload"], 2), "active");

    m.assert_no_secret_printed();
}

#[cfg(unix)]
#[test]
fn secret_files_are_private() {
    use std::os::unix::fs::PermissionsExt;
    let mut m = Mission::init("modes", "on-command");
    m.issue(&["rotate"], "1.msg");
    m.issue(
        &["upload", "--id", "9", "--purpose", "bundle-confidentiality"],
        "2.msg",
    );
    m.apply("1.msg");
    for secret in [
        "ground/signing.seed",
        "ground/state.key",
        "ground/state.bin",
        "payload/master.key",
        "payload/store.bin",
    ] {
        let mode = std::fs::metadata(m.path(secret))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600, "{secret}: {mode:o}");
    }
    for dir in ["ground", "payload"] {
        let mode = std::fs::metadata(m.path(dir)).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o700, "{dir}: {mode:o}");
    }
    // A secret file others may read is refused (the key-file permission check).
    let master = m.path("payload/master.key");
    std::fs::set_permissions(&master, std::fs::Permissions::from_mode(0o644)).unwrap();
    let out = m.keys(&["show"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("too open"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn init_refuses_an_existing_directory() {
    let mut m = Mission::init("exists", "on-command");
    let seed = std::fs::read(m.path("ground/signing.seed")).unwrap();
    let store = std::fs::read(m.path("payload/store.bin")).unwrap();
    let out = m.keys(&["init", "--payload-node", "7"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("already exists"),
        "{}",
        text(&out.stderr)
    );
    assert_eq!(std::fs::read(m.path("ground/signing.seed")).unwrap(), seed);
    assert_eq!(std::fs::read(m.path("payload/store.bin")).unwrap(), store);
    // An empty existing directory is refused too: `init` only creates.
    let empty = m.tmp.join("empty");
    std::fs::create_dir(&empty).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_borealis"))
        .args(["keys", "init", "--payload-node", "7", "--dir"])
        .arg(&empty)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(std::fs::read_dir(&empty).unwrap().count(), 0);
}

#[test]
fn help_documents_the_layout() {
    let out = Command::new(env!("CARGO_BIN_EXE_borealis"))
        .args(["keys", "--help"])
        .output()
        .unwrap();
    let help = text(&out.stdout);
    for file in [
        "ground/signing.seed",
        "ground/state.key",
        "ground/state.bin",
        "payload/master.key",
        "payload/store.bin",
        "public/ground-signing-key.pub",
    ] {
        assert!(help.contains(file), "{file}");
    }
}
