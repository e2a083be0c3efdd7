//! `omlink-sandbox`: run the Ops Manager look-alike standalone.

use std::io::Write;
use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;
use std::time::Duration;

use clap::{Parser, ValueEnum};
use omlink_sandbox::{Faults, Sandbox, SandboxConfig, TlsIdentity, UnlinkedStatus, demo};

/// An Ops Manager look-alike serving the organization-link API, for trying omlink without an
/// Ops Manager. Prints its URL and demo API keys, then serves until interrupted.
#[derive(Parser, Debug)]
#[command(name = "omlink-sandbox", version)]
struct Args {
    /// Address to listen on. Keep it on loopback: the control endpoint is unauthenticated.
    #[arg(long, default_value = "127.0.0.1")]
    host: IpAddr,
    /// Port to listen on; 0 picks a free one.
    #[arg(long, default_value_t = 0)]
    port: u16,
    /// Serve HTTPS with this certificate chain (PEM); needs --tls-key.
    #[arg(long, requires = "tls_key")]
    tls_cert: Option<PathBuf>,
    /// The private key (PEM) for --tls-cert.
    #[arg(long, requires = "tls_cert")]
    tls_key: Option<PathBuf>,
    /// How long a digest nonce stays valid, in seconds.
    #[arg(long, default_value_t = 300)]
    nonce_lifetime: u64,
    /// What the status endpoint answers for an organization without a link.
    #[arg(long, value_enum, default_value_t = Unlinked::NotSynced)]
    status_when_unlinked: Unlinked,
    /// Add this many generated organizations (to exercise paging).
    #[arg(long, default_value_t = 0)]
    extra_orgs: usize,
    /// Fault: delay every answer by this many milliseconds.
    #[arg(long, default_value_t = 0)]
    latency_ms: u64,
    /// Fault: close every connection without answering.
    #[arg(long)]
    drop_connections: bool,
    /// Fault: answer every request with this 5xx status and an HTML page.
    #[arg(long, value_parser = clap::value_parser!(u16).range(500..600))]
    server_error: Option<u16>,
    /// Fault: answer every request 429 with this Retry-After (seconds).
    #[arg(long)]
    rate_limit: Option<u64>,
    /// Fault: answer every request 307 with this Location, as a misconfigured proxy would.
    #[arg(long)]
    redirect_to: Option<String>,
    /// Fault: answer authenticated requests with part of a body, then abort the connection.
    #[arg(long)]
    reset_mid_body: bool,
    /// Fault: answer authenticated requests with their success status but invalid JSON.
    #[arg(long)]
    malformed_json: bool,
    /// Fault: answer authenticated requests 200 with a body of this many bytes.
    #[arg(long)]
    huge_body_bytes: Option<u64>,
    /// Fault: challenge with a WWW-Authenticate header no client can parse.
    #[arg(long)]
    malformed_challenge: bool,
    /// Fault: refuse this many valid digests as stale (expired nonce).
    #[arg(long, default_value_t = 0)]
    stale_nonce_count: u32,
    /// Fault: answer the next N API requests 429 with Retry-After: 0 (a storm that passes).
    #[arg(long, value_name = "N", default_value_t = 0)]
    rate_limit_count: u32,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
enum Unlinked {
    NotSynced,
    NotFound,
}

fn main() -> std::process::ExitCode {
    let args = Args::parse();
    let tls = match (&args.tls_cert, &args.tls_key) {
        (Some(cert), Some(key)) => {
            match (std::fs::read_to_string(cert), std::fs::read_to_string(key)) {
                (Ok(cert_chain_pem), Ok(key_pem)) => Some(TlsIdentity {
                    cert_chain_pem,
                    key_pem,
                }),
                (Err(e), _) | (_, Err(e)) => {
                    eprintln!("omlink-sandbox: cannot read the TLS certificate or key: {e}");
                    return std::process::ExitCode::from(2);
                }
            }
        }
        _ => None,
    };
    let config = SandboxConfig {
        bind: SocketAddr::new(args.host, args.port),
        tls,
        nonce_lifetime: Duration::from_secs(args.nonce_lifetime),
        unlinked_status: match args.status_when_unlinked {
            Unlinked::NotSynced => UnlinkedStatus::NotSynced,
            Unlinked::NotFound => UnlinkedStatus::NotFound,
        },
        extra_orgs: args.extra_orgs,
        faults: Faults {
            latency_ms: args.latency_ms,
            drop_connection: args.drop_connections,
            server_error: args.server_error,
            rate_limit_retry_after: args.rate_limit,
            rate_limit_count: args.rate_limit_count,
            redirect_to: args.redirect_to,
            reset_mid_body: args.reset_mid_body,
            malformed_json: args.malformed_json,
            huge_body_bytes: args.huge_body_bytes,
            malformed_challenge: args.malformed_challenge,
            stale_nonce_count: args.stale_nonce_count,
        },
        record_bodies: true,
        access_token_lifetime: Duration::from_secs(3600),
    };
    let sandbox = match Sandbox::start(config) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("omlink-sandbox: cannot start: {e}");
            return std::process::ExitCode::from(1);
        }
    };
    let url = sandbox.url().to_owned();
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "omlink-sandbox listening on {url}");
    let _ = writeln!(out, "\nDemo API keys (public / private):");
    for key in demo::KEYS {
        let _ = writeln!(
            out,
            "  {:<10} {}  {}",
            key.public_key, key.private_key, key.description
        );
    }
    let _ = writeln!(out, "\nDemo organizations:");
    for org in demo::ORGS {
        let _ = writeln!(out, "  {}  {}", org.id, org.name);
    }
    let _ = writeln!(
        out,
        "\nAtlas (same address): service account {} / {}",
        demo::SERVICE_ACCOUNT.client_id,
        demo::SERVICE_ACCOUNT.client_secret
    );
    for key in demo::ATLAS_KEYS {
        let _ = writeln!(
            out,
            "  {:<10} {}  {}",
            key.public_key, key.private_key, key.description
        );
    }
    for org in demo::ATLAS_ORGS {
        let _ = writeln!(out, "  {}  {}", org.id, org.name);
    }
    let _ = writeln!(out, "\nTry:");
    let _ = writeln!(
        out,
        "  export OMLINK_URL={url} OMLINK_PUBLIC_KEY={} OMLINK_PRIVATE_KEY={}",
        demo::OWNER.public_key,
        demo::OWNER.private_key
    );
    let _ = writeln!(out, "  omlink orgs");
    let _ = writeln!(
        out,
        "  echo my-link-token | omlink link --org {} --token -",
        demo::ORGS[0].id
    );
    let _ = writeln!(
        out,
        "  export OMLINK_ATLAS_URL={url} OMLINK_ATLAS_CLIENT_ID={} OMLINK_ATLAS_CLIENT_SECRET={}",
        demo::SERVICE_ACCOUNT.client_id,
        demo::SERVICE_ACCOUNT.client_secret
    );
    let _ = writeln!(
        out,
        "  omlink link --org {} --atlas-org {} --access-list-ip 203.0.113.7",
        demo::ORGS[0].id,
        demo::ATLAS_ORGS[0].id
    );
    let _ = writeln!(
        out,
        "\nFault knobs while running: curl -X PUT {url}/__sandbox/faults -d '{{\"latencyMs\":2000}}'"
    );
    let _ = writeln!(
        out,
        "Live migrations (migration user {}, password {}): curl -X PUT {url}/__sandbox/migrations -d '{{\"stepMs\":500}}'",
        omlink_sandbox::migrations::SOURCE_USERNAME,
        omlink_sandbox::migrations::SOURCE_PASSWORD
    );
    let _ = out.flush();
    drop(out);
    sandbox.wait();
    std::process::ExitCode::SUCCESS
}
