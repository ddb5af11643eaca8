// A pre-active key cannot be used: it has no octets to seal or resolve with.
use otar::{Key, KeyId};
use zeroize::Zeroizing;

fn main() {
    let key = Key::new(KeyId(1), Zeroizing::new(vec![0; 32]));
    let _octets: &[u8] = key.octets();
}
