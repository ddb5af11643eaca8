// A `Bundle<Protected>` cannot be built by hand: its fields are private (only `protect`
// makes one).
use std::marker::PhantomData;

use borealis_node::secured::{Bundle, Protected};

fn main() {
    let _forged: Bundle<Protected> = Bundle {
        bytes: Vec::new(),
        state: PhantomData,
    };
}
