//! The command line: every command, flag and environment variable (clap), and the help's
//! closing text.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};
use omlink::{Error, LinkToken};

mod migration;
pub(crate) use migration::{MigrationCommand, MigrationFlags, NetworkArg, SourceFlags, StartFlags};

/// The help's closing text: the exit codes (generated from `ErrorKind::exit_code`) and where
/// the private key comes from.
pub(crate) fn after_help() -> String {
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
pub(crate) struct Cli {
    #[command(subcommand)]
    pub(crate) command: Command,
    #[command(flatten)]
    pub(crate) connection: Connection,
}

#[allow(clippy::large_enum_variant)]
#[derive(Subcommand, Debug)]
pub(crate) enum Command {
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
    Profile(ProfileCommand),
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
    Atlas(AtlasCommand),
}

/// `--token`, turned into the secret type as soon as it is parsed. Parsing never fails here
/// (clap would echo the value in its error): a bad token is reported by `Validated::new`.
#[derive(Clone)]
pub(crate) enum TokenArg {
    Stdin,
    Given(Result<LinkToken, Error>),
}

impl TokenArg {
    pub(crate) fn parse(value: &str) -> Result<Self, std::convert::Infallible> {
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
pub(crate) struct Connection {
    /// Use a profile saved by the omlink app: its URL, public key, TLS options and timeout,
    /// and its private key from the OS keychain (unless OMLINK_PRIVATE_KEY is set).
    #[arg(long, global = true, env = "OMLINK_PROFILE", value_name = "NAME")]
    pub(crate) profile: Option<String>,
    /// Ops Manager URL, such as https://opsmanager.example.com:8443 (Cloud Manager:
    /// https://cloud.mongodb.com).
    #[arg(long, global = true, env = "OMLINK_URL")]
    pub(crate) url: Option<String>,
    /// The public API key. The private key comes from the OMLINK_PRIVATE_KEY environment
    /// variable only.
    #[arg(long, global = true, env = "OMLINK_PUBLIC_KEY")]
    pub(crate) public_key: Option<String>,
    /// A PEM file of extra CA certificates to trust, in addition to the system's.
    #[arg(long, global = true, env = "OMLINK_CA_CERT")]
    pub(crate) ca_cert: Option<PathBuf>,
    /// Do not verify the server's TLS certificate (labs only).
    #[arg(long, global = true)]
    pub(crate) insecure_skip_tls_verify: bool,
    /// Seconds allowed for each call, all its round trips included.
    #[arg(long, global = true, value_name = "SECS", default_value_t = 30,
          value_parser = clap::value_parser!(u64)
              .range(omlink::MIN_TIMEOUT_SECS..=omlink::MAX_TIMEOUT_SECS))]
    pub(crate) timeout: u64,
    /// Output format.
    #[arg(long, global = true, value_enum, default_value_t = Output::Text)]
    pub(crate) output: Output,
    #[command(flatten)]
    pub(crate) atlas: AtlasConnection,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub(crate) enum Output {
    Text,
    Json,
}

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
    /// Each project's clusters in an Atlas organization: tier, MongoDB version, state, and
    /// whether it can receive a live migration (or why not).
    Clusters {
        /// The Atlas organization id.
        #[arg(long, value_name = "ID")]
        atlas_org: String,
    },
    /// Live migrations: validate, start (one, or a fleet from a plan), status, watch, cut over.
    #[command(subcommand)]
    Migration(MigrationCommand),
}

#[derive(Subcommand, Debug)]
pub(crate) enum TokenCommand {
    /// Create a link token and print it alone on standard output (pipe it into
    /// `omlink link --token -`).
    Create {
        /// The Atlas organization id.
        #[arg(long, value_name = "ID")]
        atlas_org: String,
        /// An IP address or CIDR block (such as 203.0.113.7 or 198.51.100.0/24) Atlas accepts
        /// the source's calls from: the source's external address as Atlas sees it (repeat for
        /// several; Cloud Manager needs none).
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

/// Where Atlas is and how to trust it; the credentials come from the environment, or from an
/// Atlas connection saved by the app.
#[derive(clap::Args, Debug, Clone)]
pub(crate) struct AtlasConnection {
    /// Use an Atlas connection saved by the omlink app: its URL, sign-in method, TLS options
    /// and timeout, and its secret from the OS keychain (unless OMLINK_ATLAS_CLIENT_SECRET or
    /// OMLINK_ATLAS_PRIVATE_KEY is set). Without it, and without OMLINK_ATLAS_CLIENT_ID or
    /// OMLINK_ATLAS_PUBLIC_KEY in the environment, a --profile's own Atlas connection is used.
    #[arg(long, global = true, value_name = "NAME")]
    pub(crate) atlas_profile: Option<String>,
    /// Atlas's address (default https://cloud.mongodb.com).
    #[arg(long, global = true, env = "OMLINK_ATLAS_URL", value_name = "URL")]
    pub(crate) atlas_url: Option<String>,
    /// A PEM file of extra CA certificates to trust for Atlas, in addition to the system's.
    #[arg(long, global = true, env = "OMLINK_ATLAS_CA_CERT", value_name = "FILE")]
    pub(crate) atlas_ca_cert: Option<PathBuf>,
}

#[derive(Subcommand, Debug)]
pub(crate) enum ProfileCommand {
    /// List the saved profiles.
    List,
    /// Show one profile.
    Show {
        /// The profile's name (case-insensitive).
        name: String,
    },
    /// Save a new profile: --url and --public-key (or OMLINK_URL / OMLINK_PUBLIC_KEY), the
    /// private key from OMLINK_PRIVATE_KEY or, in a terminal, a prompt that does not echo.
    Add {
        /// A unique name, such as "Ops Manager prod".
        name: String,
        /// Ops Manager (the default) or Cloud Manager (which needs no --url).
        #[arg(long, value_enum, default_value_t = Kind::OpsManager)]
        kind: Kind,
        /// Save the profile without a private key (set it later in the app).
        #[arg(long)]
        no_private_key: bool,
    },
    /// List omlink's keychain entries that no saved profile, Atlas connection or history entry
    /// uses; with --yes, remove them. Refused while a set-aside store file is beside the store.
    Prune {
        /// Remove them (without it, nothing is changed).
        #[arg(long)]
        yes: bool,
    },
    /// Delete a profile and its private key in the keychain.
    Remove {
        /// The profile's name.
        name: String,
        /// Do not ask for confirmation (required when standard input is not a terminal).
        #[arg(long)]
        yes: bool,
    },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub(crate) enum Kind {
    OpsManager,
    CloudManager,
}
