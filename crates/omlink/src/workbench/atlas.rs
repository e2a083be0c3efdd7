//! Atlas connections and the Atlas side of a profile: save and delete a connection (its secret
//! in the keychain), its organizations, available projects, the preflight, token generation
//! and revocation.

use std::sync::Arc;

use crate::access_list::parse_access_list;
use crate::atlas::AtlasClient;
use crate::atlas_profile::{AtlasConnection, AtlasDraft, AtlasLink, AtlasTarget};
use crate::error::Error;
use crate::fields::ProfileId;
use crate::model::Organization;
use crate::profile::Profile;
use crate::secret::LinkToken;
use crate::secret_store::atlas_secret_account;
use crate::validate::OrgId;

use super::{Workbench, blocking_build, gone, lock, no_atlas_connection};

impl Workbench {
    /// Creates (`id` is `None`) or edits an Atlas connection. A non-empty `secret` (the client
    /// secret or the private key) goes to the keychain first: if that fails nothing is saved.
    ///
    /// # Errors
    /// [`ErrorKind::InvalidInput`](crate::ErrorKind::InvalidInput) for a bad draft or secret; [`ErrorKind::Keychain`](crate::ErrorKind::Keychain).
    pub fn save_atlas(
        &self,
        id: Option<&ProfileId>,
        draft: &AtlasDraft,
        secret: Option<&str>,
    ) -> Result<AtlasConnection, Error> {
        let connection: AtlasConnection = self.save_secured(id, draft, secret)?;
        lock(&self.atlas_clients).remove(&connection.id);
        Ok(connection)
    }

    /// Deletes an Atlas connection and its keychain entry; profiles that used it keep their
    /// settings but no longer name it.
    ///
    /// # Errors
    /// [`ErrorKind::InvalidInput`](crate::ErrorKind::InvalidInput) for an unknown id; [`ErrorKind::Keychain`](crate::ErrorKind::Keychain).
    pub fn delete_atlas(&self, id: &ProfileId) -> Result<(), Error> {
        if self.profiles().get_atlas(id).is_none() {
            return Err(no_atlas_connection());
        }
        self.secrets.delete(&atlas_secret_account(id))?;
        self.update_book(|book| {
            book.remove_atlas(id);
            Ok(())
        })?;
        lock(&self.atlas_clients).remove(id);
        Ok(())
    }

    /// The Atlas client of a connection, built once and reused (its connections and its
    /// service account's access token stay alive, in memory only).
    pub(super) async fn atlas_client(
        &self,
        id: &ProfileId,
    ) -> Result<(AtlasConnection, Arc<AtlasClient>), Error> {
        let connection = lock(&self.book)
            .get_atlas(id)
            .cloned()
            .ok_or_else(no_atlas_connection)?;
        let build = async {
            let config = if connection.sandbox {
                let sandbox = self.running_sandbox()?;
                let mut config = AtlasConnection {
                    url: sandbox.url,
                    user: sandbox.atlas_client_id.to_string(),
                    auth: crate::AtlasAuth::ServiceAccount,
                    ..connection.clone()
                }
                .config(sandbox.atlas_client_secret)?;
                config.tls = connection.tls.clone();
                config
            } else {
                let missing = || {
                    Error::invalid_input(
                        format!(
                            "No secret is saved for Atlas connection \"{}\"",
                            connection.name
                        ),
                        "Edit the Atlas connection and enter its client secret or private key.",
                    )
                };
                let secret = self.saved_secret(atlas_secret_account(id), missing).await?;
                connection.config(secret)?
            };
            // Building reads the CA file: off the async runtime.
            blocking_build(move || AtlasClient::new(config)).await
        };
        let client = self.cached(&self.atlas_clients, id, build).await?;
        Ok((connection, client))
    }

    /// The Atlas connection a profile mints its tokens with.
    pub(super) fn atlas_link_of(&self, id: &ProfileId) -> Result<(Profile, AtlasLink), Error> {
        let profile = lock(&self.book).get(id).cloned().ok_or_else(gone)?;
        let link = profile.atlas.clone().ok_or_else(|| {
            Error::invalid_input(
                format!("Profile \"{}\" has no Atlas connection", profile.name),
                "Edit the profile and choose its Atlas connection, or paste a link token.",
            )
        })?;
        Ok((profile, link))
    }

    /// Every Atlas organization an Atlas connection can see, by name.
    ///
    /// # Errors
    /// Any [`ErrorKind`](crate::ErrorKind).
    pub async fn atlas_orgs(&self, connection: &ProfileId) -> Result<Vec<Organization>, Error> {
        let (_, client) = self.atlas_client(connection).await?;
        let mut orgs = client.list_orgs().await?;
        orgs.sort_by_cached_key(|o| o.name.to_lowercase());
        Ok(orgs)
    }

    /// The projects Atlas organization `atlas_org` can migrate from (those of linked sources),
    /// through the profile's Atlas connection.
    ///
    /// # Errors
    /// [`ErrorKind::InvalidInput`](crate::ErrorKind::InvalidInput) when the profile has no Atlas connection; any other kind.
    pub async fn available_projects(
        &self,
        id: &ProfileId,
        atlas_org: &OrgId,
    ) -> Result<Vec<crate::AvailableProject>, Error> {
        let (_, link) = self.atlas_link_of(id)?;
        let (_, client) = self.atlas_client(&link.connection).await?;
        client.available_projects(atlas_org).await
    }

    /// Revokes the link token of Atlas organization `atlas_org` through the profile's Atlas
    /// connection: this removes the link and the API key the token carries.
    ///
    /// # Errors
    /// [`ErrorKind::InvalidInput`](crate::ErrorKind::InvalidInput) when the profile has no Atlas connection; any other kind.
    pub async fn revoke_link_token(&self, id: &ProfileId, atlas_org: &OrgId) -> Result<(), Error> {
        let (_, link) = self.atlas_link_of(id)?;
        let (_, client) = self.atlas_client(&link.connection).await?;
        client.revoke_link_token(atlas_org).await
    }

    /// Per project of `org`, whether MongoDB supports push live migration from its deployments
    /// (see [`preflight`](crate::preflight)).
    ///
    /// # Errors
    /// Any [`ErrorKind`](crate::ErrorKind).
    pub async fn preflight(
        &self,
        id: &ProfileId,
        org: &OrgId,
    ) -> Result<Vec<crate::preflight::ProjectCheck>, Error> {
        let (profile, client) = self.client(id).await?;
        crate::preflight::preflight(&client, profile.kind, org).await
    }

    /// Remembers the Atlas organization and addresses a profile minted with, to offer them
    /// first next time. Nothing is written when they are what is saved.
    pub(super) fn remember_target(
        &self,
        id: &ProfileId,
        target: &AtlasTarget,
    ) -> Result<(), Error> {
        let (_, link) = self.atlas_link_of(id)?;
        let wanted = AtlasLink {
            connection: link.connection.clone(),
            org: Some(target.org.clone()),
            org_name: target.org_name.clone(),
            access_list_ips: target.access_list_ips.clone(),
        };
        let wanted = self.profiles().validate_atlas_link(&wanted)?;
        if wanted == link {
            return Ok(());
        }
        self.update_book(|book| {
            let profile = book
                .profiles
                .iter_mut()
                .find(|p| &p.id == id)
                .ok_or_else(gone)?;
            profile.atlas = Some(wanted);
            Ok(())
        })
    }

    /// Mints a link token in `target`'s Atlas organization with the profile's Atlas
    /// connection.
    pub(super) async fn mint(
        &self,
        id: &ProfileId,
        target: &AtlasTarget,
    ) -> Result<LinkToken, Error> {
        let ips = parse_access_list(&target.access_list_ips)?;
        let (_, link) = self.atlas_link_of(id)?;
        let (_, client) = self.atlas_client(&link.connection).await?;
        client.create_link_token(&target.org, &ips).await
    }
}
