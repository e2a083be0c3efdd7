//! `omlink atlas …`: the Atlas side — organizations, link tokens, available projects — and the
//! Atlas connection that `omlink link --atlas-org` uses to mint a token and link in one step.
//! Credentials come from the environment only.

use std::net::IpAddr;
use std::path::PathBuf;
use std::time::Duration;

use clap::Subcommand;
use omlink::{
    ATLAS_URL, AtlasClient, AtlasConfig, AtlasCredentials, BaseUrl, ClientId, Error, OrgId,
    PrivateKey, PublicKey, TlsOptions,
};
use serde_json::json;

use crate::{Output, confirm, emit, print, warn};

#[derive(Subcommand, Debug)]
pub(crate) enum AtlasCommand {
    /// List the Atlas organizations the credentials can see (id, name).
    Orgs,
    /// Create or revoke an Atlas organization's link token.
    #[command(subcommand)]
    Token(TokenCommand),
    /// The projects an Atlas organization can migrate from (those of linked sources).
    Projects {
        /// The Atlas organization id.
        #[arg(long, value_name = "ID")]
        atlas_org: String,
    },
}

#[derive(Subcommand, Debug)]
pub(crate) enum TokenCommand {
    /// Create a link token and print it alone on standard output (pipe it into
    /// `omlink link --token -`).
    Create {
        /// The Atlas organization id.
        #[arg(long, value_name = "ID")]
        atlas_org: String,
        /// An IP address Atlas accepts the source's calls from: the source's external address
        /// as Atlas sees it (repeat for several; Cloud Manager needs none).
        #[arg(long = "access-list-ip", value_name = "IP")]
        access_list_ip: Vec<String>,
    },
    /// Revoke the link token: this removes the link and the API key it carries.
    Revoke {
        /// The Atlas organization id.
        #[arg(long, value_name = "ID")]
        atlas_org: String,
        /// Do not ask for confirmation (required when standard input is not a terminal).
        #[arg(long)]
        yes: bool,
    },
}

/// Where Atlas is and how to trust it; the credentials come from the environment.
#[derive(clap::Args, Debug, Clone)]
pub(crate) struct AtlasConnection {
    /// Atlas's address (default https://cloud.mongodb.com).
    #[arg(long, global = true, env = "OMLINK_ATLAS_URL", value_name = "URL")]
    pub atlas_url: Option<String>,
    /// A PEM file of extra CA certificates to trust for Atlas, in addition to the system's.
    #[arg(long, global = true, env = "OMLINK_ATLAS_CA_CERT", value_name = "FILE")]
    pub atlas_ca_cert: Option<PathBuf>,
}

/// Checks the access-list addresses before anything is sent.
pub(crate) fn parse_ips(raw: &[String]) -> Result<Vec<IpAddr>, Error> {
    raw.iter()
        .map(|ip| {
            ip.trim().parse::<IpAddr>().map_err(|_| {
                Error::invalid_input(
                    format!("\"{}\" is not an IP address", ip.trim()),
                    "Give the source's external IP address as Atlas sees it, such as \
                     --access-list-ip 203.0.113.7.",
                )
            })
        })
        .collect()
}

/// The Atlas client, from the environment's credentials: a service account
/// (OMLINK_ATLAS_CLIENT_ID and OMLINK_ATLAS_CLIENT_SECRET) or an API key
/// (OMLINK_ATLAS_PUBLIC_KEY and OMLINK_ATLAS_PRIVATE_KEY).
pub(crate) fn connect(c: &AtlasConnection, timeout: Duration) -> Result<AtlasClient, Error> {
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
                 (or an API key's OMLINK_ATLAS_PUBLIC_KEY and OMLINK_ATLAS_PRIVATE_KEY): they are \
                 never accepted as flags.",
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
    let client = AtlasClient::new(config)?;
    for warning in client.warnings() {
        warn(&format!("Atlas: {warning}"));
    }
    Ok(client)
}

/// Runs an `omlink atlas …` command.
pub(crate) async fn run(
    command: AtlasCommand,
    c: &AtlasConnection,
    timeout: Duration,
    output: Output,
) -> Result<u8, Error> {
    // Every argument is checked before anything is sent.
    match &command {
        AtlasCommand::Orgs => {}
        AtlasCommand::Projects { atlas_org }
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
    let client = connect(c, timeout)?;
    match command {
        AtlasCommand::Orgs => {
            let orgs = client.list_orgs().await?;
            print(output, &json!({"organizations": orgs}), || {
                if orgs.is_empty() {
                    return "No Atlas organizations are visible to these credentials".to_owned();
                }
                orgs.iter()
                    .map(|o| format!("{}  {}", o.id, o.name))
                    .collect::<Vec<_>>()
                    .join("\n")
            });
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
