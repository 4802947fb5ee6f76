//! The help overlay (`?`): every key, over the current tab.

use ratatui::Frame;
use ratatui::layout::{Constraint, Flex, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph};

use super::panel;
use crate::tui::theme::Theme;

const KEYS: &[(&str, &str)] = &[
    ("Tab / Shift-Tab", "next / previous tab"),
    ("1 … 5", "go to a tab"),
    ("↑ ↓  j k", "move; PgUp PgDn g G jump"),
    ("r", "reload this tab (retry after an error)"),
    ("Clients: a / A", "apply to this client / to all"),
    ("Models: /", "filter (Enter keeps, Esc clears)"),
    ("Models: s / S", "sort by the next column / reverse"),
    ("Models: c", "the org's models or the whole catalog"),
    ("Models: Enter", "make the model your default"),
    ("Usage: ← →", "7, 30 or 90 days"),
    ("MCP: Enter", "connect to the server, list its tools"),
    ("mouse", "click a tab or a row; wheel scrolls"),
    ("q  Esc  Ctrl-C", "quit"),
];

pub fn draw(frame: &mut Frame, area: Rect, theme: &Theme) {
    let height = (KEYS.len() as u16 + 3).min(area.height);
    let width = 62.min(area.width);
    let [row] = Layout::vertical([Constraint::Length(height)])
        .flex(Flex::Center)
        .areas(area);
    let [popup] = Layout::horizontal([Constraint::Length(width)])
        .flex(Flex::Center)
        .areas(row);
    let mut lines: Vec<Line> = KEYS
        .iter()
        .map(|(key, what)| {
            Line::from(vec![
                Span::styled(format!(" {key:<17}"), theme.accent()),
                Span::raw(*what),
            ])
        })
        .collect();
    lines.push(Line::styled(" Any key closes this help.", theme.dim()));
    frame.render_widget(Clear, popup);
    frame.render_widget(Paragraph::new(lines).block(panel(" Keys ")), popup);
}
