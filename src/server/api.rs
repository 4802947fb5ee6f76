//! The reference endpoint's read side (PROTOCOL.md §3-4), at the paths the demo org names:
//!
//! - `GET /v1/usage/me?from=YYYY-MM-DD&to=YYYY-MM-DD` (default: the last 30 days): the bearer
//!   token's subject's usage, aggregated on request from `usage.jsonl`. The subject comes from
//!   the verified token only; there is no parameter that names a user, so nobody can read
//!   another's usage. A user's `budget` (`{"limit", "period"}`) comes from `users.json`.
//! - `GET /v1/models`: `models.json` when the org folder has one; otherwise the shipped
//!   catalog restricted to what the org's `config` offers (the same rule the client applies).
//!
//! The built-in demo org has no files to read: it generates 30 days of usage, ending today,
//! for each of its users. The generator is seeded by user and day, so every run of the demo
//! shows the same figures for the same dates.

use std::sync::{Arc, OnceLock};

use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::Value;
use sha2::{Digest, Sha256};
use time::Date;

use super::{OrgSource, Server, authorize, error_response, load_users};
use crate::api::catalog::{self, Catalog};
use crate::api::usage::{self, Range, Record};
use crate::discovery::Document;

#[derive(Debug, Deserialize)]
pub struct UsageQuery {
    from: Option<String>,
    to: Option<String>,
}

fn json_response(body: String) -> Response {
    ([(header::CONTENT_TYPE, "application/json")], body).into_response()
}

fn bad_request(message: &str) -> Response {
    error_response(StatusCode::BAD_REQUEST, message)
}

fn server_error(message: &str) -> Response {
    error_response(StatusCode::INTERNAL_SERVER_ERROR, message)
}

pub async fn usage(
    State(server): State<Arc<Server>>,
    headers: HeaderMap,
    Query(query): Query<UsageQuery>,
) -> Response {
    let claims = match authorize(&server, &headers) {
        Ok(claims) => claims,
        Err(response) => return *response,
    };
    let Some(subject) = claims.get("sub").and_then(Value::as_str) else {
        return error_response(StatusCode::FORBIDDEN, "the token names no subject");
    };
    let today = usage::today();
    let range = match Range::from_args(None, query.from.as_deref(), query.to.as_deref(), today) {
        Ok(range) => range,
        Err(err) => return bad_request(&err.message),
    };
    let records = match server.usage_records(today) {
        Ok(records) => records,
        Err(message) => return server_error(&message),
    };
    let users = load_users(&server.options.org).unwrap_or_default();
    let budget = users
        .iter()
        .find(|u| u.sub == subject)
        .and_then(|u| u.budget.clone())
        .map(|b| (b.limit, b.period));
    let report = usage::aggregate(records.iter(), subject, range, budget, today);
    json_response(serde_json::to_string(&report).unwrap_or_default())
}

pub async fn models(State(server): State<Arc<Server>>, headers: HeaderMap) -> Response {
    if let Err(response) = authorize(&server, &headers) {
        return *response;
    }
    match server.options.org.read("models.json") {
        Ok(Some(text)) => return json_response(text),
        Ok(None) => {}
        Err(err) => return server_error(&err.message),
    }
    let document = match server.options.org.read("discovery.json") {
        Ok(Some(text)) => Document::parse(text.as_bytes(), "discovery.json"),
        Ok(None) => return server_error("the org folder has no discovery.json"),
        Err(err) => return server_error(&err.message),
    };
    let config = match document {
        Ok(doc) => doc.config().cloned().unwrap_or_default(),
        Err(err) => return server_error(&err.message),
    };
    let offered = catalog::offered(&config, None, snapshot(), &[]);
    let restricted = Catalog {
        models: offered.models.into_iter().map(|o| o.model).collect(),
    };
    json_response(restricted.to_api_json().to_string())
}

/// The shipped catalog, parsed once per process.
fn snapshot() -> &'static Catalog {
    static SNAPSHOT: OnceLock<Catalog> = OnceLock::new();
    SNAPSHOT.get_or_init(|| Catalog::snapshot().unwrap_or_default())
}

impl Server {
    /// Every usage record of the org: `usage.jsonl` re-read on each request (so an appended
    /// line shows at once), or the demo org's generated month.
    fn usage_records(&self, today: Date) -> Result<Arc<Vec<Record>>, String> {
        match &self.options.org {
            OrgSource::Demo | OrgSource::DemoOidc => {
                let users = load_users(&self.options.org).map_err(|e| e.message)?;
                let mut cache = self.demo_usage.lock().unwrap_or_else(|e| e.into_inner());
                match cache.as_ref() {
                    Some((day, records)) if *day == today => Ok(records.clone()),
                    _ => {
                        let subjects: Vec<&str> = users.iter().map(|u| u.sub.as_str()).collect();
                        let records = Arc::new(demo_usage(&subjects, today, snapshot()));
                        *cache = Some((today, records.clone()));
                        Ok(records)
                    }
                }
            }
            OrgSource::Dir(_) => {
                let text = self
                    .options
                    .org
                    .read("usage.jsonl")
                    .map_err(|e| e.message)?
                    .unwrap_or_default();
                text.lines()
                    .enumerate()
                    .filter(|(_, line)| !line.trim().is_empty())
                    .map(|(i, line)| {
                        serde_json::from_str(line)
                            .map_err(|e| format!("usage.jsonl line {}: {e}", i + 1))
                    })
                    .collect::<Result<Vec<_>, _>>()
                    .map(Arc::new)
            }
        }
    }
}

/// What a demo user does with a model: its share of their requests and the client they use.
struct Habit {
    model: &'static str,
    client: &'static str,
    weight: u64,
}

const DEMO_HABITS: &[Habit] = &[
    Habit {
        model: "anthropic/claude-sonnet-4-5",
        client: "claude-code",
        weight: 40,
    },
    Habit {
        model: "anthropic/claude-sonnet-4-5",
        client: "opencode",
        weight: 15,
    },
    Habit {
        model: "anthropic/claude-haiku-4-5",
        client: "opencode",
        weight: 12,
    },
    Habit {
        model: "openai/gpt-5-codex",
        client: "codex",
        weight: 12,
    },
    Habit {
        model: "openai/gpt-5-mini",
        client: "cursor",
        weight: 8,
    },
    Habit {
        model: "google/gemini-2.5-pro",
        client: "gemini",
        weight: 6,
    },
    Habit {
        model: "workers-ai/kimi-k2.5",
        client: "opencode",
        weight: 5,
    },
    Habit {
        model: "anthropic/claude-opus-4-1",
        client: "claude-code",
        weight: 2,
    },
];

/// A small deterministic generator (SplitMix64), seeded from text.
struct Dice(u64);

impl Dice {
    fn new(seed: &str) -> Dice {
        let digest = Sha256::digest(seed.as_bytes());
        Dice(u64::from_le_bytes(
            digest[..8].try_into().unwrap_or_default(),
        ))
    }

    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `low..=high`.
    fn between(&mut self, low: u64, high: u64) -> u64 {
        low + self.next() % (high - low + 1)
    }
}

/// Thirty days of requests ending `today` for each user: busy weekdays, quiet weekends, most
/// work on Claude Sonnet, costs from the catalog's prices. The first user works the most.
pub fn demo_usage(users: &[&str], today: Date, catalog: &Catalog) -> Vec<Record> {
    let total_weight: u64 = DEMO_HABITS.iter().map(|h| h.weight).sum();
    let mut records = Vec::new();
    for (rank, user) in users.iter().enumerate() {
        let intensity = [60, 20, 35].get(rank).copied().unwrap_or(15);
        for date in Range::last(30, today).days() {
            let mut dice = Dice::new(&format!("{user} {date}"));
            let weekend = date.weekday().number_days_from_monday() >= 5;
            let requests = if weekend {
                dice.between(0, intensity / 8)
            } else {
                dice.between(intensity / 2, intensity * 3 / 2)
            };
            for _ in 0..requests {
                let mut pick = dice.between(1, total_weight);
                let habit = DEMO_HABITS
                    .iter()
                    .find(|h| {
                        if pick <= h.weight {
                            true
                        } else {
                            pick -= h.weight;
                            false
                        }
                    })
                    .unwrap_or(&DEMO_HABITS[0]);
                let input_tokens = dice.between(2_000, 30_000);
                let cache_read_tokens = dice.between(0, 90_000);
                let output_tokens = dice.between(150, 3_000);
                let (provider, id) = habit.model.split_once('/').unwrap_or(("", habit.model));
                // Models the catalog does not price (the org's own) cost what a small open model does.
                let price = catalog
                    .get(provider, id)
                    .and_then(|m| m.info.cost.clone())
                    .unwrap_or(catalog::Cost {
                        input: Some(0.6),
                        output: Some(2.5),
                        cache_read: Some(0.1),
                        cache_write: None,
                    });
                let per_million = |tokens: u64, price: Option<f64>| {
                    tokens as f64 * price.unwrap_or(0.0) / 1_000_000.0
                };
                let seconds = dice.between(8 * 3600, 19 * 3600);
                records.push(Record {
                    ts: format!(
                        "{}T{:02}:{:02}:{:02}Z",
                        usage::format_date(date),
                        seconds / 3600,
                        seconds / 60 % 60,
                        seconds % 60
                    ),
                    user: user.to_string(),
                    model: habit.model.into(),
                    client: habit.client.into(),
                    input_tokens,
                    output_tokens,
                    cache_read_tokens,
                    cost: per_million(input_tokens, price.input)
                        + per_million(output_tokens, price.output)
                        + per_million(cache_read_tokens, price.cache_read.or(price.input)),
                });
            }
        }
    }
    records
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn the_demo_month_is_deterministic_and_realistic() {
        let catalog = Catalog::snapshot().unwrap();
        let today = date!(2026 - 11 - 22);
        let users = ["dev@demo.example", "ops@demo.example"];
        let records = demo_usage(&users, today, &catalog);
        assert_eq!(records.len(), demo_usage(&users, today, &catalog).len());
        let report = usage::aggregate(
            records.iter(),
            "dev@demo.example",
            Range::last(30, today),
            None,
            today,
        );
        assert_eq!(report.days.len(), 30);
        // Saturday 2026-11-21 is quieter than Friday 2026-11-20.
        let day = |d: &str| {
            report
                .days
                .iter()
                .find(|x| x.date == d)
                .unwrap()
                .counts
                .requests
        };
        assert!(day("2026-11-21") < day("2026-11-20"));
        assert_eq!(report.models[0].model, "anthropic/claude-sonnet-4-5");
        assert!(
            (50.0..400.0).contains(&report.totals.cost),
            "{}",
            report.totals.cost
        );
        let ops = usage::aggregate(
            records.iter(),
            "ops@demo.example",
            Range::last(30, today),
            None,
            today,
        );
        assert!(ops.totals.requests < report.totals.requests);
    }
}
