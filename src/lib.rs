//! ai-setup signs a developer in to their organisation's AI coding stack and configures every AI
//! client on the machine for it. The modules follow the pipeline (DESIGN.md):
//!
//! ```text
//! discover ──► authenticate ──► resolve ──► translate per client ──► plan ──► apply ──► report
//! discovery/    auth/, secrets/  layers/     clients/                 apply/   apply/    output
//! ```
//!
//! - [`discovery`]: fetch and check `<org>/.well-known/opencode`, with ETag cache and offline copy.
//! - [`auth`]: obtain the org token (the org's login command with consent, or a supplied token).
//! - [`secrets`]: keep it in the OS keyring or a 0600 file, never silently elsewhere.
//! - [`layers`]: resolve the org's config under the user's and trusted project layers, check it
//!   against OpenCode's schema, and decide what no layer may do: the guard (tokens in clear,
//!   ungranted variables), approval of the programs that run, trust of project files.
//! - [`clients`]: one module per AI client, saying which keys it wants in which file.
//! - [`edit`]: format editors that change only the keys asked for.
//! - [`apply`]: plan (diffs, no writes) and apply through the one atomic writer.
//! - [`api`]: the read side: the org's usage and models endpoints, the model catalog.
//! - [`output`]: human or `--json` reports, with secrets redacted.
//! - [`server`]: the reference org endpoint, `ai-setup serve`, also used by the demo and tests.
//! - [`tui`]: the dashboard, on the same read side.
//! - [`engine`]: the stages put together once (open an org, sync, the read-only views), for every
//!   caller; [`mcp`]: the bridge and `exec` that clients start; [`proxy`]: the loopback
//!   credential proxy for clients that hold only a static key.
//! - [`commands`]: thin wiring of the stages per command; [`cli`] defines the command line.
//!
//! Everything takes a [`paths::Paths`], so the whole pipeline can run against another home.

pub mod api;
pub mod apply;
pub mod auth;
pub mod cli;
pub mod clients;
pub mod commands;
pub mod discovery;
pub mod edit;
pub mod engine;
pub mod error;
pub mod http;
pub mod layers;
pub mod logging;
pub mod mcp;
pub mod output;
pub mod paths;
pub mod proxy;
pub mod secrets;
pub mod server;
pub mod state;
pub mod tui;
pub mod write;

/// A single-threaded async runtime, built only by the commands that use the network, so that
/// `ai-setup token` never pays for one.
pub fn runtime() -> error::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| error::Error::failure(format!("cannot start the async runtime: {e}")))
}

/// Seconds since the Unix epoch.
pub fn now_unix() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use std::collections::{BTreeMap, BTreeSet};
    use std::path::Path;

    /// Which top-level modules each top-level module uses (`crate::name` outside comments and
    /// test code).
    fn module_graph() -> BTreeMap<String, BTreeSet<String>> {
        let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        let top = |path: &Path| -> Option<String> {
            let rel = path.strip_prefix(&src).ok()?;
            let first = rel.components().next()?.as_os_str().to_str()?;
            Some(first.trim_end_matches(".rs").to_string())
        };
        let mut files = vec![src.clone()];
        let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        while let Some(path) = files.pop() {
            if path.is_dir() {
                files.extend(std::fs::read_dir(&path).unwrap().map(|e| e.unwrap().path()));
                continue;
            }
            let (Some(module), Some("rs")) =
                (top(&path), path.extension().and_then(|e| e.to_str()))
            else {
                continue;
            };
            if path.file_name().is_some_and(|n| n == "tests.rs") || module == "main" {
                continue;
            }
            let text = std::fs::read_to_string(&path).unwrap();
            let code = text.split("#[cfg(test)]").next().unwrap_or_default();
            for line in code.lines().filter(|l| !l.trim_start().starts_with("//")) {
                for (i, _) in line.match_indices("crate::") {
                    let name: String = line[i + 7..]
                        .chars()
                        .take_while(|c| c.is_alphanumeric() || *c == '_')
                        .collect();
                    let is_module =
                        src.join(&name).is_dir() || src.join(format!("{name}.rs")).is_file();
                    if is_module && name != module {
                        graph.entry(module.clone()).or_default().insert(name);
                    }
                }
            }
        }
        graph
    }

    /// The stages depend one way: a module that imports one that imports it back hides
    /// which is the lower stage (the import cycles of issue 10).
    #[test]
    fn no_module_imports_one_that_imports_it_back() {
        let graph = module_graph();
        assert!(
            graph.get("engine").is_some_and(|d| d.contains("apply")),
            "{graph:?}"
        );
        fn reaches(graph: &BTreeMap<String, BTreeSet<String>>, from: &str, to: &str) -> bool {
            let mut seen = BTreeSet::new();
            let mut stack = vec![from.to_string()];
            while let Some(next) = stack.pop() {
                for dep in graph.get(&next).into_iter().flatten() {
                    if dep == to {
                        return true;
                    }
                    if seen.insert(dep.clone()) {
                        stack.push(dep.clone());
                    }
                }
            }
            false
        }
        let cycles: Vec<String> = graph
            .keys()
            .filter(|m| reaches(&graph, m, m))
            .cloned()
            .collect();
        assert!(
            cycles.is_empty(),
            "modules on an import cycle: {cycles:?}\n{graph:?}"
        );
    }
}
