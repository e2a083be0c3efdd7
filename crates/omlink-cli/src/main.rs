//! `omlink`: link an Ops Manager / Cloud Manager organization to Atlas from a terminal or a
//! script. Every command prints one line of text or one JSON object, and exits with a stable
//! code (see `EXIT_CODES`).

use std::process::ExitCode;
use std::time::Duration;

use clap::parser::ValueSource;
use clap::{CommandFactory, FromArgMatches};
use omlink::{Client, Error, LinkStatus, Profile};
use serde_json::json;

mod args;
mod atlas;
mod batch;
mod connect;
mod migrations;
mod output;
mod profiles;
mod validated;

use args::{Cli, Command, TokenArg, after_help};
use connect::{connect, find_profile};
use output::{confirm, describe, print, print_orgs, report, verdict_word, warn};
use validated::Validated;

// Parsed once per run: the size of its largest variant does not matter.

fn main() -> ExitCode {
    let matches = Cli::command().after_help(after_help()).get_matches();
    let token_in_argv = matches
        .subcommand_matches("link")
        .is_some_and(|m| m.value_source("token") == Some(ValueSource::CommandLine));
    let cli = Cli::from_arg_matches(&matches).unwrap_or_else(|e| e.exit());
    if token_in_argv
        && matches!(
            &cli.command,
            Command::Link {
                token: Some(TokenArg::Given(_)),
                from: None,
                ..
            }
        )
    {
        warn(
            "a link token given with --token VALUE is visible to other users of this machine \
             (ps, shell history); prefer --token - (standard input) or OMLINK_LINK_TOKEN",
        );
    }
    let output = cli.connection.output;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a Tokio runtime");
    match runtime.block_on(run(cli)) {
        Ok(code) => ExitCode::from(code),
        Err(error) => {
            report(&error, output);
            ExitCode::from(error.kind.exit_code())
        }
    }
}

/// Runs a command; `Ok` carries the exit code (0, or 10 when some organizations of a batch
/// failed).
async fn run(cli: Cli) -> Result<u8, Error> {
    let output = cli.connection.output;
    let timeout = Duration::from_secs(cli.connection.timeout);
    let command = match cli.command {
        Command::Profile(command) => {
            return profiles::run(command, &cli.connection).map(|()| 0);
        }
        Command::Atlas(command) => {
            // A --profile lends its Atlas connection; its Ops Manager key is not needed.
            let profile = match &cli.connection.profile {
                Some(name) if cli.connection.atlas.atlas_profile.is_none() => {
                    Some(find_profile(name)?)
                }
                _ => None,
            };
            if let args::AtlasCommand::Migration(command) = command {
                let atlas_client =
                    atlas::connect(&cli.connection.atlas, timeout, profile.as_ref())?;
                // Ops Manager, when given, tells each source project's organization.
                let om = match (&cli.connection.profile, &cli.connection.url) {
                    (None, None) => None,
                    _ => Some(connect(&cli.connection)?.0),
                };
                return migrations::run(command, atlas_client, om, output).await;
            }
            return atlas::run(
                command,
                &cli.connection.atlas,
                timeout,
                output,
                profile.as_ref(),
            )
            .await;
        }
        command => command,
    };
    // Validate every argument before anything touches the network.
    let command = Validated::new(command)?;
    let (client, profile) = connect(&cli.connection)?;
    for warning in client.warnings() {
        warn(&warning.to_string());
    }
    match command {
        Validated::StatusAll { concurrency } => {
            return batch::status_all(client, output, concurrency).await;
        }
        Validated::LinkFrom {
            file,
            options,
            access_list,
        } => {
            let atlas = if file.mint.is_empty() {
                None
            } else {
                let atlas_client =
                    atlas::connect(&cli.connection.atlas, timeout, profile.as_ref())?;
                Some((atlas_client, access_list))
            };
            return batch::link_from(client, profile, file, atlas, output, options).await;
        }
        Validated::LinkViaAtlas {
            org,
            atlas_org,
            access_list,
        } => {
            // Both sides are set up before anything is sent.
            let atlas_client = atlas::connect(&cli.connection.atlas, timeout, profile.as_ref())?;
            let token = atlas_client
                .create_link_token(&atlas_org, &access_list)
                .await?;
            // With a saved profile the token is kept (keychain, history "not linked yet")
            // before it is sent: a failure, or Ctrl-C, loses nothing.
            let kept = match &profile {
                Some(profile) => {
                    let workbench = batch::workbench()?;
                    let item = omlink::batch::BatchItem {
                        org: org.clone(),
                        name: None,
                        token: None,
                    };
                    let entry =
                        batch::keep_one(&workbench, profile, &item, &token, &atlas_org).await;
                    Some((workbench, entry))
                }
                None => None,
            };
            let result = client.link(&org, &token).await;
            if let Some((workbench, entry)) = kept {
                let outcome = match &result {
                    Ok(o) => omlink::Outcome::Linked {
                        status: o.status.clone(),
                    },
                    Err(e) => omlink::Outcome::failed(e),
                };
                let entry = workbench.record_outcome(entry, outcome);
                if result.is_err() && entry.has_token {
                    warn(&format!(
                        "the token generated in Atlas organization {atlas_org} is kept in the \
                         keychain and the history: link with it later from the app, or revoke it"
                    ));
                }
            } else if result.is_err() {
                atlas::unused_token_warning(&[&atlas_org]);
            }
            let outcome = result?;
            print(
                output,
                &json!({"org": org, "status": outcome.status}),
                || {
                    format!(
                        "Organization {org} linked to Atlas organization {atlas_org}: {}",
                        describe(&outcome.status)
                    )
                },
            );
        }
        Validated::Link { org, token } => {
            let outcome = client.link(&org, &token).await?;
            print(
                output,
                &json!({"org": org, "status": outcome.status}),
                || {
                    format!(
                        "Organization {org} linked to Atlas: {}",
                        describe(&outcome.status)
                    )
                },
            );
        }
        Validated::Status { org } => {
            let outcome = client.link_status(&org).await?;
            print(
                output,
                &json!({"org": org, "status": outcome.status}),
                || match outcome.status {
                    LinkStatus::NoLink => format!("Organization {org} is not linked to Atlas"),
                    ref s => format!("Organization {org}: {}", describe(s)),
                },
            );
        }
        Validated::Unlink { org, yes } => {
            if !yes {
                confirm(&format!("Remove the Atlas link of organization {org}?"))?;
            }
            client.unlink(&org).await?;
            print(output, &json!({"org": org, "unlinked": true}), || {
                format!("Organization {org} unlinked from Atlas")
            });
        }
        Validated::Preflight { org } => {
            let server = server_kind(&client, profile.as_ref());
            let checks = omlink::preflight::preflight(&client, server, &org).await?;
            print(
                output,
                &json!({"org": org, "server": server, "projects": checks}),
                || {
                    if checks.is_empty() {
                        return format!("Organization {org} has no projects");
                    }
                    checks
                        .iter()
                        .map(|c| {
                            format!(
                                "{}  {}  [{}]\n  {}",
                                c.project_id,
                                c.name,
                                verdict_word(c.verdict),
                                c.message
                            )
                        })
                        .collect::<Vec<_>>()
                        .join("\n")
                },
            );
        }
        Validated::Orgs => {
            let orgs = client.list_orgs().await?;
            print_orgs(
                output,
                &orgs,
                "No organizations are visible to this API key",
            );
        }
    }
    Ok(0)
}

/// Ops Manager or Cloud Manager: the profile's kind, else Cloud Manager's own address.
fn server_kind(client: &Client, profile: Option<&Profile>) -> omlink::ServerKind {
    match profile {
        Some(p) => p.kind,
        None if client.base_url().as_str() == omlink::CLOUD_MANAGER_URL => {
            omlink::ServerKind::CloudManager
        }
        None => omlink::ServerKind::OpsManager,
    }
}
