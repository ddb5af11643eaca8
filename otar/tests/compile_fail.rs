#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]
//! The illegal key-lifecycle transitions of 355.1-B-1 do not compile (typestate, `otar::key`).

#[test]
fn illegal_key_transitions_do_not_compile() {
    let t = trybuild::TestCases::new();
    t.compile_fail("tests/compile_fail/*.rs");
}
