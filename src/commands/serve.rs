//! `ai-setup serve` and the hidden `ai-setup dev-token`.

use std::io::Write;

use crate::cli::ServeArgs;
use crate::error::{Error, Finished, Result};
use crate::http::{Http, org_key, parse_org_url};
use crate::server::{self, Options, OrgSource};

pub fn run(args: &ServeArgs) -> Result<Finished> {
    let org = args
        .org_dir
        .clone()
        .map(OrgSource::Dir)
        .unwrap_or(OrgSource::Demo);
    let (listener, addr) = server::bind(&args.listen, &org)?;
    // The first line is the contract tests and scripts read the address from.
    println!(
        "ai-setup serve: listening on http://{addr} ({})",
        match &org {
            OrgSource::Demo | OrgSource::DemoOidc => "the built-in demo org".to_string(),
            OrgSource::Dir(dir) => dir.display().to_string(),
        }
    );
    let _ = std::io::stdout().flush();
    let options = Options {
        org,
        public_url: args.public_url.clone(),
        token_ttl: args.token_ttl,
        clock_offset: args.clock_offset,
        record: args.record.clone(),
    };
    crate::runtime()?.block_on(async move {
        tokio::select! {
            result = server::serve(listener, options) => result.map(|()| Finished::Done),
            _ = tokio::signal::ctrl_c() => Ok(Finished::Done),
        }
    })
}

/// Fetches a development token from an `ai-setup serve` endpoint and prints it.
pub fn dev_token(url: &str, user: Option<&str>) -> Result<Finished> {
    let base = parse_org_url(url)?;
    let mut token_url = url::Url::parse(&format!("{}/dev/token", org_key(&base)))
        .map_err(|e| Error::usage(format!("bad URL {url}: {e}")))?;
    if let Some(user) = user {
        token_url.query_pairs_mut().append_pair("user", user);
    }
    let response =
        crate::runtime()?.block_on(async { Http::new().get(&token_url, None, &[]).await })?;
    if response.status != 200 {
        return Err(Error::auth(format!(
            "{token_url} answered HTTP {}{}",
            response.status,
            crate::discovery::error_message(&response.body)
        )));
    }
    let text = String::from_utf8_lossy(&response.body);
    println!("{}", text.trim());
    Ok(Finished::Done)
}
