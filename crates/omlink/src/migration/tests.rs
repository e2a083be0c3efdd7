use super::*;

fn cluster(json: serde_json::Value) -> AtlasCluster {
    serde_json::from_value(json).unwrap()
}

fn m40(version: &str) -> AtlasCluster {
    cluster(serde_json::json!({
        "name": "prod", "mongoDBVersion": version, "clusterType": "REPLICASET",
        "stateName": "IDLE", "paused": false, "biConnector": {"enabled": false},
        "replicationSpecs": [{"regionConfigs": [{"providerName": "AWS",
            "electableSpecs": {"instanceSize": "M40"}}]}]
    }))
}

/// An 8.0.1 M40 changed by `change`.
fn changed(change: impl FnOnce(&mut AtlasCluster)) -> AtlasCluster {
    let mut c = m40("8.0.1");
    change(&mut c);
    c
}

/// An 8.0.1 cluster of another tier and provider.
fn tier(tier: &str, provider: &str) -> AtlasCluster {
    changed(|c| {
        c.tier = Some(tier.into());
        c.provider = Some(provider.into());
    })
}

#[test]
fn both_cluster_shapes_give_the_tier_and_provider() {
    let new = m40("7.0.14");
    assert_eq!(new.tier.as_deref(), Some("M40"));
    assert_eq!(new.provider.as_deref(), Some("AWS"));
    let old = cluster(serde_json::json!({
        "name": "free", "mongoDBVersion": "8.0.3",
        "providerSettings": {"providerName": "TENANT", "instanceSizeName": "M0"}
    }));
    assert_eq!(old.tier.as_deref(), Some("M0"));
    assert_eq!(old.provider.as_deref(), Some("TENANT"));
    assert!(!old.paused && !old.bi_connector);
}

#[test]
fn the_destination_check_refuses_with_a_reason_to_act_on() {
    assert!(check_destination(&m40("7.0.14"), Some("7.0.12")).is_fit());
    let cases: Vec<(AtlasCluster, &str)> = vec![
        (tier("M0", "TENANT"), "shared tier"),
        (tier("FLEX", "FLEX"), "Flex"),
        (tier("SERVERLESS_V2", "SERVERLESS"), "serverless"),
        (changed(|c| c.bi_connector = true), "BI Connector"),
        (changed(|c| c.paused = true), "paused"),
        (
            changed(|c| c.cluster_type = Some("GEOSHARDED".into())),
            "Global Cluster",
        ),
        (
            changed(|c| c.state_name = Some("UPDATING".into())),
            "UPDATING",
        ),
        (m40("6.0.5"), "older than the source's 7.0"),
    ];
    for (c, said) in cases {
        match check_destination(&c, Some("7.0.12")) {
            DestinationFit::Unfit { reason } => assert!(reason.contains(said), "{reason}"),
            fit => panic!("{c:?} passed: {fit:?}"),
        }
    }
}

#[test]
fn a_different_major_from_six_on_and_a_small_tier_are_notes_not_refusals() {
    let DestinationFit::Fit { note: Some(note) } = check_destination(&m40("8.0.1"), Some("7.0.12"))
    else {
        panic!("a newer major is allowed, with a note");
    };
    assert!(note.contains("same major version"), "{note}");
    // 4.2–5.0 sources (mongomirror) may go to a newer major without a note.
    assert_eq!(
        check_destination(&m40("7.0.1"), Some("5.0.20")),
        DestinationFit::Fit { note: None }
    );
    let small = AtlasCluster {
        tier: Some("M10".into()),
        ..m40("7.0.1")
    };
    let DestinationFit::Fit { note: Some(note) } = check_destination(&small, None) else {
        panic!("M10 is allowed");
    };
    assert!(note.contains("M40"), "{note}");
}

#[test]
fn versions_compare_by_major_and_minor() {
    assert_eq!(major_minor("7.0.14"), Some((7, 0)));
    assert_eq!(major_minor("8"), Some((8, 0)));
    assert_eq!(major_minor("4.4.29-ent"), Some((4, 4)));
    assert_eq!(major_minor("x"), None);
}

fn request(auth: SourceAuth, network: Network) -> MigrationRequest {
    MigrationRequest {
        source_project: crate::ProjectId::new("5f1e2d3c4b5a697887766554").unwrap(),
        source_cluster: "rs0".into(),
        source_auth: auth,
        source_tls: true,
        source_ca_path: Some("/etc/ssl/ca.pem".into()),
        atlas_project: crate::ProjectId::new("6a0b1c2d3e4f5a6b7c8d9e0f").unwrap(),
        cluster: "prod".into(),
        network,
        migration_host: "vm001.example.com".into(),
        drop_destination_data: false,
    }
}

#[test]
fn the_body_has_every_required_field_and_the_password_only_there() {
    let password = SourcePassword::new("s3cret pass").unwrap();
    assert_eq!(format!("{password:?}"), "SourcePassword(<redacted>)");
    let r = request(
        SourceAuth::User {
            username: "migrator".into(),
            password,
        },
        Network::PrivateLink { id: "pl-1".into() },
    );
    assert!(!format!("{r:?}").contains("s3cret"));
    let body: serde_json::Value = serde_json::from_slice(&r.body()).unwrap();
    assert_eq!(
        body,
        serde_json::json!({
            "source": {"clusterName": "rs0", "groupId": "5f1e2d3c4b5a697887766554",
                       "managedAuthentication": false, "ssl": true, "username": "migrator",
                       "password": "s3cret pass", "caCertificatePath": "/etc/ssl/ca.pem"},
            "destination": {"clusterName": "prod", "groupId": "6a0b1c2d3e4f5a6b7c8d9e0f",
                            "hostnameSchemaType": "PRIVATE_LINK", "privateLinkId": "pl-1"},
            "migrationHosts": ["vm001.example.com"],
            "dropDestinationData": false
        })
    );
    let managed: serde_json::Value =
        serde_json::from_slice(&request(SourceAuth::Managed, Network::Public).body()).unwrap();
    assert_eq!(managed["source"]["managedAuthentication"], true);
    assert!(managed["source"].get("password").is_none());
    assert_eq!(managed["destination"]["hostnameSchemaType"], "PUBLIC");
    assert!(SourcePassword::new("  ").is_err());
}

#[test]
fn unknown_states_are_kept_not_refused() {
    let m: LiveMigration = serde_json::from_value(serde_json::json!({
        "_id": "a", "status": "STOPPING", "readyForCutover": false
    }))
    .unwrap();
    assert_eq!(m.status, MigrationStatus::Other("STOPPING".into()));
    assert!(m.status.is_active());
    let v: Validation = serde_json::from_value(serde_json::json!({
        "_id": "v", "status": "FAILED", "errorMessage": "The username or password is not correct"
    }))
    .unwrap();
    assert_eq!(v.status, ValidationStatus::Failed);
}
