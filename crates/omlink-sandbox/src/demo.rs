//! The sandbox's demo data: organizations and API keys, printed at start and used by tests.

use serde::Serialize;

/// What an API key may do in the sandbox.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum Role {
    /// Organization Owner on every organization: may link, read status and unlink.
    OrgOwner,
    /// Organization Member: may list organizations; link calls answer 401 `USER_UNAUTHORIZED`.
    OrgMember,
    /// Its access list does not include this machine: every call answers 403
    /// `IP_ADDRESS_NOT_ON_ACCESS_LIST`.
    NotOnAccessList,
}

/// A programmatic API key.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DemoKey {
    /// The public key (the digest user name).
    pub public_key: &'static str,
    /// The private key (the digest password).
    pub private_key: &'static str,
    /// What the key may do.
    pub role: Role,
    /// What the key is for, as the sandbox prints it.
    pub description: &'static str,
}

impl DemoKey {
    const fn new(
        public_key: &'static str,
        private_key: &'static str,
        role: Role,
        description: &'static str,
    ) -> Self {
        Self {
            public_key,
            private_key,
            role,
            description,
        }
    }
}

/// The Organization Owner key: everything works with it.
pub const OWNER: DemoKey = DemoKey::new(
    "demoownr",
    "5b2c9e1a-7d4f-4c3b-9e8a-1f2d3c4b5a60",
    Role::OrgOwner,
    "Organization Owner: can link, check and unlink",
);

/// A key without the Organization Owner role.
pub const MEMBER: DemoKey = DemoKey::new(
    "demomembr",
    "0c1d2e3f-4a5b-4c6d-8e7f-9a0b1c2d3e4f",
    Role::OrgMember,
    "Organization Member: lists organizations, refused with 401 USER_UNAUTHORIZED on links",
);

/// A key whose access list excludes this machine.
pub const BLOCKED: DemoKey = DemoKey::new(
    "demoblckd",
    "9f8e7d6c-5b4a-4392-8170-6f5e4d3c2b1a",
    Role::NotOnAccessList,
    "Not on the access list: refused with 403 IP_ADDRESS_NOT_ON_ACCESS_LIST",
);

/// Every demo key.
pub const KEYS: [DemoKey; 3] = [OWNER, MEMBER, BLOCKED];

/// A demo organization.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DemoOrg {
    /// Its 24-hexadecimal-digit id.
    pub id: &'static str,
    /// Its display name.
    pub name: &'static str,
    /// Linked to Atlas when the sandbox starts.
    pub linked: bool,
    /// Projects with a running live migration: unlinking answers 409 while non-empty.
    pub running_migrations: &'static [&'static str],
}

/// The organization with a running migration (linked; unlink answers 409).
pub const RUNNING_MIGRATION_ORG: &str = "5f1e2d3c4b5a697887766557";

/// The demo organizations.
pub const ORGS: [DemoOrg; 6] = [
    DemoOrg {
        id: "5f1e2d3c4b5a697887766554",
        name: "Payments Platform",
        linked: false,
        running_migrations: &[],
    },
    DemoOrg {
        id: "5f1e2d3c4b5a697887766555",
        name: "Analytics",
        linked: false,
        running_migrations: &[],
    },
    DemoOrg {
        id: "5f1e2d3c4b5a697887766556",
        name: "Customer Data",
        linked: false,
        running_migrations: &[],
    },
    DemoOrg {
        id: RUNNING_MIGRATION_ORG,
        name: "Legacy Billing (migration running)",
        linked: true,
        running_migrations: &["60a1b2c3d4e5f60718293a4b"],
    },
    DemoOrg {
        id: "5f1e2d3c4b5a697887766558",
        name: "Inventory",
        linked: false,
        running_migrations: &[],
    },
    DemoOrg {
        id: "5f1e2d3c4b5a697887766559",
        name: "Search & Recommendations",
        linked: false,
        running_migrations: &[],
    },
];

/// A link token the sandbox refuses with 400, as Atlas would refuse an expired one: any token
/// containing this text.
pub const EXPIRED_TOKEN_MARKER: &str = "expired";

/// An Atlas organization of the sandbox's Atlas look-alike.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DemoAtlasOrg {
    /// Its 24-hexadecimal-digit id.
    pub id: &'static str,
    /// Its display name.
    pub name: &'static str,
}

/// The Atlas organizations.
pub const ATLAS_ORGS: [DemoAtlasOrg; 2] = [
    DemoAtlasOrg {
        id: "6a1b2c3d4e5f60718293a4b5",
        name: "Atlas Production",
    },
    DemoAtlasOrg {
        id: "6a1b2c3d4e5f60718293a4b6",
        name: "Atlas Staging",
    },
];

/// The Atlas service account (OAuth 2.0 client credentials): Organization Owner of every
/// Atlas organization, so it can create and revoke link tokens.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DemoServiceAccount {
    /// The client id (the Basic user name of the token request).
    pub client_id: &'static str,
    /// The client secret.
    pub client_secret: &'static str,
}

/// The Atlas service account.
pub const SERVICE_ACCOUNT: DemoServiceAccount = DemoServiceAccount {
    client_id: "mdb_sa_id_0123456789abcdef01234567",
    client_secret: "mdb_sa_sk_demo-7c1e9a3f5b2d4e6a8c0b1d3f5e7a9c1b",
};

/// Atlas API keys (HTTP Digest), as on Ops Manager.
pub const ATLAS_OWNER: DemoKey = DemoKey::new(
    "atlasownr",
    "3e4f5a6b-7c8d-4e9f-a0b1-c2d3e4f5a6b7",
    Role::OrgOwner,
    "Atlas API key, Organization Owner",
);

/// An Atlas API key without the Organization Owner role.
pub const ATLAS_MEMBER: DemoKey = DemoKey::new(
    "atlasmembr",
    "8a9b0c1d-2e3f-4a5b-8c6d-7e8f9a0b1c2d",
    Role::OrgMember,
    "Atlas API key, Organization Member: refused with 401 USER_UNAUTHORIZED on link tokens",
);

/// Every Atlas API key.
pub const ATLAS_KEYS: [DemoKey; 2] = [ATLAS_OWNER, ATLAS_MEMBER];

/// The projects an Ops Manager organization of the sandbox holds, with their deployments
/// (`name`, MongoDB version, sharded, managed, data size in bytes). Derived from the
/// organization id, so every organization, generated ones too, has a stable set.
pub fn projects_of(org_id: &str, org_name: &str) -> Vec<DemoProject> {
    // splitmix64 over the id's bytes: neighbouring ids get unrelated projects.
    let mix = |mut z: u64| {
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    };
    let seed = org_id.bytes().fold(0x9e37_79b9_7f4a_7c15_u64, |h, b| {
        mix(h.wrapping_add(u64::from(b)))
    });
    let versions = ["4.4.29", "5.0.26", "6.0.15", "7.0.12"];
    let count = 1 + (seed % 2) as usize;
    (0..count)
        .map(|i| {
            let v = versions[((seed >> (8 * i)) % versions.len() as u64) as usize];
            DemoProject {
                // The organization's seed and the project's number: unique per project.
                id: format!("{seed:016x}{:08x}", i + 1),
                name: format!("{org_name} — project {}", i + 1),
                deployments: vec![DemoDeployment {
                    name: format!("rs{i}"),
                    version: v.to_owned(),
                    sharded: i == 1,
                    managed: true,
                    size_bytes: 1_000_000_000 * (1 + seed % 50),
                }],
            }
        })
        .collect()
}

/// A project of an Ops Manager organization.
#[derive(Clone, Debug, Serialize)]
pub struct DemoProject {
    /// Its id.
    pub id: String,
    /// Its display name.
    pub name: String,
    /// Its deployments, as the hosts API lists them.
    pub deployments: Vec<DemoDeployment>,
}

/// A deployment of a project.
#[derive(Clone, Debug, Serialize)]
pub struct DemoDeployment {
    /// The replica set or cluster name.
    pub name: String,
    /// The MongoDB version it runs.
    pub version: String,
    /// Whether it is a sharded cluster.
    pub sharded: bool,
    /// Whether Ops Manager manages it (monitored only otherwise).
    pub managed: bool,
    /// Its data size, in bytes.
    pub size_bytes: u64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_project_id_is_unique_and_stable() {
        let mut seen = std::collections::HashSet::new();
        let ids = ORGS
            .iter()
            .map(|o| o.id.to_owned())
            .chain((0..2000).map(|i| format!("{:024x}", 0xa000_0000_u64 + i)));
        for id in ids {
            for p in projects_of(&id, "x") {
                assert_eq!(p.id.len(), 24);
                assert!(seen.insert(p.id.clone()), "{} repeats", p.id);
            }
            assert_eq!(projects_of(&id, "x")[0].id, projects_of(&id, "y")[0].id);
        }
    }
}
