//! `omlink atlas …`: the Atlas side — organizations, link tokens, available projects — and the
//! Atlas connection that `omlink link --atlas-org` uses to mint a token and link in one step.
//! Credentials come from the environment only.

use omlink::AccessListEntry;
use std::time::Duration;

use omlink::{
    ATLAS_URL, AtlasClient, AtlasConfig, AtlasCredentials, BaseUrl, ClientId, Error, OrgId,
    PrivateKey, PublicKey, TlsOptions,
};
use serde_json::json;

use crate::args::{AtlasCommand, AtlasConnection, Output, TokenCommand};
use crate::output::{confirm, emit, print, print_orgs, warn};

/// Checks the access-list addresses and CIDR blocks before anything is sent (the core's
/// rule; an empty `--access-list-ip ""` is refused rather than skipped).
pub(crate) fn parse_ips(raw: &[String]) -> Result<Vec<AccessListEntry>, Error> {
    if raw.iter().any(|ip| ip.trim().is_empty()) {
        return Err(Error::invalid_input(
            "\"\" is not an IP address or CIDR block",
            "Give the source's external IP address or CIDR block as Atlas sees it, such as \
             --access-list-ip 203.0.113.7 or --access-list-ip 198.51.100.0/24.",
        ));
    }
    omlink::parse_access_list(raw)
}

/// The Atlas client: from `--atlas-profile`, else the environment's credentials (a service
/// account's OMLINK_ATLAS_CLIENT_ID and OMLINK_ATLAS_CLIENT_SECRET, or an API key's
/// OMLINK_ATLAS_PUBLIC_KEY and OMLINK_ATLAS_PRIVATE_KEY), else the Atlas connection that the
/// `--profile` names.
pub(crate) fn connect(
    c: &AtlasConnection,
    timeout: Duration,
    om_profile: Option<&omlink::Profile>,
) -> Result<AtlasClient, Error> {
    let env = |name: &str| std::env::var(name).ok().filter(|v| !v.trim().is_empty());
    // Who signs in, given in the environment, wins over a profile's Atlas connection; a secret
    // alone is the saved connection's, overriding the keychain.
    let env_identity = ["OMLINK_ATLAS_CLIENT_ID", "OMLINK_ATLAS_PUBLIC_KEY"]
        .iter()
        .any(|name| env(name).is_some());
    let saved = match (&c.atlas_profile, om_profile.and_then(|p| p.atlas.as_ref())) {
        (Some(name), _) => Some(Saved::Name(name.clone())),
        (None, Some(link)) if !env_identity => Some(Saved::Id(link.connection.clone())),
        _ => None,
    };
    let config = match saved {
        Some(saved) => saved_config(&saved, c)?,
        None => env_config(c, timeout)?,
    };
    let client = AtlasClient::new(config)?;
    for warning in client.warnings() {
        warn(&format!("Atlas: {warning}"));
    }
    Ok(client)
}

/// Which saved Atlas connection: named on the command line, or named by a profile.
enum Saved {
    Name(String),
    Id(omlink::ProfileId),
}

/// The configuration of a saved Atlas connection. An explicit secret in the environment wins
/// over the keychain; there is no silent fallback from a failing keychain.
fn saved_config(saved: &Saved, c: &AtlasConnection) -> Result<AtlasConfig, Error> {
    let store = omlink::Store::open_default()?;
    let path = store.path();
    let book = omlink::ProfileBook::load_from_store_file(path)?;
    let connection = match saved {
        Saved::Name(name) => book.find_atlas_by_name(name).ok_or_else(|| {
            let known = book.atlas.iter().map(|a| a.name.as_str());
            crate::connect::no_such_name(
                ("Atlas connection", "Atlas connections"),
                name,
                path,
                known,
                "Add one in the omlink app (Atlas connections).",
            )
        })?,
        Saved::Id(id) => book.get_atlas(id).ok_or_else(|| {
            Error::invalid_input(
                "The profile names an Atlas connection that no longer exists",
                "Choose its Atlas connection again in the omlink app, or pass --atlas-profile.",
            )
        })?,
    };
    if connection.sandbox {
        return Err(Error::invalid_input(
            format!(
                "\"{}\" is the app's sandbox, which runs only inside the app",
                connection.name
            ),
            "Run `omlink-sandbox` and pass its address with --atlas-url and the demo \
             credentials in the environment.",
        ));
    }
    let variable = match connection.auth {
        omlink::AtlasAuth::ServiceAccount => "OMLINK_ATLAS_CLIENT_SECRET",
        omlink::AtlasAuth::ApiKey => "OMLINK_ATLAS_PRIVATE_KEY",
    };
    let secret = match std::env::var(variable)
        .ok()
        .filter(|v| !v.trim().is_empty())
    {
        Some(secret) => PrivateKey::new(zeroize::Zeroizing::new(secret).as_str())?,
        None => {
            let keychain = omlink::secret_store::os_keychain()?;
            let secret = omlink::secret_store::SecretStore::get(
                &keychain,
                &omlink::secret_store::atlas_secret_account(&connection.id),
            )?
            .ok_or_else(|| {
                Error::invalid_input(
                    format!(
                        "The keychain holds no secret for Atlas connection \"{}\"",
                        connection.name
                    ),
                    format!("Save it in the omlink app, or set {variable}."),
                )
            })?;
            PrivateKey::new(secret.as_str())?
        }
    };
    let mut config = connection.config(secret)?;
    if c.atlas_ca_cert.is_some() {
        config.tls.ca_file = c.atlas_ca_cert.clone();
    }
    Ok(config)
}

fn env_config(c: &AtlasConnection, timeout: Duration) -> Result<AtlasConfig, Error> {
    let env = |name: &str| std::env::var(name).ok().filter(|v| !v.trim().is_empty());
    let credentials = match (
        env("OMLINK_ATLAS_CLIENT_ID"),
        env("OMLINK_ATLAS_CLIENT_SECRET").map(zeroize::Zeroizing::new),
        env("OMLINK_ATLAS_PUBLIC_KEY"),
        env("OMLINK_ATLAS_PRIVATE_KEY").map(zeroize::Zeroizing::new),
    ) {
        (Some(id), Some(secret), _, _) => AtlasCredentials::ServiceAccount {
            client_id: ClientId::new(id)?,
            client_secret: PrivateKey::new(secret.as_str())?,
        },
        (Some(_), None, _, _) | (None, Some(_), _, _) => {
            return Err(Error::invalid_input(
                "Only half of the Atlas service account is set",
                "Set both OMLINK_ATLAS_CLIENT_ID and OMLINK_ATLAS_CLIENT_SECRET.",
            ));
        }
        (None, None, Some(public), Some(private)) => AtlasCredentials::ApiKey {
            public_key: PublicKey::new(public)?,
            private_key: PrivateKey::new(private.as_str())?,
        },
        (None, None, Some(_), None) | (None, None, None, Some(_)) => {
            return Err(Error::invalid_input(
                "Only half of the Atlas API key is set",
                "Set both OMLINK_ATLAS_PUBLIC_KEY and OMLINK_ATLAS_PRIVATE_KEY.",
            ));
        }
        (None, None, None, None) => {
            return Err(Error::invalid_input(
                "No Atlas credentials are set",
                "Export a service account's OMLINK_ATLAS_CLIENT_ID and OMLINK_ATLAS_CLIENT_SECRET \
                 (or an API key's OMLINK_ATLAS_PUBLIC_KEY and OMLINK_ATLAS_PRIVATE_KEY), or pass \
                 --atlas-profile NAME: they are never accepted as flags.",
            ));
        }
    };
    let mut config = AtlasConfig::new(
        BaseUrl::new(c.atlas_url.as_deref().unwrap_or(ATLAS_URL))?,
        credentials,
    );
    config.tls = TlsOptions {
        ca_file: c.atlas_ca_cert.clone(),
        skip_verify: false,
    };
    config.timeout = timeout;
    config.connect_timeout = timeout.min(omlink::DEFAULT_CONNECT_TIMEOUT);
    Ok(config)
}

/// Runs an `omlink atlas …` command.
pub(crate) async fn run(
    command: AtlasCommand,
    c: &AtlasConnection,
    timeout: Duration,
    output: Output,
    om_profile: Option<&omlink::Profile>,
) -> Result<u8, Error> {
    // Every argument is checked before anything is sent.
    match &command {
        AtlasCommand::Orgs | AtlasCommand::Migration(_) => {}
        AtlasCommand::Projects { atlas_org }
        | AtlasCommand::Clusters { atlas_org }
        | AtlasCommand::Token(TokenCommand::Revoke { atlas_org, .. }) => {
            OrgId::new(atlas_org)?;
        }
        AtlasCommand::Token(TokenCommand::Create {
            atlas_org,
            access_list_ip,
        }) => {
            OrgId::new(atlas_org)?;
            parse_ips(access_list_ip)?;
        }
    }
    let client = connect(c, timeout, om_profile)?;
    match command {
        AtlasCommand::Migration(_) => unreachable!("run by migrations::run"),
        AtlasCommand::Clusters { atlas_org } => {
            return crate::migrations::clusters(&client, &OrgId::new(atlas_org)?, output).await;
        }
        AtlasCommand::Orgs => {
            let orgs = client.list_orgs().await?;
            print_orgs(
                output,
                &orgs,
                "No Atlas organizations are visible to these credentials",
            );
        }
        AtlasCommand::Token(TokenCommand::Create {
            atlas_org,
            access_list_ip,
        }) => {
            let org = OrgId::new(atlas_org)?;
            let token = client
                .create_link_token(&org, &parse_ips(&access_list_ip)?)
                .await?;
            // The token alone (or in its JSON object), for a pipe: nothing else on stdout.
            match output {
                Output::Text => emit(token.expose()),
                Output::Json => emit(&json!({"linkToken": token.expose()}).to_string()),
            }
        }
        AtlasCommand::Token(TokenCommand::Revoke { atlas_org, yes }) => {
            let org = OrgId::new(atlas_org)?;
            if !yes {
                confirm(&format!(
                    "Revoke the link token of Atlas organization {org}? This removes the link \
                     and the API key it carries."
                ))?;
            }
            client.revoke_link_token(&org).await?;
            print(output, &json!({"atlasOrg": org, "revoked": true}), || {
                format!("Link token of Atlas organization {org} revoked")
            });
        }
        AtlasCommand::Projects { atlas_org } => {
            let org = OrgId::new(atlas_org)?;
            match output {
                // The API's own array.
                Output::Json => emit(&client.available_projects_json(&org).await?.to_string()),
                Output::Text => {
                    emit(&projects_text(
                        &org,
                        &client.available_projects(&org).await?,
                    ));
                }
            }
        }
    }
    Ok(0)
}

/// Says which Atlas organizations hold a token that was minted but not used (never the token):
/// it stays valid in Atlas until revoked, and revoking removes every link of that organization.
pub(crate) fn unused_token_warning(atlas_orgs: &[&OrgId]) {
    if atlas_orgs.is_empty() {
        return;
    }
    let list: Vec<String> = atlas_orgs.iter().map(ToString::to_string).collect();
    warn(&format!(
        "a link token minted in Atlas organization(s) {} was not used; it stays valid in Atlas. \
         Run again to use a new one, or `omlink atlas token revoke --atlas-org ID --yes` \
         (this removes every link of that Atlas organization).",
        list.join(", ")
    ));
}

fn projects_text(org: &OrgId, projects: &[omlink::AvailableProject]) -> String {
    if projects.is_empty() {
        return format!(
            "No projects are available to Atlas organization {org} yet: link a source \
             organization with one of its link tokens first"
        );
    }
    let mut lines = Vec::new();
    for p in projects {
        lines.push(format!("{}  {}", p.project_id, p.name));
        for d in &p.deployments {
            let size = d
                .db_size_bytes
                .map(|b| format!("{:.1} GB", b / 1e9))
                .unwrap_or_default();
            lines.push(format!(
                "  {}  MongoDB {}  {}{}{}",
                d.name,
                d.mongodb_version.as_deref().unwrap_or("?"),
                size,
                if d.sharded == Some(true) {
                    "  sharded"
                } else {
                    ""
                },
                match d.managed {
                    Some(true) => "  managed",
                    Some(false) => "  monitored",
                    None => "",
                },
            ));
        }
    }
    lines.join("\n")
}
