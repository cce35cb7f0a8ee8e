//! Impact analysis over the stored CMDB: loads the CIs that are not retired and their relations
//! into the in-memory graph of [`crate::impact`], walks it from the CIs that fail, and names the
//! services and customers reached.
//!
//! The graph is kept in memory beside the database handle ([`tandem_storage::Db::kept`]), under
//! the database's `cmdb_instance` key and its `cmdb_generation`, which every CI and relation
//! write counts up: a load that finds both unchanged takes the kept graph after one small read. What other capabilities own (the
//! customers of a service, organisation names) is read fresh on every load.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};

use tandem_directory::OrganisationId;
use tandem_kernel::{Error, Result};
use tandem_service_levels::services::ServiceId;
use tandem_storage::{Db, run};

use crate::ci::{CiId, OperationalState, number_text};
use crate::class::ClassKey;
use crate::impact::{Cause, Graph, GraphBuilder, Rule};
use crate::relation::{RelationKind, Travel};

/// A CI as the impact analysis names it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Node {
    pub id: CiId,
    pub number: i64,
    pub name: String,
    pub class_key: ClassKey,
    pub availability: u8,
    pub organisation: Option<(OrganisationId, String)>,
    pub service_id: Option<ServiceId>,
    pub operational: OperationalState,
}

impl Node {
    /// `CI-000042 mgmt-de-01`.
    pub fn reference(&self) -> String {
        format!("{} {}", number_text(self.number), self.name)
    }
}

/// The CIs and relations as a graph: what only CI and relation writes change.
struct Structure {
    graph: Graph,
    nodes: Vec<Node>,
    index: HashMap<CiId, u32>,
    /// Who is backed up where: (the CI whose backup it is, the CI holding it).
    backups: Vec<(u32, u32)>,
}

/// The stored CMDB as an impact graph.
pub struct ImpactGraph {
    structure: Arc<Structure>,
    customers: HashMap<ServiceId, Vec<(OrganisationId, String)>>,
    /// Customer names as they are now.
    organisations: HashMap<OrganisationId, String>,
}

/// The structure last loaded, with the (instance, generation) it was loaded at, kept beside
/// the database ([`tandem_storage::Kept`]).
#[derive(Default)]
struct KeptStructure(Mutex<Option<(GraphKey, Arc<Structure>)>>);

/// The database's `cmdb_instance` key and its `cmdb_generation`.
type GraphKey = (uuid::Uuid, i64);

#[derive(sqlx::FromRow)]
struct NodeRow {
    id: CiId,
    number: i64,
    name: String,
    class_key: ClassKey,
    availability: i32,
    organisation_id: Option<OrganisationId>,
    organisation_name: Option<String>,
    service_id: Option<ServiceId>,
    operational: String,
    min_up: Option<i32>,
    location_id: Option<CiId>,
}

/// Reads the graph of every CI that is not retired; the CIs and relations come from memory when
/// nothing was written since they were last read.
pub async fn load(db: &Db) -> Result<ImpactGraph> {
    let mut conn = db.conn().await?;
    // Read the key before the graph, so that a kept graph is never older than its key.
    let key: GraphKey = run!(&mut conn, |c| {
        sqlx::query_as(
            "SELECT i.key, g.value FROM cmdb_instance i, cmdb_generation g \
             WHERE i.id = 1 AND g.id = 1",
        )
        .fetch_one(c)
        .await
    })?;
    let kept_structure = db.kept().get_or_default::<KeptStructure>();
    let kept = kept_structure.0.lock().ok().and_then(|k| {
        k.as_ref()
            .filter(|(at, _)| *at == key)
            .map(|(_, s)| s.clone())
    });
    let structure = match kept {
        Some(structure) => structure,
        None => {
            let structure = Arc::new(structure(&mut conn).await?);
            if let Ok(mut k) = kept_structure.0.lock() {
                *k = Some((key, structure.clone()));
            }
            structure
        }
    };
    let service_customers: Vec<(ServiceId, OrganisationId, String)> = run!(&mut conn, |c| {
        sqlx::query_as(
            "SELECT sc.service_id, o.id, o.name FROM service_customer_refs sc \
             JOIN organisation_refs o ON o.id = sc.organisation_id ORDER BY o.name",
        )
        .fetch_all(c)
        .await
    })?;
    let organisations: Vec<(OrganisationId, String)> = run!(&mut conn, |c| {
        sqlx::query_as("SELECT id, name FROM organisation_refs WHERE kind = 'customer'")
            .fetch_all(c)
            .await
    })?;
    let mut customers: HashMap<ServiceId, Vec<(OrganisationId, String)>> = HashMap::new();
    for (service, org, name) in service_customers {
        customers.entry(service).or_default().push((org, name));
    }
    Ok(ImpactGraph {
        structure,
        customers,
        organisations: organisations.into_iter().collect(),
    })
}

/// Reads the CIs that are not retired and their relations into a graph.
async fn structure(conn: &mut tandem_storage::Conn) -> Result<Structure> {
    let rows: Vec<NodeRow> = run!(conn, |c| {
        sqlx::query_as(
            "SELECT c.id, c.number, c.name, c.class_key, c.availability, c.organisation_id, \
             o.name AS organisation_name, c.service_id, c.operational, c.min_up, c.location_id \
             FROM cis c LEFT JOIN organisation_refs o ON o.id = c.organisation_id \
             WHERE c.lifecycle <> 'retired'",
        )
        .fetch_all(c)
        .await
    })?;
    let relations: Vec<(String, CiId, CiId)> = run!(conn, |c| {
        sqlx::query_as("SELECT kind, source_id, target_id FROM ci_relations")
            .fetch_all(c)
            .await
    })?;
    let count = u32::try_from(rows.len())
        .map_err(|_| Error::Storage("more CIs than the impact graph holds".into()))?;
    let index: HashMap<CiId, u32> = rows.iter().zip(0..).map(|(r, i)| (r.id, i)).collect();
    let mut builder = GraphBuilder::new(count);
    let mut nodes = Vec::with_capacity(rows.len());
    for (row, i) in rows.into_iter().zip(0u32..) {
        if let Some(min_up) = row.min_up.and_then(|n| u32::try_from(n).ok()) {
            builder.min_up(i, min_up);
        }
        // A failed location reaches everything in it.
        if let Some(location) = row.location_id.and_then(|l| index.get(&l)) {
            builder.edge(*location, i, Rule::Pass);
        }
        nodes.push(Node {
            id: row.id,
            number: row.number,
            name: row.name,
            class_key: row.class_key,
            availability: u8::try_from(row.availability).unwrap_or(1),
            organisation: row.organisation_id.zip(row.organisation_name),
            service_id: row.service_id,
            operational: OperationalState::parse("operational", &row.operational)
                .map_err(|e| Error::Storage(format!("CI {}: {e}", row.id).into()))?,
        });
    }
    let mut backups = Vec::new();
    for (kind, source, target) in relations {
        let (Some(&s), Some(&t)) = (index.get(&source), index.get(&target)) else {
            continue; // one end is retired
        };
        let kind = RelationKind::parse("kind", &kind)
            .map_err(|e| Error::Storage(format!("relation: {e}").into()))?;
        match kind.travel() {
            Travel::TargetToSource(rule) => builder.edge(t, s, rule),
            Travel::SourceToTarget(rule) => builder.edge(s, t, rule),
            Travel::None if kind == RelationKind::BackedUpBy => backups.push((s, t)),
            Travel::None => {}
        }
    }
    Ok(Structure {
        graph: builder.build(),
        nodes,
        index,
        backups,
    })
}

/// What a failure reaches.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Report {
    /// The CIs assumed to fail, with the state assumed.
    pub roots: Vec<(Node, OperationalState)>,
    /// Every CI reached (roots included), worst first, with how the failure got there.
    pub affected: Vec<Affected>,
    /// The affected CIs that stand for services.
    pub services: Vec<Affected>,
    /// The customers of affected services and the owners of affected CIs, with what reaches
    /// them.
    pub customers: Vec<Customer>,
    /// CIs whose backup is on an affected CI.
    pub backups_at_risk: Vec<(Node, Node)>,
}

/// A CI the failure reaches.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Affected {
    pub node: Node,
    pub state: OperationalState,
    /// How the failure reaches it: the chain of CIs from a failing one to it.
    pub path: Vec<String>,
    /// For a cluster: why it is in this state ("2 of 3 members down, at least 2 must be up").
    pub quorum: Option<String>,
}

/// A customer the failure reaches.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Customer {
    pub id: OrganisationId,
    pub name: String,
    pub state: OperationalState,
    /// The services or CIs of the customer that are affected.
    pub through: Vec<String>,
}

impl ImpactGraph {
    /// Whether CI `id` is in the graph (it is, unless it is retired or unknown).
    pub fn contains(&self, id: CiId) -> bool {
        self.structure.index.contains_key(&id)
    }

    /// Node `i` with its customer's name as it is now.
    fn node(&self, i: u32) -> Node {
        let mut node = self.structure.nodes[i as usize].clone();
        if let Some((org, name)) = &mut node.organisation
            && let Some(now) = self.organisations.get(org)
        {
            name.clone_from(now);
        }
        node
    }

    /// The impact of `roots` failing; with `as_is`, every CI recorded as degraded or down now
    /// fails too, so that the answer takes the present state of redundancy into account.
    pub fn analyse(&self, roots: &[(CiId, OperationalState)], as_is: bool) -> Result<Report> {
        let s = &self.structure;
        // The roots asked for come first, then (as is) the CIs failed now.
        let mut start = Vec::new();
        for (id, state) in roots {
            let i = s.index.get(id).ok_or_else(|| {
                Error::invalid(
                    "roots",
                    format!("CI {id} is retired or unknown; it is not part of the analysis"),
                )
            })?;
            start.push((*i, *state));
        }
        if as_is {
            start.extend(
                s.nodes
                    .iter()
                    .zip(0u32..)
                    .filter(|(n, _)| n.operational > OperationalState::Operational)
                    .map(|(n, i)| (i, n.operational)),
            );
        }
        let impact = s.graph.walk(&start);
        let name = |i: u32| s.nodes[i as usize].reference();
        let mut affected: Vec<Affected> = impact
            .affected()
            .into_iter()
            .map(|(i, state)| Affected {
                node: self.node(i),
                state,
                path: impact.path(i).into_iter().map(name).collect(),
                quorum: match impact.cause(i) {
                    Some(Cause::Quorum {
                        down,
                        degraded,
                        members,
                        min_up,
                    }) => Some(format!(
                        "{down} of {members} members down, {degraded} degraded; at least {min_up} must be up"
                    )),
                    _ => None,
                },
            })
            .collect();
        affected.sort_by(|a, b| {
            b.state
                .cmp(&a.state)
                .then_with(|| a.node.name.cmp(&b.node.name))
        });
        let services: Vec<Affected> = affected
            .iter()
            .filter(|a| a.node.class_key.as_str() == "service")
            .cloned()
            .collect();
        let mut customers: BTreeMap<(String, OrganisationId), Customer> = BTreeMap::new();
        let mut reach = |id: OrganisationId, name: &str, state, through: String| {
            let entry = customers
                .entry((name.to_owned(), id))
                .or_insert_with(|| Customer {
                    id,
                    name: name.to_owned(),
                    state,
                    through: Vec::new(),
                });
            entry.state = entry.state.max(state);
            if !entry.through.contains(&through) {
                entry.through.push(through);
            }
        };
        for a in &affected {
            if let Some((org, name)) = &a.node.organisation {
                reach(*org, name, a.state, a.node.name.clone());
            }
            if let Some(service) = a.node.service_id {
                for (org, name) in self.customers.get(&service).into_iter().flatten() {
                    reach(*org, name, a.state, a.node.name.clone());
                }
            }
        }
        let backups_at_risk = s
            .backups
            .iter()
            .filter(|(_, holder)| impact.state(*holder) > OperationalState::Operational)
            .map(|(of, holder)| (self.node(*of), self.node(*holder)))
            .collect();
        Ok(Report {
            roots: start
                .iter()
                .take(roots.len())
                .map(|(i, state)| (self.node(*i), *state))
                .collect(),
            affected,
            services,
            customers: customers.into_values().collect(),
            backups_at_risk,
        })
    }
}
