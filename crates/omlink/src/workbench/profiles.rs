//! Saved Ops Manager profiles: save (with the key in the keychain), duplicate, delete, the
//! last used one, and the built-in sandbox's profile pair.

use std::collections::HashSet;

use crate::atlas_profile::{AtlasConnection, AtlasDraft, AtlasLink};
use crate::book::{ProfileBook, free_name};
use crate::error::Error;
use crate::fields::ProfileId;
use crate::profile::{Profile, ProfileDraft};
use crate::secret_store::{link_token_account, private_key_account};

use super::{SandboxEndpoint, Workbench, gone, lock};

/// `base`, or `base 2`, `base 3`, … when a saved one has the name.
fn sandbox_name(base: &str, taken: impl Fn(&str) -> bool) -> String {
    free_name(base.to_owned(), |n| format!("{base} {n}"), taken)
}

/// The sandbox's Atlas connection: the existing one with the sandbox's new URL, or a new one.
pub(super) fn sandbox_atlas(
    book: &ProfileBook,
    endpoint: &SandboxEndpoint,
) -> Result<AtlasConnection, Error> {
    if let Some(existing) = book.atlas.iter().find(|c| c.sandbox) {
        return Ok(AtlasConnection {
            url: endpoint.url.clone(),
            ..existing.clone()
        });
    }
    let draft = AtlasDraft {
        name: sandbox_name("Sandbox Atlas", |n| book.find_atlas_by_name(n).is_some()),
        url: endpoint.url.to_string(),
        user: endpoint.atlas_client_id.to_string(),
        ..AtlasDraft::default()
    };
    Ok(AtlasConnection {
        sandbox: true,
        has_secret: true,
        ..book.validate_atlas(None, &draft)?
    })
}

/// The sandbox's profile: the existing one with the sandbox's new URL, or a new one.
pub(super) fn sandbox_profile(
    book: &ProfileBook,
    endpoint: &SandboxEndpoint,
) -> Result<Profile, Error> {
    let existing = book.profiles.iter().find(|p| p.sandbox).cloned();
    let profile = match existing {
        Some(p) => Profile {
            url: endpoint.url.clone(),
            ..p
        },
        None => {
            let draft = ProfileDraft {
                name: sandbox_name("Sandbox", |n| book.find_by_name(n).is_some()),
                url: endpoint.url.to_string(),
                public_key: endpoint.public_key.to_string(),
                ..ProfileDraft::default()
            };
            Profile {
                sandbox: true,
                has_private_key: true,
                ..book.validate(None, &draft)?
            }
        }
    };
    Ok(profile)
}

impl Workbench {
    /// Creates (`id` is `None`) or edits a profile, and makes it the last used one. A
    /// non-empty `private_key` goes to the keychain first: if that fails nothing is saved and
    /// the error says why.
    ///
    /// # Errors
    /// [`ErrorKind::InvalidInput`](crate::ErrorKind::InvalidInput) for a bad draft or key; [`ErrorKind::Keychain`](crate::ErrorKind::Keychain).
    pub fn save_profile(
        &self,
        id: Option<&ProfileId>,
        draft: &ProfileDraft,
        private_key: Option<&str>,
    ) -> Result<Profile, Error> {
        let profile: Profile = self.save_secured(id, draft, private_key)?;
        lock(&self.clients).remove(&profile.id);
        Ok(profile)
    }

    /// Copies a profile, its keychain entry included.
    ///
    /// # Errors
    /// [`ErrorKind::InvalidInput`](crate::ErrorKind::InvalidInput) for an unknown id; [`ErrorKind::Keychain`](crate::ErrorKind::Keychain).
    pub fn duplicate_profile(&self, id: &ProfileId) -> Result<Profile, Error> {
        let mut copy = self.profiles().duplicate(id)?;
        if let Some(key) = self.secrets.get(&private_key_account(id))? {
            self.secrets.set(&private_key_account(&copy.id), &key)?;
            copy.has_private_key = true;
        }
        self.update_book(|book| {
            if book.get(id).is_none() {
                return Err(gone());
            }
            let mut fresh = book.duplicate(id)?;
            fresh.id = copy.id.clone();
            fresh.has_private_key = copy.has_private_key;
            book.upsert(fresh.clone());
            Ok(fresh)
        })
    }

    /// Deletes a profile and its keychain entry (the keychain first: a profile whose key could
    /// not be removed stays listed).
    ///
    /// # Errors
    /// [`ErrorKind::InvalidInput`](crate::ErrorKind::InvalidInput) for an unknown id; [`ErrorKind::Keychain`](crate::ErrorKind::Keychain).
    pub fn delete_profile(&self, id: &ProfileId) -> Result<(), Error> {
        if self.profiles().get(id).is_none() {
            return Err(gone());
        }
        self.secrets.delete(&private_key_account(id))?;
        // Its link tokens go with it, unless another profile's history uses the same token.
        let orphaned = self.update(|data| {
            data.profiles.remove(id);
            let others: HashSet<String> = data
                .history
                .iter()
                .filter(|e| &e.profile_id != id)
                .map(|e| e.token_fingerprint.clone())
                .collect();
            let mut orphaned = Vec::new();
            for entry in data.history.iter_mut().filter(|e| &e.profile_id == id) {
                if entry.has_token && !others.contains(&entry.token_fingerprint) {
                    orphaned.push(entry.token_fingerprint.clone());
                }
                entry.has_token = false;
            }
            orphaned.sort();
            orphaned.dedup();
            Ok(orphaned)
        })?;
        lock(&self.clients).remove(id);
        for fingerprint in orphaned {
            self.secrets.delete(&link_token_account(&fingerprint))?;
        }
        Ok(())
    }

    /// Remembers the profile to open on the next start.
    ///
    /// # Errors
    /// [`ErrorKind::InvalidInput`](crate::ErrorKind::InvalidInput) for an unknown id; [`ErrorKind::Storage`](crate::ErrorKind::Storage).
    pub fn set_last_used(&self, id: &ProfileId) -> Result<(), Error> {
        let book = self.profiles();
        if book.get(id).is_none() {
            return Err(gone());
        }
        if book.last_used.as_ref() != Some(id) {
            self.update_book(|next| {
                next.last_used = Some(id.clone());
                Ok(())
            })?;
        }
        Ok(())
    }

    /// Registers the running sandbox and makes sure a profile named "Sandbox" uses it; returns
    /// that profile.
    ///
    /// # Errors
    /// [`ErrorKind::InvalidInput`](crate::ErrorKind::InvalidInput) when the store cannot be written.
    pub fn use_sandbox(&self, endpoint: SandboxEndpoint) -> Result<Profile, Error> {
        *lock(&self.sandbox) = Some(endpoint.clone());
        let profile = self.update_book(|book| {
            let atlas = sandbox_atlas(book, &endpoint)?;
            book.upsert_atlas(atlas.clone());
            let mut profile = sandbox_profile(book, &endpoint)?;
            // The sandbox mints its tokens in its own Atlas look-alike, unless the person chose
            // another connection for it.
            if profile.atlas.is_none() {
                profile.atlas = Some(AtlasLink {
                    connection: atlas.id,
                    org: None,
                    org_name: None,
                    access_list_ips: Vec::new(),
                });
            }
            book.upsert(profile.clone());
            book.last_used = Some(profile.id.clone());
            Ok(profile)
        })?;
        lock(&self.clients).remove(&profile.id);
        lock(&self.atlas_clients).clear();
        Ok(profile)
    }
}
