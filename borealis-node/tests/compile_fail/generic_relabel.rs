// A function generic over the state cannot relabel a bundle: `Bundle<S>` is a different type
// from `Bundle<Protected>`, and no conversion between states exists.
use borealis_node::secured::{Bundle, BundleState, Protected};

fn relabel<S: BundleState>(bundle: Bundle<S>) -> Bundle<Protected> {
    bundle
}

fn main() {}
