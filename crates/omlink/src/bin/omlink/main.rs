//! `omlink`: link an Ops Manager / Cloud Manager organization to Atlas from a terminal or a
//! script. Every command prints one line of text or one JSON object, and exits with a stable
//! code (see `EXIT_CODES`).

use std::io::{self, BufRead, IsTerminal, Read, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use clap::{Args, Parser, Subcommand, ValueEnum};
use omlink::secret_store::{KeychainStore, SecretStore, private_key_account};
use omlink::{
    BaseUrl, Client, ClientConfig, Error, ErrorKind, LinkStatus, LinkToken, OrgId, PrivateKey,
    ProfileBook, PublicKey, TlsOptions,
};
use serde_json::json;

const EXIT_CODES: &str = "\
Exit codes:
  0  success
  2  invalid input or usage
  3  authentication failed (wrong public/private key pair)
  4  permission denied (no Organization Owner role, or IP not on the key's access list)
  5  not found (no such organization)
  6  rejected by the server (bad or expired token, migration still running, …)
  7  network or TLS failure
  8  server error or rate limited
  9  the OS keychain is unavailable, locked or refused access (--profile)

The private API key is read only from the OMLINK_PRIVATE_KEY environment variable:
command-line flags are visible to every user of the machine (ps).";

/// Link a MongoDB Ops Manager or Cloud Manager organization to MongoDB Atlas for push live
/// migration.
#[derive(Parser, Debug)]
#[command(name = "omlink", version, after_help = EXIT_CODES)]
struct Cli {
    #[command(subcommand)]
    command: Command,
    #[command(flatten)]
    connection: Connection,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Connect an organization to Atlas with a link token generated in Atlas.
    Link {
        /// The Ops Manager / Cloud Manager organization id (24 hexadecimal characters).
        #[arg(long)]
        org: String,
        /// The link token, or - to read it from standard input (preferred: a token on the
        /// command line is visible to other users).
        #[arg(long, env = "OMLINK_LINK_TOKEN", hide_env_values = true)]
        token: String,
    },
    /// Show whether an organization is linked to Atlas.
    Status {
        /// The organization id.
        #[arg(long)]
        org: String,
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
    /// Seconds allowed for each request.
    #[arg(long, global = true, value_name = "SECS", default_value_t = 30,
          value_parser = clap::value_parser!(u64).range(1..=3600))]
    timeout: u64,
    /// Output format.
    #[arg(long, global = true, value_enum, default_value_t = Output::Text)]
    output: Output,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum Output {
    Text,
    Json,
}

fn exit_code(kind: ErrorKind) -> u8 {
    match kind {
        ErrorKind::InvalidInput => 2,
        ErrorKind::AuthenticationFailed => 3,
        ErrorKind::PermissionDenied => 4,
        ErrorKind::NotFound => 5,
        ErrorKind::Rejected => 6,
        ErrorKind::Network | ErrorKind::Tls => 7,
        ErrorKind::ServerError | ErrorKind::RateLimited => 8,
        ErrorKind::Keychain => 9,
        // The CLI has no cancel button: Ctrl-C ends the process.
        ErrorKind::Cancelled => 2,
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let output = cli.connection.output;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a Tokio runtime");
    match runtime.block_on(run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            report(&error, output);
            ExitCode::from(exit_code(error.kind))
        }
    }
}

async fn run(cli: Cli) -> Result<(), Error> {
    let output = cli.connection.output;
    // Validate every argument before anything touches the network.
    let command = Validated::new(cli.command)?;
    let client = connect(&cli.connection)?;
    for warning in client.warnings() {
        eprintln!("warning: {warning}");
    }
    match command {
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
                confirm_unlink(&org)?;
            }
            client.unlink(&org).await?;
            print(output, &json!({"org": org, "unlinked": true}), || {
                format!("Organization {org} unlinked from Atlas")
            });
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
    Ok(())
}

/// A command whose arguments passed validation.
enum Validated {
    Link { org: OrgId, token: LinkToken },
    Status { org: OrgId },
    Unlink { org: OrgId, yes: bool },
    Orgs,
}

impl Validated {
    fn new(command: Command) -> Result<Self, Error> {
        Ok(match command {
            Command::Link { org, token } => {
                let org = OrgId::new(org)?;
                let token = if token == "-" {
                    read_token_from_stdin()?
                } else {
                    LinkToken::new(token)?
                };
                Self::Link { org, token }
            }
            Command::Status { org } => Self::Status {
                org: OrgId::new(org)?,
            },
            Command::Unlink { org, yes } => Self::Unlink {
                org: OrgId::new(org)?,
                yes,
            },
            Command::Orgs => Self::Orgs,
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

fn connect(c: &Connection) -> Result<Client, Error> {
    if let Some(name) = &c.profile {
        return connect_profile(name, c);
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
    Client::new(config)
}

/// Connects with a saved profile. An explicit OMLINK_PRIVATE_KEY wins over the keychain; there
/// is no silent fallback from a failing keychain.
fn connect_profile(name: &str, c: &Connection) -> Result<Client, Error> {
    let path = omlink::default_store_file().ok_or_else(|| {
        Error::invalid_input(
            "Cannot locate the omlink app's profiles",
            "Set HOME or XDG_DATA_HOME.",
        )
    })?;
    let book = ProfileBook::load_from_store_file(&path)?;
    let profile = book.find_by_name(name).ok_or_else(|| {
        let known: Vec<&str> = book.profiles.iter().map(|p| p.name.as_str()).collect();
        Error::invalid_input(
            format!("No profile named \"{name}\" in {}", path.display()),
            if known.is_empty() {
                "Create one in the omlink app first.".to_owned()
            } else {
                format!("Saved profiles: {}.", known.join(", "))
            },
        )
    })?;
    let private_key = match std::env::var("OMLINK_PRIVATE_KEY") {
        Ok(key) => PrivateKey::new(zeroize::Zeroizing::new(key).as_str())?,
        Err(_) => {
            let store = KeychainStore::open()?;
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
    Client::new(config)
}

fn confirm_unlink(org: &OrgId) -> Result<(), Error> {
    if !io::stdin().is_terminal() {
        return Err(Error::invalid_input(
            "Refusing to unlink without confirmation",
            "Pass --yes to unlink from a script.",
        ));
    }
    eprint!("Remove the Atlas link of organization {org}? [y/N] ");
    let _ = io::stderr().flush();
    let mut answer = String::new();
    let _ = io::stdin().lock().read_line(&mut answer);
    if matches!(answer.trim(), "y" | "Y" | "yes" | "YES" | "Yes") {
        Ok(())
    } else {
        Err(Error::invalid_input(
            "Unlink cancelled",
            "Nothing was changed.",
        ))
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
        Output::Json => println!("{value}"),
        Output::Text => println!("{}", text()),
    }
}

fn report(error: &Error, output: Output) {
    match output {
        Output::Json => println!("{}", json!({ "error": error })),
        Output::Text => {
            let mut err = io::stderr().lock();
            let _ = writeln!(err, "error: {}", error.message);
            if let Some(code) = &error.error_code {
                let _ = writeln!(err, "  server errorCode: {code}");
            }
            if !error.hint.is_empty() {
                let _ = writeln!(err, "  hint: {}", error.hint);
            }
        }
    }
}
