// A `Bundle<Protected>` has no constructor: `new` exists for `Bundle<Plain>` only, and the
// only way from plain to protected is `protect`.
use borealis_node::secured::{Bundle, Protected};

fn main() {
    let _forged = Bundle::<Protected>::new(Vec::new());
}
