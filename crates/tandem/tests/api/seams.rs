//! The seams between capabilities, read from the source: a capability reads another only through
//! what that one publishes (its `read` module, or the `*_refs` views its migrations create), and
//! only downwards, from a capability that builds on the owner.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Crossings the rule refuses but the design accepts, each with its reason:
/// (reading crate, view or table it names).
const ALLOWED: &[(&str, &str)] = &[
    // A CI version names the ticket that caused it (seed 000 §5.6: "caused by"), and a CI's form
    // takes a ticket number. The CMDB sits below the service desk (tickets will name CIs), so it
    // cannot use the desk's Rust read surface; it reads the desk's published view in SQL.
    ("cmdb", "ticket_refs"),
    // Change management does not build on the service desk either (a change's cause ticket is
    // looked up through the CMDB's read surface, which reads the same view).
    ("changes", "ticket_refs"),
];

/// What the migrations create: table or view name → (owning crate, whether it is a view).
fn owners(crates: &Path) -> BTreeMap<String, (String, bool)> {
    let mut owners = BTreeMap::new();
    for (krate, file) in files(crates, "migrations", "sql") {
        let text = std::fs::read_to_string(&file).unwrap();
        let words = words(&text);
        for (at, word) in words.iter().enumerate() {
            let view = match (*word, words.get(at + 1)) {
                ("CREATE", Some(&"TABLE")) => false,
                ("CREATE", Some(&"VIEW")) => true,
                _ => continue,
            };
            let rest = &words[at + 2..];
            let name = match rest {
                ["IF", "NOT", "EXISTS", name, ..] | [name, ..] => *name,
                [] => continue,
            };
            if let Some((first, _)) = owners.insert(name.to_lowercase(), (krate.clone(), view))
                && first != krate
            {
                panic!("`{name}` is created by both {first} and {krate}");
            }
        }
    }
    owners
}

/// Every file under `crates/*/<folder>` ending in `.<extension>`, with its crate's name.
fn files(crates: &Path, folder: &str, extension: &str) -> Vec<(String, PathBuf)> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir(crates).unwrap() {
        let dir = entry.unwrap().path();
        let krate = dir.file_name().unwrap().to_string_lossy().into_owned();
        let mut stack = vec![dir.join(folder)];
        while let Some(at) = stack.pop() {
            let Ok(entries) = std::fs::read_dir(&at) else {
                continue;
            };
            for entry in entries {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    stack.push(path);
                } else if path.extension().is_some_and(|e| e == extension) {
                    found.push((krate.clone(), path));
                }
            }
        }
    }
    found.sort();
    found
}

/// The identifiers of `text`, in order (so that `FROM \` + newline + `people` reads as two
/// neighbouring words).
fn words(text: &str) -> Vec<&str> {
    text.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .filter(|w| !w.is_empty())
        .collect()
}

/// `source` without its comment lines (doc comments may name any table).
fn code_of(source: &str) -> String {
    source
        .lines()
        .filter(|line| !line.trim_start().starts_with("//"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// The tables and views `code` names in SQL (after `FROM`, `JOIN`, `INTO`, `UPDATE`), or hands
/// to the storage helpers that take a table's name as a string.
fn names_in(code: &str) -> BTreeSet<String> {
    let mut names = BTreeSet::new();
    let words = words(code);
    for pair in words.windows(2) {
        if ["FROM", "JOIN", "INTO", "UPDATE"].contains(&pair[0]) {
            names.insert(pair[1].to_lowercase());
        }
    }
    for helper in ["exists(", "check_updated(", "delete_by_id("] {
        for (at, _) in code.match_indices(helper) {
            let call = &code[at..code[at..].find(')').map_or(code.len(), |end| at + end)];
            for literal in call.split('"').skip(1).step_by(2) {
                names.insert(literal.to_lowercase());
            }
        }
    }
    names
}

/// Whether capability `reader` builds on another capability, `owner`, directly or through
/// others (`tandem_web::capability::reach`, which the start-up check uses too).
fn builds_on(reader: &str, owner: &str) -> bool {
    let capabilities = &tandem::CAPABILITIES;
    capabilities
        .iter()
        .find(|c| c.name == reader)
        .is_some_and(|c| {
            tandem_web::capability::reach(capabilities, c)
                .iter()
                .any(|below| below.name == owner)
        })
}

/// Issue 12 counted 76 SQL references to 12 tables owned by other crates. Each crate's code may
/// name its own tables, and of another capability only the views it publishes, and only when it
/// builds on that capability (the binary, which assembles all of them, may read every view).
#[test]
fn capabilities_read_each_other_only_through_published_views_and_downwards() {
    let crates = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let owners = owners(&crates);
    assert!(
        owners.values().filter(|(_, view)| !view).count() > 40,
        "the tables were not read from the migrations: {owners:?}"
    );
    assert!(
        owners.contains_key("person_refs") && owners.contains_key("ticket_refs"),
        "the published views were not read from the migrations"
    );
    let mut problems = Vec::new();
    let mut allowed_seen = BTreeSet::new();
    for (krate, file) in files(&crates, "src", "rs") {
        let code = code_of(&std::fs::read_to_string(&file).unwrap());
        for name in names_in(&code) {
            let Some((owner, view)) = owners.get(&name) else {
                continue;
            };
            if *owner == krate {
                continue;
            }
            if ALLOWED.contains(&(krate.as_str(), name.as_str())) {
                allowed_seen.insert((krate.clone(), name));
                continue;
            }
            let file = file.strip_prefix(&crates).unwrap().display();
            if !view {
                problems.push(format!("{file} names `{name}`, a table of {owner}"));
            } else if krate != "tandem" && !builds_on(&krate, owner) {
                problems.push(format!(
                    "{file} reads `{name}` of {owner}, which {krate} does not build on"
                ));
            }
        }
    }
    assert!(
        problems.is_empty(),
        "read another capability through its read module or its *_refs views:\n  {}",
        problems.join("\n  ")
    );
    let stale: Vec<_> = ALLOWED
        .iter()
        .filter(|(k, n)| !allowed_seen.contains(&((*k).to_owned(), (*n).to_owned())))
        .collect();
    assert!(stale.is_empty(), "allowed but no longer used: {stale:?}");
}

/// The scanner itself: it must see names across a line break and in the storage helpers, and
/// must not see them in comments.
#[test]
fn the_seam_scanner_finds_table_names_where_sql_puts_them() {
    let code = code_of(
        "let sql = \"SELECT p.name FROM \\\n   people p LEFT JOIN teams t ON t.id = p.team_id\";\n\
         // SELECT * FROM organisations\n\
         tx.exists(\"services\", id).await?;\n\
         let n = \"UPDATE cis SET name = $1\";",
    );
    let names = names_in(&code);
    assert_eq!(
        names,
        ["cis", "people", "services", "teams"]
            .map(str::to_owned)
            .into_iter()
            .collect::<BTreeSet<_>>()
    );
}

/// Every write is audited unless it says why not: outside the audit trail itself and the
/// storage layer, a transaction commits through `tandem_audit::Write` (which records the edit
/// first), or its `.commit()` has a comment right above it that says why it may commit as it
/// is: `// Audited above:` (the entries were recorded earlier in the same transaction) or
/// `// Not audited:` (operational state such as a session's last use or an outbox claim).
#[test]
fn every_commit_goes_through_the_audit_trail_or_says_why_not() {
    let crates = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut unexplained = Vec::new();
    let mut commits = 0;
    for (krate, file) in files(&crates, "src", "rs") {
        if krate == "audit" || krate == "storage" {
            continue;
        }
        let source = std::fs::read_to_string(&file).unwrap();
        let lines: Vec<&str> = source.lines().collect();
        for (at, line) in lines.iter().enumerate() {
            if !line.contains(".commit().await") || line.trim_start().starts_with("//") {
                continue;
            }
            commits += 1;
            let explained = lines[..at]
                .iter()
                .rev()
                .take_while(|l| l.trim_start().starts_with("//"))
                .any(|l| {
                    let l = l.trim_start();
                    l.starts_with("// Not audited:") || l.starts_with("// Audited above:")
                });
            if !explained {
                let file = file.strip_prefix(&crates).unwrap().display();
                unexplained.push(format!("{file}:{}", at + 1));
            }
        }
    }
    assert!(
        commits > 5,
        "only {commits} direct commits found: is the scan looking in the right place?"
    );
    assert!(
        unexplained.is_empty(),
        "commit through tandem_audit::Write, or say `// Audited above: …` or `// Not audited: …` above:\n  {}",
        unexplained.join("\n  ")
    );
}
