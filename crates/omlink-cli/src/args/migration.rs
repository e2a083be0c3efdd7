//! `omlink atlas migration …`: its subcommands and flags.

use std::path::PathBuf;

use clap::{Args, Subcommand, ValueEnum};

#[derive(Subcommand, Debug)]
pub(crate) enum MigrationCommand {
    /// Ask Atlas to validate a live migration and wait for the result (exit 0 and SUCCESS, or
    /// exit 6 with Atlas's errorMessage). A destination that cannot receive it: exit 2,
    /// nothing sent.
    Validate(MigrationFlags),
    /// Validate, then start a live migration and print its id alone on standard output; or,
    /// with --from, a fleet from a plan; or, with --queued, the queued rows whose turn has
    /// come.
    Start(StartFlags),
    /// The recorded migrations (all when no id is given), each read from Atlas.
    Status {
        /// Migration ids (from `start`).
        ids: Vec<String>,
    },
    /// Follow migrations until each is ready for cutover or complete (exit 0), or one fails
    /// or expires (exit 10): one line per change.
    Watch {
        /// Migration ids (default: every recorded migration still running).
        ids: Vec<String>,
    },
    /// Cut a migration over once Atlas says it is ready: stop writes to the source first.
    Cutover {
        /// The migration id.
        id: String,
        /// Do not ask for confirmation (required when standard input is not a terminal).
        #[arg(long)]
        yes: bool,
        /// Return once Atlas has accepted the cutover, without waiting for COMPLETE.
        #[arg(long)]
        no_wait: bool,
    },
}

/// How Atlas reaches the destination.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub(crate) enum NetworkArg {
    Public,
    PrivateLink,
    VpcPeering,
}

/// One migration: the destination, the source and how to reach it.
#[derive(Args, Debug, Clone)]
pub(crate) struct MigrationFlags {
    /// The destination Atlas project id.
    #[arg(long, value_name = "ID")]
    pub(crate) atlas_project: Option<String>,
    /// The destination cluster's name.
    #[arg(long, value_name = "NAME")]
    pub(crate) cluster: Option<String>,
    /// The source Ops Manager / Cloud Manager project id.
    #[arg(long, value_name = "ID")]
    pub(crate) source_project: Option<String>,
    #[command(flatten)]
    pub(crate) source: SourceFlags,
}

/// What every migration of a command shares: the source's deployment, migration host and
/// sign-in, and how the destination is reached and treated.
#[derive(Args, Debug, Clone)]
pub(crate) struct SourceFlags {
    /// The source deployment (default: the source project's only one).
    #[arg(long, value_name = "NAME")]
    pub(crate) source_cluster: Option<String>,
    /// The migration host (default: the source project's only one).
    #[arg(long, value_name = "HOST")]
    pub(crate) migration_host: Option<String>,
    /// How Atlas reaches the destination.
    #[arg(long, value_enum, default_value_t = NetworkArg::Public)]
    pub(crate) network: NetworkArg,
    /// With --network private-link: the private endpoint's id.
    #[arg(long, value_name = "ID")]
    pub(crate) private_link_id: Option<String>,
    /// Wipe the destination cluster's data first (asks for confirmation unless --yes).
    #[arg(long)]
    pub(crate) drop_destination_data: bool,
    /// The source uses TLS.
    #[arg(long)]
    pub(crate) source_tls: bool,
    /// With --source-tls: the CA file's path on the migration host.
    #[arg(long, value_name = "PATH")]
    pub(crate) source_ca_path: Option<String>,
    /// The source's migration user (its password from OMLINK_SOURCE_PASSWORD or a prompt that
    /// does not echo). Without it the source uses managed authentication.
    #[arg(long, value_name = "USER")]
    pub(crate) source_username: Option<String>,
}

#[derive(Args, Debug, Clone)]
pub(crate) struct StartFlags {
    #[command(flatten)]
    pub(crate) migration: MigrationFlags,
    /// Do not ask for confirmation (--drop-destination-data asks).
    #[arg(long)]
    pub(crate) yes: bool,
    /// A fleet: a CSV plan with a header naming source_project, atlas_project and cluster
    /// (optional: source_cluster, migration_host, network, private_link_id). The whole file
    /// is checked before anything is sent.
    #[arg(long, value_name = "PLAN.csv", conflicts_with_all = ["atlas_project", "cluster", "source_project", "queued"])]
    pub(crate) from: Option<PathBuf>,
    /// With --from or --queued: migrations run at the same time per source organization.
    #[arg(long, value_name = "N", default_value_t = 1,
          value_parser = clap::value_parser!(u32).range(1..=64))]
    pub(crate) per_org: u32,
    /// Start the queued rows whose turn has come (idempotent; for cron).
    #[arg(long, conflicts_with_all = ["atlas_project", "cluster", "source_project"])]
    pub(crate) queued: bool,
}
