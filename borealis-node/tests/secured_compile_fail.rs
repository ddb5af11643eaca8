#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]
//! The illegal paths of the `secured` typestate do not compile (issue #6, "Fail closed by
//! construction"; DESIGN.md, "Typestate where illegal states exist"). Each case in
//! `tests/compile_fail/` names the rule it proves.

#[test]
fn illegal_bundle_states_do_not_compile() {
    let t = trybuild::TestCases::new();
    t.compile_fail("tests/compile_fail/*.rs");
}
