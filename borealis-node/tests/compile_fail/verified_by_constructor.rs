// `Received::new` makes an unverified bundle only; a verified one has no constructor.
use borealis_node::secured::{Received, Verified};

fn main() {
    let _forged: Received<Verified> = Received::new(Vec::new());
}
