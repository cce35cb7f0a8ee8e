//! Who may do what: the roles a person holds, the permissions each role grants, and the
//! organisation a customer user is confined to.
//!
//! The grants are data in one place, [`GRANTS`]; the permissions page, the documentation and
//! the enforcement all read that table. Deny by default: a role grants nothing it does not list,
//! and every route declares the [`Need`] it has (see `tandem_web::routes`).

use std::fmt;

use crate::{Actor, FieldError};

/// A role a person holds. A person may hold several.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Role {
    Administrator,
    ServiceDeskAgent,
    Engineer,
    ServiceManager,
    ChangeManager,
    CabMember,
    Ciso,
    Auditor,
    CustomerUser,
}

impl Role {
    /// Every role, in the order pages and documents list them.
    pub const ALL: [Role; 9] = [
        Role::Administrator,
        Role::ServiceDeskAgent,
        Role::Engineer,
        Role::ServiceManager,
        Role::ChangeManager,
        Role::CabMember,
        Role::Ciso,
        Role::Auditor,
        Role::CustomerUser,
    ];

    /// The role's name in URLs, the API, configuration and the database.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Administrator => "administrator",
            Self::ServiceDeskAgent => "service-desk-agent",
            Self::Engineer => "engineer",
            Self::ServiceManager => "service-manager",
            Self::ChangeManager => "change-manager",
            Self::CabMember => "cab-member",
            Self::Ciso => "ciso",
            Self::Auditor => "auditor",
            Self::CustomerUser => "customer-user",
        }
    }

    /// The role's name for people.
    pub fn title(self) -> &'static str {
        match self {
            Self::Administrator => "Administrator",
            Self::ServiceDeskAgent => "Service desk agent",
            Self::Engineer => "Engineer",
            Self::ServiceManager => "Service manager",
            Self::ChangeManager => "Change manager",
            Self::CabMember => "CAB member",
            Self::Ciso => "CISO",
            Self::Auditor => "Auditor",
            Self::CustomerUser => "Customer user",
        }
    }

    /// The role named `name`.
    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.as_str() == name)
    }

    fn bit(self) -> u16 {
        1 << (self as u16)
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A set of roles.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Roles(u16);

impl Roles {
    pub const NONE: Roles = Roles(0);

    pub fn contains(self, role: Role) -> bool {
        self.0 & role.bit() != 0
    }

    #[must_use]
    pub fn with(self, role: Role) -> Self {
        Self(self.0 | role.bit())
    }

    /// The roles held by both sets.
    #[must_use]
    pub fn intersection(self, other: Roles) -> Self {
        Self(self.0 & other.0)
    }

    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// Whether any role of `self` is also in `other`.
    pub fn overlaps(self, other: Roles) -> bool {
        !self.intersection(other).is_empty()
    }

    pub fn iter(self) -> impl Iterator<Item = Role> {
        Role::ALL.into_iter().filter(move |r| self.contains(*r))
    }

    /// The permissions these roles grant together.
    pub fn permissions(self) -> Permissions {
        GRANTS
            .iter()
            .filter(|(role, _)| self.contains(*role))
            .flat_map(|(_, granted)| granted.iter())
            .fold(Permissions::NONE, |set, p| set.with(*p))
    }

    /// Parses role names separated by commas or spaces; an unknown name is an error naming it.
    pub fn parse_list(field: &str, raw: &str) -> Result<Self, FieldError> {
        raw.split(|c: char| c == ',' || c.is_whitespace())
            .filter(|s| !s.is_empty())
            .try_fold(Self::NONE, |set, name| {
                Role::parse(name).map(|r| set.with(r)).ok_or_else(|| {
                    FieldError::new(
                        field,
                        format!("`{name}` is not a role; the roles are {}", Self::names()),
                    )
                })
            })
    }

    /// Every role name, for messages.
    pub fn names() -> String {
        Role::ALL.map(Role::as_str).join(", ")
    }

    /// Checks that a person may hold these roles together: a customer user holds no other role,
    /// so that confinement to one organisation is never mixed with provider-wide access.
    pub fn check(self, field: &str) -> Result<Self, FieldError> {
        if self.contains(Role::CustomerUser) && self != Roles::NONE.with(Role::CustomerUser) {
            return Err(FieldError::new(
                field,
                "a customer user cannot also hold a provider role; give the person one or the other",
            ));
        }
        Ok(self)
    }
}

impl FromIterator<Role> for Roles {
    fn from_iter<I: IntoIterator<Item = Role>>(iter: I) -> Self {
        iter.into_iter().fold(Self::NONE, Self::with)
    }
}

impl fmt::Debug for Roles {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_set().entries(self.iter()).finish()
    }
}

impl fmt::Display for Roles {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let names: Vec<_> = self.iter().map(Role::as_str).collect();
        f.write_str(&names.join(", "))
    }
}

/// Something a role allows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Permission {
    DirectoryRead,
    DirectoryWrite,
    FrameworksRead,
    FrameworksWrite,
    AssessmentsRead,
    AssessmentsWrite,
    AuditRead,
    AccessManage,
    MetricsRead,
    ServiceLevelsRead,
    ServiceLevelsWrite,
    TicketsRead,
    TicketsSubmit,
    TicketsWork,
    ReportsRead,
    CmdbRead,
    CmdbWrite,
    CmdbClasses,
    ChangesRead,
    ChangesSubmit,
    ChangesWork,
    ChangesManage,
    ChangesVote,
    DocumentsRead,
    IsmsRead,
    IsmsWrite,
    IsmsApprove,
    IsmsManage,
}

impl Permission {
    pub const ALL: [Permission; 28] = [
        Permission::DirectoryRead,
        Permission::DirectoryWrite,
        Permission::FrameworksRead,
        Permission::FrameworksWrite,
        Permission::AssessmentsRead,
        Permission::AssessmentsWrite,
        Permission::AuditRead,
        Permission::AccessManage,
        Permission::MetricsRead,
        Permission::ServiceLevelsRead,
        Permission::ServiceLevelsWrite,
        Permission::TicketsRead,
        Permission::TicketsSubmit,
        Permission::TicketsWork,
        Permission::ReportsRead,
        Permission::CmdbRead,
        Permission::CmdbWrite,
        Permission::CmdbClasses,
        Permission::ChangesRead,
        Permission::ChangesSubmit,
        Permission::ChangesWork,
        Permission::ChangesManage,
        Permission::ChangesVote,
        Permission::DocumentsRead,
        Permission::IsmsRead,
        Permission::IsmsWrite,
        Permission::IsmsApprove,
        Permission::IsmsManage,
    ];

    /// The permission's name in messages and documents.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::DirectoryRead => "directory.read",
            Self::DirectoryWrite => "directory.write",
            Self::FrameworksRead => "frameworks.read",
            Self::FrameworksWrite => "frameworks.write",
            Self::AssessmentsRead => "assessments.read",
            Self::AssessmentsWrite => "assessments.write",
            Self::AuditRead => "audit.read",
            Self::AccessManage => "access.manage",
            Self::MetricsRead => "metrics.read",
            Self::ServiceLevelsRead => "service-levels.read",
            Self::ServiceLevelsWrite => "service-levels.write",
            Self::TicketsRead => "tickets.read",
            Self::TicketsSubmit => "tickets.submit",
            Self::TicketsWork => "tickets.work",
            Self::ReportsRead => "reports.read",
            Self::CmdbRead => "cmdb.read",
            Self::CmdbWrite => "cmdb.write",
            Self::CmdbClasses => "cmdb.classes",
            Self::ChangesRead => "changes.read",
            Self::ChangesSubmit => "changes.submit",
            Self::ChangesWork => "changes.work",
            Self::ChangesManage => "changes.manage",
            Self::ChangesVote => "changes.vote",
            Self::DocumentsRead => "documents.read",
            Self::IsmsRead => "isms.read",
            Self::IsmsWrite => "isms.write",
            Self::IsmsApprove => "isms.approve",
            Self::IsmsManage => "isms.manage",
        }
    }

    /// What the permission allows, in a sentence.
    pub fn description(self) -> &'static str {
        match self {
            Self::DirectoryRead => "Read organisations, people and teams",
            Self::DirectoryWrite => "Create, change and delete organisations, people and teams",
            Self::FrameworksRead => {
                "Read frameworks, mappings, the coverage matrix, exports and scenarios"
            }
            Self::FrameworksWrite => "Add, import and delete user frameworks and mappings",
            Self::AssessmentsRead => "Read gap assessments and their coverage",
            Self::AssessmentsWrite => "Create, change and delete gap assessments",
            Self::AuditRead => "Read and export the audit trail",
            Self::AccessManage => {
                "See accounts, assign roles, reset passwords, remove second factors, end other people's sessions and revoke their tokens (in a browser session only)"
            }
            Self::MetricsRead => "Read the Prometheus metrics at /metrics",
            Self::ServiceLevelsRead => {
                "Read agreements, the service catalogue and business-hours calendars; work out due times"
            }
            Self::ServiceLevelsWrite => {
                "Create, change and delete agreements, services and business-hours calendars"
            }
            Self::TicketsRead => "Read tickets and their customer-visible articles",
            Self::TicketsSubmit => "Open tickets and write customer-visible articles",
            Self::TicketsWork => {
                "Work tickets: assign, change state and priority, write internal notes, record time"
            }
            Self::ReportsRead => {
                "Read the monthly service-level reports and billing exports of every customer"
            }
            Self::CmdbRead => {
                "Read the asset inventory: CIs, their relations, versions and impact analysis"
            }
            Self::CmdbWrite => {
                "Add, change, relate and retire CIs (each change a new version with its reason)"
            }
            Self::CmdbClasses => "Add CI classes and change their attribute sets",
            Self::ChangesRead => {
                "Read changes, the change calendar, blackout periods and the change log export"
            }
            Self::ChangesSubmit => "Write changes and submit or cancel the ones they own",
            Self::ChangesWork => {
                "Carry out changes: start, mark implemented or failed, record checks and verify"
            }
            Self::ChangesManage => {
                "Assess, approve, reject, schedule and close changes; keep templates, blackouts and settings"
            }
            Self::ChangesVote => "Vote on changes as a member of the Change Advisory Board",
            Self::DocumentsRead => {
                "Read the published documents distributed to them (or, for a customer, shared with their organisation) and acknowledge them"
            }
            Self::IsmsRead => {
                "Read the ISMS: the document register with every version, coverage of acknowledgements"
            }
            Self::IsmsWrite => {
                "Keep the document register: write, check out and in, submit, publish and withdraw versions"
            }
            Self::IsmsApprove => "Be named as an approver of document versions, and approve them",
            Self::IsmsManage => {
                "Break another person's check-out lock on a document, with a reason"
            }
        }
    }

    /// Whether the permission is used only in a person's browser session, never with an API
    /// token: managing access stays with people who signed in with their second factor.
    pub fn needs_session(self) -> bool {
        matches!(self, Self::AccessManage)
    }

    fn bit(self) -> u128 {
        1 << (self as u32)
    }
}

/// The permission set is a 128-bit mask: checked when the kernel compiles, every permission has
/// its own bit and [`Permission::ALL`] lists each one at the position of its discriminant, so
/// adding a capability's permissions cannot overflow the mask or leave one out of the list.
const _: () = {
    assert!(Permission::ALL.len() <= u128::BITS as usize);
    let mut i = 0;
    while i < Permission::ALL.len() {
        assert!(Permission::ALL[i] as usize == i);
        i += 1;
    }
};

impl fmt::Display for Permission {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A set of permissions.
#[derive(Clone, Copy, PartialEq, Eq, Default)]
pub struct Permissions(u128);

impl Permissions {
    pub const NONE: Permissions = Permissions(0);

    pub fn contains(self, permission: Permission) -> bool {
        self.0 & permission.bit() != 0
    }

    #[must_use]
    pub fn with(self, permission: Permission) -> Self {
        Self(self.0 | permission.bit())
    }

    pub fn iter(self) -> impl Iterator<Item = Permission> {
        Permission::ALL
            .into_iter()
            .filter(move |p| self.contains(*p))
    }
}

impl fmt::Debug for Permissions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_set().entries(self.iter()).finish()
    }
}

use Permission as P;

/// What each role grants. The one place permissions are given.
pub const GRANTS: [(Role, &[Permission]); 9] = [
    (Role::Administrator, &Permission::ALL),
    (
        Role::ServiceDeskAgent,
        &[
            P::DirectoryRead,
            P::DirectoryWrite,
            P::FrameworksRead,
            P::ServiceLevelsRead,
            P::TicketsRead,
            P::TicketsSubmit,
            P::TicketsWork,
            P::CmdbRead,
            P::ChangesRead,
            P::ChangesSubmit,
            P::DocumentsRead,
        ],
    ),
    (
        Role::Engineer,
        &[
            P::DirectoryRead,
            P::FrameworksRead,
            P::ServiceLevelsRead,
            P::TicketsRead,
            P::TicketsSubmit,
            P::TicketsWork,
            P::CmdbRead,
            P::CmdbWrite,
            P::ChangesRead,
            P::ChangesSubmit,
            P::ChangesWork,
            P::DocumentsRead,
        ],
    ),
    (
        Role::ServiceManager,
        &[
            P::DirectoryRead,
            P::DirectoryWrite,
            P::FrameworksRead,
            P::AssessmentsRead,
            P::ServiceLevelsRead,
            P::ServiceLevelsWrite,
            P::TicketsRead,
            P::TicketsSubmit,
            P::TicketsWork,
            P::ReportsRead,
            P::CmdbRead,
            P::ChangesRead,
            P::ChangesSubmit,
            P::ChangesWork,
            P::ChangesVote,
            P::DocumentsRead,
            P::IsmsRead,
            P::IsmsApprove,
        ],
    ),
    (
        Role::ChangeManager,
        &[
            P::DirectoryRead,
            P::FrameworksRead,
            P::ServiceLevelsRead,
            P::TicketsRead,
            P::CmdbRead,
            P::ChangesRead,
            P::ChangesSubmit,
            P::ChangesWork,
            P::ChangesManage,
            P::ChangesVote,
            P::DocumentsRead,
        ],
    ),
    (
        Role::CabMember,
        &[
            P::DirectoryRead,
            P::FrameworksRead,
            P::ServiceLevelsRead,
            P::TicketsRead,
            P::CmdbRead,
            P::ChangesRead,
            P::ChangesVote,
            P::DocumentsRead,
        ],
    ),
    (
        Role::Ciso,
        &[
            P::DirectoryRead,
            P::FrameworksRead,
            P::FrameworksWrite,
            P::AssessmentsRead,
            P::AssessmentsWrite,
            P::AuditRead,
            P::ServiceLevelsRead,
            P::TicketsRead,
            P::TicketsSubmit,
            P::TicketsWork,
            P::CmdbRead,
            P::CmdbWrite,
            P::ChangesRead,
            P::ChangesSubmit,
            P::ChangesWork,
            P::ChangesVote,
            P::DocumentsRead,
            P::IsmsRead,
            P::IsmsWrite,
            P::IsmsApprove,
            P::IsmsManage,
        ],
    ),
    (
        Role::Auditor,
        &[
            P::DirectoryRead,
            P::FrameworksRead,
            P::AssessmentsRead,
            P::AuditRead,
            P::ServiceLevelsRead,
            P::TicketsRead,
            P::ReportsRead,
            P::CmdbRead,
            P::ChangesRead,
            P::DocumentsRead,
            P::IsmsRead,
        ],
    ),
    (
        Role::CustomerUser,
        &[
            P::DirectoryRead,
            P::TicketsRead,
            P::TicketsSubmit,
            P::DocumentsRead,
        ],
    ),
];

/// Whether `role` is granted `permission` by [`GRANTS`].
pub fn grants(role: Role, permission: Permission) -> bool {
    GRANTS
        .iter()
        .any(|(r, granted)| *r == role && granted.contains(&permission))
}

/// [`GRANTS`] as a Markdown table, permissions down and roles across, for the documentation
/// (a test keeps `docs/security.md` equal to it).
pub fn grants_markdown() -> String {
    let mut out = String::from("| Permission | What it allows |");
    for role in Role::ALL {
        out.push_str(&format!(" {} |", role.title()));
    }
    out.push_str("\n| --- | --- |");
    out.push_str(&" :-: |".repeat(Role::ALL.len()));
    out.push('\n');
    for permission in Permission::ALL {
        out.push_str(&format!(
            "| `{}` | {} |",
            permission.as_str(),
            permission.description()
        ));
        for role in Role::ALL {
            out.push_str(if grants(role, permission) {
                " ✓ |"
            } else {
                "  |"
            });
        }
        out.push('\n');
    }
    out
}

/// Which records an access reaches.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// Every organisation's records: the provider's staff.
    Everything,
    /// Only the records of this organisation: a customer user.
    Organisation(uuid::Uuid),
}

impl Scope {
    /// The scope of a person of `organisation` holding `roles`.
    pub fn of(roles: Roles, organisation: uuid::Uuid) -> Self {
        if roles.contains(Role::CustomerUser) {
            Self::Organisation(organisation)
        } else {
            Self::Everything
        }
    }

    /// Whether a record of `organisation` is within this scope.
    pub fn admits(self, organisation: uuid::Uuid) -> bool {
        match self {
            Self::Everything => true,
            Self::Organisation(own) => own == organisation,
        }
    }
}

/// How far a session has got in signing in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    /// The password was right; the code from the authenticator app is still due.
    SecondFactorDue,
    /// Signed in, but a role of the person requires a second factor they have not set up:
    /// only their account pages are open until they do.
    EnrolmentDue,
    /// Signed in fully (or an API token).
    Complete,
}

/// What a request may do: its actor, the roles it acts with, the records it reaches.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Access {
    pub actor: Actor,
    pub roles: Roles,
    pub scope: Scope,
    pub stage: Stage,
}

impl Access {
    /// A request nobody is signed in for.
    pub fn anonymous(address: Option<String>) -> Self {
        Self {
            actor: Actor::anonymous(address),
            roles: Roles::NONE,
            scope: Scope::Organisation(uuid::Uuid::nil()),
            stage: Stage::Complete,
        }
    }

    /// Whether someone is signed in (or a token is used).
    pub fn is_signed_in(&self) -> bool {
        self.actor.id.is_some()
    }

    /// Whether this access may do what `permission` allows.
    pub fn may(&self, permission: Permission) -> bool {
        self.stage == Stage::Complete && self.roles.permissions().contains(permission)
    }
}

/// What a route requires of the request: every route declares one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Need {
    /// Anyone, signed in or not: sign-in, static assets, the health check.
    Public,
    /// A session whose password was right and whose second factor is due: the code page.
    SecondFactor,
    /// Someone signed in, even with an MFA enrolment still due: their own account pages.
    Account,
    /// Someone signed in fully, holding a role that grants this permission.
    Permission(Permission),
}

impl fmt::Display for Need {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Public => f.write_str("public"),
            Self::SecondFactor => f.write_str("second factor due"),
            Self::Account => f.write_str("signed in"),
            Self::Permission(p) => f.write_str(p.as_str()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_role_has_exactly_one_row_of_grants() {
        for role in Role::ALL {
            assert_eq!(
                GRANTS.iter().filter(|(r, _)| *r == role).count(),
                1,
                "{role}"
            );
        }
    }

    #[test]
    fn names_round_trip_and_are_distinct() {
        for role in Role::ALL {
            assert_eq!(Role::parse(role.as_str()), Some(role));
        }
        let mut names: Vec<_> = Permission::ALL.map(Permission::as_str).to_vec();
        names.dedup();
        assert_eq!(names.len(), Permission::ALL.len());
    }

    #[test]
    fn roles_grant_only_what_the_table_lists() {
        let auditor = Roles::NONE.with(Role::Auditor).permissions();
        assert!(auditor.contains(P::AuditRead));
        assert!(!auditor.contains(P::AssessmentsWrite), "auditors read only");
        assert!(!auditor.contains(P::DirectoryWrite));
        let customer = Roles::NONE.with(Role::CustomerUser).permissions();
        assert_eq!(
            customer.iter().collect::<Vec<_>>(),
            vec![
                P::DirectoryRead,
                P::TicketsRead,
                P::TicketsSubmit,
                P::DocumentsRead
            ],
            "customer users read and submit within their organisation, and read the documents shared with it, nothing more"
        );
        assert!(
            !customer.contains(P::IsmsRead),
            "customers see nothing of the ISMS but what is shared with them"
        );
        assert_eq!(Roles::NONE.permissions(), Permissions::NONE);
        let admin = Roles::NONE.with(Role::Administrator).permissions();
        assert_eq!(admin.iter().count(), Permission::ALL.len());
    }

    #[test]
    fn several_roles_add_up() {
        let both = Roles::NONE.with(Role::Engineer).with(Role::Auditor);
        assert!(both.permissions().contains(P::AuditRead));
        assert!(both.permissions().contains(P::FrameworksRead));
        assert!(!both.permissions().contains(P::DirectoryWrite));
    }

    #[test]
    fn a_customer_user_holds_no_other_role() {
        let mixed = Roles::NONE.with(Role::CustomerUser).with(Role::Engineer);
        assert!(mixed.check("roles").is_err());
        assert!(Roles::NONE.with(Role::CustomerUser).check("roles").is_ok());
        assert!(
            Roles::NONE
                .with(Role::Ciso)
                .with(Role::Auditor)
                .check("roles")
                .is_ok()
        );
    }

    #[test]
    fn role_lists_parse_and_name_the_unknown_one() {
        let roles = Roles::parse_list("roles", "ciso, auditor").unwrap();
        assert_eq!(roles.to_string(), "ciso, auditor");
        let error = Roles::parse_list("roles", "ciso root").unwrap_err();
        assert!(
            error.to_string().contains("`root` is not a role"),
            "{error}"
        );
    }

    #[test]
    fn customer_users_are_confined_to_their_organisation() {
        let own = uuid::Uuid::from_u128(1);
        let other = uuid::Uuid::from_u128(2);
        let scope = Scope::of(Roles::NONE.with(Role::CustomerUser), own);
        assert!(scope.admits(own));
        assert!(!scope.admits(other));
        assert!(Scope::of(Roles::NONE.with(Role::Engineer), own).admits(other));
    }

    #[test]
    fn nothing_is_allowed_before_sign_in_completes() {
        let mut access = Access {
            actor: Actor::system("test"),
            roles: Roles::NONE.with(Role::Administrator),
            scope: Scope::Everything,
            stage: Stage::SecondFactorDue,
        };
        assert!(!access.may(P::DirectoryRead));
        access.stage = Stage::EnrolmentDue;
        assert!(!access.may(P::DirectoryRead));
        access.stage = Stage::Complete;
        assert!(access.may(P::DirectoryRead));
        assert!(!Access::anonymous(None).may(P::DirectoryRead));
    }
}
