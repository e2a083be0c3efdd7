//! The profile book: every saved Ops Manager profile and Atlas connection, the last used one,
//! and the rules that keep them consistent (unique names, links to existing connections).

use serde::{Deserialize, Serialize};

use crate::access_list::parse_access_list;
use crate::atlas::ATLAS_URL;
use crate::atlas_profile::{AtlasAuth, AtlasConnection, AtlasDraft, AtlasLink};
use crate::error::Error;
use crate::fields::{ProfileId, check_name, checked_timeout, checked_tls, normalize_name};
use crate::oauth::ClientId;
use crate::profile::{Profile, ProfileDraft, ServerKind};
use crate::validate::{BaseUrl, CLOUD_MANAGER_URL, PublicKey};

/// The first of `first`, `numbered(2)`, `numbered(3)`, … that is not `taken`.
pub(crate) fn free_name(
    first: String,
    numbered: impl Fn(u32) -> String,
    taken: impl Fn(&str) -> bool,
) -> String {
    let mut name = first;
    let mut n = 2;
    while taken(&name) {
        name = numbered(n);
        n += 1;
    }
    name
}

/// All saved profiles and which one was used last.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ProfileBook {
    /// The profiles, in creation order.
    pub profiles: Vec<Profile>,
    /// The profile to open on start.
    pub last_used: Option<ProfileId>,
    /// The saved Atlas connections, in creation order.
    pub atlas: Vec<AtlasConnection>,
    /// Fields a newer omlink wrote that this version does not know: kept as they are.
    #[serde(flatten)]
    pub extra: serde_json::Map<String, serde_json::Value>,
}

impl ProfileBook {
    /// The profile with this id.
    pub fn get(&self, id: &ProfileId) -> Option<&Profile> {
        self.profiles.iter().find(|p| &p.id == id)
    }

    /// The profile with this name (case-insensitive, Unicode NFC).
    pub fn find_by_name(&self, name: &str) -> Option<&Profile> {
        let name = normalize_name(name);
        self.profiles
            .iter()
            .find(|p| normalize_name(&p.name).eq_ignore_ascii_case(&name))
    }

    /// Validates `draft` into a profile: a new one when `id` is `None`, else an edit of `id`
    /// (keeping its keychain state). Nothing is stored: see [`upsert`](Self::upsert).
    ///
    /// # Errors
    /// [`ErrorKind::InvalidInput`](crate::ErrorKind::InvalidInput) for an empty, overlong or
    /// duplicate name, a bad URL, public key, CA file or timeout, or an unknown `id`.
    pub fn validate(&self, id: Option<&ProfileId>, draft: &ProfileDraft) -> Result<Profile, Error> {
        let existing = match id {
            Some(id) => Some(self.get(id).ok_or_else(|| {
                Error::invalid_input("That profile no longer exists", "Reload the profile list.")
            })?),
            None => None,
        };
        let name = check_name(
            &draft.name,
            "Name the profile after its server, such as \"Ops Manager prod\".",
        )?;
        let name = name.as_str();
        if let Some(other) = self.find_by_name(name)
            && Some(&other.id) != id
        {
            return Err(Error::invalid_input(
                format!("A profile named \"{}\" already exists", other.name),
                "Choose another name.",
            ));
        }
        let url = match draft.kind {
            ServerKind::CloudManager => BaseUrl::new(CLOUD_MANAGER_URL)?,
            ServerKind::OpsManager => BaseUrl::new(&draft.url)?,
        };
        let timeout_secs = checked_timeout(draft.timeout_secs)?;
        let tls = checked_tls(draft.ca_file.as_ref(), draft.skip_verify)?;
        let atlas = draft
            .atlas
            .as_ref()
            .map(|link| self.validate_atlas_link(link))
            .transpose()?;
        let public_key = PublicKey::new(&draft.public_key)?;
        // A saved key is bound to the server and the key pair it was saved for: a new origin,
        // public key or TLS setting clears it (the caller removes it from the keychain), unless
        // the save enters the key again.
        let keeps_key = |p: &Profile| {
            p.has_private_key
                && p.url.origin() == url.origin()
                && p.public_key == public_key
                && p.tls == tls
        };
        Ok(Profile {
            id: existing.map_or_else(ProfileId::generate, |p| p.id.clone()),
            name: name.to_owned(),
            kind: draft.kind,
            has_private_key: existing.is_some_and(keeps_key),
            url,
            public_key,
            tls,
            timeout_secs,
            sandbox: existing.is_some_and(|p| p.sandbox),
            atlas,
            extra: existing.map(|p| p.extra.clone()).unwrap_or_default(),
        })
    }

    /// Inserts or replaces a profile (matched by id) and makes it the last used one: a profile
    /// just saved is the one a person works with next.
    pub fn upsert_and_use(&mut self, profile: Profile) {
        self.last_used = Some(profile.id.clone());
        self.upsert(profile);
    }

    /// Inserts or replaces a profile (matched by id).
    pub fn upsert(&mut self, profile: Profile) {
        match self.profiles.iter_mut().find(|p| p.id == profile.id) {
            Some(slot) => *slot = profile,
            None => self.profiles.push(profile),
        }
    }

    /// A copy of profile `id` under a new id and a free name ("… (copy)", "… (copy 2)", …),
    /// without a private key: the caller copies the keychain entry.
    ///
    /// # Errors
    /// [`ErrorKind::InvalidInput`](crate::ErrorKind::InvalidInput) for an unknown id.
    pub fn duplicate(&self, id: &ProfileId) -> Result<Profile, Error> {
        let original = self.get(id).ok_or_else(|| {
            Error::invalid_input("That profile no longer exists", "Reload the profile list.")
        })?;
        let name = free_name(
            format!("{} (copy)", original.name),
            |n| format!("{} (copy {n})", original.name),
            |name| self.find_by_name(name).is_some(),
        );
        Ok(Profile {
            id: ProfileId::generate(),
            name,
            has_private_key: false,
            ..original.clone()
        })
    }

    /// Removes profile `id`; returns it, or `None` when it was not there.
    pub fn remove(&mut self, id: &ProfileId) -> Option<Profile> {
        let index = self.profiles.iter().position(|p| &p.id == id)?;
        if self.last_used.as_ref() == Some(id) {
            self.last_used = None;
        }
        Some(self.profiles.remove(index))
    }
}

impl ProfileBook {
    /// The Atlas connection with this id.
    pub fn get_atlas(&self, id: &ProfileId) -> Option<&AtlasConnection> {
        self.atlas.iter().find(|c| &c.id == id)
    }

    /// The Atlas connection with this name (case-insensitive, Unicode NFC).
    pub fn find_atlas_by_name(&self, name: &str) -> Option<&AtlasConnection> {
        let name = crate::fields::normalize_name(name);
        self.atlas
            .iter()
            .find(|c| crate::fields::normalize_name(&c.name).eq_ignore_ascii_case(&name))
    }

    /// Validates `draft` into an Atlas connection: a new one when `id` is `None`, else an edit
    /// of `id` (keeping its keychain state). Nothing is stored: see
    /// [`upsert_atlas`](Self::upsert_atlas).
    ///
    /// # Errors
    /// [`ErrorKind::InvalidInput`](crate::ErrorKind::InvalidInput) for a bad or duplicate name,
    /// URL, client id or public key, CA file or timeout, or an unknown `id`.
    pub fn validate_atlas(
        &self,
        id: Option<&ProfileId>,
        draft: &AtlasDraft,
    ) -> Result<AtlasConnection, Error> {
        let existing = match id {
            Some(id) => Some(self.get_atlas(id).ok_or_else(|| {
                Error::invalid_input(
                    "That Atlas connection no longer exists",
                    "Reload the list of connections.",
                )
            })?),
            None => None,
        };
        let name = check_name(
            &draft.name,
            "Name the connection after its Atlas account, such as \"Atlas\".",
        )?;
        if let Some(other) = self.find_atlas_by_name(&name)
            && Some(&other.id) != id
        {
            return Err(Error::invalid_input(
                format!(
                    "An Atlas connection named \"{}\" already exists",
                    other.name
                ),
                "Choose another name.",
            ));
        }
        let url = BaseUrl::new(if draft.url.trim().is_empty() {
            ATLAS_URL
        } else {
            draft.url.trim()
        })?;
        let user = match draft.auth {
            AtlasAuth::ServiceAccount => ClientId::new(&draft.user)?.to_string(),
            AtlasAuth::ApiKey => PublicKey::new(&draft.user)?.to_string(),
        };
        let tls = crate::fields::checked_tls(draft.ca_file.as_ref(), draft.skip_verify)?;
        // The saved secret is bound to where and as whom it signs in: a new origin, sign-in
        // method, client id or public key, or TLS setting clears it (the caller removes it
        // from the keychain), unless the save enters it again.
        let keeps_secret = |c: &AtlasConnection| {
            c.has_secret
                && c.url.origin() == url.origin()
                && c.auth == draft.auth
                && c.user == user
                && c.tls == tls
        };
        Ok(AtlasConnection {
            id: existing.map_or_else(ProfileId::generate, |c| c.id.clone()),
            name,
            has_secret: existing.is_some_and(keeps_secret),
            url,
            auth: draft.auth,
            user,
            tls,
            timeout_secs: checked_timeout(draft.timeout_secs)?,
            sandbox: existing.is_some_and(|c| c.sandbox),
            extra: existing.map(|c| c.extra.clone()).unwrap_or_default(),
        })
    }

    /// Inserts or replaces an Atlas connection (matched by id).
    pub fn upsert_atlas(&mut self, connection: AtlasConnection) {
        match self.atlas.iter_mut().find(|c| c.id == connection.id) {
            Some(slot) => *slot = connection,
            None => self.atlas.push(connection),
        }
    }

    /// Removes Atlas connection `id` and every profile's link to it; returns it, or `None`
    /// when it was not there.
    pub fn remove_atlas(&mut self, id: &ProfileId) -> Option<AtlasConnection> {
        let index = self.atlas.iter().position(|c| &c.id == id)?;
        for profile in &mut self.profiles {
            if profile.atlas.as_ref().is_some_and(|l| &l.connection == id) {
                profile.atlas = None;
            }
        }
        Some(self.atlas.remove(index))
    }

    /// Checks an Ops Manager profile's Atlas link: its connection exists and its access-list
    /// entries are IP addresses or CIDR blocks (written back normalized).
    ///
    /// # Errors
    /// [`ErrorKind::InvalidInput`](crate::ErrorKind::InvalidInput).
    pub fn validate_atlas_link(&self, link: &AtlasLink) -> Result<AtlasLink, Error> {
        if self.get_atlas(&link.connection).is_none() {
            return Err(Error::invalid_input(
                "That Atlas connection no longer exists",
                "Choose an Atlas connection from the list, or add one.",
            ));
        }
        let org_name = link
            .org_name
            .as_deref()
            .map(str::trim)
            .filter(|n| !n.is_empty())
            .map(|n| crate::error::sanitize(n).chars().take(200).collect());
        Ok(AtlasLink {
            connection: link.connection.clone(),
            org: link.org.clone(),
            org_name: link.org.as_ref().and(org_name),
            access_list_ips: parse_access_list(&link.access_list_ips)?
                .iter()
                .map(ToString::to_string)
                .collect(),
        })
    }
}
