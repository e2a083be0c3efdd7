//! The history of link attempts: read, delete an entry (its token goes with the last entry
//! that used it), export.

use crate::error::Error;
use crate::history::{HistoryEntry, HistoryId, export_csv, export_json, filter_by_org};
use crate::secret_store::link_token_account;
use crate::validate::OrgId;

use super::{ExportFormat, Workbench, lock};

impl Workbench {
    /// The history of one organization, or all, newest first.
    pub fn history(&self, org: Option<&OrgId>) -> Vec<HistoryEntry> {
        filter_by_org(&lock(&self.history), org)
            .into_iter()
            .cloned()
            .collect()
    }

    /// Deletes a history entry and its keychain token.
    ///
    /// # Errors
    /// [`ErrorKind::Keychain`](crate::ErrorKind::Keychain); [`ErrorKind::InvalidInput`](crate::ErrorKind::InvalidInput) when the store cannot be written.
    pub fn delete_history_entry(&self, entry_id: &HistoryId) -> Result<(), Error> {
        let fingerprint = self.update(|data| {
            let fingerprint = data
                .history
                .iter()
                .find(|e| &e.id == entry_id)
                .map(|e| e.token_fingerprint.clone());
            data.history.retain(|e| &e.id != entry_id);
            Ok(fingerprint)
        })?;
        // The token goes with the last entry that used it.
        if let Some(fingerprint) = fingerprint
            && !lock(&self.history)
                .iter()
                .any(|e| e.token_fingerprint == fingerprint)
        {
            self.secrets.delete(&link_token_account(&fingerprint))?;
        }
        Ok(())
    }

    /// The history (of one organization, or all) as JSON or CSV, without tokens.
    pub fn export_history(&self, org: Option<&OrgId>, format: ExportFormat) -> String {
        let history = lock(&self.history);
        let entries = filter_by_org(&history, org);
        match format {
            ExportFormat::Json => export_json(&entries),
            ExportFormat::Csv => export_csv(&entries),
        }
    }
}
