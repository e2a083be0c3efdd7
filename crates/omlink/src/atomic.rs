//! Durable writes: a file replaced whole (temporary file, fsync, rename, fsync of the folder),
//! so a crash or a kill leaves the old file or the new one, never a mix.

use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};

use crate::error::Error;

/// The prefix and suffix of [`write_atomically`]'s temporary files.
const TEMP_PREFIX: &str = ".omlink-";

const TEMP_SUFFIX: &str = ".tmp";

pub(crate) fn remove_stray_temp_files(dir: &Path) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if name.starts_with(TEMP_PREFIX) && name.ends_with(TEMP_SUFFIX) {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}

pub(crate) fn storage_error(what: &str, path: &Path, e: &std::io::Error) -> Error {
    Error::storage(
        format!("Could not {what} {}: {e}", path.display()),
        "Check the disk space and the permissions of omlink's data folder.",
    )
}

/// Opens (creating, owner-only) a file for writing.
pub(crate) fn open_private(path: &Path, truncate: bool) -> std::io::Result<File> {
    let mut options = OpenOptions::new();
    options.create(true).write(true).truncate(truncate);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    options.open(path)
}

/// Replaces `path` with `bytes` so that a crash at any instant leaves either the old or the new
/// content: temporary file in the same folder, fsync, rename, fsync of the folder.
///
/// # Errors
/// [`ErrorKind::Storage`](crate::ErrorKind::Storage); the old file is then untouched.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> Result<(), Error> {
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    // tempfile creates the file with mode 0600 and a random name, in the target's folder so the
    // rename stays on one file system.
    let mut temp = tempfile::Builder::new()
        .prefix(TEMP_PREFIX)
        .suffix(TEMP_SUFFIX)
        .tempfile_in(&dir)
        .map_err(|e| storage_error("create a temporary file in", &dir, &e))?;
    temp.write_all(bytes)
        .and_then(|()| temp.as_file().sync_all())
        .map_err(|e| storage_error("write", temp.path(), &e))?;
    temp.persist(path)
        .map_err(|e| storage_error("replace", path, &e.error))?;
    sync_folder(&dir).map_err(|e| storage_error("flush the folder", &dir, &e))?;
    Ok(())
}

#[cfg(unix)]
fn sync_folder(dir: &Path) -> std::io::Result<()> {
    File::open(dir)?.sync_all()
}

#[cfg(not(unix))]
fn sync_folder(_dir: &Path) -> std::io::Result<()> {
    // Windows cannot open a folder as a file; NTFS journals the rename itself.
    Ok(())
}
