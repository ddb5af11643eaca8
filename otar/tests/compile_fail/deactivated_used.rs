// A deactivated key cannot be used either.
use otar::{Key, KeyId};
use zeroize::Zeroizing;

fn main() {
    let key = Key::new(KeyId(1), Zeroizing::new(vec![0; 32])).activate().deactivate();
    let _octets: &[u8] = key.octets();
}
