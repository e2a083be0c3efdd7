//! Live migrations against the sandbox's Atlas over real HTTP: the destination projects and
//! clusters and their fit, validate → SUCCESS or FAILED with Atlas's message, create, lag
//! falling, ready, cutover → COMPLETE; the 409 for a busy migration host or destination
//! cluster; FAILED and EXPIRED; the version each call names.

use std::time::Duration;

use omlink::migration::{
    DestinationFit, LiveMigration, MigrationRequest, MigrationStatus, Network, SourceAuth,
    SourcePassword, ValidationStatus, check_destination,
};
use omlink::{
    AtlasClient, AtlasConfig, AtlasCredentials, AvailableProject, BaseUrl, ClientId, ErrorKind,
    MigrationId, PrivateKey, ProjectId,
};
use omlink_sandbox::migrations::{MigrationKnobs, SOURCE_PASSWORD, SOURCE_USERNAME};
use omlink_sandbox::{Sandbox, demo};

use crate::{ORG, org, owner, sandbox};

const ATLAS_ORG: &str = "6a1b2c3d4e5f60718293a4b5";
const LANDING: &str = "6b1c2d3e4f5a60718293a4c2";
const PRODUCTION: &str = "6b1c2d3e4f5a60718293a4c1";
/// One step of the sandbox's lifecycle, in milliseconds: fast, but slow enough to see each
/// phase when polling every few milliseconds.
const STEP_MS: u64 = 150;

fn atlas(sb: &Sandbox) -> AtlasClient {
    AtlasClient::new(AtlasConfig::new(
        BaseUrl::new(sb.url()).unwrap(),
        AtlasCredentials::ServiceAccount {
            client_id: ClientId::new(demo::SERVICE_ACCOUNT.client_id).unwrap(),
            client_secret: PrivateKey::new(demo::SERVICE_ACCOUNT.client_secret).unwrap(),
        },
    ))
    .unwrap()
}

fn project(id: &str) -> ProjectId {
    ProjectId::new(id).unwrap()
}

/// Links Ops Manager organization `source` to [`ATLAS_ORG`] with a token minted there.
async fn link(atlas: &AtlasClient, om: &omlink::Client, source: &str) {
    let access_list = omlink::parse_access_list(&["203.0.113.7".to_owned()]).unwrap();
    let token = atlas
        .create_link_token(&org(ATLAS_ORG), &access_list)
        .await
        .unwrap();
    om.link(&org(source), &token).await.unwrap();
}

/// A sandbox whose [`ORG`] is linked to [`ATLAS_ORG`], running at `STEP_MS` per step; the
/// Atlas client and the source projects Atlas now offers.
async fn linked() -> (Sandbox, AtlasClient, Vec<AvailableProject>) {
    let sb = sandbox();
    sb.set_migration_knobs(MigrationKnobs {
        step_ms: STEP_MS,
        ..MigrationKnobs::default()
    });
    let atlas = atlas(&sb);
    link(&atlas, &owner(&sb), ORG).await;
    let sources = atlas.available_projects(&org(ATLAS_ORG)).await.unwrap();
    assert!(!sources.is_empty());
    (sb, atlas, sources)
}

/// A request moving `source`'s first deployment to `cluster` of the landing project.
fn request(source: &AvailableProject, cluster: &str) -> MigrationRequest {
    MigrationRequest {
        source_project: project(&source.project_id),
        source_cluster: source.deployments[0].name.clone(),
        source_auth: SourceAuth::Managed,
        source_tls: false,
        source_ca_path: None,
        atlas_project: project(LANDING),
        cluster: cluster.into(),
        network: Network::Public,
        migration_host: source.migration_hosts[0].clone(),
        drop_destination_data: false,
    }
}

async fn read(atlas: &AtlasClient, id: &str) -> LiveMigration {
    atlas
        .migration(&project(LANDING), &MigrationId::new(id).unwrap())
        .await
        .unwrap()
}

/// Polls every 20 ms until `done` holds (at most 40 steps), returning every answer seen.
async fn poll_until(
    atlas: &AtlasClient,
    id: &str,
    done: impl Fn(&LiveMigration) -> bool,
) -> Vec<LiveMigration> {
    let mut seen = Vec::new();
    for _ in 0..(40 * STEP_MS / 20) {
        let m = read(atlas, id).await;
        let stop = done(&m);
        seen.push(m);
        if stop {
            return seen;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("never reached: {:?}", seen.last());
}

async fn validated(
    atlas: &AtlasClient,
    request: &MigrationRequest,
) -> omlink::migration::Validation {
    let first = atlas.validate_migration(request).await.unwrap();
    assert_eq!(first.status, ValidationStatus::Pending);
    let id = MigrationId::new(&first.id).unwrap();
    for _ in 0..100 {
        let v = atlas.validation(&request.atlas_project, &id).await.unwrap();
        if v.status != ValidationStatus::Pending {
            return v;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("the validation never ended");
}

#[tokio::test]
async fn destinations_list_with_their_fit() {
    let (sb, atlas, sources) = linked().await;
    let projects = atlas.list_projects(&org(ATLAS_ORG)).await.unwrap();
    let names: Vec<&str> = projects.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(names, ["Production", "Migration landing"]);

    let clusters = atlas.list_clusters(&project(PRODUCTION)).await.unwrap();
    let source_version = sources[0].deployments[0].mongodb_version.as_deref();
    let fit = |name: &str| {
        let c = clusters.iter().find(|c| c.name == name).unwrap();
        check_destination(c, source_version)
    };
    assert!(fit("prod-main").is_fit(), "{:?}", fit("prod-main"));
    for (name, reason) in [
        ("prod-free", "M0"),
        ("prod-analytics", "BI Connector"),
        ("prod-archive", "paused"),
    ] {
        match fit(name) {
            DestinationFit::Unfit { reason: r } => assert!(r.contains(reason), "{name}: {r}"),
            other => panic!("{name} should not fit: {other:?}"),
        }
    }
    // The clusters call names its own version; the projects call the general one.
    let accepts: Vec<(String, Option<String>)> = sb
        .requests()
        .into_iter()
        .filter(|r| r.uri.contains("/groups"))
        .map(|r| (r.uri, r.accept))
        .collect();
    assert!(
        accepts
            .iter()
            .any(|(uri, accept)| uri.contains("/clusters?")
                && accept.as_deref() == Some("application/vnd.atlas.2024-08-05+json")),
        "{accepts:?}"
    );
}

#[tokio::test]
async fn validate_start_watch_lag_fall_and_cut_over_to_complete() {
    let (sb, atlas, sources) = linked().await;
    let req = request(&sources[0], "landing-1");
    let v = validated(&atlas, &req).await;
    assert_eq!(v.status, ValidationStatus::Success, "{v:?}");

    let created = atlas.create_migration(&req).await.unwrap();
    assert_eq!(created.status, MigrationStatus::New);
    assert_eq!(
        created.migration_hosts,
        std::slice::from_ref(&req.migration_host)
    );
    assert_eq!(sb.active_migrations(), 1);

    // Cutting over before Atlas says ready is refused, with the server's code.
    let early = atlas
        .cutover(&project(LANDING), &MigrationId::new(&created.id).unwrap())
        .await
        .unwrap_err();
    assert_eq!(early.http_status, Some(400));
    assert_eq!(
        early.error_code.as_deref(),
        Some("LIVE_MIGRATION_NOT_READY_FOR_CUTOVER")
    );

    let seen = poll_until(&atlas, &created.id, |m| m.ready_for_cutover).await;
    let lags: Vec<f64> = seen.iter().filter_map(|m| m.lag_time_seconds).collect();
    assert!(lags.len() >= 2, "{seen:?}");
    assert!(
        lags.windows(2).all(|w| w[1] <= w[0]),
        "lag never rises: {lags:?}"
    );
    assert!(lags.first() > lags.last(), "lag falls: {lags:?}");
    assert!(seen.iter().any(|m| m.status == MigrationStatus::Working));

    atlas
        .cutover(&project(LANDING), &MigrationId::new(&created.id).unwrap())
        .await
        .unwrap();
    let after = poll_until(&atlas, &created.id, |m| {
        m.status == MigrationStatus::Complete
    })
    .await;
    assert!(!after.last().unwrap().ready_for_cutover);
    assert_eq!(sb.active_migrations(), 0);

    // Each call named the version the reference gives it.
    let version_of = |method: &str, suffix: &str| {
        sb.requests()
            .into_iter()
            .find(|r| r.method == method && r.uri.ends_with(suffix))
            .and_then(|r| r.accept)
    };
    let v2024 = Some("application/vnd.atlas.2024-05-30+json".to_owned());
    let v2023 = Some("application/vnd.atlas.2023-01-01+json".to_owned());
    assert_eq!(version_of("POST", "/liveMigrations/validate"), v2024);
    assert_eq!(version_of("POST", "/liveMigrations"), v2024);
    assert_eq!(version_of("PUT", "/cutover"), v2023);
    assert_eq!(version_of("GET", &created.id), v2023);
}

#[tokio::test]
async fn a_second_migration_on_a_busy_host_or_cluster_is_a_409() {
    let (sb, atlas, sources) = linked().await;
    let first = request(&sources[0], "landing-1");
    atlas.create_migration(&first).await.unwrap();

    // Same migration host, another cluster.
    let err = atlas
        .create_migration(&request(&sources[0], "landing-2"))
        .await
        .unwrap_err();
    assert_eq!(err.http_status, Some(409));
    assert_eq!(err.kind, ErrorKind::Rejected);
    assert_eq!(
        err.error_code.as_deref(),
        Some("LIVE_MIGRATION_IN_PROGRESS")
    );

    // Same destination cluster from another source project, when there is one.
    if let Some(other) = sources.get(1) {
        let err = atlas
            .create_migration(&request(other, "landing-1"))
            .await
            .unwrap_err();
        assert_eq!(err.http_status, Some(409), "{err:?}");
        assert!(
            err.detail
                .as_deref()
                .unwrap_or_default()
                .contains("landing-1")
        );
        // … and another cluster from it is free.
        atlas
            .create_migration(&request(other, "landing-2"))
            .await
            .unwrap();
        assert_eq!(sb.active_migrations(), 2);
    } else {
        assert_eq!(sb.active_migrations(), 1);
    }
}

#[tokio::test]
async fn validation_failures_carry_atlas_message() {
    let (sb, atlas, sources) = linked().await;
    let mut req = request(&sources[0], "landing-1");
    req.source_auth = SourceAuth::User {
        username: SOURCE_USERNAME.into(),
        password: SourcePassword::new("not-the-password").unwrap(),
    };
    let v = validated(&atlas, &req).await;
    assert_eq!(v.status, ValidationStatus::Failed);
    assert!(v.error_message.unwrap().contains("password"));

    req.source_auth = SourceAuth::User {
        username: SOURCE_USERNAME.into(),
        password: SourcePassword::new(SOURCE_PASSWORD).unwrap(),
    };
    assert_eq!(
        validated(&atlas, &req).await.status,
        ValidationStatus::Success
    );

    sb.set_migration_knobs(MigrationKnobs {
        step_ms: STEP_MS,
        validation_error: Some("Source is not reachable from the migration host.".into()),
        ..MigrationKnobs::default()
    });
    let v = validated(&atlas, &req).await;
    assert_eq!(
        v.error_message.as_deref(),
        Some("Source is not reachable from the migration host.")
    );
    // The password went to Atlas in the body, and never into an error.
    let bodies: Vec<String> = sb
        .requests()
        .iter()
        .map(|r| String::from_utf8_lossy(&r.body).into_owned())
        .collect();
    assert!(bodies.iter().any(|b| b.contains(SOURCE_PASSWORD)));
    assert!(!format!("{req:?}").contains(SOURCE_PASSWORD));
}

/// With these knobs (at `STEP_MS` a step), a migration of `source` to landing-1 watched until
/// Atlas loses it: every state seen.
async fn watched_until_lost(
    sb: &Sandbox,
    atlas: &AtlasClient,
    source: &AvailableProject,
    knobs: MigrationKnobs,
) -> Vec<LiveMigration> {
    sb.set_migration_knobs(MigrationKnobs {
        step_ms: STEP_MS,
        ..knobs
    });
    let started = atlas
        .create_migration(&request(source, "landing-1"))
        .await
        .unwrap();
    poll_until(atlas, &started.id, |m| m.status.is_lost()).await
}

#[tokio::test]
async fn a_migration_can_fail_or_expire() {
    let (sb, atlas, sources) = linked().await;
    let knobs = MigrationKnobs {
        fail_after_steps: Some(2),
        ..MigrationKnobs::default()
    };
    let seen = watched_until_lost(&sb, &atlas, &sources[0], knobs).await;
    assert_eq!(seen.last().unwrap().status, MigrationStatus::Failed);
    // A failed migration frees its host and cluster.
    assert_eq!(sb.active_migrations(), 0);

    let knobs = MigrationKnobs {
        expire_after_ready_ms: Some(STEP_MS),
        ..MigrationKnobs::default()
    };
    let seen = watched_until_lost(&sb, &atlas, &sources[0], knobs).await;
    assert!(
        seen.iter().any(|m| m.ready_for_cutover),
        "ready before expiring"
    );
    assert_eq!(seen.last().unwrap().status, MigrationStatus::Expired);
}

#[tokio::test]
async fn bad_ids_and_unknown_migrations_are_typed_errors() {
    let (_sb, atlas, _) = linked().await;
    let err = ProjectId::new("landing").unwrap_err();
    assert_eq!(err.kind, ErrorKind::InvalidInput);
    assert!(err.message.contains("project id"), "{}", err.message);
    let unknown = atlas
        .migration(
            &project(LANDING),
            &MigrationId::new("0123456789abcdef01234567").unwrap(),
        )
        .await
        .unwrap_err();
    assert_eq!(unknown.kind, ErrorKind::NotFound);
    assert_eq!(unknown.http_status, Some(404));
}

/// A sandbox whose three first demo organizations are linked to [`ATLAS_ORG`]; each source
/// project with its organization (from Ops Manager's `GET /groups/{id}`).
async fn fleet_linked() -> (Sandbox, AtlasClient, Vec<(AvailableProject, String)>) {
    let sb = sandbox();
    sb.set_migration_knobs(MigrationKnobs {
        step_ms: STEP_MS,
        ..MigrationKnobs::default()
    });
    let atlas = atlas(&sb);
    let om = owner(&sb);
    for source in demo::ORGS.iter().take(3) {
        link(&atlas, &om, source.id).await;
    }
    let mut sources = Vec::new();
    for p in atlas.available_projects(&org(ATLAS_ORG)).await.unwrap() {
        let found = om.project(&project(&p.project_id)).await.unwrap();
        sources.push((p, found.org_id.unwrap()));
    }
    (sb, atlas, sources)
}

#[tokio::test]
async fn a_plan_starts_what_the_rules_allow_and_queues_the_rest_until_its_turn() {
    use omlink::migrate::Polling;
    use omlink::migration_plan::{RowOutcome, check_plan, parse_plan, start_plan, start_queued};
    let (sb, atlas, sources) = fleet_linked().await;
    // Two projects of one organization, one of another.
    let (a1, a2) = {
        let (first, org) = sources
            .iter()
            .find(|(_, org)| sources.iter().filter(|(_, o)| o == org).count() >= 2)
            .expect("a demo organization with two projects");
        let second = sources
            .iter()
            .find(|(p, o)| o == org && p.project_id != first.project_id)
            .unwrap();
        ((first.clone(), org.clone()), second.0.clone())
    };
    let (b, _) = sources.iter().find(|(_, o)| *o != a1.1).unwrap().clone();
    let plan = format!(
        "source_project,atlas_project,cluster\n{},{LANDING},landing-1\n{},{LANDING},landing-2\n{},{LANDING},landing-3\n",
        a1.0.project_id, b.project_id, a2.project_id
    );
    let defaults = omlink::migrate::MigrationOptions::default();
    let rows = parse_plan(&plan, "plan.csv", &defaults).unwrap();
    let prepared = check_plan(&atlas, &rows, "plan.csv").await.unwrap();
    let numbered: Vec<(usize, omlink::migrate::Prepared)> =
        rows.iter().map(|r| r.line).zip(prepared).collect();
    let orgs: std::collections::HashMap<ProjectId, String> = sources
        .iter()
        .map(|(p, o)| (project(&p.project_id), o.clone()))
        .collect();
    let bench = crate::bench();
    let polling = Polling {
        first: Duration::from_millis(20),
        max: Duration::from_millis(40),
    };
    let outcomes = start_plan(&atlas, &bench.store, &numbered, &orgs, 1, polling)
        .await
        .unwrap();
    let [
        (2, RowOutcome::Started(first)),
        (3, RowOutcome::Started(_)),
        (4, RowOutcome::Queued(queued, waiting)),
    ] = outcomes.as_slice()
    else {
        panic!("{outcomes:?}");
    };
    assert_eq!(&waiting.behind, first);
    assert!(
        waiting.reason.contains("source organization"),
        "{waiting:?}"
    );
    assert_eq!(sb.active_migrations(), 2);

    // Nothing changes while the first runs: --queued is idempotent.
    let again = start_queued(&atlas, &bench.store, 1, polling, None)
        .await
        .unwrap();
    assert!(
        matches!(again.as_slice(), [(_, RowOutcome::Queued(..))]),
        "{again:?}"
    );

    // The first is cut over and completes; now the queued row starts.
    let mut record = bench
        .store
        .load()
        .unwrap()
        .data
        .migrations
        .into_iter()
        .find(|r| &r.id == first)
        .unwrap();
    poll_until(&atlas, first, |m| m.ready_for_cutover).await;
    omlink::migrate::cutover(&atlas, &mut record).await.unwrap();
    poll_until(&atlas, first, |m| m.status == MigrationStatus::Complete).await;
    let started = start_queued(&atlas, &bench.store, 1, polling, None)
        .await
        .unwrap();
    let [(r, RowOutcome::Started(id))] = started.as_slice() else {
        panic!("{started:?}");
    };
    assert_eq!(&r.id, id);
    assert_ne!(id, queued);
    let saved = bench.store.load().unwrap().data.migrations;
    assert_eq!(saved.len(), 3);
    assert!(saved.iter().all(|r| !r.is_queued()), "{saved:?}");
    // The rules kept Atlas from ever refusing a start.
    assert!(sb.requests().iter().all(|r| r.status != 409));
}

#[tokio::test]
async fn a_plan_is_checked_whole_before_anything_is_sent() {
    use omlink::migration_plan::{check_plan, parse_plan};
    let (sb, atlas, sources) = linked().await;
    let p = &sources[0].project_id;
    let plan = format!(
        "source_project,atlas_project,cluster\n{p},{LANDING},landing-1\n{p},{LANDING},landing-1\n{p},{PRODUCTION},prod-free\n{p},{LANDING},nope\n"
    );
    let defaults = omlink::migrate::MigrationOptions::default();
    let rows = parse_plan(&plan, "plan.csv", &defaults).unwrap();
    sb.clear_requests();
    let bad = check_plan(&atlas, &rows, "plan.csv").await.unwrap_err();
    assert_eq!(bad.error.kind, ErrorKind::InvalidInput);
    assert_eq!(bad.rows.len(), 3, "{:?}", bad.rows);
    assert!(bad.rows[0].starts_with("line 3:") && bad.rows[0].contains("twice"));
    assert!(bad.rows[1].starts_with("line 4:") && bad.rows[1].contains("shared tier"));
    assert!(bad.rows[2].starts_with("line 5:") && bad.rows[2].contains("landing-1"));
    assert!(
        sb.requests().iter().all(|r| r.method == "GET"),
        "only reads"
    );
}

#[tokio::test]
async fn the_window_s_journey_destinations_validate_start_refresh_cut_over_with_notices() {
    use omlink::MigrationDraft;
    let (sb, b, _, p) = crate::on_the_sandbox();
    sb.set_migration_knobs(MigrationKnobs {
        step_ms: STEP_MS,
        ..MigrationKnobs::default()
    });
    let (linked, _) = crate::link(
        &b.workbench,
        &p.id,
        ORG,
        None,
        crate::atlas_workbench::mint(),
    )
    .await;
    linked.unwrap();
    let available = b
        .workbench
        .available_projects(&p.id, &org(ATLAS_ORG))
        .await
        .unwrap();
    let source = &available[0];
    let version = source.deployments[0].mongodb_version.clone();
    let destinations = b
        .workbench
        .destinations(&p.id, &org(ATLAS_ORG), version)
        .await
        .unwrap();
    let landing = destinations.iter().find(|d| d.id == LANDING).unwrap();
    assert!(landing.clusters.iter().all(|c| c.fit.is_fit()));
    let production = destinations.iter().find(|d| d.id == PRODUCTION).unwrap();
    assert!(production.clusters.iter().any(|c| !c.fit.is_fit()));

    let draft = MigrationDraft {
        atlas_org: org(ATLAS_ORG),
        source_org: org(ORG),
        source_project: project(&source.project_id),
        source_cluster: source.deployments[0].name.clone(),
        migration_host: source.migration_hosts[0].clone(),
        atlas_project: project(LANDING),
        cluster: "landing-1".into(),
        network: Network::Public,
        source_username: Some(SOURCE_USERNAME.into()),
        source_password: Some(SOURCE_PASSWORD.into()),
        source_tls: false,
        source_ca_path: None,
        drop_destination_data: false,
    };
    let v = b
        .workbench
        .validate_migration(&p.id, draft.clone())
        .await
        .unwrap();
    assert_eq!(v.status, ValidationStatus::Success);
    let started = b.workbench.start_migration(&p.id, draft).await.unwrap();
    let id = started.record.id.clone();
    assert_eq!(started.record.source_org, ORG);
    assert_eq!(started.connection_name.as_deref(), Some("Sandbox Atlas"));

    let mut notices = Vec::new();
    let mut ready = false;
    for _ in 0..200 {
        let (views, said) = b.workbench.refresh_migrations().await.unwrap();
        notices.extend(said);
        if views[0].record.progress.ready_for_cutover {
            assert!(views[0].cutover_deadline.is_some());
            ready = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(ready, "never ready");
    assert!(
        notices.iter().any(|n| n.contains("ready for cutover")),
        "{notices:?}"
    );
    b.workbench.cutover_migration(&id).await.unwrap();
    let mut complete = false;
    for _ in 0..200 {
        let (views, said) = b.workbench.refresh_migrations().await.unwrap();
        notices.extend(said);
        if views[0].record.status == MigrationStatus::Complete {
            complete = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(complete);
    assert!(
        notices.iter().any(|n| n.ends_with("COMPLETE")),
        "{notices:?}"
    );
    // The source password went to Atlas only.
    let file = std::fs::read_to_string(b.store.path()).unwrap();
    assert!(file.contains(&id) && !file.contains(SOURCE_PASSWORD));
}
