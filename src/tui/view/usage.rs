//! Usage: cost per day as bars, tokens per day as a sparkline, cost per model as bars, the
//! budget as a gauge; 7, 30 or 90 days (←/→).

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Bar, BarChart, BarGroup, LineGauge, Paragraph, Sparkline};

use super::{clip, panel, ready};
use crate::api::usage::Report;
use crate::output::{bar, compact, money};
use crate::tui::app::{App, Load, RANGES};
use crate::tui::theme::Theme;

pub fn draw(frame: &mut Frame, area: Rect, app: &App, theme: &Theme) {
    let [top, rest] = Layout::vertical([Constraint::Length(1), Constraint::Min(0)]).areas(area);
    let mut spans = vec![Span::raw(" Range ")];
    for days in RANGES {
        let text = format!(" {days}d ");
        spans.push(if days == app.days {
            Span::styled(text, theme.selected().patch(theme.heading()))
        } else {
            Span::raw(text)
        });
    }
    let loading = Load::Loading;
    let load = app.usage.get(&app.days).unwrap_or(&loading);
    if let Load::Ready(report) = load {
        if area.width >= 100 {
            spans.push(Span::raw(format!(
                "  {} → {}",
                report.from.as_deref().unwrap_or("?"),
                report.to.as_deref().unwrap_or("?")
            )));
        }
        spans.push(Span::styled(
            format!(
                "  {} requests · {} tokens · {}",
                report.totals.requests,
                compact(report.totals.tokens()),
                money(report.totals.cost, &report.currency)
            ),
            theme.heading(),
        ));
    }
    frame.render_widget(Line::from(spans), top);
    let Some(report) = ready(frame, rest, load, "Usage", theme) else {
        return;
    };
    let wide = area.width >= 120;
    let [charts, side] = if wide {
        Layout::horizontal([Constraint::Percentage(60), Constraint::Percentage(40)]).areas(rest)
    } else {
        Layout::vertical([Constraint::Min(0), Constraint::Length(0)]).areas(rest)
    };
    let gauge_height = if report.budget.is_some() { 1 } else { 0 };
    let model_height = if wide {
        0
    } else {
        (report.models.len() as u16 + 2).min(7)
    };
    let [gauge, days, tokens, models] = Layout::vertical([
        Constraint::Length(gauge_height),
        Constraint::Min(6),
        Constraint::Length(if wide { 8 } else { 4 }),
        Constraint::Length(model_height),
    ])
    .areas(charts);
    if let Some(budget) = &report.budget {
        let ratio = budget.ratio();
        frame.render_widget(
            LineGauge::default()
                .ratio(ratio.clamp(0.0, 1.0))
                .label(format!(
                    " Budget {} of {} this {} ({:.0}%) ",
                    money(budget.spent, &report.currency),
                    money(budget.limit, &report.currency),
                    budget.period,
                    ratio * 100.0
                ))
                .filled_style(if ratio >= 0.9 {
                    theme.error()
                } else if ratio >= 0.7 {
                    theme.warn()
                } else {
                    theme.ok()
                }),
            gauge,
        );
    }
    cost_chart(frame, days, report, theme);
    let inner = usize::from(tokens.width.saturating_sub(2));
    let per_day: Vec<u64> = report.days.iter().map(|d| d.counts.tokens()).collect();
    let fitted = fit(&per_day, inner);
    frame.render_widget(
        Sparkline::default()
            .data(&fitted)
            .style(theme.bar())
            .block(panel(format!(
                " Tokens per day (max {}) ",
                compact(per_day.iter().copied().max().unwrap_or(0))
            ))),
        tokens,
    );
    let by_model = if wide { side } else { models };
    model_bars(frame, by_model, report, theme, wide);
}

fn cost_chart(frame: &mut Frame, area: Rect, report: &Report, theme: &Theme) {
    let inner = usize::from(area.width.saturating_sub(2));
    let cents: Vec<u64> = report
        .days
        .iter()
        .map(|d| (d.counts.cost * 100.0).round() as u64)
        .collect();
    // One bar per day with a one-cell gap when they fit, else days merged into buckets.
    let (values, width, gap) = if cents.len() * 2 <= inner + 1 {
        let width = ((inner + 1) / cents.len().max(1))
            .saturating_sub(1)
            .clamp(1, 9);
        (cents.clone(), width as u16, 1)
    } else {
        (fit(&cents, inner), 1, 0)
    };
    let most = cents.iter().copied().max().unwrap_or(0);
    let bars: Vec<Bar> = values
        .iter()
        .map(|v| Bar::default().value(*v).text_value(String::new()))
        .collect();
    let first = report.days.first().map(|d| d.date.as_str()).unwrap_or("");
    let last = report.days.last().map(|d| d.date.as_str()).unwrap_or("");
    frame.render_widget(
        BarChart::default()
            .data(BarGroup::default().bars(&bars))
            .bar_width(width)
            .bar_gap(gap)
            .bar_style(theme.bar())
            .block(
                panel(format!(
                    " Cost per day (max {}) ",
                    money(most as f64 / 100.0, &report.currency)
                ))
                .title_bottom(Line::styled(format!(" {first} … {last} "), theme.dim())),
            ),
        area,
    );
}

fn model_bars(frame: &mut Frame, area: Rect, report: &Report, theme: &Theme, wide: bool) {
    if area.height < 3 {
        return;
    }
    let most = report.models.first().map_or(0.0, |m| m.counts.cost);
    let label = usize::from(area.width.saturating_sub(2)) / 2;
    let bar_width = usize::from(area.width.saturating_sub(2)).saturating_sub(label + 11);
    let mut lines: Vec<Line> = report
        .models
        .iter()
        .map(|m| {
            let ratio = if most > 0.0 {
                m.counts.cost / most
            } else {
                0.0
            };
            Line::from(vec![
                Span::raw(format!(
                    "{:<label$}",
                    clip(&m.model, label.saturating_sub(1))
                )),
                Span::styled(
                    format!("{:<bar_width$}", bar(ratio, bar_width)),
                    theme.bar(),
                ),
                Span::raw(format!(" {:>9}", money(m.counts.cost, &report.currency))),
            ])
        })
        .collect();
    if report.models.is_empty() {
        lines.push(Line::styled("No requests in this range.", theme.dim()));
    }
    if wide && !report.clients.is_empty() {
        lines.push(Line::raw(""));
        lines.push(Line::styled("By client", theme.heading()));
        for c in &report.clients {
            lines.push(Line::raw(format!(
                "{:<label$}{:>8} requests {:>9}",
                clip(&c.client, label.saturating_sub(1)),
                c.counts.requests,
                money(c.counts.cost, &report.currency)
            )));
        }
    }
    frame.render_widget(Paragraph::new(lines).block(panel(" Cost per model ")), area);
}

/// `values` fitted to `width` columns: neighbours summed when there are too many, each value
/// repeated when there is room to widen them.
fn fit(values: &[u64], width: usize) -> Vec<u64> {
    if values.is_empty() || width == 0 {
        return values.to_vec();
    }
    if values.len() <= width {
        let times = width / values.len();
        return values
            .iter()
            .flat_map(|v| std::iter::repeat_n(*v, times))
            .collect();
    }
    let per = values.len().div_ceil(width);
    values.chunks(per).map(|c| c.iter().sum()).collect()
}
