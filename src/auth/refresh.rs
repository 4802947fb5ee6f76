//! Renewing the access token before it expires, so that nobody is stopped mid-task by an
//! expired token (the most reported failure of OpenCode's well-known login): through the org's
//! OpenID provider, or by re-running the org's login command where the user allowed that.
//!
//! When the token expires within [`MARGIN`] and the org's OpenID provider gave a refresh token,
//! the first ai-setup to notice takes a per-org lock, reads the credential again (another
//! process may have refreshed while it waited), refreshes once, stores the new token and the
//! rotated refresh token, and updates OpenCode's entry. Twenty helpers started at once on an
//! expiring token cause one refresh; the other nineteen read its result.

use super::{jwt, oidc};
use crate::apply::Prune;
use crate::apply::lock::ApplyLock;
use crate::apply::transaction::{CredentialChange, Transaction};
use crate::error::{Error, Result};
use crate::http::Http;
use crate::paths::Paths;
use crate::secrets::{Credential, Store, StoreKind};
use crate::state::OrgState;

/// Refresh this long before expiry (seconds), or a quarter of the token's lifetime when that
/// is shorter: a freshly refreshed short-lived token must not count as expiring already.
pub const MARGIN: i64 = 300;

fn expires_soon(credential: &Credential) -> bool {
    let Some(claims) = jwt::claims(credential.token.expose()) else {
        return false;
    };
    let Some(exp) = claims.exp else {
        return false;
    };
    let margin = claims
        .iat
        .map(|iat| ((exp - iat) / 4).clamp(0, MARGIN))
        .unwrap_or(MARGIN);
    exp <= crate::now_unix() + margin
}

/// Whether this credential can be renewed here: by the org's OpenID provider (a refresh token or
/// a service account's secret), or by re-running the accepted login command when the user
/// allowed that (`login --unattended`).
pub fn renewable(
    org_state: &OrgState,
    credential: &Credential,
    command: Option<&[String]>,
) -> bool {
    let by_provider = org_state.oidc.is_some()
        && (credential.refresh_token.is_some() || credential.client_secret.is_some());
    let by_command = org_state.rerun_command && command.is_some();
    (by_provider || by_command) && expires_soon(credential)
}

/// The credential, renewed first if it expires soon and can be renewed. Builds an async runtime
/// only when a renewal is due, so the common case stays on the fast path. `command` is the
/// login command the user accepted for the org.
pub fn ensure_fresh(
    org: &str,
    org_state: &OrgState,
    store: &Store,
    credential: Credential,
    command: Option<&[String]>,
    paths: &Paths,
) -> Result<Credential> {
    if !renewable(org_state, &credential, command) {
        return Ok(credential);
    }
    crate::runtime()?.block_on(ensure_fresh_async(
        org, org_state, store, credential, command, paths,
    ))
}

/// [`ensure_fresh`] for callers already on a runtime (`sync`).
pub async fn ensure_fresh_async(
    org: &str,
    org_state: &OrgState,
    store: &Store<'_>,
    credential: Credential,
    command: Option<&[String]>,
    paths: &Paths,
) -> Result<Credential> {
    if !renewable(org_state, &credential, command) {
        return Ok(credential);
    }
    let name = crate::paths::name_for(org, 8);
    let _lock = ApplyLock::named(paths, &format!("refresh-{name}"), &mut |_| {})?;
    let current = store.get(org)?.unwrap_or_else(|| credential.clone());
    // Another process renewed it while this one waited for the lock: use its result.
    if current.token != credential.token || !expires_soon(&current) {
        return Ok(current);
    }
    let renewed = match &org_state.oidc {
        Some(session) => by_provider(org, session, &current).await,
        // No terminal: a command that wants a person fails rather than waits.
        None => super::run_command(command.expect("renewable checked it"), false).map(|token| {
            Credential {
                token,
                refresh_token: None,
                client_secret: None,
            }
        }),
    };
    let fresh = match renewed {
        Ok(fresh) => fresh,
        // A passing network problem while the token is still valid: use it, renew next time.
        Err(e) if e.kind == crate::error::ErrorKind::Network && !expired(&current) => {
            eprintln!(
                "warning: could not renew the token for {org}: {}",
                e.message
            );
            return Ok(current);
        }
        Err(e) => return Err(e),
    };
    tracing::info!(org, "the token was renewed");
    store_renewed(org, org_state, store.kind, &fresh, paths)?;
    Ok(fresh)
}

/// Stores a renewed credential, and the token in every client entry that holds it, in one
/// transaction.
fn store_renewed(
    org: &str,
    org_state: &OrgState,
    kind: StoreKind,
    fresh: &Credential,
    paths: &Paths,
) -> Result<()> {
    let mut txn = Transaction::begin(paths, &mut |_| {})?;
    for client in crate::clients::ALL {
        for desired in client.credential_entries(
            org,
            org_state.auth_env.as_deref(),
            fresh.token.expose(),
            paths,
        ) {
            if txn
                .ledger()?
                .managed(&desired.path, org, desired.client)
                .is_empty()
            {
                continue;
            }
            let change = txn.plan(&desired, org, false, Prune::Credentials)?;
            txn.stage(org, change);
        }
    }
    txn.set_credential(CredentialChange {
        org: org.to_string(),
        current: Some(kind),
        new: Some((fresh.clone(), kind.into())),
    });
    txn.commit().map(|_| ())
}

/// New tokens from the org's OpenID provider: with the refresh token when there is one, else a
/// service account asks again with its secret.
async fn by_provider(
    org: &str,
    session: &crate::state::OidcSession,
    current: &Credential,
) -> Result<Credential> {
    let http = Http::new();
    let tokens = match (&current.refresh_token, &current.client_secret) {
        (Some(refresh_token), _) => {
            oidc::refresh(
                &http,
                &session.token_endpoint,
                &session.client_id,
                refresh_token,
                org,
            )
            .await?
        }
        (None, Some(secret)) => {
            oidc::client_credentials(
                &http,
                &session.token_endpoint,
                &session.client_id,
                secret,
                None,
            )
            .await?
        }
        (None, None) => {
            return Err(Error::auth(format!("no way to renew the token for {org}"))
                .hint(format!("run `ai-setup login {org}`")));
        }
    };
    Ok(Credential {
        token: tokens.access,
        // A provider that does not rotate keeps the one it gave.
        refresh_token: tokens.refresh.or(current.refresh_token.clone()),
        client_secret: current.client_secret.clone(),
    })
}

fn expired(credential: &Credential) -> bool {
    jwt::claims(credential.token.expose())
        .and_then(|c| c.exp)
        .is_some_and(|exp| exp <= crate::now_unix())
}
