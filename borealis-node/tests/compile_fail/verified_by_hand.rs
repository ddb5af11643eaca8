// A `Received<Verified>` cannot be built by hand: its fields are private (only `verify`
// makes one).
use std::marker::PhantomData;

use borealis_node::secured::{Received, Verified};

fn main() {
    let _forged: Received<Verified> = Received {
        bytes: Vec::new(),
        payload_span: 0..0,
        checked: bpsec::CheckedList::new(),
        parse: bpv7::bundle::ParseOptions::STRICT,
        state: PhantomData,
    };
}
