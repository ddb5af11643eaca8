// Nor is the parsed bundle (primary block, blocks) of an unverified bundle.
use borealis_node::secured::Received;

fn main() {
    let received = Received::new(Vec::new());
    let _view = received.bundle();
}
