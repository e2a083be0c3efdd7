//! `omlink status --all` and `omlink link --from FILE`: the batch runner from a terminal or a
//! script. One result line per organization on stdout (text, or JSON lines), a progress bar on
//! stderr when it is a terminal.

use std::collections::HashMap;
use std::io::{IsTerminal, Read};
use std::path::Path;
use std::sync::Arc;

use indicatif::{ProgressBar, ProgressStyle};
use omlink::batch::{
    self, BatchControl, BatchEvent, BatchItem, BatchOptions, BatchReport, Cancel, OrgOutcome,
    OrgResult,
};
use omlink::secret_store::{SecretStore, UnavailableStore, os_keychain};
use omlink::{
    Client, EXIT_SOME_FAILED, Error, LinkFile, LinkStatus, LinkToken, OrgId, Profile, Store,
    Workbench,
};
use serde::Serialize;
use tokio::sync::mpsc;

use crate::args::Output;
use crate::output::{emit, warn};

/// Every organization the key can see, with its link status.
pub async fn status_all(client: Client, output: Output, concurrency: usize) -> Result<u8, Error> {
    let options = BatchOptions {
        concurrency,
        ..BatchOptions::default()
    };
    options.validate()?;
    let client = Arc::new(client);
    let orgs = client.list_orgs().await?;
    let orgs: Vec<(OrgId, Option<String>)> = orgs
        .into_iter()
        .filter_map(|o| OrgId::new(&o.id).ok().map(|id| (id, Some(o.name))))
        .collect();
    let names = names_width(orgs.iter().map(|(_, n)| n.as_deref()));
    let run = |control| batch::status_all(client, orgs.clone(), &options, control);
    report(run, orgs.len(), output, names).await
}

/// Links every `(org, token)` of a CSV file (or standard input, `-`), generating a token in
/// Atlas for each row that names an Atlas organization instead (`atlas`). With a saved
/// profile, each generated token is kept (keychain, history "not linked yet") as soon as Atlas
/// returns it, and each attempt is recorded in the history as it finishes, as the app does.
pub async fn link_from(
    client: Client,
    profile: Option<Profile>,
    file: LinkFile,
    atlas: Option<(omlink::AtlasClient, Vec<omlink::AccessListEntry>)>,
    output: Output,
    options: BatchOptions,
) -> Result<u8, Error> {
    options.validate()?;
    let total = file.items.len();
    let client = Arc::new(client);
    let Some(profile) = profile else {
        let items = match &atlas {
            Some((atlas, access_list)) => mint_tokens(atlas, file, access_list, None).await?.0,
            None => file.items,
        };
        let run = |control| batch::link_all(client, items, &options, control);
        return report(run, total, output, 0).await;
    };
    let workbench = workbench()?;
    let (items, minted) = match &atlas {
        Some((atlas, access_list)) => {
            mint_tokens(atlas, file, access_list, Some((&workbench, &profile))).await?
        }
        None => (file.items, HashMap::new()),
    };
    let run = |control| {
        let workbench = &workbench;
        let profile = &profile;
        let options = &options;
        let minted = &minted;
        async move {
            workbench
                .link_batch_using(profile, client, items, minted, options, control)
                .await
        }
    };
    report(run, total, output, 0).await
}

/// The workbench over the saved store and the keychain (without a keychain, the history
/// records each attempt but not its token).
///
/// # Errors
/// [`omlink::ErrorKind::Storage`] when the store cannot be read.
pub fn workbench() -> Result<Workbench, Error> {
    let store = Store::open_default()?;
    let contents = store.load()?;
    if let Some(notice) = &contents.set_aside {
        warn(notice);
    }
    let secrets: Arc<dyn SecretStore> = match os_keychain() {
        Ok(keychain) => Arc::new(keychain),
        Err(e) => {
            warn(&format!(
                "{}: the history will record each attempt, but not keep its token for reuse",
                e.message
            ));
            Arc::new(UnavailableStore(e))
        }
    };
    Ok(Workbench::new(
        contents.data.profiles,
        contents.data.history,
        secrets,
        Arc::new(store),
    ))
}

/// Runs a batch, printing each result as it comes; the exit code follows the report.
async fn report<F, Fut>(
    run: F,
    total: usize,
    output: Output,
    name_width: usize,
) -> Result<u8, Error>
where
    F: FnOnce(BatchControl) -> Fut,
    Fut: std::future::Future<Output = Result<BatchReport, Error>>,
{
    let bar = std::io::stderr().is_terminal().then(|| {
        let bar = ProgressBar::new(total as u64);
        bar.set_style(
            ProgressStyle::with_template("{bar:40} {pos}/{len} organizations  {elapsed}")
                .unwrap_or_else(|_| ProgressStyle::default_bar()),
        );
        bar
    });
    let (tx, mut rx) = mpsc::unbounded_channel::<BatchEvent>();
    let printer_bar = bar.clone();
    let printer = tokio::spawn(async move {
        while let Some(event) = rx.recv().await {
            let line = line(&event.result, output, name_width);
            match &printer_bar {
                Some(bar) => {
                    bar.suspend(|| emit(&line));
                    bar.set_position(event.done as u64);
                }
                None => emit(&line),
            }
        }
    });
    let report = run(BatchControl::new(Some(tx), Cancel::new())).await;
    let _ = printer.await;
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    let report = report?;
    if let Some(error) = report.stopped {
        warn(&format!(
            "stopped after {} of {total} organizations: every other one would fail the same way",
            report.results.len()
        ));
        return Err(error);
    }
    Ok(if report.failed() > 0 {
        EXIT_SOME_FAILED
    } else {
        0
    })
}

fn names_width<'a>(names: impl Iterator<Item = Option<&'a str>>) -> usize {
    names
        .map(|n| n.map_or(0, |n| n.chars().count()))
        .max()
        .unwrap_or(0)
        .min(40)
}

/// One JSON line, its keys in the documented order: `{"org","name","status"}` (with
/// `"skipped"` when it applies) or `{"org","name","error":{…}}`.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct JsonLine<'a> {
    org: &'a OrgId,
    name: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    status: Option<&'a LinkStatus>,
    #[serde(skip_serializing_if = "Option::is_none")]
    skipped: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<JsonError<'a>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct JsonError<'a> {
    kind: omlink::ErrorKind,
    http_status: Option<u16>,
    error_code: Option<&'a str>,
    message: &'a str,
}

/// One organization's line: text, or one JSON object.
fn line(result: &OrgResult, output: Output, name_width: usize) -> String {
    let name = result.name.as_deref();
    match output {
        Output::Json => {
            let mut line = JsonLine {
                org: &result.org,
                name,
                status: None,
                skipped: None,
                error: None,
            };
            match &result.outcome {
                OrgOutcome::Status { status } | OrgOutcome::Linked { status } => {
                    line.status = Some(status);
                }
                OrgOutcome::AlreadyLinked => {
                    line.status = Some(&LinkStatus::Synced);
                    line.skipped = Some("already linked");
                }
                OrgOutcome::Failed { error } => {
                    line.error = Some(JsonError {
                        kind: error.kind,
                        http_status: error.http_status,
                        error_code: error.error_code.as_deref(),
                        message: &error.message,
                    });
                }
            }
            serde_json::to_string(&line).unwrap_or_default()
        }
        Output::Text => {
            let what = match &result.outcome {
                OrgOutcome::Status { status } => status.as_str().unwrap_or("linked").to_owned(),
                OrgOutcome::Linked { status } => {
                    format!(
                        "linked: {}",
                        status.as_str().unwrap_or("no status reported")
                    )
                }
                OrgOutcome::AlreadyLinked => "already linked (skipped)".to_owned(),
                OrgOutcome::Failed { error } => {
                    let mut s = format!("error: {}", error.kind.label());
                    if let Some(code) = &error.error_code {
                        s.push_str(&format!(" ({code})"));
                    }
                    s.push_str(&format!(" — {}", error.message));
                    s
                }
            };
            let name: String = name.unwrap_or("").chars().take(40).collect();
            if name_width == 0 {
                format!("{}  {what}", result.org)
            } else {
                format!("{}  {name:<name_width$}  {what}", result.org)
            }
        }
    }
}

/// Reads and validates a whole link file before anything is sent: a header row naming `org`
/// and `token` or `atlas_org` (other columns ignored), blank lines and `#` comments allowed.
/// A row gives a token, or an Atlas organization to mint one in. Every bad row is reported
/// with its line number.
///
/// # Errors
/// [`ErrorKind::InvalidInput`](omlink::ErrorKind::InvalidInput) when the file cannot be read,
/// has no such header, or has a bad row.
pub fn read_link_file(path: &Path) -> Result<LinkFile, Error> {
    let text = zeroize::Zeroizing::new(if path.as_os_str() == "-" {
        let mut text = String::new();
        std::io::stdin()
            .read_to_string(&mut text)
            .map_err(|e| cannot_read(path, &e))?;
        text
    } else {
        warn_if_shared(path);
        std::fs::read_to_string(path).map_err(|e| cannot_read(path, &e))?
    });
    omlink::parse_link_file(&text, &path.display().to_string()).map_err(|bad| {
        for row in &bad.rows {
            warn(row);
        }
        bad.error
    })
}

fn cannot_read(path: &Path, e: &std::io::Error) -> Error {
    Error::invalid_input(
        format!("Cannot read {}: {e}", path.display()),
        "Give a CSV file with a header row naming org and token, or - for standard input.",
    )
}

/// A file of tokens that other users may read is worth a warning: it holds secrets.
fn warn_if_shared(path: &Path) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        if let Ok(meta) = std::fs::metadata(path)
            && meta.permissions().mode() & 0o077 != 0
        {
            warn(&format!(
                "{} can be read by other users and it holds link tokens: chmod 600 it",
                path.display()
            ));
        }
    }
}

/// Mints a token in Atlas for every row that named an Atlas organization, one after the
/// other, before anything is linked. With a saved profile (`keep`), each token is kept in the
/// keychain and the history ("not linked yet") as soon as Atlas returns it, so a failure, or
/// Ctrl-C, loses none; without one there is nowhere to keep them. A failure stops here: nothing
/// was linked, and a warning says where the tokens already minted are.
pub async fn mint_tokens(
    atlas: &omlink::AtlasClient,
    file: LinkFile,
    access_list: &[omlink::AccessListEntry],
    keep: Option<(&Workbench, &Profile)>,
) -> Result<(Vec<BatchItem>, HashMap<OrgId, omlink::HistoryEntry>), Error> {
    let mut items = file.items;
    let mut minted: Vec<&OrgId> = Vec::new();
    let mut kept = HashMap::new();
    for item in &mut items {
        let Some(atlas_org) = file.mint.get(&item.org) else {
            continue;
        };
        let token = atlas
            .create_link_token(atlas_org, access_list)
            .await
            .inspect_err(|_| match keep {
                Some(_) => kept_unlinked_warning(minted.len()),
                None => crate::atlas::unused_token_warning(&minted),
            })?;
        if let Some((workbench, profile)) = keep {
            let entry = keep_one(workbench, profile, item, &token, atlas_org).await;
            kept.insert(item.org.clone(), entry);
        }
        item.token = Some(token);
        minted.push(atlas_org);
    }
    Ok((items, kept))
}

/// Keeps one token generated in `atlas_org` for `item`'s organization (see
/// [`Workbench::keep_minted`]); a keychain that refuses it is said on stderr.
pub async fn keep_one(
    workbench: &Workbench,
    profile: &Profile,
    item: &BatchItem,
    token: &LinkToken,
    atlas_org: &OrgId,
) -> omlink::HistoryEntry {
    let origin = omlink::AtlasOrigin {
        org_id: atlas_org.clone(),
        org_name: None,
    };
    let (entry, kept) = workbench
        .keep_minted(profile, item, token, origin, std::future::pending())
        .await;
    if let Err(e) = kept {
        warn(&format!(
            "the token generated for organization {} is in the history but not in the \
             keychain ({}); if it is not linked, revoke it in Atlas",
            item.org, e.message
        ));
    }
    entry
}

/// Says that tokens generated before a failure are kept, not linked yet.
fn kept_unlinked_warning(count: usize) {
    if count > 0 {
        warn(&format!(
            "{count} token(s) generated in Atlas before this failure are kept in the keychain \
             and the history as not linked yet: link with them from the app, or revoke them"
        ));
    }
}
