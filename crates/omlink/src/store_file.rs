//! Reading the desktop app's store file at start-up, and setting a corrupt one aside.

use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use crate::error::Error;
use crate::history::{HistoryEntry, STORE_KEY_HISTORY};
use crate::profile::{ProfileBook, STORE_KEY_PROFILES};

/// What the store file held.
#[derive(Debug, Default)]
pub struct StoreContents {
    /// The saved profiles.
    pub profiles: ProfileBook,
    /// The link history.
    pub history: Vec<HistoryEntry>,
    /// Set when the file was corrupt: where it was moved and why, to show the person.
    pub set_aside: Option<String>,
    /// Keys this version does not know, kept as they are on the next write.
    pub other: serde_json::Map<String, serde_json::Value>,
}

/// Reads the store file. A missing file is empty. A file that is not valid is **renamed** to
/// `<name>.corrupt-<unix time>` (never overwritten) and reported in
/// [`StoreContents::set_aside`], and omlink starts empty.
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

pub(crate) fn parse(text: &str) -> Result<StoreContents, String> {
    let mut map: serde_json::Map<String, serde_json::Value> =
        serde_json::from_str(text).map_err(|e| e.to_string())?;
    let profiles = match map.remove(STORE_KEY_PROFILES) {
        None | Some(serde_json::Value::Null) => ProfileBook::default(),
        Some(v) => serde_json::from_value(v).map_err(|e| format!("profiles: {e}"))?,
    };
    let history = match map.remove(STORE_KEY_HISTORY) {
        None | Some(serde_json::Value::Null) => Vec::new(),
        Some(v) => serde_json::from_value(v).map_err(|e| format!("history: {e}"))?,
    };
    Ok(StoreContents {
        profiles,
        history,
        set_aside: None,
        other: map,
    })
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
    Ok(StoreContents {
        set_aside: Some(format!(
            "The saved profiles and history in {} could not be read ({why}). The file was moved \
             to {} and omlink started empty; keys in the keychain were not touched.",
            path.display(),
            target.display()
        )),
        ..StoreContents::default()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_file_is_empty_and_valid_file_loads() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("omlink.json");
        let loaded = load_store_file(&path).unwrap();
        assert!(loaded.profiles.profiles.is_empty() && loaded.set_aside.is_none());
        std::fs::write(
            &path,
            r#"{"profiles":{"profiles":[],"lastUsed":null},"history":[]}"#,
        )
        .unwrap();
        assert!(load_store_file(&path).unwrap().set_aside.is_none());
    }

    #[test]
    fn corrupt_file_is_moved_aside_and_reported_never_overwritten() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("omlink.json");
        for bad in [
            "{not json",
            r#"{"profiles":{"profiles":[{"id":"BAD ID"}]}}"#,
            r#"{"history":7}"#,
        ] {
            std::fs::write(&path, bad).unwrap();
            let loaded = load_store_file(&path).unwrap();
            let report = loaded.set_aside.expect("reported");
            assert!(report.contains("could not be read"), "{report}");
            assert!(!path.exists());
            let moved: Vec<_> = std::fs::read_dir(dir.path())
                .unwrap()
                .map(|e| e.unwrap().path())
                .filter(|p| std::fs::read_to_string(p).unwrap() == bad)
                .collect();
            assert_eq!(moved.len(), 1, "the corrupt content survives in one file");
            assert!(moved[0].to_string_lossy().contains(".corrupt-"));
        }
    }
}
