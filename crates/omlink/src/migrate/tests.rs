use super::*;
use crate::atlas::Deployment;

fn project(id: &str, deployments: &[&str], hosts: &[&str]) -> AvailableProject {
    AvailableProject {
        name: format!("p-{id}"),
        project_id: id.into(),
        migration_hosts: hosts.iter().map(|h| (*h).to_owned()).collect(),
        deployments: deployments
            .iter()
            .map(|d| {
                serde_json::from_value::<Deployment>(
                    serde_json::json!({"name": d, "mongoDBVersion": "6.0.15"}),
                )
                .unwrap()
            })
            .collect(),
    }
}

const P1: &str = "5f1e2d3c4b5a697887766501";
const P2: &str = "5f1e2d3c4b5a697887766502";

fn pid(id: &str) -> ProjectId {
    ProjectId::new(id).unwrap()
}

#[test]
fn the_only_deployment_and_host_are_the_defaults() {
    let available = [project(P1, &["rs0"], &["mh1"])];
    let (_, d, host) = choose_source(&available, &pid(P1), None, None).unwrap();
    assert_eq!((d.name.as_str(), host.as_str()), ("rs0", "mh1"));
}

#[test]
fn more_than_one_is_an_error_that_lists_them() {
    let available = [project(P1, &["rs0", "rs1"], &["mh1", "mh2"])];
    let err = choose_source(&available, &pid(P1), None, Some("mh1")).unwrap_err();
    assert_eq!(err.kind, ErrorKind::InvalidInput);
    assert!(err.hint.contains("rs0, rs1"), "{}", err.hint);
    let err = choose_source(&available, &pid(P1), Some("rs1"), None).unwrap_err();
    assert!(err.hint.contains("mh1, mh2"), "{}", err.hint);
    let (_, d, h) = choose_source(&available, &pid(P1), Some("rs1"), Some("mh2")).unwrap();
    assert_eq!((d.name.as_str(), h.as_str()), ("rs1", "mh2"));
    let err = choose_source(&available, &pid(P1), Some("rs9"), Some("mh2")).unwrap_err();
    assert!(err.message.contains("rs9"));
    let err = choose_source(&available, &pid(P1), Some("rs1"), Some("mh9")).unwrap_err();
    assert!(err.message.contains("mh9"));
}

#[test]
fn a_project_not_available_says_to_link_first() {
    let available = [project(P1, &["rs0"], &["mh1"])];
    let err = choose_source(&available, &pid(P2), None, None).unwrap_err();
    assert!(err.hint.contains("Link"), "{}", err.hint);
}

fn cluster(json: serde_json::Value) -> AtlasCluster {
    serde_json::from_value(json).unwrap()
}

#[test]
fn destinations_are_found_and_checked() {
    let clusters = [
        cluster(
            serde_json::json!({"name": "big", "mongoDBVersion": "7.0.1", "stateName": "IDLE",
            "replicationSpecs": [{"regionConfigs": [{"providerName": "AWS", "electableSpecs": {"instanceSize": "M40"}}]}]}),
        ),
        cluster(
            serde_json::json!({"name": "free", "mongoDBVersion": "7.0.1", "stateName": "IDLE",
            "replicationSpecs": [{"regionConfigs": [{"providerName": "TENANT", "electableSpecs": {"instanceSize": "M0"}}]}]}),
        ),
    ];
    let (c, note) = choose_destination(&clusters, &pid(P1), "big", Some("6.0.15")).unwrap();
    assert_eq!(c.name, "big");
    assert!(note.unwrap().contains("same major version"));
    let err = choose_destination(&clusters, &pid(P1), "free", Some("6.0.15")).unwrap_err();
    assert_eq!(err.kind, ErrorKind::InvalidInput);
    assert!(err.hint.contains("shared tier"), "{}", err.hint);
    let err = choose_destination(&clusters, &pid(P1), "nope", None).unwrap_err();
    assert!(err.hint.contains("big, free"), "{}", err.hint);
}

#[test]
fn polling_backs_off_to_its_max() {
    let p = Polling::default();
    let mut wait = p.first;
    let waits: Vec<u64> = (0..6)
        .map(|_| {
            wait = p.next(wait);
            wait.as_secs()
        })
        .collect();
    assert_eq!(waits, [2, 4, 8, 10, 10, 10]);
}

#[tokio::test(start_paused = true)]
async fn a_429_is_retried_after_its_retry_after() {
    let mut calls = 0;
    let started = tokio::time::Instant::now();
    let value = patiently(Duration::from_secs(1), || {
        calls += 1;
        let n = calls;
        async move {
            if n < 3 {
                let mut e = Error::new(ErrorKind::RateLimited, "slow down", "wait");
                e.retry_after_secs = Some(7);
                Err(e)
            } else {
                Ok(n)
            }
        }
    })
    .await
    .unwrap();
    assert_eq!(value, 3);
    assert_eq!(started.elapsed().as_secs(), 14);
}
