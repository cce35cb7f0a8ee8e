//! Impact-analysis figures: `cargo bench -p tandem-cmdb --bench impact`.
//!
//! Builds an inventory of 100,000 CIs and 300,000 distinct impact edges the same way on every run (an
//! inline xorshift generator with a fixed seed): two data centres with racks, a redundant
//! network core and a storage cluster each; 40 hypervisor clusters of 5 hosts that need 3 up;
//! 50,000 VMs running on them; 12,000 clusters of VMs, each providing one service; 30 core
//! services the other services depend on; applications depending on services and on each other
//! within their application family; and a monitoring application that the core services depend
//! on while it depends on services itself, which closes cycles.
//!
//! Prints the median and 99th percentile of the time to pack the edge list into compressed
//! rows, and of walks from one hypervisor host down, one data centre down and one core service
//! down, with the CIs each walk reaches. Asserts nothing, since timing on a shared machine is
//! noisy.

use std::collections::HashSet;
use std::hint::black_box;
use std::ops::Range;
use std::time::{Duration, Instant};

use tandem_cmdb::ci::OperationalState;
use tandem_cmdb::impact::{Graph, GraphBuilder, Impact, Rule};

const CIS: u32 = 100_000;
const EDGES: usize = 300_000;
const BUILD_RUNS: usize = 21;
const WALK_RUNS: usize = 101;

/// Xorshift64: small, fast and the same everywhere.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    /// A number in `0..n`.
    fn below(&mut self, n: u32) -> u32 {
        (self.next() % u64::from(n)) as u32
    }

    /// A CI of `range`.
    fn pick(&mut self, range: &Range<u32>) -> u32 {
        range.start + self.below(range.end - range.start)
    }
}

/// Hands out consecutive CI numbers.
struct Numbers(u32);

impl Numbers {
    fn take(&mut self, count: u32) -> Range<u32> {
        let range = self.0..self.0 + count;
        self.0 += count;
        range
    }
}

/// The relations so far, each once, as the store's unique key on (kind, source, target) keeps
/// them.
#[derive(Default)]
struct Edges {
    list: Vec<(u32, u32, Rule)>,
    seen: HashSet<(u32, u32, bool)>,
}

impl Edges {
    /// Adds the edge unless it is there already; says whether it was new.
    fn add(&mut self, from: u32, to: u32, rule: Rule) -> bool {
        let new = self.seen.insert((from, to, rule == Rule::Member));
        if new {
            self.list.push((from, to, rule));
        }
        new
    }
}

/// The inventory as an edge list and quorums, with the CIs the walks start from.
struct Inventory {
    edges: Vec<(u32, u32, Rule)>,
    min_ups: Vec<(u32, u32)>,
    host: u32,
    data_centre: u32,
    core_service: u32,
}

impl Inventory {
    fn build(&self) -> Graph {
        let mut builder = GraphBuilder::new(CIS);
        for &(from, to, rule) in &self.edges {
            builder.edge(from, to, rule);
        }
        for &(node, min_up) in &self.min_ups {
            builder.min_up(node, min_up);
        }
        builder.build()
    }
}

/// A redundant pair (network core or storage) in `racks`: two devices and their cluster.
fn pair(ids: &mut Numbers, rng: &mut Rng, racks: &Range<u32>, edges: &mut Edges) -> u32 {
    let devices = ids.take(2);
    let cluster = ids.take(1).start;
    for device in devices {
        edges.add(rng.pick(racks), device, Rule::Pass);
        edges.add(device, cluster, Rule::Member);
    }
    cluster
}

fn inventory() -> Inventory {
    let mut rng = Rng(0x7a4d_e3c1_9b05_f268);
    let mut ids = Numbers(0);
    let mut edges = Edges::default();
    let mut min_ups = Vec::new();

    // Data centres, racks, network core and storage; the edges read "a failure of from reaches
    // to", so a relation "A runs on B" is the edge B → A.
    let data_centres = ids.take(2);
    let mut hypervisor_clusters = Vec::new();
    let mut first_host = None;
    for data_centre in data_centres.clone() {
        let racks = ids.take(20);
        for rack in racks.clone() {
            edges.add(data_centre, rack, Rule::Pass);
        }
        let network = pair(&mut ids, &mut rng, &racks, &mut edges);
        let storage = pair(&mut ids, &mut rng, &racks, &mut edges);
        for _ in 0..20 {
            let cluster = ids.take(1).start;
            min_ups.push((cluster, 3));
            edges.add(storage, cluster, Rule::Pass);
            for host in ids.take(5) {
                first_host.get_or_insert(host);
                edges.add(rng.pick(&racks), host, Rule::Pass);
                edges.add(network, host, Rule::Pass);
                edges.add(host, cluster, Rule::Member);
            }
            hypervisor_clusters.push(cluster);
        }
    }

    // VMs on hypervisor clusters in either data centre, grouped into clusters that provide
    // services; every group has at least one VM and needs half of its VMs up.
    let vms = ids.take(50_000);
    let groups = ids.take(12_000);
    let services = ids.take(12_000);
    let core = services.start..services.start + 30;
    let mut group_sizes = vec![0u32; groups.len()];
    for (i, vm) in vms.clone().enumerate() {
        let cluster = hypervisor_clusters[rng.below(hypervisor_clusters.len() as u32) as usize];
        edges.add(cluster, vm, Rule::Pass);
        let group = if i < groups.len() {
            i as u32
        } else {
            rng.below(groups.len() as u32)
        };
        group_sizes[group as usize] += 1;
        edges.add(vm, groups.start + group, Rule::Member);
    }
    for (i, (group, service)) in groups.clone().zip(services.clone()).enumerate() {
        min_ups.push((group, (group_sizes[i] / 2).max(1)));
        edges.add(group, service, Rule::Pass);
    }
    for service in core.end..services.end {
        let mut needed = 0;
        while needed < 2 {
            needed += u32::from(edges.add(rng.pick(&core), service, Rule::Pass));
        }
    }

    // Applications: each needs three services; the monitoring application (the first) is
    // needed by ten core services, which closes cycles through them.
    let apps = ids.take(CIS - ids.0);
    let monitoring = apps.start;
    for app in apps.clone() {
        let mut needed = 0;
        while needed < 3 {
            needed += u32::from(edges.add(rng.pick(&services), app, Rule::Pass));
        }
    }
    for service in core.start..core.start + 10 {
        edges.add(monitoring, service, Rule::Pass);
    }
    // Applications also need earlier applications of their family of 50.
    while edges.list.len() < EDGES {
        let app = rng.pick(&(apps.start + 1..apps.end));
        let family_start = apps.start + (app - apps.start) / 50 * 50;
        if app > family_start {
            edges.add(rng.pick(&(family_start..app)), app, Rule::Pass);
        }
    }

    Inventory {
        edges: edges.list,
        min_ups,
        host: first_host.expect("the data centres have hosts"),
        data_centre: data_centres.start,
        core_service: core.start,
    }
}

/// (median, 99th percentile) of `samples`.
fn figures(mut samples: Vec<Duration>) -> (Duration, Duration) {
    samples.sort();
    let p99 = (samples.len() * 99 / 100).min(samples.len() - 1);
    (samples[samples.len() / 2], samples[p99])
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

fn walk(graph: &Graph, label: &str, root: u32) {
    let roots = [(root, OperationalState::Down)];
    let mut samples = Vec::with_capacity(WALK_RUNS);
    let mut impact: Option<Impact> = None;
    for _ in 0..WALK_RUNS {
        let started = Instant::now();
        let result = graph.walk(black_box(&roots));
        samples.push(started.elapsed());
        impact = Some(black_box(result));
    }
    let impact = impact.expect("at least one run");
    let down = impact
        .affected()
        .iter()
        .filter(|(_, s)| *s == OperationalState::Down)
        .count();
    let (median, p99) = figures(samples);
    println!(
        "walk, {label}: median {:.3} ms, p99 {:.3} ms over {WALK_RUNS} runs; {} CIs affected ({down} down, {} degraded)",
        ms(median),
        ms(p99),
        impact.affected_count(),
        impact.affected_count() - down,
    );
}

fn main() {
    let started = Instant::now();
    let inventory = inventory();
    println!(
        "inventory: {CIS} CIs, {} relations, {} cluster quorums; generated in {:.1} ms",
        inventory.edges.len(),
        inventory.min_ups.len(),
        ms(started.elapsed())
    );

    let mut samples = Vec::with_capacity(BUILD_RUNS);
    for _ in 0..BUILD_RUNS {
        let started = Instant::now();
        let graph = inventory.build();
        samples.push(started.elapsed());
        black_box(graph);
    }
    let graph = inventory.build();
    let (median, p99) = figures(samples);
    println!(
        "build compressed rows from the edge list: median {:.2} ms, p99 {:.2} ms over {BUILD_RUNS} runs; {} CIs, {} distinct edges",
        ms(median),
        ms(p99),
        graph.node_count(),
        graph.edge_count()
    );

    walk(&graph, "one hypervisor host down", inventory.host);
    walk(&graph, "one data centre down", inventory.data_centre);
    walk(&graph, "one core service down", inventory.core_service);
}
