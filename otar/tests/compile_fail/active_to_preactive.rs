// There is no transition from Active back to PreActive.
use otar::{Active, Key, KeyId, PreActive};
use zeroize::Zeroizing;

fn main() {
    let key: Key<Active> = Key::new(KeyId(1), Zeroizing::new(vec![0; 32])).activate();
    let _back: Key<PreActive> = key;
}
