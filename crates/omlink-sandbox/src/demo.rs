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
    pub public_key: &'static str,
    pub private_key: &'static str,
    pub role: Role,
    pub description: &'static str,
}

/// The Organization Owner key: everything works with it.
pub const OWNER: DemoKey = DemoKey {
    public_key: "demoownr",
    private_key: "5b2c9e1a-7d4f-4c3b-9e8a-1f2d3c4b5a60",
    role: Role::OrgOwner,
    description: "Organization Owner: can link, check and unlink",
};

/// A key without the Organization Owner role.
pub const MEMBER: DemoKey = DemoKey {
    public_key: "demomembr",
    private_key: "0c1d2e3f-4a5b-4c6d-8e7f-9a0b1c2d3e4f",
    role: Role::OrgMember,
    description: "Organization Member: lists organizations, refused with 401 USER_UNAUTHORIZED on links",
};

/// A key whose access list excludes this machine.
pub const BLOCKED: DemoKey = DemoKey {
    public_key: "demoblckd",
    private_key: "9f8e7d6c-5b4a-4392-8170-6f5e4d3c2b1a",
    role: Role::NotOnAccessList,
    description: "Not on the access list: refused with 403 IP_ADDRESS_NOT_ON_ACCESS_LIST",
};

/// Every demo key.
pub const KEYS: [DemoKey; 3] = [OWNER, MEMBER, BLOCKED];

/// A demo organization.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DemoOrg {
    pub id: &'static str,
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
