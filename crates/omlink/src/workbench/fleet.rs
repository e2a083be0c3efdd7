//! The fleet's link statuses: every organization a profile's key can see, or the ones the
//! window lists, read concurrently (see [`batch`](crate::batch)).

use super::Workbench;
use crate::batch::{self, BatchControl, BatchOptions, BatchReport};
use crate::error::Error;
use crate::fields::ProfileId;
use crate::validate::OrgId;

impl Workbench {
    /// The link status of every organization the profile's key can see, read concurrently
    /// (see [`batch`](crate::batch)); progress goes to `events`.
    ///
    /// # Errors
    /// As for listing the organizations; per-organization failures are in the report.
    pub async fn fleet_status(
        &self,
        id: &ProfileId,
        options: &BatchOptions,
        control: BatchControl,
    ) -> Result<BatchReport, Error> {
        let (_, client) = self.client(id).await?;
        let orgs = client
            .list_orgs()
            .await?
            .into_iter()
            .filter_map(|o| OrgId::new(&o.id).ok().map(|id| (id, Some(o.name))))
            .collect();
        batch::status_all(client, orgs, options, control).await
    }

    /// The link status of the given organizations (the window's table, already listed), read
    /// concurrently; progress goes to `events`.
    ///
    /// # Errors
    /// As for building the client; per-organization failures are in the report.
    pub async fn status_of(
        &self,
        id: &ProfileId,
        orgs: Vec<(OrgId, Option<String>)>,
        options: &BatchOptions,
        control: BatchControl,
    ) -> Result<BatchReport, Error> {
        let (_, client) = self.client(id).await?;
        batch::status_all(client, orgs, options, control).await
    }
}
