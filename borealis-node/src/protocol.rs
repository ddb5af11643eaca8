//! Placeholder: filled by issue #6 (see lib.rs).
