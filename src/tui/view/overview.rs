//! Overview: who you are, which org, the token and where it is kept, the last sync, the
//! clients at a glance, and warnings, each with the command that fixes it.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

use super::{panel, ready};
use crate::engine::inspect::ClientRow;
use crate::engine::inspect::{Status, TokenState};
use crate::layers::approval::Change;
use crate::output::{relative, timestamp};
use crate::tui::app::{App, Load};
use crate::tui::theme::Theme;

/// A sync older than this is worth a warning.
const STALE_SYNC: i64 = 7 * 86_400;

pub fn draw(frame: &mut Frame, area: Rect, app: &App, theme: &Theme) {
    let Some(status) = ready(frame, area, &app.overview, "Overview", theme) else {
        return;
    };
    let [you, rest] = Layout::vertical([Constraint::Length(8), Constraint::Min(0)]).areas(area);
    frame.render_widget(identity(status, app.now, theme), you);
    let [clients, warnings] =
        Layout::horizontal([Constraint::Length(36), Constraint::Min(0)]).areas(rest);
    frame.render_widget(client_list(app, status, theme), clients);
    let found = warnings_of(status, app.clients.ready().map(Vec::as_slice), app.now);
    let mut lines = Vec::new();
    for (problem, fix) in &found {
        lines.push(Line::styled(format!("! {problem}"), theme.warn()));
        lines.push(Line::from(vec![
            Span::raw("  fix: "),
            Span::styled(fix.clone(), theme.accent()),
        ]));
    }
    if found.is_empty() {
        lines.push(Line::styled("✓ Nothing needs your attention.", theme.ok()));
    }
    frame.render_widget(
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .block(panel(format!(" Warnings ({}) ", found.len()))),
        warnings,
    );
}

fn identity<'a>(status: &'a Status, now: i64, theme: &Theme) -> Paragraph<'a> {
    let field = |name: &'static str, value: Span<'a>| {
        Line::from(vec![
            Span::styled(format!("{name:<11}"), theme.dim()),
            value,
        ])
    };
    let org = match &status.org_name {
        Some(name) => format!("{name} ({})", status.org),
        None => status.org.clone(),
    };
    let token = match (status.token, status.expires_at) {
        (TokenState::Valid, Some(exp)) => Span::styled(
            format!("valid, expires {} ({})", relative(exp, now), timestamp(exp)),
            theme.ok(),
        ),
        (TokenState::Valid, None) => Span::styled("valid (no expiry in the token)", theme.ok()),
        (other, _) => Span::styled(other.to_string().to_uppercase(), theme.error()),
    };
    let sync = match status.last_sync {
        Some(t) => format!("{} ({})", relative(t, now), timestamp(t)),
        None => "never".into(),
    };
    Paragraph::new(vec![
        field("Org", Span::styled(org, theme.heading())),
        field(
            "User",
            Span::raw(
                status
                    .identity
                    .clone()
                    .unwrap_or_else(|| "unknown (the token is not a JWT)".into()),
            ),
        ),
        field("Token", token),
        field("Stored in", Span::raw(status.credential_location.clone())),
        field("Login", Span::raw(status.login_method.to_string())),
        field("Last sync", Span::raw(sync)),
    ])
    .block(panel(" You "))
}

fn client_list<'a>(app: &'a App, status: &'a Status, theme: &Theme) -> Paragraph<'a> {
    let rows = app.clients.ready();
    let lines: Vec<Line> = status
        .clients
        .iter()
        .map(|c| {
            let row = rows.and_then(|r| r.iter().find(|r| r.id == c.id));
            let (mark, word, style) = match row {
                Some(r) if r.error.is_some() => ("✗", "error", theme.error()),
                Some(r) if !r.drift.is_empty() => ("!", "drift", theme.warn()),
                Some(r) if r.configured && r.pending_changes => ("•", "pending", theme.warn()),
                _ if c.configured => ("✓", "configured", theme.ok()),
                _ if c.installed => ("·", "not configured", theme.dim()),
                _ => ("·", "not installed", theme.dim()),
            };
            Line::from(vec![
                Span::styled(format!("{mark} "), style),
                Span::raw(format!("{:<16}", c.name)),
                Span::styled(word, style),
            ])
        })
        .collect();
    let configured = status.clients.iter().filter(|c| c.configured).count();
    let title = match &app.clients {
        Load::Loading => format!(" Clients ({configured} configured, checking…) "),
        _ => format!(" Clients ({configured} configured) "),
    };
    Paragraph::new(lines).block(panel(title))
}

/// What needs attention, each with the command that fixes it.
pub fn warnings_of(
    status: &Status,
    clients: Option<&[ClientRow]>,
    now: i64,
) -> Vec<(String, String)> {
    let org = &status.org;
    let mut found = Vec::new();
    match status.token {
        TokenState::Valid => {}
        TokenState::Expired => found.push((
            "The token has expired.".into(),
            format!("ai-setup login {org}"),
        )),
        TokenState::Missing => found.push((
            "No token is stored for this org.".into(),
            format!("ai-setup login {org}"),
        )),
        _ => found.push((
            format!(
                "The credential store cannot be read: {}",
                status.store_error.as_deref().unwrap_or("unknown error")
            ),
            "ai-setup doctor".into(),
        )),
    }
    match status.last_sync {
        None => found.push(("The org was never synced.".into(), "ai-setup sync".into())),
        Some(t) if now - t > STALE_SYNC => found.push((
            format!("The last sync was {}.", relative(t, now)),
            "ai-setup sync".into(),
        )),
        _ => {}
    }
    for pending in &status.pending_approval {
        found.push((
            format!(
                "{} waits for your approval ({}).",
                pending.entry,
                match pending.change {
                    Change::New => "new, not installed",
                    Change::Changed => "changed, the approved version runs",
                }
            ),
            "ai-setup approve".into(),
        ));
    }
    for row in clients.into_iter().flatten() {
        if let Some(error) = &row.error {
            found.push((
                format!("{}: {}", row.name, error.lines().next().unwrap_or("")),
                "fix the file, then `ai-setup sync`".into(),
            ));
        } else if !row.drift.is_empty() {
            found.push((
                format!(
                    "{} was edited since ai-setup wrote it: {}",
                    row.name,
                    row.drift.join(", ")
                ),
                format!("ai-setup sync --force --clients {}", row.id),
            ));
        } else if row.configured && row.pending_changes {
            found.push((
                format!("{} has changes to apply.", row.name),
                format!(
                    "ai-setup sync --clients {} (or a on the Clients tab)",
                    row.id
                ),
            ));
        } else if row.installed && row.enabled_by_org && !row.configured {
            found.push((
                format!("{} is installed but not configured.", row.name),
                format!("ai-setup sync --clients {}", row.id),
            ));
        }
    }
    found
}
