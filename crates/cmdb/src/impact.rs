//! Impact analysis: which CIs, and so which services and customers, a failure reaches, honouring
//! redundancy. A cluster of three nodes with one node down is degraded, not down.
//!
//! This module owns the in-memory impact graph and the walk over it. It is pure: no I/O, no
//! clock, no SQL. CIs are dense `u32` node numbers that the store hands out when it loads the
//! graph, and an edge `from → to` says that a failure of `from` reaches `to`, in one of two ways
//! ([`Rule`]):
//!
//! - **pass:** `to` takes the state of `from` (a VM is down when its host is down);
//! - **member:** `from` is a member of the cluster `to`, whose state follows its quorum. The
//!   cluster is down when fewer than `min_up` members are up (down members are not up; degraded
//!   ones still are), degraded when any member is down or degraded, operational otherwise.
//!
//! A cluster may also have pass edges into it (the shared storage it needs); the worse state
//! wins.
//!
//! States only get worse along operational < degraded < down, and every rule is monotone: a
//! worse input never gives a better output. So the walk is a worklist that raises a CI only when
//! the new state is worse than the one it has. Each CI is raised at most twice, the walk costs
//! O(V + E) over the part of the graph the failure reaches, and it ends on cycles. The result is
//! the least fixpoint: the same states as re-evaluating every CI from its in-edges until nothing
//! changes.

use std::collections::VecDeque;

use crate::ci::OperationalState;

/// How a failure passes along one impact edge.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rule {
    /// The state passes as it is.
    Pass,
    /// The edge goes from a member to its cluster, whose state follows its quorum.
    Member,
}

/// Collects the impact edges and cluster quorums, then packs them into a [`Graph`].
#[derive(Debug, Clone)]
pub struct GraphBuilder {
    nodes: u32,
    edges: Vec<(u32, u32, Rule)>,
    min_ups: Vec<(u32, u32)>,
}

impl GraphBuilder {
    /// A builder for a graph of the CIs `0..nodes`, with no edges yet.
    pub fn new(nodes: u32) -> Self {
        Self {
            nodes,
            edges: Vec::new(),
            min_ups: Vec::new(),
        }
    }

    /// A failure of `from` reaches `to` by `rule` (Member: `from` is a member of cluster `to`).
    /// The same edge given twice counts once.
    ///
    /// # Panics
    /// If `from` or `to` is not a CI of the graph.
    pub fn edge(&mut self, from: u32, to: u32, rule: Rule) {
        assert!(
            from < self.nodes && to < self.nodes,
            "impact edge {from} → {to} names a CI outside 0..{}",
            self.nodes
        );
        self.edges.push((from, to, rule));
    }

    /// The cluster `node` stays up while at least `min_up` members are up (default 1). The last
    /// call for a node counts. The quorum is read between one and the number of members: 0 reads
    /// as 1 (a cluster with no member up is down), and a quorum above the number of members
    /// reads as "every member must be up". A node without members is no cluster and ignores it.
    ///
    /// # Panics
    /// If `node` is not a CI of the graph.
    pub fn min_up(&mut self, node: u32, min_up: u32) {
        assert!(
            node < self.nodes,
            "quorum for CI {node} outside 0..{}",
            self.nodes
        );
        self.min_ups.push((node, min_up));
    }

    /// Packs the edges into compressed rows (the out-edges of each CI side by side), dropping
    /// duplicate edges, and settles each cluster's member count and quorum. Costs O(V + E log d)
    /// for the largest out-degree d.
    ///
    /// # Panics
    /// If there are more than `u32::MAX` edges.
    pub fn build(self) -> Graph {
        let n = self.nodes as usize;
        let total = u32::try_from(self.edges.len()).expect("at most u32::MAX impact edges");

        // Group the edges by source: count, prefix sums, then scatter each edge as one key
        // (target << 1 | member) so that sorting a row also sorts by rule.
        let mut offsets = vec![0u32; n + 1];
        for &(from, _, _) in &self.edges {
            offsets[from as usize + 1] += 1;
        }
        for i in 0..n {
            offsets[i + 1] += offsets[i];
        }
        let mut cursor = offsets.clone();
        let mut keys = vec![0u64; total as usize];
        for &(from, to, rule) in &self.edges {
            let slot = &mut cursor[from as usize];
            keys[*slot as usize] = (u64::from(to) << 1) | u64::from(rule == Rule::Member);
            *slot += 1;
        }
        drop(cursor);

        // Sort and dedupe each row, writing the distinct edges out and counting members.
        let mut targets = Vec::with_capacity(keys.len());
        let mut member_bits = vec![0u64; keys.len().div_ceil(64)];
        let mut members = vec![0u32; n];
        let mut start = 0usize;
        for from in 0..n {
            let end = offsets[from + 1] as usize;
            offsets[from] = targets.len() as u32;
            let row = &mut keys[start..end];
            row.sort_unstable();
            let mut previous = None;
            for &key in row.iter() {
                if previous == Some(key) {
                    continue;
                }
                previous = Some(key);
                let to = (key >> 1) as u32;
                if key & 1 == 1 {
                    let e = targets.len();
                    member_bits[e / 64] |= 1 << (e % 64);
                    members[to as usize] += 1;
                }
                targets.push(to);
            }
            start = end;
        }
        offsets[n] = targets.len() as u32;
        member_bits.truncate(targets.len().div_ceil(64));

        let clusters: Vec<u32> = (0..self.nodes)
            .filter(|&v| members[v as usize] > 0)
            .collect();
        let mut quorums: Vec<Quorum> = clusters
            .iter()
            .map(|&v| Quorum {
                members: members[v as usize],
                min_up: 1,
            })
            .collect();
        for (node, min_up) in self.min_ups {
            if let Ok(slot) = clusters.binary_search(&node) {
                quorums[slot].min_up = min_up;
            }
        }
        for quorum in &mut quorums {
            quorum.min_up = quorum.min_up.clamp(1, quorum.members);
        }

        Graph {
            offsets,
            targets,
            member_bits,
            clusters,
            quorums,
        }
    }
}

/// The members of one cluster and how many of them must be up.
#[derive(Debug, Clone, Copy)]
struct Quorum {
    members: u32,
    /// Between 1 and `members`.
    min_up: u32,
}

/// The impact edges in compressed rows: the out-edges of CI `u` are
/// `targets[offsets[u]..offsets[u + 1]]`, and bit `e` of `member_bits` says edge `e` is a
/// member edge. Only clusters (CIs with members) carry a quorum.
#[derive(Debug, Clone)]
pub struct Graph {
    offsets: Vec<u32>,
    targets: Vec<u32>,
    member_bits: Vec<u64>,
    /// The CIs with at least one member, ascending.
    clusters: Vec<u32>,
    /// The quorum of `clusters[i]`.
    quorums: Vec<Quorum>,
}

impl Graph {
    /// The number of CIs.
    pub fn node_count(&self) -> u32 {
        (self.offsets.len() - 1) as u32
    }

    /// The number of distinct edges.
    pub fn edge_count(&self) -> usize {
        self.targets.len()
    }

    /// The number of distinct members of `cluster`; 0 for a CI that is no cluster.
    pub fn members(&self, cluster: u32) -> u32 {
        self.cluster_slot(cluster)
            .map_or(0, |slot| self.quorums[slot].members)
    }

    fn cluster_slot(&self, node: u32) -> Option<usize> {
        self.clusters.binary_search(&node).ok()
    }

    fn rule(&self, edge: usize) -> Rule {
        if self.member_bits[edge / 64] >> (edge % 64) & 1 == 1 {
            Rule::Member
        } else {
            Rule::Pass
        }
    }

    /// Raises each root to its state (a root may be Degraded or Down; Operational roots are
    /// ignored) and propagates the failure along the edges until nothing gets worse.
    ///
    /// # Panics
    /// If a root is not a CI of the graph.
    pub fn walk(&self, roots: &[(u32, OperationalState)]) -> Impact {
        let mut walk = Walk {
            graph: self,
            state: vec![OperationalState::Operational; self.node_count() as usize],
            tallies: vec![Tally::default(); self.clusters.len()],
            queue: VecDeque::new(),
            log: Vec::new(),
        };
        for &(root, state) in roots {
            walk.raise(root, state, Cause::Root, root);
        }
        while let Some((u, old, new)) = walk.queue.pop_front() {
            let row = self.offsets[u as usize] as usize..self.offsets[u as usize + 1] as usize;
            for e in row {
                let v = self.targets[e];
                match self.rule(e) {
                    Rule::Pass => walk.raise(v, new, Cause::Via(u), u),
                    Rule::Member => walk.count_member(v, u, old, new),
                }
            }
        }
        walk.finish()
    }
}

/// Why a CI is in the state the walk gave it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cause {
    /// The CI is one of the failures the walk started from.
    Root,
    /// The CI took the state of this CI, over a pass edge.
    Via(u32),
    /// The CI is a cluster and its members decided its state: `down` and `degraded` of its
    /// `members` were down and degraded when it was last raised, and it needs `min_up` up.
    Quorum {
        down: u32,
        degraded: u32,
        members: u32,
        min_up: u32,
    },
}

/// How many members of one cluster are down and degraded so far in a walk.
#[derive(Debug, Clone, Copy, Default)]
struct Tally {
    down: u32,
    degraded: u32,
}

/// One raise of a CI: its new state, why, and the CI that raised it (itself for a root; the
/// member whose change tipped the quorum for a cluster).
#[derive(Debug, Clone, Copy)]
struct Raise {
    node: u32,
    state: OperationalState,
    cause: Cause,
    from: u32,
}

/// The bookkeeping of one walk.
struct Walk<'g> {
    graph: &'g Graph,
    state: Vec<OperationalState>,
    tallies: Vec<Tally>,
    /// CIs whose state got worse and whose out-edges are still to follow: (CI, old, new).
    queue: VecDeque<(u32, OperationalState, OperationalState)>,
    /// Every raise in order; a CI's last raise holds its final state.
    log: Vec<Raise>,
}

impl Walk<'_> {
    fn raise(&mut self, node: u32, state: OperationalState, cause: Cause, from: u32) {
        let old = self.state[node as usize];
        if state > old {
            self.state[node as usize] = state;
            self.queue.push_back((node, old, state));
            self.log.push(Raise {
                node,
                state,
                cause,
                from,
            });
        }
    }

    /// Member `member` of `cluster` went from `old` to `new`: updates the cluster's tally and
    /// raises the cluster to what its quorum says.
    fn count_member(
        &mut self,
        cluster: u32,
        member: u32,
        old: OperationalState,
        new: OperationalState,
    ) {
        // `build` makes every target of a member edge a cluster; a CI that is none counts
        // nothing.
        let Some(slot) = self.graph.cluster_slot(cluster) else {
            return;
        };
        let tally = &mut self.tallies[slot];
        match old {
            OperationalState::Down => tally.down -= 1,
            OperationalState::Degraded => tally.degraded -= 1,
            OperationalState::Operational => {}
        }
        match new {
            OperationalState::Down => tally.down += 1,
            OperationalState::Degraded => tally.degraded += 1,
            OperationalState::Operational => {}
        }
        let Tally { down, degraded } = *tally;
        let Quorum { members, min_up } = self.graph.quorums[slot];
        let up = members.saturating_sub(down);
        let state = if up < min_up {
            OperationalState::Down
        } else if down + degraded > 0 {
            OperationalState::Degraded
        } else {
            OperationalState::Operational
        };
        let cause = Cause::Quorum {
            down,
            degraded,
            members,
            min_up,
        };
        self.raise(cluster, state, cause, member);
    }

    /// Keeps the last raise of every CI, ordered by CI.
    fn finish(self) -> Impact {
        let Walk { state, mut log, .. } = self;
        log.retain(|r| r.state == state[r.node as usize]);
        log.sort_unstable_by_key(|r| r.node);
        Impact { raised: log }
    }
}

/// What a failure reaches: the affected CIs with their state and cause. CIs it does not reach
/// are not stored and read as operational.
#[derive(Debug, Clone)]
pub struct Impact {
    /// The last raise of each affected CI, ascending by CI.
    raised: Vec<Raise>,
}

impl Impact {
    fn find(&self, node: u32) -> Option<&Raise> {
        self.raised
            .binary_search_by_key(&node, |r| r.node)
            .ok()
            .map(|i| &self.raised[i])
    }

    /// The state the failure leaves `node` in; Operational if it does not reach it.
    pub fn state(&self, node: u32) -> OperationalState {
        self.find(node)
            .map_or(OperationalState::Operational, |r| r.state)
    }

    /// Why `node` is in its state; `None` if the failure does not reach it.
    pub fn cause(&self, node: u32) -> Option<Cause> {
        self.find(node).map(|r| r.cause)
    }

    /// The number of affected CIs.
    pub fn affected_count(&self) -> usize {
        self.raised.len()
    }

    /// The affected CIs (degraded or down) with their state, ascending by CI.
    pub fn affected(&self) -> Vec<(u32, OperationalState)> {
        self.raised.iter().map(|r| (r.node, r.state)).collect()
    }

    /// The chain of CIs from a root to `node` (root first, `node` last), following each CI's
    /// cause back; for a cluster, through the member whose change last raised it. Empty if the
    /// failure does not reach `node`.
    pub fn path(&self, node: u32) -> Vec<u32> {
        // The chain ends: the CI that raised another is, at the end of the walk, either worse
        // than it or as bad and raised to that state earlier, so no CI comes back.
        let mut path = Vec::new();
        let mut at = self.find(node);
        while let Some(raise) = at {
            path.push(raise.node);
            at = match raise.cause {
                Cause::Root => None,
                Cause::Via(_) | Cause::Quorum { .. } => self.find(raise.from),
            };
        }
        path.reverse();
        path
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use proptest::prelude::*;

    use super::*;
    use OperationalState::{Degraded, Down, Operational};

    fn graph(nodes: u32, edges: &[(u32, u32, Rule)], min_ups: &[(u32, u32)]) -> Graph {
        let mut builder = GraphBuilder::new(nodes);
        for &(from, to, rule) in edges {
            builder.edge(from, to, rule);
        }
        for &(node, min_up) in min_ups {
            builder.min_up(node, min_up);
        }
        builder.build()
    }

    const HYPERVISOR: u32 = 0;
    const VM: u32 = 1;
    const BRIDGES: [u32; 3] = [2, 3, 4];
    const BRIDGE_CLUSTER: u32 = 5;
    const SERVICE: u32 = 6;

    /// A VM on a hypervisor, and a service provided by a cluster of three bridges that needs
    /// two of them up.
    fn inventory() -> Graph {
        let mut edges = vec![
            (HYPERVISOR, VM, Rule::Pass),
            (BRIDGE_CLUSTER, SERVICE, Rule::Pass),
        ];
        edges.extend(BRIDGES.map(|b| (b, BRIDGE_CLUSTER, Rule::Member)));
        graph(7, &edges, &[(BRIDGE_CLUSTER, 2)])
    }

    #[test]
    fn a_vm_goes_down_with_its_hypervisor() {
        let impact = inventory().walk(&[(HYPERVISOR, Down)]);
        assert_eq!(impact.affected(), vec![(HYPERVISOR, Down), (VM, Down)]);
        assert_eq!(impact.cause(VM), Some(Cause::Via(HYPERVISOR)));
        assert_eq!(impact.cause(HYPERVISOR), Some(Cause::Root));
        assert_eq!(impact.path(VM), vec![HYPERVISOR, VM]);
        assert_eq!(impact.state(SERVICE), Operational);
    }

    #[test]
    fn one_bridge_down_of_three_degrades_the_service_and_two_take_it_down() {
        let g = inventory();
        assert_eq!(g.members(BRIDGE_CLUSTER), 3);

        let one = g.walk(&[(BRIDGES[0], Down)]);
        assert_eq!(one.state(BRIDGE_CLUSTER), Degraded);
        assert_eq!(one.state(SERVICE), Degraded);
        assert_eq!(
            one.cause(BRIDGE_CLUSTER),
            Some(Cause::Quorum {
                down: 1,
                degraded: 0,
                members: 3,
                min_up: 2
            })
        );
        assert_eq!(one.path(SERVICE), vec![BRIDGES[0], BRIDGE_CLUSTER, SERVICE]);

        let two = g.walk(&[(BRIDGES[0], Down), (BRIDGES[1], Down)]);
        assert_eq!(two.state(BRIDGE_CLUSTER), Down);
        assert_eq!(two.state(SERVICE), Down);
        assert_eq!(two.state(BRIDGES[2]), Operational);
        assert_eq!(
            two.cause(BRIDGE_CLUSTER),
            Some(Cause::Quorum {
                down: 2,
                degraded: 0,
                members: 3,
                min_up: 2
            })
        );
        // The second bridge tipped the quorum, so the chain runs through it.
        assert_eq!(two.path(SERVICE), vec![BRIDGES[1], BRIDGE_CLUSTER, SERVICE]);
    }

    #[test]
    fn a_degraded_member_degrades_its_cluster() {
        let g = inventory();
        let impact = g.walk(&[(BRIDGES[0], Degraded), (BRIDGES[1], Degraded)]);
        assert_eq!(impact.state(BRIDGE_CLUSTER), Degraded);
        assert_eq!(impact.state(SERVICE), Degraded);
        assert_eq!(
            impact.cause(BRIDGE_CLUSTER),
            Some(Cause::Quorum {
                down: 0,
                degraded: 1,
                members: 3,
                min_up: 2
            })
        );
        assert_eq!(
            impact.path(SERVICE),
            vec![BRIDGES[0], BRIDGE_CLUSTER, SERVICE]
        );
    }

    #[test]
    fn a_two_node_cluster_with_the_default_quorum_survives_one_node() {
        let g = graph(3, &[(0, 2, Rule::Member), (1, 2, Rule::Member)], &[]);
        assert_eq!(g.walk(&[(0, Down)]).state(2), Degraded);
        assert_eq!(g.walk(&[(1, Down)]).state(2), Degraded);
        assert_eq!(g.walk(&[(0, Down), (1, Down)]).state(2), Down);
        assert_eq!(g.walk(&[(0, Degraded), (1, Degraded)]).state(2), Degraded);
    }

    #[test]
    fn quorums_are_read_between_one_and_every_member() {
        // Cluster 2 asks for no member up, cluster 5 for more members than it has.
        let g = graph(
            6,
            &[
                (0, 2, Rule::Member),
                (1, 2, Rule::Member),
                (3, 5, Rule::Member),
                (4, 5, Rule::Member),
            ],
            &[(2, 0), (5, 7)],
        );
        assert_eq!(g.walk(&[(0, Down)]).state(2), Degraded);
        assert_eq!(g.walk(&[(0, Down), (1, Down)]).state(2), Down);
        assert_eq!(g.walk(&[(3, Down)]).state(5), Down);
        assert_eq!(g.walk(&[(3, Degraded)]).state(5), Degraded);
    }

    #[test]
    fn a_worse_state_given_later_replaces_the_first() {
        let g = graph(3, &[(0, 2, Rule::Member), (1, 2, Rule::Member)], &[(2, 2)]);
        let impact = g.walk(&[(0, Degraded), (0, Down)]);
        assert_eq!(impact.state(0), Down);
        assert_eq!(impact.state(2), Down);
        assert_eq!(
            impact.cause(2),
            Some(Cause::Quorum {
                down: 1,
                degraded: 0,
                members: 2,
                min_up: 2
            })
        );
    }

    #[test]
    fn cycles_end_with_the_right_states() {
        // 0 → 1 → 2 → 0 pass ring; 2 is also a member of cluster 3 together with 4, and the
        // cluster feeds back into the ring.
        let g = graph(
            5,
            &[
                (0, 1, Rule::Pass),
                (1, 2, Rule::Pass),
                (2, 0, Rule::Pass),
                (2, 3, Rule::Member),
                (4, 3, Rule::Member),
                (3, 1, Rule::Pass),
            ],
            &[],
        );
        let degraded = g.walk(&[(1, Degraded)]);
        assert_eq!(
            degraded.affected(),
            vec![(0, Degraded), (1, Degraded), (2, Degraded), (3, Degraded)]
        );
        assert_eq!(degraded.path(0), vec![1, 2, 0]);
        assert_eq!(degraded.path(3), vec![1, 2, 3]);

        let worse = g.walk(&[(1, Degraded), (4, Down)]);
        assert_eq!(worse.state(3), Degraded);
        let both = g.walk(&[(0, Down), (4, Down)]);
        assert_eq!(
            both.affected(),
            vec![(0, Down), (1, Down), (2, Down), (3, Down), (4, Down)]
        );
        assert_eq!(both.path(3), vec![0, 1, 2, 3]);
    }

    #[test]
    fn shared_storage_wins_over_the_quorum() {
        // Nodes 0 and 1 form cluster 2, which needs the storage 3.
        let g = graph(
            4,
            &[
                (0, 2, Rule::Member),
                (1, 2, Rule::Member),
                (3, 2, Rule::Pass),
            ],
            &[],
        );
        let impact = g.walk(&[(0, Down), (3, Down)]);
        assert_eq!(impact.state(2), Down);
        assert_eq!(impact.cause(2), Some(Cause::Via(3)));
        assert_eq!(impact.path(2), vec![3, 2]);

        let degraded_storage = g.walk(&[(3, Degraded), (0, Down), (1, Down)]);
        assert_eq!(degraded_storage.state(2), Down);
        assert!(matches!(
            degraded_storage.cause(2),
            Some(Cause::Quorum { down: 2, .. })
        ));
    }

    #[test]
    fn duplicate_edges_count_a_member_once() {
        let g = graph(
            4,
            &[
                (0, 3, Rule::Member),
                (0, 3, Rule::Member),
                (1, 3, Rule::Member),
                (2, 3, Rule::Member),
                (2, 3, Rule::Member),
                (0, 1, Rule::Pass),
                (0, 1, Rule::Pass),
            ],
            &[(3, 2)],
        );
        assert_eq!(g.members(3), 3);
        assert_eq!(g.edge_count(), 4);
        // Member 0 takes member 1 down with it. Counted once, 1 of 3 members is left up, short
        // of the quorum of 2; had the duplicates counted, 2 of 5 would be and it would hold.
        let impact = g.walk(&[(0, Down)]);
        assert_eq!(impact.state(3), Down);
        assert_eq!(g.walk(&[(2, Down)]).state(3), Degraded);
        assert_eq!(g.members(0), 0);
    }

    #[test]
    fn unaffected_cis_are_operational_without_a_cause_and_operational_roots_do_nothing() {
        let g = inventory();
        let impact = g.walk(&[(HYPERVISOR, Operational), (BRIDGES[0], Operational)]);
        assert!(impact.affected().is_empty());
        assert_eq!(impact.affected_count(), 0);
        for node in 0..g.node_count() {
            assert_eq!(impact.state(node), Operational);
            assert_eq!(impact.cause(node), None);
            assert!(impact.path(node).is_empty());
        }
        let vm = g.walk(&[(HYPERVISOR, Down)]);
        assert_eq!(vm.state(SERVICE), Operational);
        assert_eq!(vm.cause(BRIDGE_CLUSTER), None);
    }

    const STATES: [OperationalState; 3] = [Operational, Degraded, Down];

    /// A random graph: CI count, edges, quorums and roots.
    #[derive(Debug, Clone)]
    struct Case {
        nodes: u32,
        edges: Vec<(u32, u32, Rule)>,
        min_ups: Vec<(u32, u32)>,
        roots: Vec<(u32, OperationalState)>,
    }

    impl Case {
        fn graph(&self) -> Graph {
            graph(self.nodes, &self.edges, &self.min_ups)
        }
    }

    fn cases() -> impl Strategy<Value = Case> {
        (1..=60u32).prop_flat_map(|nodes| {
            let edge = (0..nodes, 0..nodes, any::<bool>()).prop_map(|(from, to, member)| {
                let rule = if member { Rule::Member } else { Rule::Pass };
                (from, to, rule)
            });
            let root = (0..nodes, 0..3usize).prop_map(|(node, s)| (node, STATES[s]));
            (
                prop::collection::vec(edge, 0..=200),
                prop::collection::vec((0..nodes, 0..6u32), 0..12),
                prop::collection::vec(root, 0..6),
            )
                .prop_map(move |(edges, min_ups, roots)| Case {
                    nodes,
                    edges,
                    min_ups,
                    roots,
                })
        })
    }

    /// Re-evaluates every CI from its in-edges until nothing changes, from all operational.
    fn fixpoint(case: &Case) -> Vec<OperationalState> {
        let n = case.nodes as usize;
        let edges: BTreeSet<(u32, u32, bool)> = case
            .edges
            .iter()
            .map(|&(from, to, rule)| (from, to, rule == Rule::Member))
            .collect();
        let mut members = vec![0u32; n];
        for &(_, to, member) in &edges {
            if member {
                members[to as usize] += 1;
            }
        }
        let mut wanted = vec![1u32; n];
        for &(node, min_up) in &case.min_ups {
            wanted[node as usize] = min_up;
        }
        let mut state = vec![Operational; n];
        loop {
            let mut changed = false;
            for v in 0..n {
                let mut s = case
                    .roots
                    .iter()
                    .filter(|r| r.0 as usize == v)
                    .map(|r| r.1)
                    .max()
                    .unwrap_or(Operational);
                let (mut down, mut degraded) = (0, 0);
                for &(from, to, member) in &edges {
                    if to as usize != v {
                        continue;
                    }
                    let input = state[from as usize];
                    if !member {
                        s = s.max(input);
                    } else if input == Down {
                        down += 1;
                    } else if input == Degraded {
                        degraded += 1;
                    }
                }
                if members[v] > 0 {
                    let min_up = wanted[v].clamp(1, members[v]);
                    let quorum = if members[v] - down < min_up {
                        Down
                    } else if down + degraded > 0 {
                        Degraded
                    } else {
                        Operational
                    };
                    s = s.max(quorum);
                }
                if s != state[v] {
                    state[v] = s;
                    changed = true;
                }
            }
            if !changed {
                return state;
            }
        }
    }

    proptest! {
        #[test]
        fn adding_or_worsening_a_root_never_improves_a_ci(
            case in cases(),
            extra in (0..60u32, 1..3usize),
            worsen in any::<prop::sample::Index>(),
        ) {
            let g = case.graph();
            let before = g.walk(&case.roots);

            let mut added = case.roots.clone();
            added.push((extra.0 % case.nodes, STATES[extra.1]));
            let after_adding = g.walk(&added);

            let mut worse = case.roots.clone();
            if !worse.is_empty() {
                let i = worsen.index(worse.len());
                worse[i].1 = Down;
            }
            let after_worsening = g.walk(&worse);

            for v in 0..case.nodes {
                prop_assert!(after_adding.state(v) >= before.state(v), "CI {v} improved on adding a root");
                prop_assert!(after_worsening.state(v) >= before.state(v), "CI {v} improved on worsening a root");
            }
        }

        #[test]
        fn every_path_starts_at_a_root_and_follows_edges(case in cases()) {
            let g = case.graph();
            let impact = g.walk(&case.roots);
            let edges: BTreeSet<(u32, u32, bool)> = case
                .edges
                .iter()
                .map(|&(from, to, rule)| (from, to, rule == Rule::Member))
                .collect();
            for (v, _) in impact.affected() {
                let path = impact.path(v);
                prop_assert_eq!(path.last(), Some(&v));
                let first = path[0];
                prop_assert_eq!(impact.cause(first), Some(Cause::Root));
                prop_assert!(case.roots.iter().any(|r| r.0 == first && r.1 > Operational));
                for pair in path.windows(2) {
                    let member = match impact.cause(pair[1]) {
                        Some(Cause::Via(u)) => { prop_assert_eq!(u, pair[0]); false }
                        Some(Cause::Quorum { .. }) => true,
                        other => return Err(TestCaseError::fail(format!("CI {} inside a path has cause {other:?}", pair[1]))),
                    };
                    prop_assert!(edges.contains(&(pair[0], pair[1], member)), "{:?} is no edge (member: {})", pair, member);
                }
            }
        }

        #[test]
        fn the_walk_equals_the_naive_fixpoint(case in cases()) {
            let impact = case.graph().walk(&case.roots);
            let expected = fixpoint(&case);
            for v in 0..case.nodes {
                prop_assert_eq!(impact.state(v), expected[v as usize], "CI {}", v);
            }
            let affected: Vec<(u32, OperationalState)> = (0..case.nodes)
                .map(|v| (v, expected[v as usize]))
                .filter(|&(_, s)| s > Operational)
                .collect();
            prop_assert_eq!(impact.affected(), affected);
        }
    }
}
