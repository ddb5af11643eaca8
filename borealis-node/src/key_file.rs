//! The operator's key file for `borealis bpsec`: text, one key per line as `<id> <hex octets>`,
//! `#` starting a comment, blank lines ignored.
//!
//! Key octets go straight into zeroizing storage ([`bpsec::StaticKeys`]); the file's text is
//! held in a zeroizing buffer too. No error message ever quotes a line: it could hold key
//! octets. As ssh does with private keys, a file that its group or others may read or write
//! is refused.

use bpsec::{KeyId, StaticKeys};
use std::fmt;
use std::io::Read;
use std::path::Path;
use zeroize::Zeroizing;

/// How the key file format is explained in `--help` and the README.
pub const FORMAT_HELP: &str = "\
KEY FILE: text, one key per line: `<id> <hex octets>` (id: 0..=4294967295), e.g.
    # RFC 9173 A.1 HMAC key
    1 1a2b1a2b1a2b1a2b1a2b1a2b1a2b1a2b
'#' starts a comment; blank lines are ignored. On unix the file must not be readable or
writable by group or others (chmod 600), else it is refused. Key octets are never printed.";

/// The keys of a key file.
pub struct KeyFile {
    /// The keys (zeroized on drop).
    pub keys: StaticKeys,
    /// Their ids, in file order.
    pub ids: Vec<KeyId>,
}

/// Why a key file was refused. Never carries any of the file's text.
#[derive(Debug)]
pub enum KeyFileError {
    /// The file cannot be opened or read.
    Io(std::io::Error),
    /// Group or others have access (`mode` is the permission bits).
    TooOpen {
        /// The file's permission bits.
        mode: u32,
    },
    /// A line is not `<id> <hex octets>`.
    Line {
        /// 1-based line number.
        line: usize,
        /// What is wrong, in words (never the line's content).
        reason: &'static str,
    },
    /// Two lines give the same id.
    Duplicate {
        /// 1-based line number of the second.
        line: usize,
        /// The id.
        id: KeyId,
    },
    /// No key at all.
    Empty,
}

impl fmt::Display for KeyFileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Io(e) => write!(f, "{e}"),
            Self::TooOpen { mode } => write!(
                f,
                "permissions {mode:04o} are too open: a key file must not be accessible by group \
                 or others (chmod 600)"
            ),
            Self::Line { line, reason } => write!(f, "line {line}: {reason}"),
            Self::Duplicate { line, id } => write!(f, "line {line}: key {id} is given twice"),
            Self::Empty => write!(f, "no key in the file"),
        }
    }
}

impl std::error::Error for KeyFileError {}

/// Opens `path`, checks its permissions on the open file (no window between check and read),
/// and parses it.
pub fn load(path: &Path) -> Result<KeyFile, KeyFileError> {
    let mut file = std::fs::File::open(path).map_err(KeyFileError::Io)?;
    let metadata = file.metadata().map_err(KeyFileError::Io)?;
    check_permissions(&metadata)?;
    let capacity = usize::try_from(metadata.len()).unwrap_or(0);
    let mut text = Zeroizing::new(Vec::with_capacity(capacity.saturating_add(1)));
    file.read_to_end(&mut text).map_err(KeyFileError::Io)?;
    parse(&text)
}

#[cfg(unix)]
fn check_permissions(metadata: &std::fs::Metadata) -> Result<(), KeyFileError> {
    use std::os::unix::fs::PermissionsExt;
    let mode = metadata.permissions().mode() & 0o7777;
    if mode & 0o077 != 0 {
        return Err(KeyFileError::TooOpen { mode });
    }
    Ok(())
}

#[cfg(not(unix))]
fn check_permissions(_metadata: &std::fs::Metadata) -> Result<(), KeyFileError> {
    Ok(())
}

/// Parses the text of a key file.
pub fn parse(text: &[u8]) -> Result<KeyFile, KeyFileError> {
    let text = std::str::from_utf8(text).map_err(|_| KeyFileError::Line {
        line: 1 + text.iter().filter(|&&b| b == b'\n').count(),
        reason: "not UTF-8 text",
    })?;
    let mut keys = StaticKeys::new();
    let mut ids = Vec::new();
    for (index, line) in text.lines().enumerate() {
        let line_no = index + 1;
        let bad = |reason| KeyFileError::Line {
            line: line_no,
            reason,
        };
        let content = line.split('#').next().unwrap_or_default();
        let mut fields = content.split_whitespace();
        let Some(id) = fields.next() else {
            continue;
        };
        let hex_octets = fields.next().ok_or(bad("no key octets after the id"))?;
        if fields.next().is_some() {
            return Err(bad("more than `<id> <hex octets>`"));
        }
        let id = KeyId(
            id.parse()
                .map_err(|_| bad("the id is not a number 0..=4294967295"))?,
        );
        if !hex_octets.len().is_multiple_of(2) {
            return Err(bad("the key is not an even number of hex digits"));
        }
        let mut octets = Zeroizing::new(vec![0u8; hex_octets.len() / 2]);
        hex::decode_to_slice(hex_octets, &mut octets)
            .map_err(|_| bad("the key is not hexadecimal"))?;
        if ids.contains(&id) {
            return Err(KeyFileError::Duplicate { line: line_no, id });
        }
        keys.insert(id, &octets);
        ids.push(id);
    }
    if ids.is_empty() {
        return Err(KeyFileError::Empty);
    }
    Ok(KeyFile { keys, ids })
}

#[cfg(test)]
mod tests {
    use super::*;
    use bpsec::{KeyResolver, KeyUsage};

    #[test]
    fn parses_keys_comments_and_blank_lines() {
        let f = parse(b"# keys\n\n 1 1a2b  # HMAC\n7\tABCDEF00\n").unwrap();
        assert_eq!(f.ids, [KeyId(1), KeyId(7)]);
        assert_eq!(
            f.keys.resolve(KeyId(1), KeyUsage::Open),
            Some(&[0x1a, 0x2b][..])
        );
        assert_eq!(
            f.keys.resolve(KeyId(7), KeyUsage::Open),
            Some(&[0xab, 0xcd, 0xef, 0][..])
        );
    }

    #[test]
    fn errors_name_the_line_never_its_content() {
        for (text, expected) in [
            (
                &b"1 1a2b\n2 1a2\n"[..],
                "line 2: the key is not an even number",
            ),
            (b"1 zz1a2b", "line 1: the key is not hexadecimal"),
            (b"x 1a2b", "line 1: the id is not a number"),
            (b"1", "line 1: no key octets"),
            (b"1 1a2b 3c4d", "line 1: more than"),
            (b"1 1a2b\n1 3c4d", "line 2: key #1 is given twice"),
            (b"# nothing\n", "no key in the file"),
            (b"\xff1 1a2b", "line 1: not UTF-8"),
        ] {
            let Err(e) = parse(text) else {
                panic!("{text:?} accepted")
            };
            let e = e.to_string();
            assert!(e.starts_with(expected), "{e}");
            for secret in ["1a2b", "3c4d", "zz"] {
                assert!(!e.contains(secret), "{e}");
            }
        }
    }
}
