//! MCP: the org's servers, their kind, and their live status. A remote server is probed as a
//! client would reach it: `ai-setup mcp bridge NAME` is started, initialised and asked for
//! its tools. A local one starts only on Enter, since it may download a package first.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::Line;
use ratatui::widgets::{Paragraph, Row, Table, Wrap};

use super::{clip, panel, ready, record_rows, window};
use crate::tui::app::{App, McpServer, Probe};
use crate::tui::theme::Theme;

pub fn draw(frame: &mut Frame, area: Rect, app: &App, theme: &Theme) {
    let Some(servers) = ready(frame, area, &app.mcp, "MCP servers", theme) else {
        return;
    };
    if servers.is_empty() {
        frame.render_widget(
            Paragraph::new("The org's configuration names no MCP servers.")
                .block(panel(" MCP servers ")),
            area,
        );
        return;
    }
    let [list, detail] = Layout::vertical([
        Constraint::Length((servers.len() as u16 + 3).min(area.height / 2 + 3)),
        Constraint::Min(0),
    ])
    .areas(area);
    let height = usize::from(list.height.saturating_sub(3));
    let offset = window(app.mcp_selected, servers.len(), height, &app.scroll[2]);
    let target_width = usize::from(list.width.saturating_sub(2 + 14 + 8 + 30 + 3));
    let rows: Vec<Row> = servers
        .iter()
        .enumerate()
        .skip(offset)
        .take(height)
        .map(|(i, server)| {
            let (status, style) = status(server, theme);
            let row = Row::new(vec![
                clip(&server.name, 14),
                if server.remote { "remote" } else { "local" }.to_string(),
                clip(&server.target, target_width.max(8)),
                clip(&status, 30),
            ])
            .style(style);
            if i == app.mcp_selected {
                row.style(style.patch(theme.selected()))
            } else {
                row
            }
        })
        .collect();
    frame.render_widget(
        Table::new(
            rows,
            [
                Constraint::Length(14),
                Constraint::Length(7),
                Constraint::Min(8),
                Constraint::Length(30),
            ],
        )
        .header(Row::new(["Server", "Kind", "Target", "Status"]).style(theme.heading()))
        .block(panel(format!(" MCP servers ({}) ", servers.len()))),
        list,
    );
    record_rows(app, list, offset);
    let Some(server) = servers.get(app.mcp_selected) else {
        return;
    };
    let mut lines = vec![Line::raw(format!(
        "{} · {}",
        if server.remote {
            "reached through `ai-setup mcp bridge` with the org token"
        } else {
            "run by `ai-setup exec` with the org token in its environment"
        },
        server.target
    ))];
    match &server.probe {
        Probe::Connected { tools, .. } => {
            lines.push(Line::styled(
                format!("Tools ({}):", tools.len()),
                theme.heading(),
            ));
            lines.extend(tools.iter().map(|t| Line::raw(format!("  {t}"))));
        }
        Probe::Failed(message) => lines.push(Line::styled(message.clone(), theme.error())),
        Probe::Running => lines.push(Line::styled("Connecting…", theme.dim())),
        Probe::Idle => lines.push(Line::raw("Press Enter to start it and list its tools.")),
    }
    frame.render_widget(
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .block(panel(format!(" {} ", server.name))),
        detail,
    );
}

fn status(server: &McpServer, theme: &Theme) -> (String, ratatui::style::Style) {
    if !server.enabled {
        return ("disabled".into(), theme.dim());
    }
    match &server.probe {
        Probe::Idle => ("not started (Enter)".into(), theme.dim()),
        Probe::Running => ("connecting…".into(), theme.dim()),
        Probe::Connected { tools, millis } => (
            format!("connected · {} tools · {millis} ms", tools.len()),
            theme.ok(),
        ),
        Probe::Failed(message) => (format!("failed: {message}"), theme.error()),
    }
}
