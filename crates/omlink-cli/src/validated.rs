//! Every argument checked before anything touches the network: a command becomes a
//! [`Validated`] one, or an error that says what to fix.

use std::io::{self, Read};

use omlink::{Error, LinkToken, OrgId};

use crate::args::{Command, TokenArg};
use crate::{atlas, batch};

/// A command whose arguments passed validation.
pub(crate) enum Validated {
    Link {
        org: OrgId,
        token: LinkToken,
    },
    LinkViaAtlas {
        org: OrgId,
        atlas_org: OrgId,
        access_list: Vec<omlink::AccessListEntry>,
    },
    LinkFrom {
        file: omlink::LinkFile,
        options: omlink::batch::BatchOptions,
        access_list: Vec<omlink::AccessListEntry>,
    },
    StatusAll {
        concurrency: usize,
    },
    Status {
        org: OrgId,
    },
    Unlink {
        org: OrgId,
        yes: bool,
    },
    Orgs,
    Preflight {
        org: OrgId,
    },
}

impl Validated {
    pub(crate) fn new(command: Command) -> Result<Self, Error> {
        Ok(match command {
            Command::Link {
                from: Some(path),
                concurrency,
                force,
                access_list_ip,
                ..
            } => {
                let options = omlink::batch::BatchOptions {
                    concurrency,
                    force,
                    ..Default::default()
                };
                options.validate()?;
                Self::LinkFrom {
                    access_list: atlas::parse_ips(&access_list_ip)?,
                    file: batch::read_link_file(&path)?,
                    options,
                }
            }
            Command::Link {
                org,
                atlas_org: Some(atlas_org),
                access_list_ip,
                ..
            } => Self::LinkViaAtlas {
                org: OrgId::new(org.unwrap_or_default())?,
                atlas_org: OrgId::new(atlas_org)?,
                access_list: atlas::parse_ips(&access_list_ip)?,
            },
            Command::Link { access_list_ip, .. } if !access_list_ip.is_empty() => {
                return Err(Error::invalid_input(
                    "--access-list-ip is for tokens minted in Atlas",
                    "Use it with --atlas-org, or with --from and atlas_org rows.",
                ));
            }
            Command::Link { org, token, .. } => {
                let org = OrgId::new(org.unwrap_or_default())?;
                let token = match token {
                    Some(TokenArg::Stdin) => read_token_from_stdin()?,
                    Some(TokenArg::Given(token)) => token?,
                    None => LinkToken::new("")?,
                };
                Self::Link { org, token }
            }
            Command::Status {
                all: true,
                concurrency,
                ..
            } => {
                omlink::batch::BatchOptions {
                    concurrency,
                    ..Default::default()
                }
                .validate()?;
                Self::StatusAll { concurrency }
            }
            Command::Status { org, .. } => Self::Status {
                org: OrgId::new(org.unwrap_or_default())?,
            },
            Command::Unlink { org, yes } => Self::Unlink {
                org: OrgId::new(org)?,
                yes,
            },
            Command::Orgs => Self::Orgs,
            Command::Preflight { org } => Self::Preflight {
                org: OrgId::new(org)?,
            },
            Command::Profile(_) | Command::Atlas(_) => {
                return Err(Error::internal(
                    "profile and atlas commands connect on their own",
                ));
            }
        })
    }
}

pub(crate) fn read_token_from_stdin() -> Result<LinkToken, Error> {
    let mut raw = zeroize::Zeroizing::new(String::new());
    io::stdin()
        .take(omlink::MAX_LINK_TOKEN_LEN as u64 * 4)
        .read_to_string(&mut raw)
        .map_err(|e| {
            Error::invalid_input(
                format!("Cannot read the link token from standard input: {e}"),
                "Pipe the token in: echo \"$TOKEN\" | omlink link --org … --token -",
            )
        })?;
    LinkToken::new(raw.as_str())
}
