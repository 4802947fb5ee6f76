//! `ai-setup models`: the models the org offers (its `config` providers and its models
//! endpoint), detailed from the catalog snapshot, the default marked, and which configured
//! clients can use each. `--all` browses the whole snapshot, logged in or not.

use serde_json::{Value, json};

use crate::api;
use crate::api::catalog::{self, Catalog, Offered};
use crate::cli::ModelsArgs;
use crate::engine::org::Org;
use crate::error::{Error, Finished, Result};
use crate::output::{Output, compact, price};
use crate::paths::Paths;

pub fn run(args: &ModelsArgs, paths: &Paths, out: &mut Output) -> Result<Finished> {
    let snapshot = Catalog::snapshot()?;
    let org = match Org::open(paths, args.org.as_deref()) {
        Ok(org) => Some(org),
        Err(_) if args.all && args.org.is_none() => None,
        Err(err) => {
            return Err(err.hint("`ai-setup models --all` lists the whole catalog without an org"));
        }
    };
    let org_models = match &org {
        Some(org) => {
            let (models, problem) = api::org_models(org, paths, &snapshot)?;
            if let Some(problem) = problem {
                out.warn(&format!(
                    "the org's models endpoint could not be read ({}); listing the models its \
                     configuration names",
                    problem.message
                ));
            }
            Some(models)
        }
        None => None,
    };
    let listed = match (&org_models, args.all) {
        (Some(org_models), false) => org_models.models.clone(),
        (org_models, _) => catalog::whole(snapshot, org_models.as_ref()),
    };
    let needle = args.search.as_deref().unwrap_or_default().to_lowercase();
    let rows: Vec<&Offered> = listed
        .iter()
        .filter(|o| {
            args.provider
                .as_deref()
                .is_none_or(|p| o.model.provider == p)
        })
        .filter(|o| o.model.matches(&needle))
        .collect();
    if rows.is_empty() && args.search.is_none() && args.provider.is_none() && !args.all {
        out.warn("the org's configuration names no models");
    }
    let source = match (&org_models, args.all) {
        (_, true) => "catalog",
        (Some(m), false) => match m.source {
            catalog::Source::Endpoint => "endpoint",
            catalog::Source::Config => "config",
        },
        (None, false) => return Err(Error::failure("no org to list the models of")),
    };
    let json = json!({
        "org": org.as_ref().map(|o| o.key.clone()),
        "org_name": org.as_ref().map(|o| o.name.clone()),
        "source": source,
        "default": org_models.as_ref().and_then(|m| m.default.clone()),
        "small_model": org_models.as_ref().and_then(|m| m.small.clone()),
        "count": rows.len(),
        "models": rows.iter().map(|o| row_json(o)).collect::<Vec<_>>(),
    });
    out.result(json, &human(org.as_ref(), source, &rows));
    Ok(Finished::Done)
}

/// One model in `--json` (README, "models --json").
fn row_json(o: &Offered) -> Value {
    let m = &o.model;
    let info = &m.info;
    json!({
        "id": m.key(),
        "provider": m.provider,
        "provider_name": m.provider_name,
        "model": m.id,
        "name": m.name(),
        "family": info.family,
        "default": o.default,
        "small": o.small,
        "offered": o.offered,
        "in_catalog": o.in_catalog,
        "context": m.context(),
        "output": m.output(),
        "cost": info.cost.as_ref().map(|c| json!({
            "input": c.input, "output": c.output,
            "cache_read": c.cache_read, "cache_write": c.cache_write,
        })),
        "tool_call": info.tool_call,
        "reasoning": info.reasoning,
        "attachment": info.attachment,
        "modalities": info.modalities,
        "release_date": info.release_date,
        "clients": o.clients,
    })
}

fn yes(flag: Option<bool>) -> &'static str {
    match flag {
        Some(true) => "yes",
        Some(false) => "no",
        None => "-",
    }
}

fn human(org: Option<&Org>, source: &str, rows: &[&Offered]) -> String {
    let mut text = match (org, source) {
        (Some(org), "catalog") => format!(
            "The catalog: {} models (* default, + offered by {})\n",
            rows.len(),
            org.name
        ),
        (None, _) => format!("The catalog: {} models\n", rows.len()),
        (Some(org), source) => format!(
            "Models offered by {} ({}; * is the default), from its {}\n",
            org.name,
            rows.len(),
            if source == "endpoint" {
                "models endpoint and configuration"
            } else {
                "configuration"
            }
        ),
    };
    text.push_str(&format!(
        "  {:<44}{:>8}{:>8}{:>8}{:>8}  {:<6}{:<7}{:<11}{}\n",
        "MODEL", "CONTEXT", "OUTPUT", "IN $/M", "OUT $/M", "TOOLS", "REASON", "RELEASED", "CLIENTS"
    ));
    for o in rows {
        let m = &o.model;
        let mark = match (o.default, o.offered && source == "catalog") {
            (true, _) => '*',
            (false, true) => '+',
            _ => ' ',
        };
        text.push_str(&format!(
            "{mark} {:<44}{:>8}{:>8}{:>8}{:>8}  {:<6}{:<7}{:<11}{}\n",
            m.key(),
            m.context().map(compact).unwrap_or_else(|| "-".into()),
            m.output().map(compact).unwrap_or_else(|| "-".into()),
            price(m.input_price()),
            price(m.output_price()),
            yes(m.info.tool_call),
            yes(m.info.reasoning),
            m.info.release_date.as_deref().unwrap_or("-"),
            o.clients.join(", "),
        ));
    }
    text
}
