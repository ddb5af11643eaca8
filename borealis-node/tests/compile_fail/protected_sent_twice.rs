// `Downlink::send` takes the protected bundle by value: it is written once.
use borealis_node::secured::{Bundle, Downlink, Protected};

fn send_twice(bundle: Bundle<Protected>) {
    let mut downlink = Downlink::new(|_: &[u8]| Ok(()));
    downlink.send(bundle).unwrap();
    downlink.send(bundle).unwrap();
}

fn main() {}
