//! `omlink`: link an Ops Manager / Cloud Manager organization to Atlas from a terminal or a
//! script. Every command prints one line of text or one JSON object, and exits with a stable
//! code (see `EXIT_CODES`).

use std::io::{self, BufRead, IsTerminal, Read, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use clap::parser::ValueSource;
use clap::{Args, CommandFactory, FromArgMatches, Parser, Subcommand, ValueEnum};
use omlink::secret_store::{SecretStore, os_keychain, private_key_account};
use omlink::{
    BaseUrl, Client, ClientConfig, Error, LinkStatus, LinkToken, OrgId, PrivateKey, Profile,
    ProfileBook, PublicKey, Store, TlsOptions,
};
use serde_json::json;

mod atlas;
mod batch;
mod profiles;

/// The help's closing text: the exit codes (generated from `ErrorKind::exit_code`) and where
/// the private key comes from.
fn after_help() -> String {
    format!(
        "Exit codes:\n{}\nThe private API key is read only from the OMLINK_PRIVATE_KEY environment variable\n\
         (or, for `profile add`, a prompt that does not echo): command-line flags are visible to\n\
         every user of the machine (ps).",
        omlink::exit_code_table()
    )
}

/// Link a MongoDB Ops Manager or Cloud Manager organization to MongoDB Atlas for push live
/// migration.
#[derive(Parser, Debug)]
#[command(name = "omlink", version)]
struct Cli {
    #[command(subcommand)]
    command: Command,
    #[command(flatten)]
    connection: Connection,
}

// Parsed once per run: the size of its largest variant does not matter.
#[allow(clippy::large_enum_variant)]
#[derive(Subcommand, Debug)]
enum Command {
    /// Connect an organization to Atlas with a link token generated in Atlas.
    Link {
        /// The Ops Manager / Cloud Manager organization id (24 hexadecimal characters).
        #[arg(long, required_unless_present = "from", conflicts_with = "from")]
        org: Option<String>,
        /// The link token, or - to read it from standard input (preferred: a token on the
        /// command line is visible to other users).
        #[arg(long, env = "OMLINK_LINK_TOKEN", hide_env_values = true,
              value_parser = TokenArg::parse, required_unless_present_any = ["from", "atlas_org"])]
        token: Option<TokenArg>,
        /// Mint the token in this Atlas organization and link with it in one step (the token
        /// is never printed). Atlas credentials come from the environment (see `omlink atlas`).
        #[arg(long, value_name = "ID", conflicts_with_all = ["token", "from"])]
        atlas_org: Option<String>,
        /// With --atlas-org (or atlas_org rows in --from): an IP address or CIDR block (such as
        /// 203.0.113.7 or 198.51.100.0/24) for each minted token's access list, the source's
        /// external one as Atlas sees it (repeat for several; Cloud Manager needs none).
        #[arg(long = "access-list-ip", value_name = "IP")]
        access_list_ip: Vec<String>,
        /// Link many organizations: a CSV file (- for standard input) with a header row naming
        /// org and token; blank lines and # comments are allowed, other columns ignored. The
        /// whole file is checked before anything is sent.
        #[arg(long, value_name = "FILE")]
        from: Option<PathBuf>,
        /// With --from: organizations linked at the same time (1-64).
        #[arg(long, value_name = "N", default_value_t = omlink::batch::DEFAULT_CONCURRENCY)]
        concurrency: usize,
        /// With --from: link organizations that are already SYNCED too.
        #[arg(long)]
        force: bool,
    },
    /// Show whether an organization (or, with --all, every one) is linked to Atlas.
    Status {
        /// The organization id.
        #[arg(long, required_unless_present = "all", conflicts_with = "all")]
        org: Option<String>,
        /// Every organization the key can see, with its name and link status.
        #[arg(long)]
        all: bool,
        /// With --all: organizations read at the same time (1-64).
        #[arg(long, value_name = "N", default_value_t = omlink::batch::DEFAULT_CONCURRENCY)]
        concurrency: usize,
    },
    /// Remove an organization's link to Atlas.
    Unlink {
        /// The organization id.
        #[arg(long)]
        org: String,
        /// Do not ask for confirmation (required when standard input is not a terminal).
        #[arg(long)]
        yes: bool,
    },
    /// List the organizations the API key can see.
    Orgs,
    /// Manage the connection profiles shared with the omlink app.
    #[command(subcommand)]
    Profile(profiles::ProfileCommand),
    /// Before linking: whether MongoDB still supports push live migration from each of the
    /// organization's projects, from its hosts' MongoDB versions (a warning, not a block).
    Preflight {
        /// The organization id.
        #[arg(long)]
        org: String,
    },
    /// The Atlas side: organizations, link tokens, available projects. Credentials from the
    /// environment only: OMLINK_ATLAS_CLIENT_ID and OMLINK_ATLAS_CLIENT_SECRET (a service
    /// account), or OMLINK_ATLAS_PUBLIC_KEY and OMLINK_ATLAS_PRIVATE_KEY (an API key).
    #[command(subcommand)]
    Atlas(atlas::AtlasCommand),
}

/// `--token`, turned into the secret type as soon as it is parsed. Parsing never fails here
/// (clap would echo the value in its error): a bad token is reported by `Validated::new`.
#[derive(Clone)]
enum TokenArg {
    Stdin,
    Given(Result<LinkToken, Error>),
}

impl TokenArg {
    fn parse(value: &str) -> Result<Self, std::convert::Infallible> {
        Ok(if value == "-" {
            Self::Stdin
        } else {
            Self::Given(LinkToken::new(
                zeroize::Zeroizing::new(value.to_owned()).as_str(),
            ))
        })
    }
}

impl std::fmt::Debug for TokenArg {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::Stdin => "TokenArg::Stdin",
            Self::Given(_) => "TokenArg::Given(<redacted>)",
        })
    }
}

#[derive(Args, Debug)]
struct Connection {
    /// Use a profile saved by the omlink app: its URL, public key, TLS options and timeout,
    /// and its private key from the OS keychain (unless OMLINK_PRIVATE_KEY is set).
    #[arg(long, global = true, env = "OMLINK_PROFILE", value_name = "NAME")]
    profile: Option<String>,
    /// Ops Manager URL, such as https://opsmanager.example.com:8443 (Cloud Manager:
    /// https://cloud.mongodb.com).
    #[arg(long, global = true, env = "OMLINK_URL")]
    url: Option<String>,
    /// The public API key. The private key comes from the OMLINK_PRIVATE_KEY environment
    /// variable only.
    #[arg(long, global = true, env = "OMLINK_PUBLIC_KEY")]
    public_key: Option<String>,
    /// A PEM file of extra CA certificates to trust, in addition to the system's.
    #[arg(long, global = true, env = "OMLINK_CA_CERT")]
    ca_cert: Option<PathBuf>,
    /// Do not verify the server's TLS certificate (labs only).
    #[arg(long, global = true)]
    insecure_skip_tls_verify: bool,
    /// Seconds allowed for each call, all its round trips included.
    #[arg(long, global = true, value_name = "SECS", default_value_t = 30,
          value_parser = clap::value_parser!(u64)
              .range(omlink::MIN_TIMEOUT_SECS..=omlink::MAX_TIMEOUT_SECS))]
    timeout: u64,
    /// Output format.
    #[arg(long, global = true, value_enum, default_value_t = Output::Text)]
    output: Output,
    #[command(flatten)]
    atlas: atlas::AtlasConnection,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum Output {
    Text,
    Json,
}

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
            print(output, &json!({"organizations": orgs}), || {
                if orgs.is_empty() {
                    return "No organizations are visible to this API key".to_owned();
                }
                orgs.iter()
                    .map(|o| format!("{}  {}", o.id, o.name))
                    .collect::<Vec<_>>()
                    .join("\n")
            });
        }
    }
    Ok(0)
}

/// A command whose arguments passed validation.
enum Validated {
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
    fn new(command: Command) -> Result<Self, Error> {
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

fn read_token_from_stdin() -> Result<LinkToken, Error> {
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

/// The client, and the saved profile it was built from (with `--profile`).
fn connect(c: &Connection) -> Result<(Client, Option<Profile>), Error> {
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
fn find_profile(name: &str) -> Result<Profile, Error> {
    let store = Store::open_default()?;
    let path = store.path();
    let book = ProfileBook::load_from_store_file(path)?;
    book.find_by_name(name).cloned().ok_or_else(|| {
        let known: Vec<&str> = book.profiles.iter().map(|p| p.name.as_str()).collect();
        Error::invalid_input(
            format!("No profile named \"{name}\" in {}", path.display()),
            if known.is_empty() {
                "Create one in the omlink app, or with `omlink profile add`.".to_owned()
            } else {
                format!("Saved profiles: {}.", known.join(", "))
            },
        )
    })
}

/// Connects with a saved profile. An explicit OMLINK_PRIVATE_KEY wins over the keychain; there
/// is no silent fallback from a failing keychain.
fn connect_profile(name: &str, c: &Connection) -> Result<(Client, Profile), Error> {
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

/// Asks `question` on the terminal; anything but yes cancels. Without a terminal it refuses and
/// says to pass --yes.
fn confirm(question: &str) -> Result<(), Error> {
    if !io::stdin().is_terminal() {
        return Err(Error::invalid_input(
            "Refusing to go on without confirmation",
            "Pass --yes from a script.",
        ));
    }
    eprint!("{question} [y/N] ");
    let _ = io::stderr().flush();
    let mut answer = String::new();
    let _ = io::stdin().lock().read_line(&mut answer);
    if matches!(answer.trim(), "y" | "Y" | "yes" | "YES" | "Yes") {
        Ok(())
    } else {
        Err(Error::invalid_input("Cancelled", "Nothing was changed."))
    }
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

fn verdict_word(verdict: omlink::preflight::Verdict) -> &'static str {
    use omlink::preflight::Verdict;
    match verdict {
        Verdict::Supported => "supported",
        Verdict::Deprecated => "deprecated",
        Verdict::NotSupported => "not supported",
        Verdict::Unknown => "check",
    }
}

fn describe(status: &LinkStatus) -> String {
    match status {
        LinkStatus::Unreported => "linked (the server reported no status)".to_owned(),
        other => other.as_str().unwrap_or_default().to_owned(),
    }
}

fn print(output: Output, value: &serde_json::Value, text: impl FnOnce() -> String) {
    match output {
        Output::Json => emit(&json_safe(&value.to_string())),
        Output::Text => emit(&terminal_safe(&text())),
    }
}

/// Text for a terminal: each line without control characters (ESC sequences, BEL, CR) or
/// bidi overrides, which server-chosen names (organizations, projects, hosts, statuses,
/// details) could carry to rewrite the screen or disguise what is shown.
fn terminal_safe(text: &str) -> String {
    text.split('\n')
        .map(omlink::sanitize)
        .collect::<Vec<_>>()
        .join("\n")
}

/// JSON for a terminal or a pipe: serde_json already escapes control characters; invisible
/// format characters (bidi overrides) are escaped too, which any JSON reader reads back as is.
fn json_safe(json: &str) -> String {
    let mut out = String::with_capacity(json.len());
    for c in json.chars() {
        if omlink::fuzzing::unsafe_char(c.encode_utf8(&mut [0; 4])).is_some() {
            for unit in c.encode_utf16(&mut [0; 2]) {
                out.push_str(&format!("\\u{unit:04x}"));
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// Writes a line to standard output. When the reader has gone (`omlink orgs | head -c 300`),
/// the process ends quietly instead of panicking with "failed printing to stdout".
fn emit(line: &str) {
    let mut out = io::stdout().lock();
    if let Err(e) = writeln!(out, "{line}").and_then(|()| out.flush())
        && e.kind() == io::ErrorKind::BrokenPipe
    {
        std::process::exit(0);
    }
}

/// A warning on standard error (never on standard output, which scripts parse).
fn warn(text: &str) {
    let _ = writeln!(io::stderr().lock(), "warning: {}", terminal_safe(text));
}

fn report(error: &Error, output: Output) {
    match output {
        Output::Json => emit(&json_safe(&json!({ "error": error }).to_string())),
        Output::Text => {
            let mut err = io::stderr().lock();
            let _ = writeln!(err, "error: {}", terminal_safe(&error.message));
            if let Some(code) = &error.error_code {
                let _ = writeln!(err, "  server errorCode: {}", terminal_safe(code));
            }
            if !error.hint.is_empty() {
                let _ = writeln!(err, "  hint: {}", terminal_safe(&error.hint));
            }
        }
    }
}
