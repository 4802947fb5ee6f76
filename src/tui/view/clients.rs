//! Clients: each client's state, and the selected one's pending changes as a diff. `a`
//! applies them (the same plan and writer as `ai-setup sync`).

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::Line;
use ratatui::widgets::{Paragraph, Row, Table, Wrap};

use super::{clip, diff_lines, panel, ready, record_rows, window};
use crate::engine::inspect::ClientRow;
use crate::tui::app::App;
use crate::tui::theme::Theme;

pub fn draw(frame: &mut Frame, area: Rect, app: &App, theme: &Theme) {
    let Some(rows) = ready(frame, area, &app.clients, "Clients", theme) else {
        return;
    };
    let wide = area.width >= 120;
    let table_height = rows.len() as u16 + 3;
    let [list, detail] = if wide {
        Layout::horizontal([Constraint::Length(72), Constraint::Min(0)]).areas(area)
    } else {
        Layout::vertical([
            Constraint::Length(table_height.min(area.height / 2 + 4)),
            Constraint::Min(0),
        ])
        .areas(area)
    };
    let inner_height = usize::from(list.height.saturating_sub(3));
    let offset = window(
        app.client_selected,
        rows.len(),
        inner_height,
        &app.scroll[0],
    );
    let state_width = usize::from(list.width.saturating_sub(2 + 16 + 10 + 11 + 3));
    let body: Vec<Row> = rows
        .iter()
        .enumerate()
        .skip(offset)
        .take(inner_height)
        .map(|(i, row)| {
            let (state, style) = state(row, theme);
            let line = Row::new(vec![
                row.name.to_string(),
                yes(row.installed).into(),
                yes(row.configured).into(),
                clip(&state, state_width),
            ])
            .style(style);
            if i == app.client_selected {
                line.style(style.patch(theme.selected()))
            } else {
                line
            }
        })
        .collect();
    let table = Table::new(
        body,
        [
            Constraint::Length(16),
            Constraint::Length(10),
            Constraint::Length(11),
            Constraint::Min(10),
        ],
    )
    .header(Row::new(["Client", "Installed", "Configured", "State"]).style(theme.heading()))
    .block(panel(format!(" Clients ({}) ", rows.len())));
    frame.render_widget(table, list);
    record_rows(app, list, offset);

    let Some(row) = rows.get(app.client_selected) else {
        return;
    };
    let mut lines = Vec::new();
    if let Some(error) = &row.error {
        lines.push(Line::styled(error.clone(), theme.error()));
    } else if row.diff.is_empty() {
        lines.push(Line::raw(if row.configured {
            "Up to date: nothing to apply."
        } else if row.installed || row.config_present {
            "Not configured for this org."
        } else {
            "Not installed here."
        }));
    } else {
        lines.extend(diff_lines(&row.diff, theme));
    }
    if !row.user_entries.is_empty() {
        lines.push(Line::styled(
            format!("Your own entries, kept: {}", row.user_entries.join(", ")),
            theme.dim(),
        ));
    }
    for gap in &row.not_expressible {
        lines.push(Line::styled(format!("Not expressible: {gap}"), theme.dim()));
    }
    lines.push(Line::styled(format!("Limits: {}", row.limits), theme.dim()));
    frame.render_widget(
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .block(panel(format!(" {}: pending changes ", row.name))),
        detail,
    );
}

fn yes(flag: bool) -> &'static str {
    if flag { "yes" } else { "no" }
}

/// The client's state in a few words, and its colour.
fn state(row: &ClientRow, theme: &Theme) -> (String, Style) {
    if let Some(error) = &row.error {
        (
            format!("error: {}", error.lines().next().unwrap_or("")),
            theme.error(),
        )
    } else if !row.drift.is_empty() {
        (format!("drift: {}", row.drift.join(", ")), theme.warn())
    } else if row.configured && row.pending_changes {
        ("changes pending".into(), theme.warn())
    } else if row.configured {
        ("up to date".into(), theme.ok())
    } else if !row.enabled_by_org {
        ("not enabled by the org".into(), theme.dim())
    } else if row.installed || row.config_present {
        ("not configured".into(), theme.dim())
    } else {
        ("not installed".into(), theme.dim())
    }
}
