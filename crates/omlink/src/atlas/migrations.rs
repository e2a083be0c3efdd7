//! The Atlas client's live-migration calls: the destination projects and clusters, validate,
//! create, read and cut over, each with its own API version (see
//! [`Operation::media_type`](crate::error::Operation)).

use bytes::Bytes;
use reqwest::Method;
use serde::de::DeserializeOwned;
use zeroize::Zeroizing;

use super::AtlasClient;
use crate::error::{Call, Error, Operation};
use crate::http::check;
use crate::ids::{MigrationId, ProjectId};
use crate::migration::{AtlasCluster, AtlasProject, LiveMigration, MigrationRequest, Validation};
use crate::validate::OrgId;

impl AtlasClient {
    /// The projects of Atlas organization `org`: `GET /orgs/{orgId}/groups`, page after page.
    ///
    /// # Errors
    /// Any [`ErrorKind`](crate::ErrorKind) but `InvalidInput`.
    pub async fn list_projects(&self, org: &OrgId) -> Result<Vec<AtlasProject>, Error> {
        let call = self.inner.call(Operation::AtlasProjects, Some(org));
        self.inner
            .paged(call, &format!("/orgs/{org}/groups"), "a list of projects")
            .await
    }

    /// The clusters of Atlas project `project`: `GET /groups/{groupId}/clusters` (version
    /// 2024-08-05; the older shape is read too), page after page.
    ///
    /// # Errors
    /// Any [`ErrorKind`](crate::ErrorKind) but `InvalidInput`.
    pub async fn list_clusters(&self, project: &ProjectId) -> Result<Vec<AtlasCluster>, Error> {
        let call = self.inner.call_on(Operation::AtlasClusters, project);
        self.inner
            .paged(
                call,
                &format!("/groups/{project}/clusters"),
                "a list of clusters",
            )
            .await
    }

    /// Asks Atlas to validate `request`: `POST /groups/{groupId}/liveMigrations/validate`
    /// (version 2024-05-30). The answer is usually `PENDING`: poll
    /// [`validation`](Self::validation).
    ///
    /// # Errors
    /// Any [`ErrorKind`](crate::ErrorKind) but `InvalidInput`.
    pub async fn validate_migration(
        &self,
        request: &MigrationRequest,
    ) -> Result<Validation, Error> {
        let project = &request.atlas_project;
        let call = self.inner.call_on(Operation::ValidateMigration, project);
        let path = format!("/groups/{project}/liveMigrations/validate");
        self.send_request(call, &path, request).await
    }

    /// A validation's state: `GET /groups/{groupId}/liveMigrations/validate/{id}`.
    ///
    /// # Errors
    /// Any [`ErrorKind`](crate::ErrorKind) but `InvalidInput`.
    pub async fn validation(
        &self,
        project: &ProjectId,
        id: &MigrationId,
    ) -> Result<Validation, Error> {
        let call = self.inner.call_on(Operation::ValidationStatus, project);
        let path = format!("/groups/{project}/liveMigrations/validate/{id}");
        self.read(call, &path, "a validation").await
    }

    /// Starts the migration: `POST /groups/{groupId}/liveMigrations` (version 2024-05-30).
    ///
    /// # Errors
    /// Any [`ErrorKind`](crate::ErrorKind) but `InvalidInput`; a 409 (`Rejected`) when another
    /// migration uses the migration host or the destination cluster.
    pub async fn create_migration(
        &self,
        request: &MigrationRequest,
    ) -> Result<LiveMigration, Error> {
        let project = &request.atlas_project;
        let call = self.inner.call_on(Operation::CreateMigration, project);
        let path = format!("/groups/{project}/liveMigrations");
        self.send_request(call, &path, request).await
    }

    /// A migration's state: `GET /groups/{groupId}/liveMigrations/{id}`.
    ///
    /// # Errors
    /// Any [`ErrorKind`](crate::ErrorKind) but `InvalidInput`.
    pub async fn migration(
        &self,
        project: &ProjectId,
        id: &MigrationId,
    ) -> Result<LiveMigration, Error> {
        let call = self.inner.call_on(Operation::MigrationStatus, project);
        let path = format!("/groups/{project}/liveMigrations/{id}");
        self.read(call, &path, "a live migration").await
    }

    /// Cuts the migration over: `PUT /groups/{groupId}/liveMigrations/{id}/cutover`, no body;
    /// any 2xx is success (the specification says 202, others saw 204 and 200).
    ///
    /// # Errors
    /// Any [`ErrorKind`](crate::ErrorKind) but `InvalidInput`.
    pub async fn cutover(&self, project: &ProjectId, id: &MigrationId) -> Result<(), Error> {
        let call = self.inner.call_on(Operation::Cutover, project);
        let url = self.inner.url(
            &format!("/groups/{project}/liveMigrations/{id}/cutover"),
            &[],
        );
        self.inner
            .within_deadline(call, async {
                check(
                    self.inner.send(call, Method::PUT, url, None, None).await?,
                    call,
                )?;
                Ok(())
            })
            .await
    }

    async fn send_request<T: DeserializeOwned>(
        &self,
        call: Call<'_>,
        path: &str,
        request: &MigrationRequest,
    ) -> Result<T, Error> {
        let url = self.inner.url(path, &[]);
        // The body carries the source password: this copy is wiped, the one handed to the
        // HTTP stack is freed once sent; neither is ever excerpted into an error.
        let body = Zeroizing::new(request.body());
        self.inner
            .within_deadline(call, async {
                let answer = self
                    .inner
                    .send(
                        call,
                        Method::POST,
                        url,
                        Some(Bytes::copy_from_slice(&body)),
                        None,
                    )
                    .await?;
                let answer = check(answer, call)?;
                serde_json::from_slice(&answer.body).map_err(|_| {
                    Error::unexpected_body(answer.status, &answer.body, call, "a live migration")
                })
            })
            .await
    }

    async fn read<T: DeserializeOwned>(
        &self,
        call: Call<'_>,
        path: &str,
        what: &str,
    ) -> Result<T, Error> {
        let url = self.inner.url(path, &[]);
        self.inner
            .within_deadline(call, async {
                let answer = check(
                    self.inner.send(call, Method::GET, url, None, None).await?,
                    call,
                )?;
                serde_json::from_slice(&answer.body)
                    .map_err(|_| Error::unexpected_body(answer.status, &answer.body, call, what))
            })
            .await
    }
}
