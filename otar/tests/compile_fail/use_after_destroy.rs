// A destroyed key is gone: destruction consumes it.
use otar::{Key, KeyId};
use zeroize::Zeroizing;

fn main() {
    let key = Key::new(KeyId(1), Zeroizing::new(vec![0; 32])).activate().deactivate();
    let _receipt = key.destroy();
    let _id = key.id();
}
