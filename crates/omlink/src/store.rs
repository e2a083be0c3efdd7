//! The one store of profiles and history, shared by the desktop app and the CLI.
//!
//! - **Atomic and durable**: every write goes to a temporary file in the same folder, is
//!   flushed to disk (`fsync`), renamed over the store file, and the folder is flushed too. A
//!   crash or `kill -9` at any instant leaves the old file or the new one, never a mix. The file
//!   is created with mode `0600` (owner only).
//! - **One writer at a time across processes**: [`Store::update`] holds an exclusive advisory
//!   lock on `<file>.lock` (the standard library's `File::lock`: `flock` on Unix, `LockFileEx`
//!   on Windows) while it reads, changes and writes, so the CLI and the app never lose each
//!   other's updates. Readers need no lock: a rename is atomic.
//! - **Nothing lost**: a file that cannot be parsed is moved aside (see [`load_store_file`]) and
//!   reported, never overwritten. Keys this version does not know are kept as they are.
//!
//! The file is the JSON object `{"profiles": {…}, "history": […]}`.

use std::fs::File;
use std::path::{Path, PathBuf};

use crate::atomic::{open_private, remove_stray_temp_files, storage_error, write_atomically};
use crate::error::Error;
use crate::store_file::{StoreContents, StoreData, load_store_file, set_aside_files};

/// The store file of profiles and history at one path.
#[derive(Clone, Debug)]
pub struct Store {
    path: PathBuf,
}

/// What [`Store::update`] wrote, and what it had to set aside first.
#[derive(Debug)]
pub struct Updated<T> {
    /// The closure's result.
    pub value: T,
    /// The data now on disk.
    pub data: StoreData,
    /// Set when a corrupt file was moved aside before this update (say so to the person).
    pub set_aside: Option<String>,
}

impl Store {
    /// The store at `path` (nothing is read yet).
    pub fn new(path: impl Into<PathBuf>) -> Self {
        Self { path: path.into() }
    }

    /// The store the desktop app and the CLI share on this machine (see
    /// [`default_store_file`](crate::default_store_file)).
    ///
    /// # Errors
    /// [`ErrorKind::Storage`](crate::ErrorKind::Storage) when no data folder can be found.
    pub fn open_default() -> Result<Self, Error> {
        crate::default_store_file().map(Self::new).ok_or_else(|| {
            Error::storage(
                "Cannot locate omlink's data folder",
                "Set HOME (or XDG_DATA_HOME on Linux, APPDATA on Windows).",
            )
        })
    }

    /// The store file's path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Reads the store. A missing file is empty; a corrupt one is moved aside and reported,
    /// but only under the writers' lock and after reading it again there: a reader never
    /// renames a file another process has just written.
    ///
    /// # Errors
    /// [`ErrorKind::Storage`](crate::ErrorKind::Storage) when the file exists but can be
    /// neither read nor moved aside.
    pub fn load(&self) -> Result<StoreContents, Error> {
        if let Ok(contents) = crate::store_file::read_store_file(&self.path) {
            return Ok(contents);
        }
        let _lock = self.lock()?;
        load_store_file(&self.path)
    }

    /// The files beside the store that were set aside as unreadable (`<name>.corrupt-…`).
    pub fn set_aside_files(&self) -> Vec<PathBuf> {
        set_aside_files(&self.path)
    }

    /// Reads, changes and writes the store under the cross-process lock. When `change` fails
    /// nothing is written.
    ///
    /// # Errors
    /// The error of `change`; [`ErrorKind::Storage`](crate::ErrorKind::Storage) when the
    /// folder, the lock or the file cannot be used.
    pub fn update<T>(
        &self,
        change: impl FnOnce(&mut StoreData) -> Result<T, Error>,
    ) -> Result<Updated<T>, Error> {
        let dir = self.folder()?;
        std::fs::create_dir_all(&dir).map_err(|e| {
            Error::storage(
                format!("Cannot create the folder {}: {e}", dir.display()),
                "Check the permissions of the data folder.",
            )
        })?;
        let _lock = self.lock()?;
        // Writers hold the lock while their temporary file exists: any left now belongs to a
        // writer that was killed mid-write.
        remove_stray_temp_files(&dir);
        let contents = load_store_file(&self.path)?;
        let mut data = contents.data;
        let value = change(&mut data)?;
        let text = crate::store_file::serialize(&data, &contents.other)?;
        write_atomically(&self.path, &text)?;
        Ok(Updated {
            value,
            data,
            set_aside: contents.set_aside,
        })
    }

    fn folder(&self) -> Result<PathBuf, Error> {
        match self.path.parent() {
            Some(p) if !p.as_os_str().is_empty() => Ok(p.to_path_buf()),
            _ => Ok(PathBuf::from(".")),
        }
    }

    /// Takes the exclusive lock on `<file>.lock`; released when the returned file is dropped
    /// (or the process dies).
    pub(crate) fn lock(&self) -> Result<File, Error> {
        let mut name = self.path.as_os_str().to_owned();
        name.push(".lock");
        let path = PathBuf::from(name);
        let file = open_private(&path, false)
            .map_err(|e| storage_error("open the lock file", &path, &e))?;
        file.lock().map_err(|e| storage_error("lock", &path, &e))?;
        Ok(file)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::profile::tests::draft;

    #[test]
    fn updates_are_read_modify_write_and_keep_unknown_keys() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("omlink.json");
        std::fs::write(&path, r#"{"future":{"x":1},"history":[]}"#).unwrap();
        let store = Store::new(&path);
        let updated = store
            .update(|d| {
                let p = d.profiles.validate(None, &draft("Prod"))?;
                d.profiles.upsert(p);
                Ok(7)
            })
            .unwrap();
        assert_eq!(updated.value, 7);
        assert!(updated.set_aside.is_none());
        let on_disk: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        assert_eq!(on_disk["future"]["x"], 1, "unknown keys survive");
        assert_eq!(store.load().unwrap().data.profiles.profiles.len(), 1);

        // A failing change writes nothing.
        let before = std::fs::read(&path).unwrap();
        let err = store
            .update(|_| Err::<(), _>(Error::invalid_input("no", "no")))
            .unwrap_err();
        assert_eq!(err.message, "no");
        assert_eq!(std::fs::read(&path).unwrap(), before);
    }

    #[cfg(unix)]
    #[test]
    fn the_file_is_owner_only_and_no_temporary_file_stays() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("omlink.json");
        Store::new(&path).update(|_| Ok(())).unwrap();
        let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
        let names: Vec<String> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        assert!(names.iter().all(|n| !n.ends_with(".tmp")), "{names:?}");
    }

    #[test]
    fn a_killed_writers_temporary_file_is_removed_by_the_next_writer() {
        let dir = tempfile::tempdir().unwrap();
        let stray = dir.path().join(".omlink-abc123.tmp");
        std::fs::write(&stray, "{half").unwrap();
        Store::new(dir.path().join("omlink.json"))
            .update(|_| Ok(()))
            .unwrap();
        assert!(!stray.exists());
    }

    #[test]
    fn a_corrupt_file_is_set_aside_before_an_update_and_reported() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("omlink.json");
        std::fs::write(&path, "{half a file").unwrap();
        let updated = Store::new(&path).update(|_| Ok(())).unwrap();
        assert!(updated.set_aside.unwrap().contains("could not be read"));
        let kept = std::fs::read_dir(dir.path())
            .unwrap()
            .filter_map(|e| std::fs::read_to_string(e.unwrap().path()).ok())
            .any(|t| t == "{half a file");
        assert!(kept, "the corrupt content is kept aside");
    }

    #[test]
    fn a_reader_never_sets_aside_a_file_that_a_writer_holding_the_lock_replaces() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("omlink.json");
        std::fs::write(&path, "{half a file").unwrap();
        let store = Store::new(&path);
        let lock = store.lock().unwrap();
        let reader = {
            let store = store.clone();
            std::thread::spawn(move || store.load())
        };
        // The reader found the file unreadable and waits for the lock; the writer finishes.
        std::thread::sleep(std::time::Duration::from_millis(200));
        write_atomically(&path, br#"{"profiles":{"profiles":[]},"history":[]}"#).unwrap();
        drop(lock);
        let loaded = reader.join().unwrap().unwrap();
        assert!(loaded.set_aside.is_none());
        assert!(store.set_aside_files().is_empty());
        assert!(path.exists());
    }

    #[test]
    fn concurrent_writers_lose_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("omlink.json");
        let threads: Vec<_> = (0..8)
            .map(|i| {
                let store = Store::new(&path);
                std::thread::spawn(move || {
                    for j in 0..5 {
                        store
                            .update(|d| {
                                let p = d.profiles.validate(None, &draft(&format!("p{i}-{j}")))?;
                                d.profiles.upsert(p);
                                Ok(())
                            })
                            .unwrap();
                    }
                })
            })
            .collect();
        for t in threads {
            t.join().unwrap();
        }
        assert_eq!(
            Store::new(&path)
                .load()
                .unwrap()
                .data
                .profiles
                .profiles
                .len(),
            40
        );
    }
}
