//! The [`KeyStore`] as the key store of the SDLS Extended Procedures (CCSDS 355.1-B-1, key
//! management): `ccsds_sdls::ep::Executor` runs OTAR, Key Activation / Deactivation /
//! Destruction, Key Verification and Key Inventory commands received over the space link
//! against the same store, and the same lifecycle, that serves BPSec.
//!
//! Mapping:
//!
//! - SDLS session keys are the store's keys of purpose [`Purpose::LinkSdls`], with their
//!   typestate ([`KeyState`]) mapped one to one onto `ccsds_sdls::ep::KeyState`; an OTAR upload
//!   is staged pre-active with that purpose. Keys of the bundle purposes are invisible over
//!   SDLS-EP (key separation): unknown to every command.
//! - SDLS master keys are the store's active [`Purpose::KeyEncryption`] keys (provisioned at
//!   integration, 355.1-B-1: never sent over the link); the executor takes them from the
//!   master-key id range (below 128, CryptoLib's convention) only.
//! - A destroyed id stays destroyed (the store remembers it and never reuses it, also across
//!   `save`/`load`); Key Inventory lists it as destroyed (the store keeps no purpose for a
//!   destroyed id, so destroyed ids of every purpose are listed). SDLS key ids are 16-bit: the
//!   store's ids above 65535 are out of reach.
//! - Key octets leave the store only for active keys (the typestate rule of [`crate::key`]).

use alloc::vec::Vec;

use bpsec::KeyId;
use ccsds_sdls::KeyMaterial;
use ccsds_sdls::ep::{self, EpError, KeyManagement};
use zeroize::Zeroizing;

use crate::store::{KeyStore, Purpose};
use crate::{KeyState, OtarError};

fn store_id(id: ccsds_sdls::KeyId) -> KeyId {
    KeyId(u32::from(id.0))
}

fn sdls_state(state: KeyState) -> ep::KeyState {
    match state {
        KeyState::PreActive => ep::KeyState::PreActive,
        KeyState::Active => ep::KeyState::Active,
        KeyState::Deactivated => ep::KeyState::Deactivated,
        KeyState::Destroyed => ep::KeyState::Destroyed,
    }
}

/// The store's refusal as the executor's (the executor checks first, so these are the store
/// disagreeing with what it reported).
fn ep_error(id: ccsds_sdls::KeyId, e: OtarError) -> EpError {
    match e {
        OtarError::UnknownKey(_) => EpError::UnknownKey(id),
        OtarError::KeyNotInState {
            expected, found, ..
        } => EpError::KeyState {
            key: id,
            expected: sdls_state(expected),
            found: sdls_state(found),
        },
        OtarError::DuplicateKey(_) | OtarError::KeyIdReused(_) => EpError::KeyExists(id),
        _ => EpError::KeyStore(id),
    }
}

impl KeyStore {
    /// The octets of key `id` if it is active and serves `purpose`.
    fn active_for(&self, id: ccsds_sdls::KeyId, purpose: Purpose) -> Option<KeyMaterial> {
        let id = store_id(id);
        if self.purpose(id) != Some(purpose) {
            return None;
        }
        KeyMaterial::new(self.active_octets(id)?).ok()
    }
}

impl KeyManagement for KeyStore {
    fn state(&self, id: ccsds_sdls::KeyId) -> Option<ep::KeyState> {
        let id = store_id(id);
        match self.purpose(id) {
            Some(Purpose::LinkSdls) => self.state(id).map(sdls_state),
            Some(_) => None,
            // Destroyed keys keep only their id.
            None => self.state(id).map(sdls_state),
        }
    }

    fn active_key(&self, id: ccsds_sdls::KeyId) -> Option<KeyMaterial> {
        self.active_for(id, Purpose::LinkSdls)
    }

    fn master_key(&self, mkid: ccsds_sdls::KeyId) -> Option<KeyMaterial> {
        self.active_for(mkid, Purpose::KeyEncryption)
    }

    fn is_free(&self, id: ccsds_sdls::KeyId) -> bool {
        self.state(store_id(id)).is_none()
    }

    fn install(&mut self, id: ccsds_sdls::KeyId, key: &[u8]) -> Result<(), EpError> {
        let octets = Zeroizing::new(key.to_vec());
        self.stage(store_id(id), Purpose::LinkSdls, octets)
            .map_err(|e| ep_error(id, e))
    }

    fn transition(&mut self, id: ccsds_sdls::KeyId, to: ep::KeyState) -> Result<(), EpError> {
        let sid = store_id(id);
        // Only link keys change over SDLS-EP.
        if self.purpose(sid) != Some(Purpose::LinkSdls) {
            return Err(EpError::UnknownKey(id));
        }
        let done = match to {
            ep::KeyState::Active => self.activate(sid),
            ep::KeyState::Deactivated => self.deactivate(sid),
            // The octets are zeroized as the key is consumed (`Key::destroy`).
            ep::KeyState::Destroyed => self.destroy(sid).map(|_| ()),
            // Nothing moves back to pre-active.
            ep::KeyState::PreActive => return Err(EpError::KeyStore(id)),
        };
        done.map_err(|e| ep_error(id, e))
    }

    fn inventory(
        &self,
        first: ccsds_sdls::KeyId,
        last: ccsds_sdls::KeyId,
        visit: &mut dyn FnMut(ccsds_sdls::KeyId, ep::KeyState),
    ) {
        let in_range = |id: &KeyId| (store_id(first)..=store_id(last)).contains(id);
        let mut listed: Vec<(KeyId, KeyState)> = [
            KeyState::PreActive,
            KeyState::Active,
            KeyState::Deactivated,
            KeyState::Destroyed,
        ]
        .into_iter()
        .flat_map(|state| self.ids_in(state).map(move |id| (id, state)))
        .filter(|(id, state)| {
            in_range(id)
                && (*state == KeyState::Destroyed || self.purpose(*id) == Some(Purpose::LinkSdls))
        })
        .collect();
        listed.sort_unstable();
        for (id, state) in listed {
            if let Ok(id) = u16::try_from(id.0) {
                visit(ccsds_sdls::KeyId(id), sdls_state(state));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec;

    #[test]
    fn only_link_keys_are_visible() {
        let mut s = KeyStore::new();
        s.provision(KeyId(0), Purpose::KeyEncryption, &[1; 32])
            .unwrap();
        s.provision(KeyId(200), Purpose::BundleIntegrity, &[2; 32])
            .unwrap();
        s.stage(KeyId(201), Purpose::LinkSdls, Zeroizing::new(vec![3; 32]))
            .unwrap();
        let sid = ccsds_sdls::KeyId;
        assert_eq!(KeyManagement::state(&s, sid(0)), None);
        assert!(s.master_key(sid(0)).is_some());
        assert!(s.master_key(sid(201)).is_none());
        assert_eq!(KeyManagement::state(&s, sid(200)), None);
        assert!(
            !s.is_free(sid(200)),
            "a bundle key's id is taken all the same"
        );
        assert_eq!(
            s.transition(sid(200), ep::KeyState::Deactivated),
            Err(EpError::UnknownKey(sid(200)))
        );
        assert_eq!(
            KeyManagement::state(&s, sid(201)),
            Some(ep::KeyState::PreActive)
        );
        s.transition(sid(201), ep::KeyState::Destroyed).unwrap();
        let mut seen = vec![];
        s.inventory(sid(0), sid(300), &mut |id, st| seen.push((id, st)));
        assert_eq!(seen, [(sid(201), ep::KeyState::Destroyed)]);
    }
}
