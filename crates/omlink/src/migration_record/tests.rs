use super::*;

fn record(
    id: &str,
    org: &str,
    host: &str,
    cluster: &str,
    status: MigrationStatus,
) -> MigrationRecord {
    MigrationRecord {
        id: id.into(),
        atlas_url: "https://cloud.mongodb.com".into(),
        atlas_connection: None,
        atlas_project: "6a0b1c2d3e4f5a6b7c8d9e0f".into(),
        cluster: cluster.into(),
        source_org: org.into(),
        source_project: "5f1e2d3c4b5a697887766554".into(),
        source_cluster: "rs0".into(),
        migration_host: host.into(),
        network: Network::Public,
        source_username: None,
        source_tls: false,
        source_ca_path: None,
        drop_destination_data: false,
        created_at: "2026-12-01T10:00:00Z".into(),
        started_at: Some("2026-12-01T10:00:00Z".into()),
        status,
        progress: Progress::default(),
        plan_row: None,
        last_error: None,
        extra: serde_json::Map::new(),
    }
}

fn answer(status: MigrationStatus, lag: Option<f64>, ready: bool) -> LiveMigration {
    LiveMigration {
        id: "m1".into(),
        status,
        lag_time_seconds: lag,
        ready_for_cutover: ready,
        migration_hosts: vec!["h1".into()],
    }
}

fn at(text: &str) -> SystemTime {
    humantime::parse_rfc3339(text).unwrap()
}

/// `r` sees Atlas answer with this status, lag and readiness at `when`.
fn seen(
    r: &mut MigrationRecord,
    status: MigrationStatus,
    lag: Option<f64>,
    ready: bool,
    when: &str,
) {
    r.observe(&answer(status, lag, ready), at(when));
}

#[test]
fn the_deadline_counts_from_the_last_time_it_was_seen_not_ready() {
    let mut r = record("m1", "o1", "h1", "c1", MigrationStatus::New);
    assert_eq!(r.cutover_deadline(), None);
    seen(
        &mut r,
        MigrationStatus::Working,
        Some(300.0),
        false,
        "2026-12-02T08:00:00Z",
    );
    seen(
        &mut r,
        MigrationStatus::Working,
        Some(40.0),
        false,
        "2026-12-02T09:00:00Z",
    );
    assert_eq!(r.cutover_deadline(), None, "not ready: no window yet");
    seen(
        &mut r,
        MigrationStatus::Working,
        Some(2.0),
        true,
        "2026-12-02T09:30:00Z",
    );
    seen(
        &mut r,
        MigrationStatus::Working,
        Some(1.0),
        true,
        "2026-12-02T10:30:00Z",
    );
    assert_eq!(
        r.progress.first_ready_at.as_deref(),
        Some("2026-12-02T09:30:00Z")
    );
    // 120 h after 09:00, not after 09:30 or 10:30: never later than Atlas's own timer.
    assert_eq!(
        r.cutover_deadline_text().as_deref(),
        Some("2026-12-07T09:00:00Z")
    );
    assert_eq!(
        r.progress
            .lag_history
            .iter()
            .map(|p| p.seconds)
            .collect::<Vec<_>>(),
        [300.0, 40.0, 2.0, 1.0]
    );

    assert_eq!(r.deadline_warning(at("2026-12-06T08:00:00Z")), None);
    assert_eq!(
        r.deadline_warning(at("2026-12-06T10:00:00Z")),
        Some(DeadlineWarning::Within24Hours)
    );
    assert_eq!(
        r.deadline_warning(at("2026-12-07T07:30:00Z")),
        Some(DeadlineWarning::Within2Hours)
    );
    assert_eq!(
        r.deadline_warning(at("2026-12-07T09:00:01Z")),
        Some(DeadlineWarning::Passed)
    );

    // Cut over, or ended: no deadline any more.
    r.progress.cutover_at = Some("2026-12-03T00:00:00Z".into());
    assert_eq!(r.cutover_deadline(), None);
    r.progress.cutover_at = None;
    seen(
        &mut r,
        MigrationStatus::Complete,
        None,
        false,
        "2026-12-03T01:00:00Z",
    );
    assert_eq!(r.cutover_deadline(), None);
    assert_eq!(
        r.progress.last_not_ready_at.as_deref(),
        Some("2026-12-02T09:00:00Z")
    );
}

#[test]
fn ready_when_first_seen_counts_from_the_start() {
    let mut r = record("m1", "o1", "h1", "c1", MigrationStatus::New);
    seen(
        &mut r,
        MigrationStatus::Working,
        Some(1.0),
        true,
        "2026-12-03T00:00:00Z",
    );
    assert_eq!(
        r.cutover_deadline_text().as_deref(),
        Some("2026-12-06T10:00:00Z")
    );
}

#[test]
fn the_lag_history_keeps_the_newest_readings() {
    let mut r = record("m1", "o1", "h1", "c1", MigrationStatus::New);
    for i in 0..(LAG_HISTORY_LEN + 5) {
        seen(
            &mut r,
            MigrationStatus::Working,
            Some(i as f64),
            false,
            "2026-12-02T08:00:00Z",
        );
    }
    assert_eq!(r.progress.lag_history.len(), LAG_HISTORY_LEN);
    assert_eq!(r.progress.lag_history[0].seconds, 5.0);
}

#[test]
fn a_queued_row_waits_for_its_host_its_cluster_and_its_organization() {
    let mut records = vec![
        record("m1", "o1", "h1", "c1", MigrationStatus::Working),
        record("q-host", "o2", "h1", "c2", MigrationStatus::Queued),
        record("q-cluster", "o2", "h2", "c1", MigrationStatus::Queued),
        record("q-org", "o1", "h3", "c3", MigrationStatus::Queued),
        record("q-free", "o3", "h4", "c4", MigrationStatus::Queued),
    ];
    let said = |records: &[MigrationRecord], i| waiting_for(records, i, 1);
    let wait = |behind: &str, reason: &str| {
        Some(Waiting {
            behind: behind.into(),
            reason: reason.into(),
        })
    };
    assert_eq!(said(&records, 1), wait("m1", "migration host h1 is busy"));
    assert_eq!(
        said(&records, 2),
        wait("m1", "destination cluster c1 is busy")
    );
    assert_eq!(
        said(&records, 3),
        wait(
            "m1",
            "source organization o1 has 1 running (at most 1 at a time)"
        )
    );
    assert_eq!(said(&records, 4), None);
    // Two per organization: the same-organization row may start.
    assert_eq!(waiting_for(&records, 3, 2), None);
    // Another Atlas's migrations do not count.
    records[0].atlas_url = "https://atlas.example.com".into();
    assert_eq!(said(&records, 1), None);
    // An ended migration frees everything.
    records[0].atlas_url = "https://cloud.mongodb.com".into();
    records[0].status = MigrationStatus::Complete;
    assert_eq!(said(&records, 1), None);
    assert_eq!(said(&records, 3), None);
}

#[test]
fn a_record_keeps_fields_a_newer_omlink_wrote() {
    let mut json =
        serde_json::to_value(record("m1", "o1", "h1", "c1", MigrationStatus::New)).unwrap();
    json["futureField"] = serde_json::json!({"x": 1});
    let back: MigrationRecord = serde_json::from_value(json.clone()).unwrap();
    assert_eq!(serde_json::to_value(&back).unwrap(), json);
    assert!(!json.to_string().contains("password"));
}

#[test]
fn progress_is_read_from_the_record_itself_and_not_kept_as_unknown() {
    let mut r = record("m1", "o1", "h1", "c1", MigrationStatus::New);
    seen(
        &mut r,
        MigrationStatus::Working,
        Some(12.0),
        true,
        "2026-12-02T08:00:00Z",
    );
    let json = serde_json::to_value(&r).unwrap();
    assert_eq!(json["lagTimeSeconds"], 12.0, "flat, as before: {json}");
    assert_eq!(json["readyForCutover"], true);
    assert!(json.get("progress").is_none());
    let back: MigrationRecord = serde_json::from_value(json).unwrap();
    assert_eq!(back, r);
    assert!(back.extra.is_empty(), "{:?}", back.extra);
    // A record written before any progress was seen reads with none.
    let mut bare =
        serde_json::to_value(record("m2", "o1", "h1", "c1", MigrationStatus::Queued)).unwrap();
    for key in [
        "lagTimeSeconds",
        "readyForCutover",
        "lagHistory",
        "updatedAt",
    ] {
        bare.as_object_mut().unwrap().remove(key);
    }
    let back: MigrationRecord = serde_json::from_value(bare).unwrap();
    assert_eq!(back.progress, Progress::default());
}
