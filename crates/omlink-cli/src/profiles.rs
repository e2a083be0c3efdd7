//! `omlink profile list | show | add | remove`: the profiles the app and the CLI share, for
//! headless servers and scripts. Writes go through the core store (atomic, under the
//! cross-process lock); private keys go to the OS keychain only.

use std::io::{self, IsTerminal};

use omlink::secret_store::{SecretStore, os_keychain, private_key_account};
use std::sync::Arc;

use omlink::{Error, PrivateKey, Profile, ProfileBook, ProfileDraft, ServerKind, Store, Workbench};
use serde_json::json;

use crate::args::{Connection, Kind, ProfileCommand};
use crate::output::{confirm, print, warn};

pub fn run(command: ProfileCommand, c: &Connection) -> Result<(), Error> {
    let store = Store::open_default()?;
    match command {
        ProfileCommand::List => {
            let book = ProfileBook::load_from_store_file(store.path())?;
            print(c.output, &json!({ "profiles": book.profiles }), || {
                if book.profiles.is_empty() {
                    return format!("No profiles are saved in {}", store.path().display());
                }
                table(&book.profiles)
            });
        }
        ProfileCommand::Show { name } => {
            let book = ProfileBook::load_from_store_file(store.path())?;
            let profile = find(&book, &name, &store)?;
            print(c.output, &json!(profile), || describe(profile));
        }
        ProfileCommand::Add {
            name,
            kind,
            no_private_key,
        } => add(&store, c, name, kind, no_private_key)?,
        ProfileCommand::Prune { yes } => {
            let contents = store.load()?;
            report_set_aside(contents.set_aside.as_deref());
            let workbench = Workbench::from_contents(
                contents,
                Arc::new(os_keychain()?),
                Arc::new(store.clone()),
            );
            let upkeep = workbench.prune_keychain(yes)?;
            let value = json!({
                "unused": upkeep.unused,
                "removed": upkeep.removed,
                "moved": upkeep.moved,
            });
            print(c.output, &value, || {
                let mut lines: Vec<String> =
                    upkeep.unused.iter().map(|a| format!("  {a}")).collect();
                let summary = upkeep.notice.clone().unwrap_or_default();
                if !yes && !upkeep.unused.is_empty() {
                    lines.insert(0, summary);
                    lines.push("Run `omlink profile prune --yes` to remove them.".to_owned());
                } else {
                    lines = vec![summary];
                }
                lines.join("\n")
            });
        }
        ProfileCommand::Remove { name, yes } => {
            let book = ProfileBook::load_from_store_file(store.path())?;
            let profile = find(&book, &name, &store)?.clone();
            if !yes {
                confirm(&format!(
                    "Delete profile \"{}\" and its private key?",
                    profile.name
                ))?;
            }
            let contents = store.load()?;
            report_set_aside(contents.set_aside.as_deref());
            let uses_keychain = profile.has_private_key
                || contents
                    .data
                    .history
                    .iter()
                    .any(|e| e.profile_id == profile.id && e.has_token);
            if uses_keychain {
                // As the app does it: the keychain first (a profile whose key could not be
                // removed stays listed), its link tokens with it.
                let workbench = Workbench::new(
                    contents.data.profiles,
                    contents.data.history,
                    Arc::new(os_keychain()?),
                    Arc::new(store.clone()),
                );
                workbench.delete_profile(&profile.id)?;
            } else {
                store.update(|data| {
                    data.profiles.remove(&profile.id);
                    Ok(())
                })?;
            }
            print(
                c.output,
                &json!({"profile": profile.name, "removed": true}),
                || format!("Profile \"{}\" removed", profile.name),
            );
        }
    }
    Ok(())
}

fn add(
    store: &Store,
    c: &Connection,
    name: String,
    kind: Kind,
    no_private_key: bool,
) -> Result<(), Error> {
    let draft = ProfileDraft {
        name,
        kind: match kind {
            Kind::OpsManager => ServerKind::OpsManager,
            Kind::CloudManager => ServerKind::CloudManager,
        },
        url: c.url.clone().unwrap_or_default(),
        public_key: c.public_key.clone().unwrap_or_default(),
        ca_file: c.ca_cert.clone(),
        skip_verify: c.insecure_skip_tls_verify,
        timeout_secs: c.timeout,
        atlas: None,
    };
    if draft.kind == ServerKind::OpsManager && draft.url.is_empty() {
        return Err(Error::invalid_input(
            "No server URL given",
            "Pass --url https://opsmanager.example.com:8443 (or --kind cloud-manager).",
        ));
    }
    // Everything is validated before the keychain is touched.
    // A corrupt file is set aside (and said) here, before anything else happens.
    let contents = store.load()?;
    report_set_aside(contents.set_aside.as_deref());
    let planned = contents.data.profiles.validate(None, &draft)?;
    let key = if no_private_key {
        None
    } else {
        Some(read_private_key()?)
    };
    if let Some(key) = &key {
        os_keychain()?.set(&private_key_account(&planned.id), key.expose())?;
    }
    let saved = store.update(|data| {
        let mut profile = data.profiles.validate(None, &draft)?;
        profile.id = planned.id.clone();
        profile.has_private_key = key.is_some();
        data.profiles.upsert(profile.clone());
        Ok(profile)
    });
    let updated = match saved {
        Ok(updated) => updated,
        Err(e) => {
            if key.is_some()
                && let Ok(keychain) = os_keychain()
            {
                let _ = keychain.delete(&private_key_account(&planned.id));
            }
            return Err(e);
        }
    };
    report_set_aside(updated.set_aside.as_deref());
    let profile = updated.value;
    print(c.output, &json!(profile), || {
        format!(
            "Profile \"{}\" saved{}",
            profile.name,
            if profile.has_private_key {
                ", its private key in the OS keychain"
            } else {
                " without a private key"
            }
        )
    });
    Ok(())
}

/// The private key from OMLINK_PRIVATE_KEY or, in a terminal, a prompt that does not echo.
fn read_private_key() -> Result<PrivateKey, Error> {
    if let Ok(key) = std::env::var("OMLINK_PRIVATE_KEY") {
        return PrivateKey::new(zeroize::Zeroizing::new(key).as_str());
    }
    if !io::stdin().is_terminal() {
        return Err(Error::invalid_input(
            "No private API key: OMLINK_PRIVATE_KEY is not set and there is no terminal to ask in",
            "Export OMLINK_PRIVATE_KEY, run in a terminal, or pass --no-private-key.",
        ));
    }
    let key = rpassword::prompt_password("Private API key (not shown): ")
        .map(zeroize::Zeroizing::new)
        .map_err(|e| {
            Error::invalid_input(
                format!("Could not read the private key: {e}"),
                "Export OMLINK_PRIVATE_KEY instead.",
            )
        })?;
    PrivateKey::new(key.as_str())
}

fn find<'a>(book: &'a ProfileBook, name: &str, store: &Store) -> Result<&'a Profile, Error> {
    book.find_by_name(name).ok_or_else(|| {
        let known: Vec<&str> = book.profiles.iter().map(|p| p.name.as_str()).collect();
        Error::invalid_input(
            format!("No profile named \"{name}\" in {}", store.path().display()),
            if known.is_empty() {
                "Create one with `omlink profile add`.".to_owned()
            } else {
                format!("Saved profiles: {}.", known.join(", "))
            },
        )
    })
}

fn kind_name(kind: ServerKind) -> &'static str {
    match kind {
        ServerKind::OpsManager => "ops-manager",
        ServerKind::CloudManager => "cloud-manager",
    }
}

fn table(profiles: &[Profile]) -> String {
    let rows: Vec<[String; 5]> = profiles
        .iter()
        .map(|p| {
            [
                p.name.clone(),
                kind_name(p.kind).to_owned(),
                p.url.to_string(),
                p.public_key.to_string(),
                if p.has_private_key { "yes" } else { "no" }.to_owned(),
            ]
        })
        .collect();
    let header = ["NAME", "KIND", "URL", "PUBLIC KEY", "PRIVATE KEY"].map(str::to_owned);
    let mut widths = [0usize; 5];
    for row in std::iter::once(&header).chain(&rows) {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    std::iter::once(&header)
        .chain(&rows)
        .map(|row| {
            let cells: Vec<String> = row
                .iter()
                .zip(widths)
                .map(|(cell, w)| format!("{cell:<w$}"))
                .collect();
            cells.join("  ").trim_end().to_owned()
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn describe(p: &Profile) -> String {
    let mut lines = vec![
        format!("name:         {}", p.name),
        format!("id:           {}", p.id),
        format!("kind:         {}", kind_name(p.kind)),
        format!("url:          {}", p.url),
        format!("public key:   {}", p.public_key),
        format!(
            "private key:  {}",
            if p.has_private_key {
                "in the OS keychain"
            } else {
                "not saved"
            }
        ),
        format!("timeout:      {} s", p.timeout_secs),
    ];
    if let Some(ca) = &p.tls.ca_file {
        lines.push(format!("extra CA:     {}", ca.display()));
    }
    if p.tls.skip_verify {
        lines.push("TLS:          verification OFF".to_owned());
    }
    lines.join("\n")
}

fn report_set_aside(notice: Option<&str>) {
    if let Some(notice) = notice {
        warn(notice);
    }
}
