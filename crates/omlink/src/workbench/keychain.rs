//! The keychain upkeep: omlink 0.1's per-entry token accounts moved, and omlink entries that
//! nothing saved uses found, reported, and removed only on purpose or when it is safe.

use std::collections::HashSet;

use serde::{Deserialize, Serialize};

use crate::error::{Error, ErrorKind};
use crate::secret_store::{
    atlas_secret_account, legacy_link_token_account, link_token_account, private_key_account,
};
use crate::store_file::StoreData;

use super::Workbench;

/// What the keychain upkeep found and did (see [`Workbench::sweep_keychain`] and
/// [`Workbench::prune_keychain`]).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct KeychainUpkeep {
    /// What to tell the person, when there is something to tell.
    pub notice: Option<String>,
    /// The omlink keychain accounts nothing saved uses, left in place (names, not secrets).
    pub unused: Vec<String>,
    /// Whether those may be removed on purpose now: not while a set-aside store file, whose
    /// profiles may own them, is beside the store.
    pub prunable: bool,
    /// How many entries were removed.
    pub removed: u32,
    /// How many link tokens were moved from omlink 0.1's per-entry accounts.
    pub moved: u32,
}

/// What the start-up upkeep decided under the store's lock: accounts to remove, accounts
/// left unused, legacy token moves (old, new), and why nothing may be removed.
pub(super) type SweepPlan = (
    Vec<String>,
    Vec<String>,
    Vec<(String, String)>,
    Option<String>,
);

/// "entry" or "entries".
pub(super) fn entries(n: usize) -> &'static str {
    if n == 1 { "entry" } else { "entries" }
}

/// "entry is" or "entries are".
pub(super) fn entries_are(n: usize) -> &'static str {
    if n == 1 { "entry is" } else { "entries are" }
}

/// The keychain accounts `data` refers to: its profiles', Atlas connections' and history
/// entries', and those of the elements this version kept unread.
pub(super) fn referenced_accounts(data: &StoreData) -> HashSet<String> {
    let mut referenced: HashSet<String> = data
        .profiles
        .profiles
        .iter()
        .map(|p| private_key_account(&p.id))
        .collect();
    referenced.extend(
        data.profiles
            .atlas
            .iter()
            .map(|c| atlas_secret_account(&c.id)),
    );
    referenced.extend(
        data.history
            .iter()
            .map(|e| link_token_account(&e.token_fingerprint)),
    );
    referenced.extend(data.kept.accounts());
    referenced
}

/// Of the keychain's `accounts`: those nothing in `data` uses (sorted), and omlink 0.1's
/// per-entry token accounts to move to their per-token account (old, new).
pub(super) fn upkeep_plan(
    accounts: &[String],
    data: &StoreData,
) -> (Vec<String>, Vec<(String, String)>) {
    let referenced = referenced_accounts(data);
    let mut unused = Vec::new();
    let mut moves = Vec::new();
    for account in accounts {
        if referenced.contains(account) {
            continue;
        }
        let legacy_owner = data
            .history
            .iter()
            .find(|e| &legacy_link_token_account(e.id.as_str()) == account);
        match legacy_owner {
            Some(entry) => moves.push((
                account.clone(),
                link_token_account(&entry.token_fingerprint),
            )),
            None => unused.push(account.clone()),
        }
    }
    unused.sort();
    unused.dedup();
    (unused, moves)
}

impl Workbench {
    /// [`sweep_keychain`](Self::sweep_keychain) as the app runs it once per start: a keychain
    /// that cannot be checked is said in the notice, not an error.
    pub fn startup_upkeep(&self) -> KeychainUpkeep {
        self.sweep_keychain().unwrap_or_else(|e| KeychainUpkeep {
            notice: Some(format!("The keychain could not be checked: {}", e.message)),
            ..KeychainUpkeep::default()
        })
    }

    /// The start-up keychain upkeep. Moves tokens kept under omlink 0.1's per-entry accounts to
    /// their per-token account, and looks for omlink entries nothing saved uses (a crash
    /// between a keychain write and a store write, a profile deleted by an older version).
    ///
    /// **Nothing is removed because the store does not name it** unless the store is healthy:
    /// read under the writers' lock, not set aside while this workbench ran, no set-aside file
    /// beside it, not empty, and nothing in it that this version cannot read. Even then an
    /// entry goes only when it was already unused at the previous start-up (the store keeps
    /// that list), so a profile saved a moment later, or restored from a set-aside file, keeps
    /// its key. Otherwise unused entries are only reported: [`prune_keychain`](Self::prune_keychain)
    /// removes them on purpose.
    ///
    /// # Errors
    /// [`ErrorKind::Keychain`]; [`ErrorKind::Storage`].
    pub fn sweep_keychain(&self) -> Result<KeychainUpkeep, Error> {
        let Some(accounts) = self.secrets.accounts()? else {
            return Ok(KeychainUpkeep::default());
        };
        // A look without the lock first: most start-ups have nothing to do and write nothing.
        let quick = self.persist.load()?;
        self.note_set_aside(quick.set_aside.clone());
        let quick = quick.data;
        let (unused, moves) = upkeep_plan(&accounts, &quick);
        if unused.is_empty() && moves.is_empty() && quick.keychain_orphans.is_empty() {
            return Ok(KeychainUpkeep::default());
        }
        let files = self.persist.set_aside_files();
        let set_aside_seen = self
            .set_aside_seen
            .load(std::sync::atomic::Ordering::SeqCst);
        let mut plan: Option<SweepPlan> = None;
        let updated = self.persist.update(&mut |data| {
            let (unused, moves) = upkeep_plan(&accounts, data);
            let unhealthy = if set_aside_seen {
                Some("the store file was set aside at start-up, and its profiles may own them")
            } else if !files.is_empty() {
                Some("a set-aside store file is still beside the store, and its profiles may own them")
            } else if data.kept.is_empty() && data.is_empty() {
                Some("no profile is saved: they may belong to a store file you will restore")
            } else if !data.kept.is_empty() {
                Some("the store holds entries this version of omlink cannot read")
            } else {
                None
            };
            let (remove, keep): (Vec<String>, Vec<String>) = match unhealthy {
                Some(_) => (Vec::new(), unused),
                None => unused
                    .into_iter()
                    .partition(|a| data.keychain_orphans.contains(a)),
            };
            if unhealthy.is_none() {
                data.keychain_orphans.clone_from(&keep);
            }
            plan = Some((remove, keep, moves, unhealthy.map(str::to_owned)));
            Ok(())
        })?;
        let set_aside_now = updated.set_aside.is_some();
        self.note_set_aside(updated.set_aside);
        self.replace(updated.data);
        let Some((remove, keep, moves, unhealthy)) = plan else {
            return Err(Error::internal("the keychain upkeep did not run"));
        };
        // The store was set aside by this very update: nothing it may own is touched.
        let remove = if set_aside_now { Vec::new() } else { remove };
        let moved = self.move_legacy(&moves)?;
        for account in &remove {
            self.secrets.delete(account)?;
        }
        let mut said = Vec::new();
        if moved > 0 {
            said.push(format!(
                "Moved {moved} saved link token(s) to omlink's new keychain layout."
            ));
        }
        if !remove.is_empty() {
            said.push(format!(
                "Removed {} keychain {} that no profile, Atlas connection or history entry has \
                    used since omlink last started.",
                remove.len(),
                entries(remove.len())
            ));
        }
        let prunable = !keep.is_empty() && files.is_empty() && !set_aside_now;
        if !keep.is_empty() {
            said.push(match &unhealthy {
                Some(why) => format!(
                    "{} omlink keychain {} not used by any saved profile, Atlas connection or \
                        history entry. Nothing was removed, because {why}.{}",
                    keep.len(),
                    entries_are(keep.len()),
                    if prunable {
                        " Once you are sure, remove them on purpose (Remove unused keychain \
                            entries, or `omlink profile prune --yes`)."
                    } else {
                        " Move the set-aside file back (with omlink closed) to bring its \
                            profiles back with their keys."
                    }
                ),
                None => format!(
                    "{} omlink keychain {} not used by any saved profile, Atlas connection or \
                        history entry; unless something uses {} by then, omlink removes {} when it \
                        next starts (or now: Remove unused keychain entries, or `omlink profile \
                        prune --yes`).",
                    keep.len(),
                    entries_are(keep.len()),
                    if keep.len() == 1 { "it" } else { "them" },
                    if keep.len() == 1 { "it" } else { "them" },
                ),
            });
        }
        Ok(KeychainUpkeep {
            notice: (!said.is_empty()).then(|| said.join(" ")),
            unused: keep,
            prunable,
            removed: u32::try_from(remove.len()).unwrap_or(u32::MAX),
            moved,
        })
    }

    /// Removes, on purpose, every omlink keychain entry nothing saved uses (`omlink profile
    /// prune --yes`, "Remove unused keychain entries"). With `apply` false it only says which.
    ///
    /// # Errors
    /// [`ErrorKind::InvalidInput`] while a set-aside store file is beside the store (its
    /// profiles may own them) or the store was set aside just now; [`ErrorKind::Keychain`] when
    /// the keychain cannot list its entries or refuses; [`ErrorKind::Storage`].
    pub fn prune_keychain(&self, apply: bool) -> Result<KeychainUpkeep, Error> {
        let accounts = self.secrets.accounts()?.ok_or_else(|| {
            Error::new(
                ErrorKind::Keychain,
                "This keychain cannot list omlink's entries",
                "Remove unused omlink entries in your keychain manager.",
            )
        })?;
        let files = self.persist.set_aside_files();
        if let Some(file) = files.first() {
            return Err(Error::invalid_input(
                format!(
                    "A set-aside store file is beside the store ({}): its profiles may own the \
                        unused keychain entries, so none is removed",
                    file.display()
                ),
                "Move it back over the store file (with omlink closed) to restore its profiles, \
                    or delete it if you do not need them, then prune again.",
            ));
        }
        let mut plan = None;
        // A look changes nothing on disk; a removal clears the start-up list under the lock.
        let (data, set_aside) = if apply {
            let updated = self.persist.update(&mut |data| {
                plan = Some(upkeep_plan(&accounts, data));
                data.keychain_orphans.clear();
                Ok(())
            })?;
            (updated.data, updated.set_aside)
        } else {
            let contents = self.persist.load()?;
            plan = Some(upkeep_plan(&accounts, &contents.data));
            (contents.data, contents.set_aside)
        };
        let set_aside_now = set_aside.is_some();
        self.note_set_aside(set_aside);
        self.replace(data);
        if set_aside_now {
            return Err(Error::invalid_input(
                "The store file could not be read and was set aside just now, so no keychain \
                    entry is removed",
                "Move the set-aside file back (with omlink closed) to restore its profiles.",
            ));
        }
        let (unused, moves) = plan.ok_or_else(|| Error::internal("the prune did not run"))?;
        if !apply {
            return Ok(KeychainUpkeep {
                notice: Some(format!(
                    "{} omlink keychain {} not used by any saved profile, Atlas connection or \
                        history entry.",
                    unused.len(),
                    entries_are(unused.len())
                )),
                unused,
                prunable: true,
                ..KeychainUpkeep::default()
            });
        }
        let moved = self.move_legacy(&moves)?;
        for account in &unused {
            self.secrets.delete(account)?;
        }
        Ok(KeychainUpkeep {
            notice: Some(format!(
                "Removed {} unused keychain {}.",
                unused.len(),
                entries(unused.len())
            )),
            removed: u32::try_from(unused.len()).unwrap_or(u32::MAX),
            unused: Vec::new(),
            prunable: true,
            moved,
        })
    }

    /// Moves tokens from omlink 0.1's per-entry accounts to their per-token account (the new
    /// entry first, so nothing is ever lost in between).
    pub(super) fn move_legacy(&self, moves: &[(String, String)]) -> Result<u32, Error> {
        let mut moved = 0;
        for (old, new) in moves {
            if let Some(secret) = self.secrets.get(old)? {
                self.secrets.set(new, &secret)?;
                moved += 1;
            }
            self.secrets.delete(old)?;
        }
        Ok(moved)
    }
}
