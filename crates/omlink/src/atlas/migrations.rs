//! The Atlas client's live-migration calls: the destination projects and clusters, validate,
//! create, read and cut over, each with its own API version (see
//! [`Operation::media_type`](crate::error::Operation)).

use bytes::Bytes;
use reqwest::Method;
use serde::de::DeserializeOwned;
use zeroize::Zeroizing;

use super::AtlasClient;
use crate::error::{Error, Operation};
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

    /// One Atlas project, with its organization: `GET /groups/{groupId}`.
    ///
    /// # Errors
    /// Any [`ErrorKind`](crate::ErrorKind) but `InvalidInput`.
    pub async fn project(&self, project: &ProjectId) -> Result<AtlasProject, Error> {
        let call = self.inner.call_on(Operation::AtlasProject, project);
        let path = format!("/groups/{project}");
        self.exchange_json(call, Method::GET, &path, None, "a project")
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
        self.send_request(
            Operation::ValidateMigration,
            "/validate",
            request,
            "a validation",
        )
        .await
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
        let what = "a validation";
        self.read(
            Operation::ValidationStatus,
            project,
            &format!("/validate/{id}"),
            what,
        )
        .await
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
        self.send_request(Operation::CreateMigration, "", request, "a live migration")
            .await
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
        let what = "a live migration";
        self.read(Operation::MigrationStatus, project, &format!("/{id}"), what)
            .await
    }

    /// Cuts the migration over: `PUT /groups/{groupId}/liveMigrations/{id}/cutover`, no body;
    /// any 2xx is success (the specification says 202, others saw 204 and 200).
    ///
    /// # Errors
    /// Any [`ErrorKind`](crate::ErrorKind) but `InvalidInput`.
    pub async fn cutover(&self, project: &ProjectId, id: &MigrationId) -> Result<(), Error> {
        let call = self.inner.call_on(Operation::Cutover, project);
        let path = format!("/groups/{project}/liveMigrations/{id}/cutover");
        self.exchange(call, Method::PUT, &path, None).await?;
        Ok(())
    }

    /// `POST /groups/{groupId}/liveMigrations{suffix}` with `request`, read as `T`.
    async fn send_request<T: DeserializeOwned>(
        &self,
        op: Operation,
        suffix: &str,
        request: &MigrationRequest,
        what: &str,
    ) -> Result<T, Error> {
        let project = &request.atlas_project;
        let call = self.inner.call_on(op, project);
        let path = format!("/groups/{project}/liveMigrations{suffix}");
        // The body carries the source password: this copy is wiped, the one handed to the
        // HTTP stack is freed once sent; neither is ever excerpted into an error.
        let body = Zeroizing::new(request.body());
        let body = Some(Bytes::copy_from_slice(&body));
        self.exchange_json(call, Method::POST, &path, body, what)
            .await
    }

    /// `GET /groups/{groupId}/liveMigrations{suffix}`, read as `T`.
    async fn read<T: DeserializeOwned>(
        &self,
        op: Operation,
        project: &ProjectId,
        suffix: &str,
        what: &str,
    ) -> Result<T, Error> {
        let call = self.inner.call_on(op, project);
        let path = format!("/groups/{project}/liveMigrations{suffix}");
        self.exchange_json(call, Method::GET, &path, None, what)
            .await
    }
}
