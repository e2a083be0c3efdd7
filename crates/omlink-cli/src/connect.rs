//! The Ops Manager client a command uses: from a saved profile (its key from the keychain
//! unless OMLINK_PRIVATE_KEY is set) or from the flags and environment.

use std::time::Duration;

use omlink::secret_store::{SecretStore, os_keychain, private_key_account};
use omlink::{
    BaseUrl, Client, ClientConfig, Error, PrivateKey, Profile, ProfileBook, PublicKey, Store,
    TlsOptions,
};

use crate::args::Connection;

/// The client, and the saved profile it was built from (with `--profile`).
pub(crate) fn connect(c: &Connection) -> Result<(Client, Option<Profile>), Error> {
    if let Some(name) = &c.profile {
        return connect_profile(name, c).map(|(client, profile)| (client, Some(profile)));
    }
    let url = c.url.as_deref().ok_or_else(|| {
        Error::invalid_input(
            "No server URL given",
            "Pass --url https://opsmanager.example.com:8443 or set OMLINK_URL.",
        )
    })?;
    let public_key = c.public_key.as_deref().ok_or_else(|| {
        Error::invalid_input(
            "No public API key given",
            "Pass --public-key or set OMLINK_PUBLIC_KEY.",
        )
    })?;
    let private_key = std::env::var("OMLINK_PRIVATE_KEY").map_err(|_| {
        Error::invalid_input(
            "OMLINK_PRIVATE_KEY is not set",
            "Export the private API key as OMLINK_PRIVATE_KEY (it is never accepted as a flag).",
        )
    })?;
    let mut config = ClientConfig::new(
        BaseUrl::new(url)?,
        PublicKey::new(public_key)?,
        PrivateKey::new(zeroize::Zeroizing::new(private_key).as_str())?,
    );
    config.tls = TlsOptions {
        ca_file: c.ca_cert.clone(),
        skip_verify: c.insecure_skip_tls_verify,
    };
    config.timeout = Duration::from_secs(c.timeout);
    config.connect_timeout = config.timeout.min(omlink::DEFAULT_CONNECT_TIMEOUT);
    Ok((Client::new(config)?, None))
}

/// The saved profile named `name` (case-insensitive).
pub(crate) fn find_profile(name: &str) -> Result<Profile, Error> {
    let store = Store::open_default()?;
    let path = store.path();
    let book = ProfileBook::load_from_store_file(path)?;
    book.find_by_name(name).cloned().ok_or_else(|| {
        no_such_name(
            ("profile", "profiles"),
            name,
            path,
            book.profiles.iter().map(|p| p.name.as_str()),
            "Create one in the omlink app, or with `omlink profile add`.",
        )
    })
}

/// No saved `what.0` (plural `what.1`) is called `name` in store file `path`: the error lists
/// the `known` names, or says how to add one (`none`).
pub(crate) fn no_such_name<'a>(
    (one, many): (&str, &str),
    name: &str,
    path: &std::path::Path,
    known: impl Iterator<Item = &'a str>,
    none: &str,
) -> Error {
    let known: Vec<&str> = known.collect();
    Error::invalid_input(
        format!("No {one} named \"{name}\" in {}", path.display()),
        if known.is_empty() {
            none.to_owned()
        } else {
            format!("Saved {many}: {}.", known.join(", "))
        },
    )
}

/// Connects with a saved profile. An explicit OMLINK_PRIVATE_KEY wins over the keychain; there
/// is no silent fallback from a failing keychain.
pub(crate) fn connect_profile(name: &str, c: &Connection) -> Result<(Client, Profile), Error> {
    let profile = find_profile(name)?;
    let private_key = match std::env::var("OMLINK_PRIVATE_KEY") {
        Ok(key) => PrivateKey::new(zeroize::Zeroizing::new(key).as_str())?,
        Err(_) => {
            let store = os_keychain()?;
            let secret = store
                .get(&private_key_account(&profile.id))?
                .ok_or_else(|| {
                    Error::invalid_input(
                        format!(
                            "The keychain holds no private key for profile \"{}\"",
                            profile.name
                        ),
                        "Save the private key in the omlink app, or set OMLINK_PRIVATE_KEY.",
                    )
                })?;
            PrivateKey::new(secret.as_str())?
        }
    };
    let mut config = profile.client_config(private_key);
    if c.ca_cert.is_some() {
        config.tls.ca_file = c.ca_cert.clone();
    }
    config.tls.skip_verify |= c.insecure_skip_tls_verify;
    Ok((Client::new(config)?, profile.clone()))
}
