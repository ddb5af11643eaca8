// An active key cannot be destroyed directly: deactivate it first (355.1-B-1).
use otar::{Key, KeyId};
use zeroize::Zeroizing;

fn main() {
    let key = Key::new(KeyId(1), Zeroizing::new(vec![0; 32])).activate();
    let _receipt = key.destroy();
}
