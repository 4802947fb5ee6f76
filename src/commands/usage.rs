//! `ai-setup usage`: the user's own usage from the org's usage endpoint (PROTOCOL.md §3):
//! totals, budget, a table per model and per client, and a bar per day. `--json` prints the
//! org's report as it came, so scripts read the protocol's shape.

use crate::api::usage::{Range, Report, today};
use crate::api::{self, Endpoint};
use crate::auth;
use crate::cli::UsageArgs;
use crate::engine::org::Org;
use crate::error::{Finished, Result};
use crate::output::{Output, bar, compact, money};
use crate::paths::Paths;

pub fn run(args: &UsageArgs, paths: &Paths, out: &mut Output) -> Result<Finished> {
    let range = Range::from_args(
        Some(args.days),
        args.from.as_deref(),
        args.to.as_deref(),
        today(),
    )?;
    let org = Org::open(paths, args.org.as_deref())?;
    let endpoint = org.require(Endpoint::Usage)?;
    let token = auth::current_token(&org.key, paths)?;
    out.secret(&token);
    let report = crate::runtime()?.block_on(api::fetch_usage(&endpoint, &token, range))?;
    let json = serde_json::to_value(&report).unwrap_or_default();
    out.result(json, &human(&org.name, &report));
    Ok(Finished::Done)
}

/// The report as text, at most 80 columns wide.
pub fn human(org: &str, report: &Report) -> String {
    let cur = report.currency.as_str();
    let t = &report.totals;
    let mut text = format!(
        "Usage of {org}{}, {} to {}\n\n",
        report
            .user
            .as_deref()
            .map(|u| format!(" by {u}"))
            .unwrap_or_default(),
        report.from.as_deref().unwrap_or("?"),
        report.to.as_deref().unwrap_or("?"),
    );
    text.push_str(&format!(
        "  Requests  {:<10}Cost {}\n  Tokens    in {} · out {} · cache read {}\n",
        t.requests,
        money(t.cost, cur),
        compact(t.input_tokens),
        compact(t.output_tokens),
        compact(t.cache_read_tokens),
    ));
    if let Some(budget) = &report.budget {
        text.push_str(&format!(
            "  Budget    {} of {} this {} ({:.0}%) [{:<20}]\n",
            money(budget.spent, cur),
            money(budget.limit, cur),
            budget.period,
            budget.ratio() * 100.0,
            bar(budget.ratio(), 20),
        ));
    }
    if !report.models.is_empty() {
        text.push_str(&format!(
            "\n  {:<32}{:>9}{:>8}{:>8}{:>8}{:>11}\n",
            "MODEL", "REQUESTS", "INPUT", "OUTPUT", "CACHE", "COST"
        ));
        for m in &report.models {
            text.push_str(&format!(
                "  {:<32}{:>9}{:>8}{:>8}{:>8}{:>11}\n",
                truncate(&m.model, 31),
                m.counts.requests,
                compact(m.counts.input_tokens),
                compact(m.counts.output_tokens),
                compact(m.counts.cache_read_tokens),
                money(m.counts.cost, cur),
            ));
        }
    }
    if !report.clients.is_empty() {
        text.push_str(&format!(
            "\n  {:<32}{:>9}{:>35}\n",
            "CLIENT", "REQUESTS", "COST"
        ));
        for c in &report.clients {
            text.push_str(&format!(
                "  {:<32}{:>9}{:>35}\n",
                truncate(&c.client, 31),
                c.counts.requests,
                money(c.counts.cost, cur)
            ));
        }
    }
    if !report.days.is_empty() {
        let most = report
            .days
            .iter()
            .map(|d| d.counts.cost)
            .fold(0.0, f64::max);
        text.push_str(&format!(
            "\n  {:<10}  {:>9}  {:>8}\n",
            "DAY", "COST", "REQUESTS"
        ));
        for day in &report.days {
            let ratio = if most > 0.0 {
                day.counts.cost / most
            } else {
                0.0
            };
            text.push_str(&format!(
                "  {}  {:>9}  {:>8}  {}\n",
                day.date,
                money(day.counts.cost, cur),
                day.counts.requests,
                bar(ratio, 40)
            ));
        }
    }
    text
}

fn truncate(text: &str, width: usize) -> String {
    if text.chars().count() <= width {
        text.to_string()
    } else {
        let mut cut: String = text.chars().take(width - 1).collect();
        cut.push('…');
        cut
    }
}
