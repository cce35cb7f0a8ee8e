//! The information security management system of ISO/IEC 27001, on the same data as the service
//! desk and the CMDB. It keeps the controlled documents that certification rests on (seed 000
//! section 2.3; seed 004 section 6): a register with owners, classification, review intervals
//! and distribution; versions with a life cycle the server enforces (draft, in review, approved,
//! published, superseded, withdrawn), approval by named approvers with a quorum and the four-eye
//! rule, check-out and check-in; a line diff between versions; the written consent of staff to
//! published policies (seed 000 section 3.2) with its coverage and reminders; and templates of
//! the documents ISO 27001 expects. It holds the context of the ISMS: interested parties and
//! their requirements, each linked to the document, control or agreement that satisfies it, and
//! the Cloud System Analysis Pattern (seed 000 sections 2.2 and 5.1) whose instances propose CIs
//! and interested parties that a person accepts one by one.
//!
//! Pure: [`lifecycle`] (states, steps and the rules that refuse them), [`document`] (the
//! register's record and who may see what), [`diff`] (a line diff), [`markdown`] (safe
//! rendering), [`templates`] (the shipped templates), [`parties`] (parties, requirements and
//! what satisfies them), [`pattern`] (the pattern's exchange format, its checks and its
//! diagram), [`scope`] (the scope record written as a scope document's text), [`objectives`] (information security objectives, their measurements, when one is
//! overdue), [`competence`] (trainings, competences, who holds them and who falls short),
//! [`roles`] (ISMS roles, the RACI matrix and its gaps, management decisions).
//! [`store`] reads and writes the tables; [`api`] and [`pages`] are the HTTP edge.
//!
//! Owns the tables `isms_document_numbers`, `isms_documents`, `isms_document_distribution`,
//! `isms_document_locks`, `isms_versions`, `isms_version_approvers`, `isms_acknowledgements`,
//! `isms_parties`, `isms_requirements`, `isms_patterns`, `isms_pattern_elements`, `isms_objectives`,
//! `isms_objective_measurements`, `isms_competences`, `isms_competence_roles`, `isms_trainings`,
//! `isms_training_attendees`, `isms_held_competences`, `isms_role_assignments`, `isms_raci_cells`
//! and `isms_decisions`. It reads
//! the directory, service levels and the CMDB through their views, who may take a duty through
//! `tandem_identity::read`, the framework library's controls through its catalogue, writes CIs
//! only through the CMDB's store, and mail through `tandem_mail`'s outbox.

use sqlx::migrate::Migrator;
use tandem_storage::MigrationSet;

static SQLITE: Migrator = sqlx::migrate!("migrations/sqlite");
static POSTGRES: Migrator = sqlx::migrate!("migrations/postgres");

/// The ISMS's schema, for both engines.
pub const MIGRATIONS: MigrationSet = MigrationSet {
    capability: "isms",
    sqlite: &SQLITE,
    postgres: &POSTGRES,
};

/// The ISMS capability, as the binary assembles it.
pub const CAPABILITY: tandem_web::Capability = tandem_web::Capability {
    name: "isms",
    builds_on: &[
        "audit",
        "directory",
        "identity",
        "mail",
        "service-levels",
        "frameworks",
        "cmdb",
    ],
    migrations: MIGRATIONS,
    api: Some(api::routes),
    pages: Some(pages::routes),
    navigation: &[
        tandem_web::capability::NavEntry {
            group: tandem_web::capability::NavGroup::Compliance,
            section: "context",
            label: "Context",
            href: "/isms/context",
            needs: tandem_kernel::Permission::IsmsRead,
        },
        tandem_web::capability::NavEntry {
            group: tandem_web::capability::NavGroup::Compliance,
            section: "objectives",
            label: "Objectives",
            href: "/isms/objectives",
            needs: tandem_kernel::Permission::IsmsRead,
        },
        tandem_web::capability::NavEntry {
            group: tandem_web::capability::NavGroup::Compliance,
            section: "competence",
            label: "Competence",
            href: "/isms/competences",
            needs: tandem_kernel::Permission::IsmsRead,
        },
        tandem_web::capability::NavEntry {
            group: tandem_web::capability::NavGroup::Compliance,
            section: "roles",
            label: "Roles",
            href: "/isms/roles",
            needs: tandem_kernel::Permission::IsmsRead,
        },
        tandem_web::capability::NavEntry {
            group: tandem_web::capability::NavGroup::Compliance,
            section: "documents",
            label: "Documents",
            href: "/isms/documents",
            needs: tandem_kernel::Permission::DocumentsRead,
        },
    ],
    api_tag: Some(tandem_web::capability::ApiTag {
        name: "isms",
        description: "The ISMS: controlled documents with their versions, approvals, check-out, acknowledgements and coverage",
    }),
    jobs: None,
    permissions: &[
        tandem_kernel::Permission::DocumentsRead,
        tandem_kernel::Permission::IsmsRead,
        tandem_kernel::Permission::IsmsWrite,
        tandem_kernel::Permission::IsmsApprove,
        tandem_kernel::Permission::IsmsManage,
    ],
};

pub mod api;
pub mod competence;
pub mod diff;
pub mod document;
pub mod lifecycle;
pub mod markdown;
pub mod objectives;
pub mod pages;
pub mod parties;
pub mod pattern;
pub mod roles;
pub mod scope;
pub mod store;
pub mod templates;
