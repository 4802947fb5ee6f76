//! Personal usage (PROTOCOL.md §3): the report's shape, the date range it covers, and how the
//! reference endpoint aggregates it from one line per request. The client and the endpoint
//! share these types, so what one writes is what the other reads.
//!
//! Dates are UTC days: a request belongs to the day of its UTC timestamp.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use time::Date;
use time::macros::format_description;

use crate::error::{Error, Result};

/// Counts for a day, a model, a client or the whole range.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
pub struct Counts {
    #[serde(default)]
    pub requests: u64,
    #[serde(default)]
    pub input_tokens: u64,
    #[serde(default)]
    pub output_tokens: u64,
    #[serde(default)]
    pub cache_read_tokens: u64,
    #[serde(default)]
    pub cost: f64,
}

impl Counts {
    /// Every token, whichever way it went.
    pub fn tokens(&self) -> u64 {
        self.input_tokens + self.output_tokens + self.cache_read_tokens
    }

    fn add(&mut self, record: &Record) {
        self.requests += 1;
        self.input_tokens += record.input_tokens;
        self.output_tokens += record.output_tokens;
        self.cache_read_tokens += record.cache_read_tokens;
        self.cost += record.cost;
    }
}

#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
pub struct Day {
    pub date: String,
    #[serde(flatten)]
    pub counts: Counts,
}

#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
pub struct ModelUsage {
    pub model: String,
    #[serde(flatten)]
    pub counts: Counts,
}

#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
pub struct ClientUsage {
    pub client: String,
    #[serde(flatten)]
    pub counts: Counts,
}

#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
pub struct Budget {
    pub limit: f64,
    #[serde(default = "default_period")]
    pub period: String,
    #[serde(default)]
    pub spent: f64,
}

fn default_period() -> String {
    "month".into()
}

impl Budget {
    /// The part spent, from 0 up (over 1 when overspent).
    pub fn ratio(&self) -> f64 {
        if self.limit > 0.0 {
            self.spent / self.limit
        } else {
            0.0
        }
    }
}

/// The usage report. Everything but `totals` is optional in the protocol.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
pub struct Report {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to: Option<String>,
    #[serde(default = "default_currency")]
    pub currency: String,
    pub totals: Counts,
    #[serde(default)]
    pub days: Vec<Day>,
    #[serde(default)]
    pub models: Vec<ModelUsage>,
    #[serde(default)]
    pub clients: Vec<ClientUsage>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub budget: Option<Budget>,
}

fn default_currency() -> String {
    "USD".into()
}

/// A closed range of UTC days.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Range {
    pub from: Date,
    pub to: Date,
}

const DAY_FORMAT: &[time::format_description::BorrowedFormatItem<'static>] =
    format_description!("[year]-[month]-[day]");

pub fn parse_date(text: &str) -> Result<Date> {
    Date::parse(text, DAY_FORMAT).map_err(|_| {
        Error::usage(format!("'{text}' is not a date")).hint("write dates as YYYY-MM-DD")
    })
}

pub fn format_date(date: Date) -> String {
    date.format(DAY_FORMAT).unwrap_or_default()
}

/// Today, in UTC.
pub fn today() -> Date {
    time::OffsetDateTime::now_utc().date()
}

impl Range {
    /// The last `days` days up to and including `to`.
    pub fn last(days: u32, to: Date) -> Range {
        let days = days.max(1);
        Range {
            from: to - time::Duration::days(i64::from(days) - 1),
            to,
        }
    }

    /// From `--days`, `--from` and `--to`: `--from`/`--to` win, `to` defaults to today and
    /// `from` to `days` (30) before it.
    pub fn from_args(
        days: Option<u32>,
        from: Option<&str>,
        to: Option<&str>,
        today: Date,
    ) -> Result<Range> {
        let to = to.map(parse_date).transpose()?.unwrap_or(today);
        let range = match from.map(parse_date).transpose()? {
            Some(from) => Range { from, to },
            None => Range::last(days.unwrap_or(30), to),
        };
        if range.from > range.to {
            return Err(Error::usage(format!(
                "the range starts ({}) after it ends ({})",
                format_date(range.from),
                format_date(range.to)
            )));
        }
        if (range.to - range.from).whole_days() > 366 {
            return Err(Error::usage("a usage range is at most 366 days")
                .hint("ask for a shorter range with --from and --to"));
        }
        Ok(range)
    }

    pub fn days(&self) -> impl Iterator<Item = Date> + '_ {
        std::iter::successors(Some(self.from), |d| d.next_day()).take_while(|d| *d <= self.to)
    }

    pub fn query(&self) -> [(&'static str, String); 2] {
        [
            ("from", format_date(self.from)),
            ("to", format_date(self.to)),
        ]
    }
}

/// One request, as a line of `usage.jsonl` (PROTOCOL.md §6).
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
pub struct Record {
    /// RFC 3339 time of the request.
    pub ts: String,
    pub user: String,
    pub model: String,
    #[serde(default)]
    pub client: String,
    #[serde(default)]
    pub input_tokens: u64,
    #[serde(default)]
    pub output_tokens: u64,
    #[serde(default)]
    pub cache_read_tokens: u64,
    #[serde(default)]
    pub cost: f64,
}

impl Record {
    fn date(&self) -> Option<Date> {
        time::OffsetDateTime::parse(&self.ts, &time::format_description::well_known::Rfc3339)
            .ok()
            .map(|t| t.to_offset(time::UtcOffset::UTC).date())
    }
}

/// The first day of the budget period that contains `today`.
fn period_start(period: &str, today: Date) -> Date {
    match period {
        "day" => today,
        "week" => {
            today - time::Duration::days(i64::from(today.weekday().number_days_from_monday()))
        }
        "year" => today.replace_ordinal(1).unwrap_or(today),
        _ => today.replace_day(1).unwrap_or(today),
    }
}

/// `user`'s report for `range` from every record: other users' records are never counted.
/// Every day of the range is listed, with zeros where nothing happened; models and clients
/// are sorted by cost, highest first. `budget` (limit and period) gets what was spent in the
/// period that contains `today`, whatever the range.
pub fn aggregate<'a>(
    records: impl IntoIterator<Item = &'a Record>,
    user: &str,
    range: Range,
    budget: Option<(f64, String)>,
    today: Date,
) -> Report {
    let mut totals = Counts::default();
    let mut days: BTreeMap<Date, Counts> = range.days().map(|d| (d, Counts::default())).collect();
    let mut models: BTreeMap<&str, Counts> = BTreeMap::new();
    let mut clients: BTreeMap<&str, Counts> = BTreeMap::new();
    let period_from = budget.as_ref().map(|(_, p)| period_start(p, today));
    let mut spent = 0.0;
    for record in records.into_iter().filter(|r| r.user == user) {
        let Some(date) = record.date() else { continue };
        if period_from.is_some_and(|from| date >= from && date <= today) {
            spent += record.cost;
        }
        let Some(day) = days.get_mut(&date) else {
            continue;
        };
        day.add(record);
        totals.add(record);
        models.entry(&record.model).or_default().add(record);
        clients.entry(&record.client).or_default().add(record);
    }
    let by_cost = |a: &Counts, b: &Counts| b.cost.total_cmp(&a.cost);
    let mut models: Vec<ModelUsage> = models
        .into_iter()
        .map(|(model, counts)| ModelUsage {
            model: model.to_string(),
            counts,
        })
        .collect();
    models.sort_by(|a, b| by_cost(&a.counts, &b.counts));
    let mut clients: Vec<ClientUsage> = clients
        .into_iter()
        .map(|(client, counts)| ClientUsage {
            client: client.to_string(),
            counts,
        })
        .collect();
    clients.sort_by(|a, b| by_cost(&a.counts, &b.counts));
    Report {
        user: Some(user.to_string()),
        from: Some(format_date(range.from)),
        to: Some(format_date(range.to)),
        currency: default_currency(),
        totals: round(totals),
        days: days
            .into_iter()
            .map(|(date, counts)| Day {
                date: format_date(date),
                counts: round(counts),
            })
            .collect(),
        models: models
            .into_iter()
            .map(|m| ModelUsage {
                counts: round(m.counts),
                ..m
            })
            .collect(),
        clients: clients
            .into_iter()
            .map(|c| ClientUsage {
                counts: round(c.counts),
                ..c
            })
            .collect(),
        budget: budget.map(|(limit, period)| Budget {
            limit,
            period,
            spent: cents(spent),
        }),
    }
}

fn cents(value: f64) -> f64 {
    (value * 100.0).round() / 100.0
}

fn round(counts: Counts) -> Counts {
    Counts {
        cost: cents(counts.cost),
        ..counts
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    fn record(ts: &str, user: &str, model: &str, cost: f64) -> Record {
        Record {
            ts: ts.into(),
            user: user.into(),
            model: model.into(),
            client: "opencode".into(),
            input_tokens: 1000,
            output_tokens: 100,
            cache_read_tokens: 500,
            cost,
        }
    }

    #[test]
    fn only_the_users_records_in_the_range_count() {
        let records = [
            record("2026-11-20T10:00:00Z", "a", "m1", 1.0),
            record("2026-11-21T23:30:00-02:00", "a", "m2", 2.5), // 22nd in UTC
            record("2026-11-21T10:00:00Z", "b", "m1", 100.0),
            record("2026-11-01T10:00:00Z", "a", "m1", 4.0), // before the range, same month
        ];
        let range = Range::last(3, date!(2026 - 11 - 22));
        let report = aggregate(
            &records,
            "a",
            range,
            Some((50.0, "month".into())),
            date!(2026 - 11 - 22),
        );
        assert_eq!(report.totals.requests, 2);
        assert_eq!(report.totals.cost, 3.5);
        assert_eq!(report.totals.tokens(), 3200);
        let days: Vec<(&str, u64)> = report
            .days
            .iter()
            .map(|d| (d.date.as_str(), d.counts.requests))
            .collect();
        assert_eq!(
            days,
            [("2026-11-20", 1), ("2026-11-21", 0), ("2026-11-22", 1)]
        );
        assert_eq!(report.models[0].model, "m2", "highest cost first");
        assert_eq!(report.budget.unwrap().spent, 7.5, "the month so far");
    }

    #[test]
    fn ranges_from_arguments() {
        let today = date!(2026 - 11 - 22);
        let last7 = Range::from_args(Some(7), None, None, today).unwrap();
        assert_eq!(last7.from, date!(2026 - 11 - 16));
        assert_eq!(last7.days().count(), 7);
        let given = Range::from_args(None, Some("2026-10-01"), Some("2026-10-31"), today).unwrap();
        assert_eq!(given.days().count(), 31);
        assert!(Range::from_args(None, Some("2026-11-23"), None, today).is_err());
        assert!(Range::from_args(None, Some("yesterday"), None, today).is_err());
    }
}
