//! `login` and `sync`: the whole pipeline, discover → authenticate → translate → plan → apply.
//! They differ only in where the token comes from: `login` obtains a new one (supplied, or the
//! org's command), `sync` uses the stored one (or a newly supplied one). The caller gets what
//! was done as data ([`Synced`]) and reports it as it likes: the command line prints it, the
//! dashboard shows one sentence.

use sha2::{Digest, Sha256};
use url::Url;

use super::org::Org;
use super::plan::{self, ClientReport, Plan, Session};
use crate::apply::Prune;
use crate::apply::ledger::Ledger;
use crate::apply::transaction::{CredentialChange, Transaction, current_ledger};
use crate::auth::acquire::{Acquired, TokenFlags, TokenSource, acquire};
use crate::auth::{self, Supplied, jwt};
use crate::clients;
use crate::discovery::instructions::Instruction;
use crate::discovery::{self, Discovered, Freshness};
use crate::error::{Error, Finished, Result};
use crate::http::{Http, org_key, parse_org_url};
use crate::layers::{self, approval::Pending};
use crate::output::{Output, relative, timestamp};
use crate::paths::Paths;
use crate::secrets::{Credential, Secret, Store, StoreChoice, StoreKind};
use crate::state::{LoginMethod, OrgState, Pinned, State};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Login,
    Sync,
}

/// What a `login` or `sync` is asked to do: the command line's flags, or what the dashboard
/// and the demo decide.
#[derive(Debug, Clone)]
pub struct Request<'a> {
    pub mode: Mode,
    /// The org's address; `None` for the remembered org.
    pub url: Option<&'a str>,
    /// A token handed over (`--token-stdin`, `--token-env`).
    pub supplied: Option<Supplied>,
    /// A service account of the org's OpenID provider, with the variable that holds its secret.
    pub client_id: Option<&'a str>,
    pub client_secret_env: Option<&'a str>,
    /// A CI identity token to exchange, from this variable or from GitHub Actions.
    pub id_token_env: Option<&'a str>,
    pub github_actions: bool,
    /// The device flow instead of a browser.
    pub no_browser: bool,
    /// The org's login command is accepted without asking, and so are its local servers'
    /// programs when `approve` is set.
    pub yes: bool,
    /// New or changed local server programs may be approved (`login`, `approve`); a plain
    /// `sync` approves nothing and reports them as waiting.
    pub approve: bool,
    pub dry_run: bool,
    /// Drifted entries are replaced with the org's.
    pub force: bool,
    /// Which clients (`LIST` or `all`); `None` for the installed ones the org enables.
    pub clients: Option<&'a str>,
    pub credential_store: StoreChoice,
    /// The login command may be rerun later without a person (`--unattended`).
    pub unattended: bool,
    /// `--set KEY=VALUE` layers.
    pub sets: &'a [String],
}

impl<'a> Request<'a> {
    /// A run that asks nothing and opens no browser (the dashboard, the demo).
    pub fn headless(mode: Mode, url: Option<&'a str>, clients: Option<&'a str>) -> Self {
        Request {
            mode,
            url,
            supplied: None,
            client_id: None,
            client_secret_env: None,
            id_token_env: None,
            github_actions: false,
            no_browser: true,
            yes: true,
            approve: mode == Mode::Login,
            dry_run: false,
            force: false,
            clients,
            credential_store: StoreChoice::Auto,
            unattended: false,
            sets: &[],
        }
    }
}

/// What a `login` or `sync` did.
pub struct Synced {
    pub mode: Mode,
    pub org: String,
    pub discovered: Discovered,
    pub claims: Option<jwt::Claims>,
    pub method: LoginMethod,
    pub dry_run: bool,
    /// Each client's files and what became of them.
    pub reports: Vec<ClientReport>,
    /// Where the token is, when there is one.
    pub store: Option<StoreKind>,
    /// Clients not installed or not enabled, left alone.
    pub skipped: Vec<&'static str>,
}

impl Synced {
    pub fn finished(&self) -> Finished {
        Finished::partial_if(self.reports.iter().any(ClientReport::partial))
    }
}

/// A local secret this run made: removed again when the run fails before its commit, so
/// that a failed login leaves nothing behind. (A run that read it meanwhile wrote it into
/// files that the next sync, finding a new one, rewrites.)
struct NewSecret<'a> {
    paths: &'a Paths,
    kept: bool,
}

impl Drop for NewSecret<'_> {
    fn drop(&mut self) {
        if !self.kept {
            let _ = crate::secrets::local_secret::rotate(self.paths);
        }
    }
}

/// Runs `login` or `sync` as `request` says. `interactive` is whether a person can be asked.
pub async fn run(
    request: &Request<'_>,
    paths: &Paths,
    out: &mut Output,
    interactive: bool,
) -> Result<Synced> {
    let mode = request.mode;
    // A snapshot for decisions; every change to the state is made at commit, on a fresh copy
    // read under the lock.
    let state = State::load(paths)?;
    let org_url = target_org(mode, request.url, &state)?;
    let org = org_key(&org_url);
    let previous = state.orgs.get(&org).cloned();
    if mode == Mode::Sync && previous.is_none() {
        return Err(Error::auth(format!("not logged in to {org}"))
            .hint(format!("run `ai-setup login {org}`")));
    }

    // A token the user hands over, and the one held from before (sent with the discovery
    // request, for endpoints behind single sign-on).
    let supplied = request
        .supplied
        .clone()
        .map(|source| auth::read_supplied(&source).map(|t| (t, source)))
        .transpose()?;
    let stored = match &previous {
        Some(p) => {
            let store = Store::open(p.credential_store, paths);
            match store.get(&org).ok().flatten() {
                // A sync renews an expiring token first, as `ai-setup token` does.
                Some(c) if mode == Mode::Sync => Some(
                    auth::refresh::ensure_fresh_async(
                        &org,
                        p,
                        &store,
                        c,
                        auth::org_command(&state, &org).as_deref(),
                        paths,
                    )
                    .await?
                    .token,
                ),
                Some(c) => Some(c.token),
                None => None,
            }
        }
        None => None,
    };
    for token in supplied.iter().map(|(t, _)| t).chain(&stored) {
        out.secret(token);
    }

    out.progress(&format!("Fetching {org}{}", discovery::WELL_KNOWN));
    let held = supplied.as_ref().map(|(t, _)| t).or(stored.as_ref());
    // One client for the document and its instructions: one connection to the org, and one
    // TLS set-up (the system's roots are read once).
    let http = Http::new();
    let discovered = discovery::fetch(&http, paths, &org_url, held.map(Secret::expose)).await?;
    if let Freshness::OfflineCache { fetched_at, reason } = &discovered.freshness {
        out.warn(&format!(
            "{reason}; using the copy of the org's configuration fetched {} ({})",
            relative(*fetched_at, crate::now_unix()),
            timestamp(*fetched_at)
        ));
    }
    let document = &discovered.document;
    tracing::info!(org, freshness = ?discovered.freshness, "discovery document");
    let instructions =
        discovery::instructions::fetch(&http, paths, &org_url, held.map(Secret::expose), document)
            .await;
    for warning in &instructions.warnings {
        out.warn(warning);
    }
    // The whole document is checked before anything runs, opens or is written: nobody signs
    // in to an org whose configuration would then be refused. A sync with the stored token
    // runs and opens nothing, and checks it before translating it (a run from the inputs of
    // the last one, the same document's bytes among them, need not check it again).
    document.check_min_version(&org)?;
    let with_stored_token = mode == Mode::Sync && supplied.is_none();
    if !with_stored_token {
        document.check_config(&org)?;
    }
    // A `--clients` given once stays in force until another is given (see
    // `OrgState::clients_requested`).
    let clients_requested = match request.clients {
        Some(clients::INSTALLED) => None,
        Some(list) => Some(list.to_string()),
        None => previous.as_ref().and_then(|p| p.clients_requested.clone()),
    };
    let selected = clients::select(clients_requested.as_deref(), document, paths)?;

    let replaces_token = mode == Mode::Login || supplied.is_some();
    let sync_token = match (mode, &supplied) {
        (Mode::Sync, None) => {
            let p = previous.as_ref().expect("checked above");
            Some((
                stored.ok_or_else(|| {
                    Error::auth(format!("no token for {org} in the {}", p.credential_store))
                        .hint(format!("run `ai-setup login {org}`"))
                })?,
                p.login_method,
            ))
        }
        _ => None,
    };
    let source = TokenSource::resolve(
        TokenFlags {
            supplied,
            client_id: request.client_id,
            client_secret_env: request.client_secret_env,
            id_token_env: request.id_token_env,
            github_actions: request.github_actions,
            no_browser: request.no_browser,
        },
        sync_token,
        document,
        &org,
        interactive,
    )?;
    // The org's command runs only once accepted (remembered, --yes, or asked now).
    let origin = org_url.origin().ascii_serialization();
    let accepted = match &source {
        TokenSource::OrgCommand(argv) => {
            auth::ensure_consent(
                state.accepted_command(&origin),
                &origin,
                argv,
                request.yes,
                interactive,
            )?;
            Some(argv.to_vec())
        }
        _ => None,
    };
    // Local servers' programs are approved (or not) before anything runs, as the login
    // command is.
    let mut opened = Org::with(&state, org_url.clone(), discovered.document.clone());
    opened.instructions = std::sync::Arc::new(instructions.texts.clone());
    let approved_now = if request.approve {
        if with_stored_token {
            document.check_config(&org)?;
        }
        approve_servers(&opened, request, paths, out, interactive)?
    } else {
        Vec::new()
    };
    opened.approved.extend(approved_now.iter().cloned());

    let acquired = if request.dry_run
        && !matches!(source, TokenSource::Supplied(..) | TokenSource::Stored(..))
    {
        out.progress(&source.describe());
        Acquired {
            token: None,
            method: source.method(),
            refresh_token: None,
            client_secret: None,
            oidc: None,
        }
    } else {
        let keep_session = matches!(source, TokenSource::Stored(..));
        let mut acquired = acquire(source, &org, out, interactive).await?;
        if keep_session {
            acquired.oidc = previous.as_ref().and_then(|p| p.oidc.clone());
        }
        acquired
    };
    let claims = acquired
        .token
        .as_ref()
        .and_then(|t| jwt::claims(t.expose()));
    check_not_expired(claims.as_ref(), &org, mode)?;

    // Translate, plan, apply.
    let session = Session {
        paths,
        org: &org,
        force: request.force,
        dry_run: request.dry_run,
        prune: Prune::Unwanted,
    };
    let skipped: Vec<&'static str> = clients::ALL
        .iter()
        .filter(|c| !selected.iter().any(|s| s.id() == c.id()))
        .map(|c| c.id())
        .collect();
    let mut plan = Plan::default();
    // When the org was configured here before and the ledger that said which entries are
    // ai-setup's is gone, the ones that hold exactly the org's values are taken back, so that
    // they are neither left behind nor mistaken for the user's.
    let configured_before = previous.as_ref().is_some_and(|p| !p.clients.is_empty());

    if request.dry_run {
        document.check_config(&org)?;
        let local_secret = crate::secrets::local_secret::read(paths);
        let contexts = opened.contexts(
            &selected,
            acquired.token.as_ref(),
            local_secret.as_ref(),
            request.sets,
            paths,
            out,
        )?;
        let jobs: Vec<_> = selected.iter().copied().zip(&contexts).collect();
        let mut ledger = current_ledger(paths)?;
        let wanted = plan::translate(&jobs, paths);
        if configured_before && !Ledger::path(paths).exists() {
            plan::adopt(&mut ledger, &wanted, &org, paths, out);
        }
        plan.clients(&wanted, &ledger, &session, out);
        // A dry-run login still remembers an accepted command: that is what --yes said.
        if let Some(argv) = accepted.filter(|_| mode == Mode::Login) {
            let mut txn = Transaction::begin(paths, &mut |m| out.progress(m))?;
            txn.update_state(move |state, _| state.accept_command(&origin, &argv));
            txn.commit()?;
        }
        return Ok(Synced {
            mode,
            org,
            discovered,
            claims,
            method: acquired.method,
            dry_run: true,
            reports: plan.reports,
            store: previous.as_ref().map(|p| p.credential_store),
            skipped,
        });
    }

    let mut txn = Transaction::begin(paths, &mut |m| out.progress(m))?;
    // Made here, under the transaction's lock, when there is none: a file of its own (0600)
    // that the proxy reads at every request. A run that fails takes a new one away again.
    let (local_secret, mut new_secret) = match crate::secrets::local_secret::read(paths) {
        Some(secret) => (secret, None),
        None => (
            crate::secrets::local_secret::create(paths)?,
            Some(NewSecret { paths, kept: false }),
        ),
    };
    let inputs = inputs(
        request,
        paths,
        &org,
        &with_instructions(&discovered.digest, &opened.instructions),
        acquired.token.as_ref(),
        &local_secret,
        &opened.approved,
        &selected,
    )?;
    let last = txn.last_run(&org).filter(|r| r.inputs == inputs);
    if let Some(last) = last.filter(|last| plan.unchanged(last, &selected, &session)) {
        tracing::info!(
            org,
            "the inputs and files are as the last run left them: not planned again"
        );
        for warning in &last.warnings {
            out.warn(warning);
        }
    } else {
        if with_stored_token {
            document.check_config(&org)?;
        }
        let warned = out.warnings().len();
        let contexts = opened.contexts(
            &selected,
            acquired.token.as_ref(),
            Some(&local_secret),
            request.sets,
            paths,
            out,
        )?;
        let warnings = out.warnings()[warned..].to_vec();
        let jobs: Vec<_> = selected.iter().copied().zip(&contexts).collect();
        let wanted = plan::translate(&jobs, paths);
        if configured_before && txn.ledger_missing() {
            plan::adopt(txn.ledger_mut()?, &wanted, &org, paths, out);
        }
        plan.clients(&wanted, txn.ledger()?, &session, out);
        if let Some(run) = plan.run(&wanted, inputs, warnings) {
            txn.record_run(&org, run);
        }
    }
    let token = acquired.token.clone().expect("a token was acquired");
    if replaces_token {
        txn.set_credential(CredentialChange {
            org: org.clone(),
            current: previous.as_ref().map(|p| p.credential_store),
            new: Some((
                Credential {
                    token,
                    refresh_token: acquired.refresh_token.clone(),
                    client_secret: acquired.client_secret.clone(),
                },
                request.credential_store,
            )),
        });
    }
    let org_state = OrgState {
        credential_store: previous
            .as_ref()
            .map_or(StoreKind::File, |p| p.credential_store),
        name: document.org_name().map(str::to_string),
        auth_env: document.auth_env().map(str::to_string),
        login_method: acquired.method,
        logged_in_at: match (mode, &previous) {
            (Mode::Sync, Some(p)) => p.logged_in_at,
            _ => crate::now_unix(),
        },
        last_sync: match (mode, &previous) {
            (Mode::Sync, Some(p)) => p.last_sync,
            _ => Some(crate::now_unix()),
        },
        oidc: acquired.oidc.clone(),
        rerun_command: match (mode, &previous) {
            (Mode::Sync, Some(p)) => p.rerun_command,
            _ => request.unattended && acquired.method == LoginMethod::Command,
        },
        clients: plan
            .reports
            .iter()
            .filter(|r| !r.failed())
            .map(|r| r.id.to_string())
            .collect(),
        clients_requested,
    };
    {
        let org = org.clone();
        let org_key = org.clone();
        txn.update_state(move |state, stored_in| {
            let mut org_state = org_state;
            if let Some(kind) = stored_in {
                org_state.credential_store = kind;
            }
            state.orgs.insert(org.clone(), org_state);
            if mode == Mode::Login || state.default_org.is_none() {
                state.default_org = Some(org);
            }
            if let Some(argv) = accepted {
                state.accept_command(&origin, &argv);
            }
            for (name, pinned) in approved_now {
                state.approve(&org_key, &name, pinned);
            }
        });
    }
    let (reports, committed) = plan.commit(txn, &org)?;
    if let Some(new_secret) = new_secret.as_mut() {
        new_secret.kept = true;
    }
    crate::state::mark_synced(paths, &org);
    for w in &committed.warnings {
        out.warn(w);
    }
    discovered.remember();
    instructions.remember();
    Ok(Synced {
        mode,
        org,
        discovered,
        claims,
        method: acquired.method,
        dry_run: false,
        reports,
        store: committed
            .store
            .or(previous.as_ref().map(|p| p.credential_store)),
        skipped,
    })
}

/// Shows the local servers whose program is new or changed and asks the user to approve them
/// (or takes `--yes`); what was approved, to pin. Without a terminal or `--yes`, nothing is
/// approved and the report says what waits.
fn approve_servers(
    opened: &Org,
    request: &Request,
    paths: &Paths,
    out: &mut Output,
    interactive: bool,
) -> Result<Vec<(String, Pinned)>> {
    let pending = opened.pending_approval(&opened.layers(paths, None, request.sets)?);
    if pending.is_empty() {
        return Ok(Vec::new());
    }
    let diff: String = pending.iter().map(Pending::diff).collect();
    let heading = format!(
        "{} asks to run {} on your machine (local MCP servers):\n\n{diff}",
        opened.name,
        if pending.len() == 1 {
            "this program"
        } else {
            "these programs"
        }
    );
    // A dry run plans with what --yes would approve, and pins nothing.
    let approved = if request.dry_run {
        out.progress(&format!(
            "Would {}: {heading}",
            if request.yes {
                "approve with --yes"
            } else {
                "ask"
            }
        ));
        request.yes
    } else if request.yes {
        out.progress(&format!("Approved with --yes: {heading}"));
        true
    } else if interactive {
        crate::output::ask(&format!("{heading}\nApprove? [y/N] "))?
    } else {
        out.warn(&format!(
            "{} local server program(s) wait for your approval and were not installed or \
             changed. {} Run `ai-setup approve` on a terminal, or pass --yes.",
            pending.len(),
            auth::why_no_prompt()
        ));
        false
    };
    Ok(if approved {
        pending.into_iter().map(|p| (p.name, p.wants)).collect()
    } else {
        Vec::new()
    })
}

/// The org URL given, or the remembered one.
fn target_org(mode: Mode, url: Option<&str>, state: &State) -> Result<Url> {
    if let Some(given) = url {
        return parse_org_url(given);
    }
    let remembered = state.resolve_org(None).map_err(|e| match mode {
        Mode::Login => Error::usage("no org URL given and none remembered")
            .hint("run `ai-setup login https://ai.example.com` with your org's address"),
        Mode::Sync => e,
    })?;
    parse_org_url(&remembered)
}

fn check_not_expired(claims: Option<&jwt::Claims>, org: &str, mode: Mode) -> Result<()> {
    let now = crate::now_unix();
    match claims.and_then(|c| c.exp) {
        Some(exp) if exp <= now => Err(Error::auth(format!(
            "the token for {org} expired {}",
            relative(exp, now)
        ))
        .hint(match mode {
            Mode::Sync => format!("run `ai-setup login {org}`"),
            Mode::Login => {
                "the login produced an expired token: check the machine's clock, then try again"
                    .to_string()
            }
        })),
        _ => Ok(()),
    }
}

/// Everything a sync's plan depends on besides the clients' files and the ledger, as one
/// sha256 (see [`crate::apply::ledger::Run`]): this build and where it runs from (client files
/// name it), where files live, the org's document, the token, the layers, `--force`, the
/// clients chosen and the files they choose by what exists, the approved programs. A value
/// added to what translation reads must be added here.
/// The document's digest and its instructions' texts, as one digest: what the clients'
/// files are made from.
fn with_instructions(digest: &str, instructions: &[Instruction]) -> String {
    if instructions.is_empty() {
        return digest.to_string();
    }
    let mut hasher = Sha256::new();
    hasher.update(digest.as_bytes());
    for instruction in instructions {
        for part in [&instruction.source, &instruction.text] {
            hasher.update((part.len() as u64).to_le_bytes());
            hasher.update(part.as_bytes());
        }
    }
    crate::apply::ledger::hex(&hasher.finalize())
}

#[allow(clippy::too_many_arguments)] // each is one input of the digest, named
fn inputs(
    request: &Request,
    paths: &Paths,
    org: &str,
    document_digest: &str,
    token: Option<&Secret>,
    local_secret: &Secret,
    approved: &std::collections::BTreeMap<String, Pinned>,
    selected: &[&'static dyn clients::Client],
) -> Result<String> {
    let mut hasher = Sha256::new();
    let mut field = |bytes: &[u8]| {
        hasher.update((bytes.len() as u64).to_le_bytes());
        hasher.update(bytes);
    };
    field(env!("CARGO_PKG_VERSION").as_bytes());
    let exe = std::env::current_exe().unwrap_or_default();
    field(exe.as_os_str().as_encoded_bytes());
    // Whether the token helper is installed beside it decides the clients' token hooks.
    field(clients::translate::token_command("").join("\0").as_bytes());
    field(format!("{paths:?}").as_bytes());
    field(org.as_bytes());
    field(document_digest.as_bytes());
    field(token.map_or("", Secret::expose).as_bytes());
    field(local_secret.expose().as_bytes());
    field(&[u8::from(request.force)]);
    field(&serde_json::to_vec(approved).expect("pins serialise"));
    layers::load::digest(paths, &super::org::working_dir()?, request.sets, &mut field);
    for client in selected {
        field(client.id().as_bytes());
        for file in client.chosen_files(paths) {
            field(file.as_os_str().as_encoded_bytes());
        }
    }
    Ok(crate::apply::ledger::hex(&hasher.finalize()))
}
