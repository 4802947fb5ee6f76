//! `ai-setup doctor`: every check a support engineer would ask for, each with its fix, and
//! `--json` for the ticket. It changes nothing: the one request it makes is a GET of the
//! org's discovery document (for reachability, validity and the server's clock).
//!
//! A check is `ok`, `warn` (works, but will bite), `fail` (broken) or `skip` (cannot be
//! checked because an earlier one failed). The exit code is 1 when any check fails, else 0.

use std::path::PathBuf;
use std::time::Instant;

use serde::Serialize;
use serde_json::json;

use crate::discovery::{self, Document};
use crate::engine::inspect::{self, Status, TokenState};
use crate::error::{Finished, Result};
use crate::http::{Http, parse_org_url};
use crate::output::{Output, relative};
use crate::paths::Paths;
use crate::secrets::{Store, StoreKind};

/// A clock further off than this makes token expiry unreliable.
const SKEW_WARN: i64 = 60;
const SKEW_FAIL: i64 = 300;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    Ok,
    Warn,
    Fail,
    Skip,
}

#[derive(Debug, Serialize)]
pub struct Check {
    pub id: &'static str,
    pub title: &'static str,
    pub status: Verdict,
    pub detail: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fix: Option<String>,
}

fn check(
    id: &'static str,
    title: &'static str,
    status: Verdict,
    detail: impl Into<String>,
) -> Check {
    Check {
        id,
        title,
        status,
        detail: detail.into(),
        fix: None,
    }
}

impl Check {
    fn fix(mut self, fix: impl Into<String>) -> Check {
        self.fix = Some(fix.into());
        self
    }
}

pub fn run(org: Option<&str>, paths: &Paths, out: &mut Output) -> Result<Finished> {
    let started = Instant::now();
    let mut checks = vec![own_files_check(paths)];
    if checks[0].status == Verdict::Fail {
        checks.push(path_check());
        return report(checks, None, started, out);
    }
    let status = inspect::status(paths, org, &mut |secret| out.secret(secret))?;
    let status = match status {
        Ok(status) => {
            checks.push(check(
                "org",
                "Logged in",
                Verdict::Ok,
                format!(
                    "{} ({}), as {}",
                    status.org_name.as_deref().unwrap_or("the org"),
                    status.org,
                    status.identity.as_deref().unwrap_or("an unknown user")
                ),
            ));
            status
        }
        Err(org) => {
            checks.push(
                check("org", "Logged in", Verdict::Fail, "not logged in").fix(match org {
                    Some(org) => format!("ai-setup login {org}"),
                    None => "ai-setup login https://ai.example.com (your org's address)".into(),
                }),
            );
            checks.push(path_check());
            return report(checks, None, started, out);
        }
    };
    let document = endpoint_checks(&status, paths, &mut checks);
    checks.push(token_check(&status));
    checks.push(approval_check(&status));
    checks.push(store_check(&status, paths));
    checks.extend(client_checks(&status, paths));
    checks.push(modes_check(&status, paths));
    checks.push(path_check());
    checks.push(opencode_check(&status, paths));
    checks.push(service_check(paths, document.as_ref()));
    checks.push(proxy_check(paths));
    report(checks, Some(&status), started, out)
}

/// ai-setup's own memory: `state.json`, the ledger and an interrupted run's journal. A damaged
/// one stops every change (nothing is written until it is fixed), so it is checked first.
fn own_files_check(paths: &Paths) -> Check {
    let state = crate::state::State::load(paths);
    let configured = state
        .as_ref()
        .is_ok_and(|s| s.orgs.values().any(|o| !o.clients.is_empty()));
    let problem = state.and_then(|_| crate::apply::transaction::current_ledger(paths));
    match problem {
        Err(err) => {
            let fix = err.hints.first().cloned().unwrap_or_default();
            check("state", "ai-setup's own files", Verdict::Fail, err.message).fix(fix)
        }
        Ok(_) if crate::apply::journal::path(paths).exists() => check(
            "state",
            "ai-setup's own files",
            Verdict::Warn,
            "a run was interrupted; the next change (`ai-setup sync`) finishes it",
        )
        .fix("ai-setup sync"),
        Ok(_) if configured && !crate::apply::ledger::Ledger::path(paths).exists() => check(
            "state",
            "ai-setup's own files",
            Verdict::Warn,
            "the ledger is missing: until the next sync, the entries ai-setup wrote look like yours",
        )
        .fix("ai-setup sync (takes back the entries that hold exactly what the org sets)"),
        Ok(ledger) => check(
            "state",
            "ai-setup's own files",
            Verdict::Ok,
            format!(
                "state and ledger readable; {} files hold entries ai-setup wrote",
                ledger.files.len()
            ),
        ),
    }
}

/// Reachability, validity, the required version and the clock, from one GET.
fn endpoint_checks(status: &Status, paths: &Paths, checks: &mut Vec<Check>) -> Option<Document> {
    let fetched = (|| -> Result<(Document, Option<i64>, u128)> {
        let url = discovery::discovery_url(&parse_org_url(&status.org)?)?;
        let held = Store::open(status.credential_store, paths)
            .get(&status.org)
            .ok()
            .flatten();
        let started = Instant::now();
        let response = crate::runtime()?.block_on(Http::new().get(
            &url,
            held.as_ref().map(|c| c.token.expose()),
            &[("accept", "application/json".into())],
        ))?;
        let millis = started.elapsed().as_millis();
        if response.status != 200 {
            return Err(crate::error::Error::network(format!(
                "{url} answered {}{}",
                response.status,
                discovery::error_message(&response.body)
            )));
        }
        let server_time = response.header("date").and_then(|d| {
            time::OffsetDateTime::parse(d, &time::format_description::well_known::Rfc2822)
                .ok()
                .map(|t| t.unix_timestamp())
        });
        Ok((
            Document::parse(&response.body, &status.org)?,
            server_time,
            millis,
        ))
    })();
    let (document, server_time, millis) = match fetched {
        Ok(found) => found,
        Err(err) => {
            let mut failed = check(
                "endpoint",
                "Org endpoint reachable",
                Verdict::Fail,
                err.message,
            );
            if let Some(hint) = err.hints.first() {
                failed = failed.fix(hint.clone());
            }
            checks.push(failed);
            checks.push(check(
                "version",
                "ai-setup new enough",
                Verdict::Skip,
                "the endpoint did not answer",
            ));
            checks.push(check(
                "clock",
                "Clock in step with the endpoint",
                Verdict::Skip,
                "the endpoint did not answer",
            ));
            return None;
        }
    };
    checks.push(check(
        "endpoint",
        "Org endpoint reachable",
        Verdict::Ok,
        format!("the discovery document is valid ({millis} ms)"),
    ));
    checks.push(match document.check_min_version(&status.org) {
        Ok(()) => check(
            "version",
            "ai-setup new enough",
            Verdict::Ok,
            format!(
                "{} (the org asks for {})",
                env!("CARGO_PKG_VERSION"),
                document
                    .ai_setup
                    .as_ref()
                    .and_then(|e| e.min_version.as_deref())
                    .unwrap_or("any version")
            ),
        ),
        Err(err) => check("version", "ai-setup new enough", Verdict::Fail, err.message)
            .fix(err.hints.first().cloned().unwrap_or_default()),
    });
    checks.push(match server_time {
        None => check("clock", "Clock in step with the endpoint", Verdict::Skip, "the endpoint sent no Date header"),
        Some(server) => {
            let skew = crate::now_unix() - server;
            let detail = format!("{skew:+} s against the endpoint");
            let verdict = match skew.abs() {
                s if s >= SKEW_FAIL => Verdict::Fail,
                s if s >= SKEW_WARN => Verdict::Warn,
                _ => Verdict::Ok,
            };
            let clock = check("clock", "Clock in step with the endpoint", verdict, detail);
            if verdict == Verdict::Ok {
                clock
            } else {
                clock.fix("turn on network time (timedatectl set-ntp true, or the OS's date settings): token expiry is judged by this clock")
            }
        }
    });
    Some(document)
}

fn token_check(status: &Status) -> Check {
    let now = crate::now_unix();
    let login = format!("ai-setup login {}", status.org);
    match (status.token, status.expires_at) {
        (TokenState::Valid, Some(exp)) if exp - now < 300 => check(
            "token",
            "Token valid",
            Verdict::Warn,
            format!("expires {}", relative(exp, now)),
        )
        .fix(format!("ai-setup sync (renews it), or {login}")),
        (TokenState::Valid, Some(exp)) => check(
            "token",
            "Token valid",
            Verdict::Ok,
            format!("expires {}", relative(exp, now)),
        ),
        (TokenState::Valid, None) => check(
            "token",
            "Token valid",
            Verdict::Ok,
            "no expiry in the token",
        ),
        (other, _) => check(
            "token",
            "Token valid",
            Verdict::Fail,
            format!("the token is {other}"),
        )
        .fix(login),
    }
}

/// Local servers whose program changed or is new since the user approved what runs.
fn approval_check(status: &Status) -> Check {
    if status.pending_approval.is_empty() {
        return check(
            "approval",
            "Local servers approved",
            Verdict::Ok,
            "every program the org's configuration runs here was approved",
        );
    }
    let entries: Vec<String> = status
        .pending_approval
        .iter()
        .map(|p| p.describe())
        .collect();
    check(
        "approval",
        "Local servers approved",
        Verdict::Warn,
        entries.join("; "),
    )
    .fix("ai-setup approve (shows what changed and asks)")
}

fn store_check(status: &Status, paths: &Paths) -> Check {
    match &status.store_error {
        Some(error) => check("credential_store", "Credential store usable", Verdict::Fail, error.clone()).fix(
            match status.credential_store {
                StoreKind::Keyring => format!(
                    "unlock or start the keyring (a Secret Service such as gnome-keyring on Linux), or log in again with --credential-store file: ai-setup login {} --credential-store file",
                    status.org
                ),
                StoreKind::File => format!("ai-setup login {}", status.org),
            },
        ),
        None => check(
            "credential_store",
            "Credential store usable",
            Verdict::Ok,
            Store::open(status.credential_store, paths).describe(),
        ),
    }
}

fn client_checks(status: &Status, paths: &Paths) -> Vec<Check> {
    let mut quiet = Output::capturing();
    let rows = match inspect::clients(paths, Some(&status.org), false, &mut quiet) {
        Ok((_, rows)) => rows,
        Err(err) => return vec![check("clients", "Client files", Verdict::Fail, err.message)],
    };
    let mut checks = Vec::new();
    let configured: Vec<_> = rows
        .iter()
        .filter(|r| r.configured || r.error.is_some())
        .collect();
    let broken: Vec<String> = configured
        .iter()
        .filter_map(|r| {
            r.error
                .as_ref()
                .map(|e| format!("{}: {}", r.name, e.lines().next().unwrap_or("")))
        })
        .collect();
    checks.push(if broken.is_empty() {
        check(
            "clients",
            "Client files parse",
            Verdict::Ok,
            format!(
                "{} configured: {}",
                configured.len(),
                configured
                    .iter()
                    .map(|r| r.name)
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        )
    } else {
        check(
            "clients",
            "Client files parse",
            Verdict::Fail,
            broken.join("; "),
        )
        .fix("fix the file (ai-setup left it as it is), then ai-setup sync")
    });
    let drift: Vec<String> = rows
        .iter()
        .filter(|r| !r.drift.is_empty())
        .map(|r| format!("{}: {}", r.name, r.drift.join(", ")))
        .collect();
    let pending: Vec<&str> = rows
        .iter()
        .filter(|r| r.configured && r.pending_changes && r.drift.is_empty())
        .map(|r| r.name)
        .collect();
    // Not a fault: what the org has that a client has no setting for, said once here.
    let gaps: Vec<String> = rows
        .iter()
        .filter(|r| r.configured && !r.not_expressible.is_empty())
        .map(|r| format!("{}: {}", r.name, r.not_expressible.join("; ")))
        .collect();
    checks.push(check(
        "expressible",
        "The org's prose and rules reach the clients",
        Verdict::Ok,
        if gaps.is_empty() {
            "every instruction, agent, command and permission has its place".to_string()
        } else {
            format!(
                "not expressible, left to the client's defaults: {}",
                gaps.join(" | ")
            )
        },
    ));
    checks.push(match (drift.is_empty(), pending.is_empty()) {
        (true, true) => check(
            "drift",
            "Clients match the org",
            Verdict::Ok,
            "no drift, nothing pending",
        ),
        (false, _) => check(
            "drift",
            "Clients match the org",
            Verdict::Warn,
            format!("changed since ai-setup wrote them: {}", drift.join("; ")),
        )
        .fix("ai-setup sync --force (replaces those edits), or keep them"),
        (true, false) => check(
            "drift",
            "Clients match the org",
            Verdict::Warn,
            format!("changes to apply: {}", pending.join(", ")),
        )
        .fix("ai-setup sync"),
    });
    checks
}

/// Files that hold secrets must be readable by the user alone.
#[cfg(not(unix))]
fn modes_check(_status: &Status, _paths: &Paths) -> Check {
    check(
        "file_modes",
        "Secret files private",
        Verdict::Skip,
        "Unix file modes do not apply: the files are in the user's profile",
    )
}

/// Files that hold secrets must be readable by the user alone.
#[cfg(unix)]
fn modes_check(status: &Status, paths: &Paths) -> Check {
    use std::os::unix::fs::PermissionsExt;
    let mut files: Vec<PathBuf> = vec![crate::clients::opencode::auth_file(paths)];
    if status.credential_store == StoreKind::File {
        files.push(paths.credentials_file());
    }
    let loose: Vec<String> = files
        .iter()
        .filter_map(|f| {
            let mode = f.metadata().ok()?.permissions().mode() & 0o777;
            (mode & 0o077 != 0).then(|| format!("{} is {mode:o}", paths.display(f)))
        })
        .collect();
    if loose.is_empty() {
        check("file_modes", "Secret files private", Verdict::Ok, "0600")
    } else {
        check(
            "file_modes",
            "Secret files private",
            Verdict::Fail,
            loose.join("; "),
        )
        .fix(format!(
            "chmod 600 {}",
            files
                .iter()
                .map(|f| f.display().to_string())
                .collect::<Vec<_>>()
                .join(" ")
        ))
    }
}

/// Clients run ai-setup by absolute path; a person runs the one on PATH. They should agree.
fn path_check() -> Check {
    let this = std::env::current_exe().and_then(|p| p.canonicalize()).ok();
    let on_path = crate::clients::find_program("ai-setup");
    let shown = |p: &Option<PathBuf>| {
        p.as_ref()
            .map(|p| p.display().to_string())
            .unwrap_or_default()
    };
    match (&on_path, &this) {
        (Some(found), Some(this)) if found.canonicalize().ok().as_ref() == Some(this) => check(
            "path",
            "ai-setup on PATH",
            Verdict::Ok,
            found.display().to_string(),
        ),
        (Some(found), _) => check(
            "path",
            "ai-setup on PATH",
            Verdict::Warn,
            format!(
                "PATH finds {}, but this is {}; the clients' helpers call this one",
                found.display(),
                shown(&this)
            ),
        )
        .fix("remove the other copy, or run `ai-setup sync` with the one you keep"),
        (None, _) => check(
            "path",
            "ai-setup on PATH",
            Verdict::Warn,
            format!(
                "not on PATH (the clients call {} by its path)",
                shown(&this)
            ),
        )
        .fix(format!(
            "add {} to PATH",
            this.as_ref()
                .and_then(|p| p.parent())
                .map(|p| p.display().to_string())
                .unwrap_or_default()
        )),
    }
}

/// OpenCode reads the org token from its own auth.json: it must be the current one.
fn opencode_check(status: &Status, paths: &Paths) -> Check {
    let title = "OpenCode's auth.json current";
    if !status
        .clients
        .iter()
        .any(|c| c.id == "opencode" && c.configured)
    {
        return check(
            "opencode_auth",
            title,
            Verdict::Skip,
            "OpenCode is not configured",
        );
    }
    let file = crate::clients::opencode::auth_file(paths);
    let entry = std::fs::read(&file)
        .ok()
        .and_then(|b| serde_json::from_slice::<serde_json::Value>(&b).ok())
        .and_then(|v| {
            v.get(&status.org)?
                .get("token")?
                .as_str()
                .map(str::to_string)
        });
    let stored = Store::open(status.credential_store, paths)
        .get(&status.org)
        .ok()
        .flatten()
        .map(|c| c.token.expose().to_string());
    match (entry, stored) {
        (Some(entry), Some(stored)) if entry == stored => {
            check("opencode_auth", title, Verdict::Ok, "the current token")
        }
        (None, _) => check(
            "opencode_auth",
            title,
            Verdict::Fail,
            format!("{} has no entry for the org", paths.display(&file)),
        )
        .fix("ai-setup sync"),
        _ => check(
            "opencode_auth",
            title,
            Verdict::Fail,
            "it holds another token than the credential store",
        )
        .fix("ai-setup sync"),
    }
}

/// Who answers on the credential proxy's address: the proxy, or another program that would
/// see what clients send it (a port taken first on a shared machine).
fn proxy_check(paths: &Paths) -> Check {
    let addr = paths.proxy_address.clone();
    let title = "Credential proxy";
    let unit = paths.xdg_config.join("systemd/user/ai-setup-proxy.socket");
    match crate::proxy::probe(&addr) {
        crate::proxy::Listener::Proxy => check("proxy", title, Verdict::Ok, format!("answering on {addr}")),
        crate::proxy::Listener::Other => check(
            "proxy",
            title,
            Verdict::Fail,
            format!("another program listens on {addr}: clients would send it their requests and this machine's local secret"),
        )
        .fix(format!("stop that program, or move the proxy with {}", crate::paths::PROXY_ADDRESS_ENV)),
        crate::proxy::Listener::Nobody if unit.is_file() => check(
            "proxy",
            title,
            Verdict::Warn,
            format!("{} is installed but nothing listens on {addr}", paths.display(&unit)),
        )
        .fix("systemctl --user enable --now ai-setup-proxy.socket"),
        crate::proxy::Listener::Nobody => check(
            "proxy",
            title,
            Verdict::Skip,
            format!("not running on {addr}; `ai-setup service install` starts it on demand"),
        ),
    }
}

fn service_check(paths: &Paths, document: Option<&Document>) -> Check {
    let unit = if cfg!(target_os = "macos") {
        paths
            .home
            .join("Library/LaunchAgents/dev.ai-setup.sync.plist")
    } else {
        paths.xdg_config.join("systemd/user/ai-setup-sync.timer")
    };
    let refresh = document
        .and_then(|d| d.ai_setup.as_ref())
        .and_then(|e| e.refresh.clone());
    if unit.is_file() {
        check(
            "service",
            "Sync timer installed",
            Verdict::Ok,
            paths.display(&unit),
        )
    } else {
        check(
            "service",
            "Sync timer installed",
            Verdict::Warn,
            match refresh {
                Some(every) => format!("none; the org asks for a sync every {every}"),
                None => "none: clients are synced only when you run ai-setup".into(),
            },
        )
        .fix("ai-setup service install")
    }
}

/// A proxy URL without the credentials it may carry (`http://user:pass@proxy`).
fn without_password(value: &str) -> String {
    match (value.find("://"), value.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            format!("{}***{}", &value[..scheme + 3], &value[at..])
        }
        _ => value.to_string(),
    }
}

fn report(
    checks: Vec<Check>,
    status: Option<&Status>,
    started: Instant,
    out: &mut Output,
) -> Result<Finished> {
    let failed = checks.iter().any(|c| c.status == Verdict::Fail);
    let millis = started.elapsed().as_millis();
    let proxy: Vec<_> = ["HTTPS_PROXY", "https_proxy", "ALL_PROXY", "NO_PROXY"]
        .iter()
        .filter_map(|v| {
            std::env::var(v)
                .ok()
                .map(|value| json!({ "variable": v, "value": without_password(&value) }))
        })
        .collect();
    let mut text = String::new();
    for c in &checks {
        let mark = match c.status {
            Verdict::Ok => "✓",
            Verdict::Warn => "!",
            Verdict::Fail => "✗",
            Verdict::Skip => "-",
        };
        text.push_str(&format!("{mark} {:<32}{}\n", c.title, c.detail));
        if c.status != Verdict::Ok
            && let Some(fix) = &c.fix
        {
            text.push_str(&format!("  {:<32}fix: {fix}\n", ""));
        }
    }
    let count = |v: Verdict| checks.iter().filter(|c| c.status == v).count();
    text.push_str(&format!(
        "\n{} failed, {} to look at, {} fine, in {millis} ms.\n",
        count(Verdict::Fail),
        count(Verdict::Warn),
        count(Verdict::Ok)
    ));
    out.result(
        json!({
            "ok": !failed,
            "version": env!("CARGO_PKG_VERSION"),
            "org": status.map(|s| s.org.clone()),
            "checks": checks,
            "ca_files": crate::http::trusted_files(),
            "proxy": proxy,
            "took_ms": millis,
        }),
        &text,
    );
    Ok(if failed {
        Finished::Unmet
    } else {
        Finished::Done
    })
}
