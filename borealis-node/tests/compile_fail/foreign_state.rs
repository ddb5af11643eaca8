// The state traits are sealed: no crate can add a state (e.g. one meant to pass for
// `Protected`) to `Bundle` or `Received`.
use borealis_node::secured::{BundleState, ReceivedState};

enum Trusted {}

impl BundleState for Trusted {}
impl ReceivedState for Trusted {}

fn main() {}
