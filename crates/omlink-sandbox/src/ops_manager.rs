//! The Ops Manager Public API v1.0 look-alike: organizations, projects, hosts, and the
//! live-migration link (create, status, remove) with Ops Manager's errors.

use hyper::{Method, Response, StatusCode};
use serde_json::{Value, json};

use crate::atlas;
use crate::demo::{self, Role};
use crate::response::{
    Body, Flags, api_error, id_not_found, json_response, one_page, query_param, unexpected,
    user_unauthorized,
};
use crate::{State, UnlinkedStatus, lock};

pub(crate) const API: &str = "/api/public/v1.0";

#[allow(clippy::too_many_arguments)]
pub(crate) fn api(
    state: &State,
    method: &Method,
    route: &str,
    body: &[u8],
    content_type: Option<&str>,
    role: Option<Role>,
    query: &str,
    flags: Flags,
) -> Response<Body> {
    if role == Some(Role::NotOnAccessList) {
        return api_error(
            StatusCode::FORBIDDEN,
            Some("IP_ADDRESS_NOT_ON_ACCESS_LIST"),
            "IP address 127.0.0.1 is not allowed to access this resource.",
            &["127.0.0.1".to_owned()],
            flags,
        );
    }
    let segments: Vec<&str> = route.trim_start_matches('/').split('/').collect();
    match (method, segments.as_slice()) {
        (&Method::GET, ["orgs"]) => list_orgs(state, query, flags),
        (&Method::GET, ["orgs", org, "groups"]) => list_groups(state, org, flags),
        (&Method::GET, ["groups", group]) => get_group(state, group, flags),
        (&Method::GET, ["groups", group, "hosts"]) => list_hosts(state, group, flags),
        (_, ["orgs", org, "liveExport", "migrationLink", rest @ ..]) => {
            let known = lock(&state.orgs).contains_key(*org);
            if !known {
                return id_not_found("ORG_NOT_FOUND", "organization", org, flags);
            }
            if role != Some(Role::OrgOwner) {
                return user_unauthorized(flags);
            }
            match (method, rest) {
                (&Method::POST, []) => link(state, org, body, content_type, flags),
                (&Method::DELETE, []) => unlink(state, org, flags),
                (&Method::GET, ["status"]) => status(state, org, flags),
                _ => unexpected(state, method, &format!("{API}{route}"), flags),
            }
        }
        _ => unexpected(state, method, &format!("{API}{route}"), flags),
    }
}

/// `GET /orgs/{id}/groups`: the organization's projects (all on one page).
pub(crate) fn list_groups(state: &State, org: &str, flags: Flags) -> Response<Body> {
    let orgs = lock(&state.orgs);
    let Some(entry) = orgs.get(org) else {
        return id_not_found("ORG_NOT_FOUND", "organization", org, flags);
    };
    let results: Vec<Value> = demo::projects_of(org, &entry.name)
        .into_iter()
        .map(|p| json!({"id": p.id, "name": p.name, "orgId": org}))
        .collect();
    one_page(results, flags)
}

/// `GET /groups/{id}`: one project, with the organization it belongs to.
pub(crate) fn get_group(state: &State, group: &str, flags: Flags) -> Response<Body> {
    let project = lock(&state.orgs).iter().find_map(|(id, o)| {
        demo::projects_of(id, &o.name)
            .into_iter()
            .find(|p| p.id == group)
            .map(|p| json!({"id": p.id, "name": p.name, "orgId": id}))
    });
    match project {
        Some(p) => json_response(StatusCode::OK, Some(p), flags),
        None => id_not_found("GROUP_NOT_FOUND", "group", group, flags),
    }
}

/// `GET /groups/{id}/hosts`: three members per deployment, each with its version.
pub(crate) fn list_hosts(state: &State, group: &str, flags: Flags) -> Response<Body> {
    let project = lock(&state.orgs)
        .iter()
        .flat_map(|(id, o)| demo::projects_of(id, &o.name))
        .find(|p| p.id == group);
    let Some(project) = project else {
        return id_not_found("GROUP_NOT_FOUND", "group", group, flags);
    };
    let mut results = Vec::new();
    for d in &project.deployments {
        for (i, type_name) in ["REPLICA_PRIMARY", "REPLICA_SECONDARY", "REPLICA_SECONDARY"]
            .iter()
            .enumerate()
        {
            results.push(json!({
                "hostname": format!("{}-{i}.{group}.sandbox.internal", d.name),
                "port": 27017,
                "version": d.version,
                "typeName": type_name,
                "replicaSetName": d.name,
                "groupId": group,
            }));
        }
    }
    one_page(results, flags)
}

pub(crate) fn list_orgs(state: &State, query: &str, flags: Flags) -> Response<Body> {
    let number = |name: &str, default: usize| {
        query_param(query, name).map_or(Ok(default), |v| {
            v.parse::<usize>().map_err(|_| v.to_owned())
        })
    };
    let (Ok(page_num), Ok(items)) = (number("pageNum", 1), number("itemsPerPage", 100)) else {
        return api_error(
            StatusCode::BAD_REQUEST,
            Some("INVALID_QUERY_PARAMETER"),
            "Invalid paging parameters.",
            &[],
            flags,
        );
    };
    if page_num == 0 || items == 0 || items > 500 {
        return api_error(
            StatusCode::BAD_REQUEST,
            Some("INVALID_QUERY_PARAMETER"),
            "pageNum must be at least 1 and itemsPerPage between 1 and 500.",
            &[],
            flags,
        );
    }
    let orgs = lock(&state.orgs);
    let results: Vec<Value> = orgs
        .iter()
        .skip((page_num - 1) * items)
        .take(items)
        .map(|(id, o)| json!({"id": id, "name": o.name, "isDeleted": false, "links": []}))
        .collect();
    json_response(
        StatusCode::OK,
        Some(json!({"results": results, "totalCount": orgs.len(), "links": []})),
        flags,
    )
}

pub(crate) fn link(
    state: &State,
    org: &str,
    body: &[u8],
    content_type: Option<&str>,
    flags: Flags,
) -> Response<Body> {
    if !content_type.is_some_and(|c| c.starts_with("application/json")) {
        return api_error(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Some("UNSUPPORTED_MEDIA_TYPE"),
            "The request must have Content-Type: application/json.",
            &[],
            flags,
        );
    }
    let bad = |code: &str, detail: String, params: &[String]| {
        api_error(StatusCode::BAD_REQUEST, Some(code), &detail, params, flags)
    };
    let Ok(Value::Object(fields)) = serde_json::from_slice::<Value>(body) else {
        return bad("INVALID_JSON", "Received JSON is malformed.".into(), &[]);
    };
    if let Some(extra) = fields.keys().find(|k| *k != "linkToken") {
        return bad(
            "INVALID_ATTRIBUTE",
            format!("Invalid attribute {extra} specified."),
            std::slice::from_ref(extra),
        );
    }
    let token = match fields.get("linkToken") {
        None => {
            return bad(
                "MISSING_ATTRIBUTE",
                "The required attribute linkToken was not specified.".into(),
                &["linkToken".into()],
            );
        }
        Some(Value::String(t)) if !t.trim().is_empty() => t,
        Some(_) => {
            return bad(
                "INVALID_ATTRIBUTE",
                "Invalid attribute linkToken specified.".into(),
                &["linkToken".into()],
            );
        }
    };
    // A token this sandbox's Atlas minted links the organization to that Atlas organization;
    // one it minted and then revoked is refused like an expired one.
    // The Atlas state stays locked until the organization is linked, so a revoke cannot
    // slip in between (the same order as a revoke: Atlas, then the organizations).
    let atlas_state = lock(&state.atlas);
    let atlas_org = atlas::minted_by(&atlas_state, token);
    let revoked = atlas_org.is_none() && token.starts_with("sbxlink");
    if revoked || token.contains(demo::EXPIRED_TOKEN_MARKER) {
        // Ops Manager documents no errorCode for a bad or expired token.
        return api_error(
            StatusCode::BAD_REQUEST,
            None,
            "The link token is invalid or has expired.",
            &[],
            flags,
        );
    }
    let mut orgs = lock(&state.orgs);
    let entry = orgs.get_mut(org).expect("checked by the caller");
    entry.linked = true;
    entry.link_token = Some(token.clone());
    entry.atlas_org = atlas_org;
    drop(orgs);
    drop(atlas_state);
    json_response(
        StatusCode::CREATED,
        Some(json!({"status": "SYNCED"})),
        flags,
    )
}

pub(crate) fn status(state: &State, org: &str, flags: Flags) -> Response<Body> {
    let linked = lock(&state.orgs).get(org).is_some_and(|o| o.linked);
    match (linked, state.unlinked_status) {
        (true, _) => json_response(StatusCode::OK, Some(json!({"status": "SYNCED"})), flags),
        (false, UnlinkedStatus::NotSynced) => {
            json_response(StatusCode::OK, Some(json!({"status": "NOT_SYNCED"})), flags)
        }
        (false, UnlinkedStatus::NotFound) => api_error(
            StatusCode::NOT_FOUND,
            None,
            &format!("No migration link exists for organization {org}."),
            &[],
            flags,
        ),
    }
}

pub(crate) fn unlink(state: &State, org: &str, flags: Flags) -> Response<Body> {
    let mut orgs = lock(&state.orgs);
    let entry = orgs.get_mut(org).expect("checked by the caller");
    if entry.linked && !entry.running_migrations.is_empty() {
        return api_error(
            StatusCode::CONFLICT,
            Some("CANNOT_DELETE_ORG_LINK_WITH_RUNNING_LIVE_EXPORT"),
            "Cannot delete organization link while there are active live export jobs.",
            &entry.running_migrations.clone(),
            flags,
        );
    }
    entry.linked = false;
    entry.link_token = None;
    entry.atlas_org = None;
    json_response(StatusCode::NO_CONTENT, None, flags)
}
