// Only a verified bundle reaches a command handler: an unverified one is a type error.
use borealis_node::secured::{Handler, Received, Verified};

struct Commands;

impl Handler for Commands {
    type Output = ();
    fn handle(&mut self, _bundle: &Received<Verified>) {}
}

fn main() {
    let received = Received::new(Vec::new());
    Commands.handle(&received);
}
