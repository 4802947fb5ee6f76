//! Models: the org's models (or, with `c`, the whole catalog) as a table, filtered with `/`,
//! sorted with `s` (`S` reverses), and the selected model's details. Enter makes it the
//! user's default.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Row, Table, Wrap};

use super::{clip, panel, ready, record_rows, window};
use crate::api::catalog::Offered;
use crate::output::{compact, price};
use crate::tui::app::{App, ModelsData};
use crate::tui::theme::Theme;

pub fn draw(frame: &mut Frame, area: Rect, app: &App, theme: &Theme) {
    let Some(data) = ready(frame, area, &app.models, "Models", theme) else {
        return;
    };
    let wide = area.width >= 120;
    let [list, detail] = if wide {
        Layout::horizontal([Constraint::Min(0), Constraint::Length(46)]).areas(area)
    } else {
        Layout::vertical([Constraint::Min(0), Constraint::Length(8)]).areas(area)
    };
    table(frame, list, app, data, theme, wide);
    let lines = match app.selected_model() {
        Some(offered) => details(offered, theme, wide),
        None => vec![Line::raw(if app.models_view.filter.is_empty() {
            "No models."
        } else {
            "No model matches the filter. Esc clears it."
        })],
    };
    frame.render_widget(
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .block(panel(" Details ")),
        detail,
    );
}

fn table(frame: &mut Frame, area: Rect, app: &App, data: &ModelsData, theme: &Theme, wide: bool) {
    let view = &app.models_view;
    let height = usize::from(area.height.saturating_sub(3));
    let offset = window(view.selected, view.visible.len(), height, &app.scroll[1]);
    let name_width = usize::from(area.width.saturating_sub(if wide {
        2 + 2 + 8 * 3 + 11 + 22
    } else {
        2 + 2 + 8 * 3
    }));
    let rows: Vec<Row> = view.visible[offset..]
        .iter()
        .take(height)
        .enumerate()
        .map(|(i, index)| {
            let o = &data.rows[*index];
            let m = &o.model;
            let mark = match (o.default, o.offered) {
                (true, _) => "*",
                (false, true) if view.catalog && data.org.is_some() => "+",
                _ => " ",
            };
            let mut cells = vec![
                mark.to_string(),
                clip(&m.key(), name_width),
                m.context().map(compact).unwrap_or_else(|| "-".into()),
                price(m.input_price()),
                price(m.output_price()),
            ];
            if wide {
                cells.push(m.info.release_date.clone().unwrap_or_else(|| "-".into()));
                cells.push(clip(&o.clients.join(","), 21));
            }
            let row = Row::new(cells);
            if offset + i == view.selected {
                row.style(theme.selected())
            } else if o.offered || !view.catalog {
                row
            } else {
                row.style(theme.dim())
            }
        })
        .collect();
    let mut widths = vec![
        Constraint::Length(1),
        Constraint::Min(10),
        Constraint::Length(7),
        Constraint::Length(7),
        Constraint::Length(7),
    ];
    let mut header = vec!["", "Model", "Context", "In $/M", "Out $/M"];
    if wide {
        widths.extend([Constraint::Length(10), Constraint::Length(21)]);
        header.extend(["Released", "Clients"]);
    }
    let scope = match (&data.org, view.catalog) {
        (Some(org), false) => format!("Offered by {org}"),
        (Some(org), true) => format!("Catalog (+ offered by {org})"),
        (None, _) => "Catalog".into(),
    };
    let mut title = vec![Span::raw(format!(
        " {scope}: {} of {} · sort {}{} ",
        view.visible.len(),
        data.rows
            .iter()
            .filter(|o| view.catalog || o.offered)
            .count(),
        view.sort.label(),
        if view.descending { " ↓" } else { " ↑" },
    ))];
    if view.typing || !view.filter.is_empty() {
        title.push(Span::styled(
            format!("/{}{} ", view.filter, if view.typing { "▏" } else { "" }),
            theme.accent(),
        ));
    }
    if let Some(warning) = &data.warning {
        title.push(Span::styled(
            format!("{} ", clip(warning, 40)),
            theme.warn(),
        ));
    }
    frame.render_widget(
        Table::new(rows, widths)
            .header(Row::new(header).style(theme.heading()))
            .block(panel(Line::from(title))),
        area,
    );
    record_rows(app, area, offset);
}

fn details<'a>(offered: &'a Offered, theme: &Theme, wide: bool) -> Vec<Line<'a>> {
    let m = &offered.model;
    let info = &m.info;
    let flag = |f: Option<bool>| match f {
        Some(true) => "yes",
        Some(false) => "no",
        None => "?",
    };
    let cost = info.cost.as_ref();
    let mut lines = vec![
        Line::from(vec![
            Span::styled(m.name().to_string(), theme.heading()),
            Span::styled(format!("  {}", m.key()), theme.dim()),
        ]),
        Line::raw(format!(
            "Context {} · output {} · released {}",
            m.context().map(compact).unwrap_or_else(|| "?".into()),
            m.output().map(compact).unwrap_or_else(|| "?".into()),
            info.release_date.as_deref().unwrap_or("?"),
        )),
        Line::raw(format!(
            "$/M tokens: in {} · out {} · cache read {} · write {}",
            price(cost.and_then(|c| c.input)),
            price(cost.and_then(|c| c.output)),
            price(cost.and_then(|c| c.cache_read)),
            price(cost.and_then(|c| c.cache_write)),
        )),
        Line::raw(format!(
            "Tools {} · reasoning {} · attachments {}",
            flag(info.tool_call),
            flag(info.reasoning),
            flag(info.attachment)
        )),
    ];
    if wide && let Some(modalities) = &info.modalities {
        lines.push(Line::raw(format!(
            "Input {} → output {}",
            modalities.input.join(", "),
            modalities.output.join(", ")
        )));
    }
    lines.push(Line::raw(format!(
        "Clients: {}",
        if offered.clients.is_empty() {
            "none configured can use it".into()
        } else {
            offered.clients.join(", ")
        }
    )));
    lines.push(if offered.default {
        Line::styled("★ your default model", theme.ok())
    } else if offered.offered {
        Line::from(vec![
            Span::styled("Enter", theme.accent()),
            Span::raw(" makes it your default"),
        ])
    } else {
        Line::styled("not offered by the org", theme.dim())
    });
    lines
}
