//! Reading the desktop app's store file at start-up, and setting a corrupt one aside.

use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use crate::book::ProfileBook;
use crate::error::Error;
use crate::history::{HistoryEntry, STORE_KEY_HISTORY};
use crate::migration_record::{MigrationRecord, STORE_KEY_MIGRATIONS};
use crate::profile::STORE_KEY_PROFILES;

/// The key under which the keychain accounts found unused at the last start-up are kept.
pub const STORE_KEY_KEYCHAIN_ORPHANS: &str = "keychainOrphans";

/// What this version of omlink found in the store file but could not read: kept as it is and
/// written back unchanged (a newer omlink wrote it, or it was damaged by hand). The keychain
/// entries such elements name are never treated as unused.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Kept {
    /// Profiles this version could not read.
    pub profiles: Vec<serde_json::Value>,
    /// Atlas connections this version could not read.
    pub atlas: Vec<serde_json::Value>,
    /// History entries this version could not read.
    pub history: Vec<serde_json::Value>,
    /// Migration records this version could not read.
    pub migrations: Vec<serde_json::Value>,
}

impl Kept {
    /// Whether nothing was kept unread.
    pub fn is_empty(&self) -> bool {
        self.profiles.is_empty()
            && self.atlas.is_empty()
            && self.history.is_empty()
            && self.migrations.is_empty()
    }

    /// The keychain accounts the unread elements may name: a profile's or connection's `id`,
    /// a history entry's `tokenFingerprint` (and its legacy per-entry account).
    pub fn accounts(&self) -> Vec<String> {
        let field = |v: &serde_json::Value, name: &str| {
            v.get(name)
                .and_then(serde_json::Value::as_str)
                .map(str::to_owned)
        };
        let mut accounts = Vec::new();
        for p in &self.profiles {
            if let Some(id) = field(p, "id") {
                accounts.push(format!("profile:{id}:private-key"));
            }
        }
        for c in &self.atlas {
            if let Some(id) = field(c, "id") {
                accounts.push(format!("atlas:{id}:secret"));
            }
        }
        for e in &self.history {
            if let Some(fp) = field(e, "tokenFingerprint") {
                accounts.push(crate::secret_store::link_token_account(&fp));
            }
            if let Some(id) = field(e, "id") {
                accounts.push(crate::secret_store::legacy_link_token_account(&id));
            }
        }
        accounts
    }

    /// A sentence for the person, when something was kept unread.
    pub fn notice(&self) -> Option<String> {
        if self.is_empty() {
            return None;
        }
        let mut parts = Vec::new();
        for (n, one, many) in [
            (self.profiles.len(), "profile", "profiles"),
            (self.atlas.len(), "Atlas connection", "Atlas connections"),
            (self.history.len(), "history entry", "history entries"),
            (self.migrations.len(), "migration", "migrations"),
        ] {
            match n {
                0 => {}
                1 => parts.push(format!("1 {one}")),
                n => parts.push(format!("{n} {many}")),
            }
        }
        Some(format!(
            "This version of omlink cannot read {} in the store file (a newer omlink may have \
             written them). They are kept as they are, with their keys in the keychain; \
             update omlink to use them.",
            parts.join(", ")
        ))
    }
}

/// What the store file held, and what was said about the file.
#[derive(Debug, Default)]
pub struct StoreContents {
    /// The saved state.
    pub data: StoreData,
    /// Set when the file was corrupt: where it was moved and why, to show the person.
    pub set_aside: Option<String>,
    /// Keys this version does not know, kept as they are on the next write.
    pub other: serde_json::Map<String, serde_json::Value>,
}

/// Reads the store file. A missing file is empty. A file that is not valid is **renamed** to
/// `<name>.corrupt-<unix time>` (never overwritten) and reported in
/// [`StoreContents::set_aside`], and omlink starts empty. Elements a newer omlink wrote (an
/// unknown variant, a field of the wrong shape) do not make the file invalid: they are kept as
/// they are (see [`Kept`]).
///
/// The caller must hold the store's lock (see [`Store::load`](crate::Store::load), which takes
/// it before anything is renamed): a reader without it could rename a file another process
/// has just written.
///
/// # Errors
/// [`ErrorKind::Storage`](crate::ErrorKind::Storage) when the file exists but can be neither
/// read nor moved aside: starting would risk overwriting it.
pub fn load_store_file(path: &Path) -> Result<StoreContents, Error> {
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(StoreContents::default()),
        Err(e) => return set_aside(path, &e.to_string()),
    };
    match parse(&text) {
        Ok(contents) => Ok(contents),
        Err(why) => set_aside(path, &why),
    }
}

/// The files beside the store that earlier loads set aside (`<name>.corrupt-…`): while one is
/// there, the keychain entries it may name are never removed automatically.
pub fn set_aside_files(path: &Path) -> Vec<PathBuf> {
    let Some(name) = path.file_name().map(|n| n.to_string_lossy().into_owned()) else {
        return Vec::new();
    };
    let prefix = format!("{name}.corrupt-");
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let Ok(entries) = std::fs::read_dir(&dir) else {
        return Vec::new();
    };
    let mut found: Vec<PathBuf> = entries
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().starts_with(&prefix))
        .map(|e| e.path())
        .collect();
    found.sort();
    found
}

/// Reads the store file without changing anything: a missing file is empty, an unreadable or
/// corrupt one is an error (read-only commands leave it for a writer to set aside).
///
/// # Errors
/// [`ErrorKind::Storage`](crate::ErrorKind::Storage).
pub(crate) fn read_store_file(path: &Path) -> Result<StoreContents, Error> {
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(StoreContents::default()),
        Err(e) => {
            return Err(Error::storage(
                format!("Cannot read the profiles in {}: {e}", path.display()),
                "Check the file's permissions.",
            ));
        }
    };
    parse(&text).map_err(|why| {
        Error::storage(
            format!("The profiles in {} are not valid: {why}", path.display()),
            "Open the omlink app or run `omlink profile add`: either sets a corrupt file \
             aside and reports it.",
        )
    })
}

/// Parses the elements of `array` one by one: those this version reads, and those it keeps.
fn elements<T: serde::de::DeserializeOwned>(
    array: Option<serde_json::Value>,
    what: &str,
) -> Result<(Vec<T>, Vec<serde_json::Value>), String> {
    let items = match array {
        None | Some(serde_json::Value::Null) => return Ok((Vec::new(), Vec::new())),
        Some(serde_json::Value::Array(items)) => items,
        Some(_) => return Err(format!("{what}: not a list")),
    };
    let (mut read, mut kept) = (Vec::new(), Vec::new());
    for item in items {
        if !item.is_object() {
            return Err(format!("{what}: an element is not an object"));
        }
        match serde_json::from_value::<T>(item.clone()) {
            Ok(value) => read.push(value),
            Err(_) => kept.push(item),
        }
    }
    Ok((read, kept))
}

pub(crate) fn parse(text: &str) -> Result<StoreContents, String> {
    let mut map: serde_json::Map<String, serde_json::Value> =
        serde_json::from_str(text).map_err(|e| e.to_string())?;
    let mut kept = Kept::default();
    let profiles = match map.remove(STORE_KEY_PROFILES) {
        None | Some(serde_json::Value::Null) => ProfileBook::default(),
        Some(serde_json::Value::Object(mut book)) => {
            let (profiles, unread) = elements(book.remove("profiles"), "profiles")?;
            kept.profiles = unread;
            let (atlas, unread) = elements(book.remove("atlas"), "Atlas connections")?;
            kept.atlas = unread;
            let mut book: ProfileBook = serde_json::from_value(serde_json::Value::Object(book))
                .map_err(|e| format!("profiles: {e}"))?;
            book.profiles = profiles;
            book.atlas = atlas;
            book
        }
        Some(_) => return Err("profiles: not an object".to_owned()),
    };
    let (history, unread) = elements(map.remove(STORE_KEY_HISTORY), "history")?;
    kept.history = unread;
    let (migrations, unread) = elements(map.remove(STORE_KEY_MIGRATIONS), "migrations")?;
    kept.migrations = unread;
    let keychain_orphans = match map.remove(STORE_KEY_KEYCHAIN_ORPHANS) {
        None | Some(serde_json::Value::Null) => Vec::new(),
        Some(v) => serde_json::from_value(v).map_err(|e| format!("keychain orphans: {e}"))?,
    };
    let data = StoreData {
        profiles,
        history,
        migrations,
        keychain_orphans,
        kept,
    };
    Ok(StoreContents {
        data,
        set_aside: None,
        other: map,
    })
}

/// The store file's text for `data`, with the keys this version does not know (`other`) and
/// the elements it could not read (`data.kept`) as they were.
///
/// # Errors
/// [`ErrorKind::Internal`](crate::ErrorKind::Internal) when a value cannot be serialized.
pub(crate) fn serialize(
    data: &crate::StoreData,
    other: &serde_json::Map<String, serde_json::Value>,
) -> Result<Vec<u8>, Error> {
    let internal = |e: serde_json::Error| Error::internal(e.to_string());
    let mut object = other.clone();
    let mut profiles = serde_json::to_value(&data.profiles).map_err(internal)?;
    for (key, unread) in [
        ("profiles", &data.kept.profiles),
        ("atlas", &data.kept.atlas),
    ] {
        if let Some(serde_json::Value::Array(items)) = profiles.get_mut(key) {
            items.extend(unread.iter().cloned());
        }
    }
    object.insert(STORE_KEY_PROFILES.to_owned(), profiles);
    let mut history = serde_json::to_value(&data.history).map_err(internal)?;
    if let serde_json::Value::Array(items) = &mut history {
        items.extend(data.kept.history.iter().cloned());
    }
    object.insert(STORE_KEY_HISTORY.to_owned(), history);
    if data.migrations.is_empty() && data.kept.migrations.is_empty() {
        object.remove(STORE_KEY_MIGRATIONS);
    } else {
        let mut migrations = serde_json::to_value(&data.migrations).map_err(internal)?;
        if let serde_json::Value::Array(items) = &mut migrations {
            items.extend(data.kept.migrations.iter().cloned());
        }
        object.insert(STORE_KEY_MIGRATIONS.to_owned(), migrations);
    }
    if data.keychain_orphans.is_empty() {
        object.remove(STORE_KEY_KEYCHAIN_ORPHANS);
    } else {
        object.insert(
            STORE_KEY_KEYCHAIN_ORPHANS.to_owned(),
            serde_json::to_value(&data.keychain_orphans).map_err(internal)?,
        );
    }
    // The profiles first, then the history, then the rest: a file cut short (a full disk, a
    // crash of another tool) most likely still holds every profile whole, for [`salvage`].
    let mut out = String::from("{");
    let mut first = true;
    let order = [STORE_KEY_PROFILES, STORE_KEY_HISTORY];
    let rest = object
        .keys()
        .filter(|k| !order.contains(&k.as_str()))
        .cloned();
    let keys: Vec<String> = order.iter().map(|k| (*k).to_owned()).chain(rest).collect();
    for key in keys {
        let Some(value) = object.get(&key) else {
            continue;
        };
        let text = serde_json::to_string_pretty(value).map_err(internal)?;
        let key = serde_json::to_string(&key).map_err(internal)?;
        // Pretty JSON holds no raw line break inside a string: indenting by lines is safe.
        out.push_str(if first { "\n  " } else { ",\n  " });
        out.push_str(&key);
        out.push_str(": ");
        out.push_str(&text.replace('\n', "\n  "));
        first = false;
    }
    out.push_str("\n}");
    Ok(out.into_bytes())
}

/// What can be read of a store file that was cut short: the longest prefix that ends after a
/// whole element of a list (a profile, an Atlas connection, a history entry) or a whole
/// top-level value, closed. Never a partial element: a profile cut in the middle is dropped,
/// not read with some fields missing. `None` when no such prefix parses.
pub(crate) fn salvage(text: &str) -> Option<StoreContents> {
    // Where each closing bracket ends, with the brackets still open there.
    let mut stack: Vec<u8> = Vec::new();
    let mut cuts: Vec<(usize, Vec<u8>)> = Vec::new();
    let (mut in_string, mut escaped) = (false, false);
    for (i, b) in text.bytes().enumerate() {
        if in_string {
            match (escaped, b) {
                (true, _) => escaped = false,
                (false, b'\\') => escaped = true,
                (false, b'"') => in_string = false,
                _ => {}
            }
            continue;
        }
        match b {
            b'"' => in_string = true,
            b'{' | b'[' => stack.push(b),
            b'}' | b']' => {
                stack.pop();
                // A whole element of a list, or a whole value of the top-level object or of
                // the profile book.
                if stack.last() == Some(&b'[') || stack.len() <= 2 {
                    cuts.push((i + 1, stack.clone()));
                }
            }
            _ => {}
        }
    }
    for (end, open) in cuts.into_iter().rev().take(64) {
        let mut candidate = text[..end].to_owned();
        for bracket in open.iter().rev() {
            candidate.push(if *bracket == b'{' { '}' } else { ']' });
        }
        if let Ok(contents) = parse(&candidate) {
            return Some(contents);
        }
    }
    None
}

fn set_aside(path: &Path, why: &str) -> Result<StoreContents, Error> {
    let stamp = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let mut target = PathBuf::from(format!("{}.corrupt-{stamp}", path.display()));
    let mut n = 1;
    while target.exists() {
        target = PathBuf::from(format!("{}.corrupt-{stamp}-{n}", path.display()));
        n += 1;
    }
    std::fs::rename(path, &target).map_err(|e| {
        Error::storage(
            format!(
                "The saved profiles in {} cannot be read ({why}) nor moved aside ({e})",
                path.display()
            ),
            "Move or repair the file by hand, then start omlink again.",
        )
    })?;
    // What a cut-short file still holds whole is read (the file itself stays set aside).
    let recovered = std::fs::read(&target)
        .ok()
        .and_then(|bytes| salvage(&String::from_utf8_lossy(&bytes)));
    // The store now holds what was recovered (the caller holds the lock), so that what the
    // person sees is what the next writer starts from.
    if let Some(c) = &recovered {
        crate::atomic::write_atomically(path, &serialize(&c.data, &c.other)?)?;
    }
    let started = match &recovered {
        Some(c) => {
            let count = |n: usize, one: &str, many: &str| {
                format!("{n} {}", if n == 1 { one } else { many })
            };
            format!(
                "omlink recovered what it could read whole ({}, {}, {})",
                count(c.data.profiles.profiles.len(), "profile", "profiles"),
                count(
                    c.data.profiles.atlas.len(),
                    "Atlas connection",
                    "Atlas connections"
                ),
                count(c.data.history.len(), "history entry", "history entries"),
            )
        }
        None => "omlink started empty".to_owned(),
    };
    Ok(StoreContents {
        set_aside: Some(format!(
            "The saved profiles and history in {} could not be read ({why}). The file was moved \
             to {} and {started}. Keys in the keychain were not touched, and none is removed \
             while that file is there: move it back (with omlink closed) to bring its profiles \
             back with their keys.",
            path.display(),
            target.display()
        )),
        ..recovered.unwrap_or_default()
    })
}

/// Profiles and history as saved.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct StoreData {
    /// The saved profiles.
    pub profiles: ProfileBook,
    /// The link history.
    pub history: Vec<HistoryEntry>,
    /// The live migrations omlink started or queued.
    pub migrations: Vec<MigrationRecord>,
    /// The keychain accounts found unused at the last start-up's check.
    pub keychain_orphans: Vec<String>,
    /// What this version could not read, written back as it was.
    pub kept: Kept,
}

impl StoreData {
    /// Nothing saved at all: no profile, connection or history entry, read or kept.
    pub fn is_empty(&self) -> bool {
        self.profiles.profiles.is_empty()
            && self.profiles.atlas.is_empty()
            && self.history.is_empty()
            && self.migrations.is_empty()
            && self.kept.is_empty()
    }
}

impl ProfileBook {
    /// Reads the profile book from the desktop app's store file (a JSON object whose
    /// [`STORE_KEY_PROFILES`](crate::STORE_KEY_PROFILES) key holds the book). A missing file is an empty book.
    ///
    /// # Errors
    /// [`ErrorKind::Storage`](crate::ErrorKind::Storage) when the file cannot be read or is not
    /// valid: it is never rewritten here.
    pub fn load_from_store_file(path: &Path) -> Result<Self, Error> {
        read_store_file(path).map(|contents| contents.data.profiles)
    }
}

#[cfg(test)]
mod tests;
