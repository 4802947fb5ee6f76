//! The read side (DESIGN.md): the org's usage and models endpoints (PROTOCOL.md §3-4) and the
//! model catalog. `ai-setup usage`, `ai-setup models` and the dashboard all go through here.
//!
//! The org and its endpoints come from local state and the discovery document cached at the
//! last login or sync, so nothing here fetches discovery: the only requests are to the
//! endpoints themselves, with the org token.

pub mod catalog;
pub mod usage;

use url::Url;

use crate::discovery;
use crate::engine::org::Org;
use crate::error::{Error, ErrorKind, Result};
use crate::http::Http;
use crate::paths::Paths;
use crate::secrets::Secret;

/// The most a models endpoint may send: a whole models.dev catalog is about 2 MB.
const MAX_CATALOG_BYTES: usize = 16 * 1024 * 1024;

/// Which endpoint of `ai_setup.endpoints`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Endpoint {
    Usage,
    Models,
}

impl Endpoint {
    fn key(self) -> &'static str {
        match self {
            Endpoint::Usage => "usage",
            Endpoint::Models => "models",
        }
    }
}

/// The org's read-side endpoints.
impl Org {
    /// The endpoint's URL (relative ones resolved against the org), or `None` when the org
    /// publishes none.
    pub fn endpoint(&self, which: Endpoint) -> Result<Option<Url>> {
        let endpoints = self
            .document
            .ai_setup
            .as_ref()
            .and_then(|e| e.endpoints.as_ref());
        let given = match which {
            Endpoint::Usage => endpoints.and_then(|e| e.usage.as_deref()),
            Endpoint::Models => endpoints.and_then(|e| e.models.as_deref()),
        };
        given
            .map(|text| {
                let base = Url::parse(&format!("{}/", self.key)).map_err(|e| {
                    Error::failure(format!("the org URL {} is not valid: {e}", self.key))
                })?;
                base.join(text).map_err(|e| {
                    Error::network(format!(
                        "ai_setup.endpoints.{} of {} is not a URL: {e}",
                        which.key(),
                        self.key
                    ))
                })
            })
            .transpose()
    }

    /// The endpoint's URL, or an error that says the org has none.
    pub fn require(&self, which: Endpoint) -> Result<Url> {
        self.endpoint(which)?.ok_or_else(|| {
            Error::new(
                ErrorKind::Failure,
                format!("{} publishes no {} endpoint", self.name, which.key()),
            )
            .hint(format!(
                "the org's platform team can add `ai_setup.endpoints.{}` to its discovery \
                 document (PROTOCOL.md §{})",
                which.key(),
                if which == Endpoint::Usage { 3 } else { 4 }
            ))
        })
    }
}

/// The models `org` offers: its `config`'s, with its models endpoint's when it has one. When
/// the endpoint cannot be reached, the config's alone, and the error to show as a warning.
pub fn org_models(
    org: &Org,
    paths: &Paths,
    snapshot: &catalog::Catalog,
) -> Result<(catalog::OrgModels, Option<Error>)> {
    let config = org.config(paths)?;
    let mut problem = None;
    let endpoint = match org.endpoint(Endpoint::Models)? {
        Some(url) => {
            let fetched = crate::auth::current_token(&org.key, paths)
                .and_then(|token| crate::runtime()?.block_on(fetch_models(&url, &token)));
            fetched.map_err(|e| problem = Some(e)).ok()
        }
        None => None,
    };
    Ok((
        catalog::offered(&config, endpoint.as_ref(), snapshot, &org.clients),
        problem,
    ))
}

/// GETs an org endpoint with the token; an answer other than 200 is an error that says what
/// to do.
async fn get(http: &Http, url: &Url, token: &Secret, query: &[(&str, String)]) -> Result<Vec<u8>> {
    let mut url = url.clone();
    if !query.is_empty() {
        url.query_pairs_mut().extend_pairs(query);
    }
    let response = http
        .get(
            &url,
            Some(token.expose()),
            &[("accept", "application/json".into())],
        )
        .await?;
    let origin = url.origin().ascii_serialization();
    match response.status {
        200 => Ok(response.body),
        401 | 403 => Err(Error::auth(format!(
            "{origin} refused the token ({}){}",
            response.status,
            discovery::error_message(&response.body)
        ))
        .hint("run `ai-setup login` to sign in again")),
        status => Err(Error::network(format!(
            "{}{} answered {status}{}",
            origin,
            url.path(),
            discovery::error_message(&response.body)
        ))
        .transient()),
    }
}

/// The user's usage for `range`. A value of the wrong type is named by its key path.
pub async fn fetch_usage(url: &Url, token: &Secret, range: usage::Range) -> Result<usage::Report> {
    let body = get(&Http::new(), url, token, &range.query()).await?;
    let de = &mut serde_json::Deserializer::from_slice(&body);
    serde_path_to_error::deserialize(de).map_err(|e| {
        Error::network(format!(
            "{url} sent a usage report ai-setup cannot read: at `{}`: {}",
            e.path(),
            e.inner()
        ))
    })
}

/// The org's models endpoint, as a catalog.
pub async fn fetch_models(url: &Url, token: &Secret) -> Result<catalog::Catalog> {
    let http = Http::new().max_body(MAX_CATALOG_BYTES);
    let body = get(&http, url, token, &[]).await?;
    catalog::Catalog::from_api_json(&body, url.as_str())
}
