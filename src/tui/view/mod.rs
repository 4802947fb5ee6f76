//! Drawing: one function per tab, each a pure function of the [`App`] (and the area it gets).
//! The frame is a tab bar on the first row, the tab's body, and a footer with the keys that
//! work here or the last message. Tables build rows only for what is on screen, so a frame
//! costs the same with 20 models or 4,803.

mod clients;
mod help;
mod mcp;
mod models;
pub(super) mod overview;
mod usage;

use std::cell::Cell;

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph, Wrap};

use super::app::{App, Load, Notice, Tab};
use super::theme::Theme;

pub fn draw(frame: &mut Frame, app: &App, theme: &Theme) {
    let [header, body, footer] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Min(0),
        Constraint::Length(1),
    ])
    .areas(frame.area());
    app.hits.borrow_mut().rows = None;
    tab_bar(frame, header, app, theme);
    match app.tab {
        Tab::Overview => overview::draw(frame, body, app, theme),
        Tab::Clients => clients::draw(frame, body, app, theme),
        Tab::Models => models::draw(frame, body, app, theme),
        Tab::Usage => usage::draw(frame, body, app, theme),
        Tab::Mcp => mcp::draw(frame, body, app, theme),
    }
    frame.render_widget(footer_line(app, theme), footer);
    if app.help {
        help::draw(frame, body, theme);
    }
}

fn tab_bar(frame: &mut Frame, area: Rect, app: &App, theme: &Theme) {
    let mut spans = vec![Span::styled(" ai-setup ", theme.accent())];
    let mut x = area.x + 10;
    let mut hits = Vec::new();
    for (i, tab) in Tab::ALL.iter().enumerate() {
        let text = format!(" {} {} ", i + 1, tab.title());
        let width = text.chars().count() as u16;
        hits.push((*tab, x, x + width));
        x += width;
        spans.push(if *tab == app.tab {
            Span::styled(text, theme.selected().patch(theme.heading()))
        } else {
            Span::raw(text)
        });
    }
    app.hits.borrow_mut().tabs = hits;
    let org = match &app.overview {
        Load::Ready(status) => status
            .org_name
            .clone()
            .unwrap_or_else(|| status.org.clone()),
        _ => String::new(),
    };
    let used: usize = spans.iter().map(|s| s.content.chars().count()).sum();
    let room = usize::from(area.width).saturating_sub(used + 1);
    if room > 3 && !org.is_empty() {
        let org = clip(&org, room);
        spans.push(Span::raw(" ".repeat(room - org.chars().count())));
        spans.push(Span::styled(org, theme.dim()));
    }
    frame.render_widget(Line::from(spans), area);
}

fn footer_line<'a>(app: &'a App, theme: &Theme) -> Line<'a> {
    if let Some(busy) = &app.busy {
        return Line::styled(format!(" {busy}"), theme.warn());
    }
    match &app.notice {
        Some(Notice::Info(text)) => return Line::styled(format!(" {text}"), theme.ok()),
        Some(Notice::Error(text)) => return Line::styled(format!(" {text}"), theme.error()),
        None => {}
    }
    let keys: &[(&str, &str)] = match app.tab {
        _ if app.tab == Tab::Models && app.models_view.typing => {
            &[("Enter", "done"), ("Esc", "clear"), ("↑↓", "move")]
        }
        Tab::Clients => &[("a", "apply"), ("A", "apply all"), ("↑↓", "select")],
        Tab::Models => &[
            ("/", "filter"),
            ("s", "sort"),
            ("c", "catalog"),
            ("Enter", "set default"),
        ],
        Tab::Usage => &[("←→", "7/30/90 days")],
        Tab::Mcp => &[("Enter", "probe"), ("↑↓", "select")],
        Tab::Overview => &[("Tab", "next tab")],
    };
    let mut spans = vec![Span::raw(" ")];
    for (key, what) in keys
        .iter()
        .chain(&[("r", "reload"), ("?", "help"), ("q", "quit")])
    {
        spans.push(Span::styled(*key, theme.accent()));
        spans.push(Span::styled(format!(" {what}  "), theme.dim()));
    }
    Line::from(spans)
}

/// A block with a title, the tab's usual frame.
fn panel(title: impl Into<Line<'static>>) -> Block<'static> {
    Block::bordered().title(title)
}

/// Draws what a load that is not ready says (loading, its error with the retry key, or why
/// there is nothing), and returns the data when it is ready.
fn ready<'a, T>(
    frame: &mut Frame,
    area: Rect,
    load: &'a Load<T>,
    title: &str,
    theme: &Theme,
) -> Option<&'a T> {
    let lines = match load {
        Load::Ready(value) => return Some(value),
        Load::Loading => vec![Line::styled("Loading…", theme.dim())],
        Load::Failed(err) => {
            let mut lines = vec![Line::styled(
                format!("Error: {}", err.message),
                theme.error(),
            )];
            lines.extend(err.hints.iter().map(|h| Line::raw(format!("hint: {h}"))));
            lines.push(Line::raw(""));
            lines.push(Line::from(vec![
                Span::raw("Press "),
                Span::styled("r", theme.accent()),
                Span::raw(" to retry."),
            ]));
            lines
        }
        Load::Empty(why) => vec![Line::raw(why.clone())],
    };
    frame.render_widget(
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .block(panel(format!(" {title} "))),
        area,
    );
    None
}

/// The first row to show so that `selected` is visible in `height` rows, moving the window
/// no more than needed since the last frame.
fn window(selected: usize, len: usize, height: usize, scroll: &Cell<usize>) -> usize {
    let height = height.max(1);
    let mut offset = scroll.get().min(len.saturating_sub(height));
    if selected < offset {
        offset = selected;
    } else if selected >= offset + height {
        offset = selected + 1 - height;
    }
    scroll.set(offset);
    offset
}

/// Records where the rows of a bordered table with a header row are, for mouse clicks.
fn record_rows(app: &App, table: Rect, offset: usize) {
    let rows = Rect {
        y: table.y + 2,
        height: table.height.saturating_sub(3),
        ..table
    };
    app.hits.borrow_mut().rows = Some((rows, offset));
}

/// `text` cut to `width` characters, with an ellipsis when cut.
fn clip(text: &str, width: usize) -> String {
    if text.chars().count() <= width {
        text.to_string()
    } else if width == 0 {
        String::new()
    } else {
        let mut cut: String = text.chars().take(width - 1).collect();
        cut.push('…');
        cut
    }
}

/// Colours a unified diff line by line.
fn diff_lines<'a>(diff: &'a str, theme: &Theme) -> Vec<Line<'a>> {
    diff.lines()
        .map(|line| {
            let style = if line.starts_with("+++") || line.starts_with("---") {
                theme.heading()
            } else if line.starts_with('+') {
                theme.ok()
            } else if line.starts_with('-') {
                theme.error()
            } else if line.starts_with("@@") {
                theme.accent()
            } else {
                theme.dim()
            };
            Line::styled(line, style)
        })
        .collect()
}
