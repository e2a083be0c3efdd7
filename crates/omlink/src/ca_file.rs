//! The extra CA file of an on-prem server: read only when it names a regular file of at most
//! [`MAX_CA_FILE_BYTES`], and parsed as PEM certificates. The path comes from the window or a
//! flag, so every failure reads the same: "… is not a readable PEM file".

use std::path::Path;

use crate::error::Error;

/// The largest CA file omlink reads: a bundle of every public root is about 200 KiB.
pub const MAX_CA_FILE_BYTES: u64 = 1024 * 1024;

/// Reads a CA file's bytes: only a regular file (after links) of at most
/// [`MAX_CA_FILE_BYTES`]. The path comes from the window, so whatever is wrong (missing, a
/// folder, a device, too large, unreadable) gets the same error, which says nothing about
/// what the path names. Blocking: call it off the async runtime.
///
/// # Errors
/// [`ErrorKind::InvalidInput`]: "… is not a readable PEM file".
pub(crate) fn read_ca_file(path: &Path) -> Result<Vec<u8>, Error> {
    use std::io::Read;
    let refused = || {
        Error::invalid_input(
            format!("The CA file {} is not a readable PEM file", path.display()),
            "Choose a PEM file of CA certificates (it starts with -----BEGIN CERTIFICATE-----, \
             at most 1 MiB).",
        )
    };
    let meta = std::fs::metadata(path).map_err(|_| refused())?;
    if !meta.is_file() || meta.len() > MAX_CA_FILE_BYTES {
        return Err(refused());
    }
    let mut pem = Vec::new();
    std::fs::File::open(path)
        .and_then(|f| f.take(MAX_CA_FILE_BYTES + 1).read_to_end(&mut pem))
        .map_err(|_| refused())?;
    if u64::try_from(pem.len()).unwrap_or(u64::MAX) > MAX_CA_FILE_BYTES {
        return Err(refused());
    }
    Ok(pem)
}

/// Reads a PEM bundle of extra CA certificates; a missing, empty or certificate-less file is an
/// error, never silently ignored.
pub(crate) fn load_ca_file(path: &Path) -> Result<Vec<reqwest::Certificate>, Error> {
    let refused = || {
        Error::invalid_input(
            format!("The CA file {} is not a readable PEM file", path.display()),
            "Choose a PEM file of CA certificates (it starts with -----BEGIN CERTIFICATE-----, \
             at most 1 MiB).",
        )
    };
    let pem = read_ca_file(path)?;
    let certs = reqwest::Certificate::from_pem_bundle(&pem).map_err(|_| refused())?;
    if certs.is_empty() {
        return Err(refused());
    }
    Ok(certs)
}
