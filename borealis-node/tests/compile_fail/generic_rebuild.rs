// Nor can a generic function rebuild a bundle in another state from its octets: the fields
// are private, so `protect` stays the only way to a `Bundle<Protected>`.
use std::marker::PhantomData;

use borealis_node::secured::{Bundle, BundleState, Protected};

fn rebuild<S: BundleState>(bundle: Bundle<S>) -> Bundle<Protected> {
    Bundle {
        bytes: bundle.as_bytes().to_vec(),
        state: PhantomData,
    }
}

fn main() {}
