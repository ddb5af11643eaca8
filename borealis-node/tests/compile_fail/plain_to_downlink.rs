// Only a protected bundle reaches the downlink writer: a plain one is a type error.
use borealis_node::secured::{Bundle, Downlink};

fn main() {
    let plain = Bundle::new(Vec::new()).unwrap();
    let mut downlink = Downlink::new(|_: &[u8]| Ok(()));
    downlink.send(plain).unwrap();
}
