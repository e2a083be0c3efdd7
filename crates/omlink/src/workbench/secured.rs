//! Records that own a keychain secret (a profile's private key, an Atlas connection's
//! secret), saved one way: validated against what is loaded, the keychain first, the store
//! second under its lock, and a new record's secret taken back out if the store write fails.

use crate::atlas_profile::{AtlasConnection, AtlasDraft};
use crate::book::ProfileBook;
use crate::error::Error;
use crate::fields::ProfileId;
use crate::profile::{Profile, ProfileDraft};
use crate::secret::PrivateKey;
use crate::secret_store::{atlas_secret_account, private_key_account};

use super::Workbench;

/// A saved record with a secret in the keychain.
pub(super) trait Secured: Clone {
    /// What a person enters for it.
    type Draft;

    /// The record `draft` makes of record `id` (`None`: a new one) in `book`, validated.
    ///
    /// # Errors
    /// [`ErrorKind::InvalidInput`](crate::ErrorKind::InvalidInput) for a bad draft.
    fn validate(
        book: &ProfileBook,
        id: Option<&ProfileId>,
        draft: &Self::Draft,
    ) -> Result<Self, Error>;
    /// The saved record `id`.
    fn find<'a>(book: &'a ProfileBook, id: &ProfileId) -> Option<&'a Self>;
    /// Puts the record into `book`, in place of the one with its id.
    fn put(self, book: &mut ProfileBook);
    /// Its keychain account.
    fn account(&self) -> String;
    /// Whether the keychain holds its secret.
    fn has_secret(&self) -> bool;
    /// Takes the id planned for it, and a secret set in this save.
    fn adopt(&mut self, planned: &Self, secret_set: bool);
}

/// Implements [`Secured`] for `$record`, made from `$draft` by the book's `$validate`, found
/// by its `$find`, put back by its `$put`; `$flag` says whether the keychain holds its secret,
/// kept under the account `$account` names.
macro_rules! secured {
    ($record:ty, $draft:ty, $validate:ident, $find:ident, $put:ident, $flag:ident, $account:ident) => {
        impl Secured for $record {
            type Draft = $draft;

            fn validate(
                book: &ProfileBook,
                id: Option<&ProfileId>,
                draft: &$draft,
            ) -> Result<Self, Error> {
                book.$validate(id, draft)
            }
            fn find<'a>(book: &'a ProfileBook, id: &ProfileId) -> Option<&'a Self> {
                book.$find(id)
            }
            fn put(self, book: &mut ProfileBook) {
                book.$put(self);
            }
            fn account(&self) -> String {
                $account(&self.id)
            }
            fn has_secret(&self) -> bool {
                self.$flag
            }
            fn adopt(&mut self, planned: &Self, secret_set: bool) {
                self.id = planned.id.clone();
                self.$flag |= secret_set;
            }
        }
    };
}

secured!(
    Profile,
    ProfileDraft,
    validate,
    get,
    upsert_and_use,
    has_private_key,
    private_key_account
);
secured!(
    AtlasConnection,
    AtlasDraft,
    validate_atlas,
    get_atlas,
    upsert_atlas,
    has_secret,
    atlas_secret_account
);

/// A secret field's value: `None` when left empty.
///
/// # Errors
/// [`ErrorKind::InvalidInput`](crate::ErrorKind::InvalidInput) for a secret that is not one.
pub(super) fn non_empty_secret(value: Option<&str>) -> Result<Option<PrivateKey>, Error> {
    value
        .filter(|k| !k.trim().is_empty())
        .map(PrivateKey::new)
        .transpose()
}

impl Workbench {
    /// Creates (`id` is `None`) or edits a record from `draft`; a non-empty `secret` goes to
    /// the keychain first, and if that fails nothing is saved. The record is validated once
    /// against what is loaded (to fail before the keychain is touched), and again under the
    /// store's lock against what is on disk. When where or as whom it signs in changed without
    /// a new secret, the saved one is cleared: it must never be sent to the new place.
    pub(super) fn save_secured<T: Secured>(
        &self,
        id: Option<&ProfileId>,
        draft: &T::Draft,
        secret: Option<&str>,
    ) -> Result<T, Error> {
        let value = non_empty_secret(secret)?;
        let book = self.profiles();
        let planned = T::validate(&book, id, draft)?;
        let clear = id
            .and_then(|id| T::find(&book, id))
            .is_some_and(Secured::has_secret)
            && !planned.has_secret();
        let account = planned.account();
        let new_record = id.is_none();
        let kept = value.is_some();
        if let Some(value) = &value {
            self.secrets.set(&account, value.expose())?;
        } else if clear {
            self.secrets.delete(&account)?;
        }
        let saved = self.update_book(|book| {
            let mut record = T::validate(book, id, draft)?;
            record.adopt(&planned, kept);
            record.clone().put(book);
            Ok(record)
        });
        if saved.is_err() && kept && new_record {
            // The new record was not saved: its secret must not linger in the keychain.
            let _ = self.secrets.delete(&account);
        }
        saved
    }
}
