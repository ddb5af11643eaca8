// The payload and the bundle view of a received bundle are readable only once verified.
use borealis_node::secured::Received;

fn main() {
    let received = Received::new(Vec::new());
    let _payload: &[u8] = received.payload();
}
