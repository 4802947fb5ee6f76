//! Buffer snapshots of every tab and the help overlay at 80x24 and 160x48, in their loading,
//! ready, error and empty states (`src/tui/snapshots/`), and the keys and clicks that drive
//! the model. The data is fixed (a fixed clock, the real catalog snapshot, the demo org's
//! generated usage for a fixed day), so a snapshot changes only when the drawing does.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers, MouseButton, MouseEvent, MouseEventKind};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use serde_json::json;
use time::macros::date;

use super::app::{Action, App, Effect, Load, McpServer, ModelsData, Probe, Tab};
use super::theme::Theme;
use super::view;
use crate::api::catalog::{self, Catalog};
use crate::api::usage::{self, Range};
use crate::engine::inspect::ClientRow;
use crate::engine::inspect::{ClientStatus, Status, TokenState};
use crate::error::Error;
use crate::secrets::StoreKind;

/// 2026-11-22T12:00:00Z.
const NOW: i64 = 1_795_348_800;

fn status() -> Status {
    Status {
        org: "https://ai.example.com".into(),
        org_name: Some("Example Corp".into()),
        default: true,
        identity: Some("dev@example.com".into()),
        subject: Some("dev@example.com".into()),
        token: TokenState::Valid,
        expires_at: Some(NOW + 2700),
        credential_store: StoreKind::Keyring,
        credential_location: "keyring (Secret Service)".into(),
        login_method: crate::state::LoginMethod::Oidc,
        logged_in_at: NOW - 86_400,
        last_sync: Some(NOW - 300),
        clients: crate::clients::ALL
            .iter()
            .enumerate()
            .map(|(i, c)| ClientStatus {
                id: c.id(),
                name: c.name(),
                installed: i < 4,
                configured: i < 5,
            })
            .collect(),
        pending_approval: Vec::new(),
        store_error: None,
    }
}

fn client_rows() -> Vec<ClientRow> {
    crate::clients::ALL
        .iter()
        .enumerate()
        .map(|(i, c)| ClientRow {
            id: c.id(),
            name: c.name(),
            installed: i < 4,
            program: None,
            config_present: i < 5,
            enabled_by_org: i < 6,
            configured: i < 5,
            pending_changes: i == 1,
            drift: if i == 2 { vec!["model".into()] } else { Vec::new() },
            user_entries: if i == 0 { vec!["mcp.mine".into()] } else { Vec::new() },
            error: (i == 3).then(|| "~/.gemini/settings.json: not valid JSON at line 3".into()),
            limits: c.limits(),
            not_expressible: if i == 1 {
                vec!["permission.edit: 'allow' is not written".into()]
            } else {
                Vec::new()
            },
            diff: if i == 1 {
                "--- a/~/.claude/settings.json\n+++ b/~/.claude/settings.json\n@@ -1,4 +1,4 @@\n {\n-  \"model\": \"claude-opus-4-1\",\n+  \"model\": \"claude-sonnet-4-5\",\n   \"apiKeyHelper\": \"ai-setup token\"\n }\n".into()
            } else {
                String::new()
            },
        })
        .collect()
}

fn models() -> ModelsData {
    let snapshot = Catalog::snapshot().unwrap();
    let config = json!({
        "model": "anthropic/claude-sonnet-4-5",
        "provider": {
            "anthropic": {"whitelist": ["claude-sonnet-4-5", "claude-haiku-4-5", "claude-opus-4-1"]},
            "openai": {"whitelist": ["gpt-5", "gpt-5-mini", "gpt-5-codex"]},
            "inhouse": {"name": "In-house", "models": {"coder": {"name": "Coder", "limit": {"context": 65536, "output": 8192}}}}
        }
    });
    let clients: Vec<&'static dyn crate::clients::Client> = crate::clients::ALL[..3].to_vec();
    let offered = catalog::offered(config.as_object().unwrap(), None, &snapshot, &clients);
    ModelsData {
        rows: catalog::whole(snapshot, Some(&offered)),
        org: Some("Example Corp".into()),
        source: Some(offered.source),
        warning: None,
    }
}

fn report(days: u32) -> usage::Report {
    let today = date!(2026 - 11 - 22);
    let catalog = Catalog::snapshot().unwrap();
    let records = crate::server::api::demo_usage(&["dev@example.com"], today, &catalog);
    usage::aggregate(
        records.iter(),
        "dev@example.com",
        Range::last(days, today),
        Some((200.0, "month".into())),
        today,
    )
}

fn servers() -> Vec<McpServer> {
    vec![
        McpServer {
            name: "docs".into(),
            remote: true,
            target: "https://ai.example.com/mcp/docs".into(),
            enabled: true,
            probe: Probe::Connected {
                tools: vec!["search".into(), "fetch_page".into()],
                millis: 84,
            },
        },
        McpServer {
            name: "tickets".into(),
            remote: true,
            target: "https://ai.example.com/mcp/tickets".into(),
            enabled: true,
            probe: Probe::Failed("the org refused the token (401)".into()),
        },
        McpServer {
            name: "everything".into(),
            remote: false,
            target: "npx -y @modelcontextprotocol/server-everything".into(),
            enabled: true,
            probe: Probe::Idle,
        },
    ]
}

/// An app with everything loaded.
fn loaded() -> App {
    let mut app = App::new(NOW);
    app.start();
    app.update(Action::OverviewLoaded(Ok(Ok(status()))));
    app.update(Action::ClientsLoaded(Ok(client_rows())));
    app.update(Action::ModelsLoaded(Ok(Some(models()))));
    app.update(Action::UsageLoaded(30, Ok(Ok(report(30)))));
    app.update(Action::McpLoaded(Ok(servers())));
    // The probe the load starts ends as the fixture says.
    for server in servers() {
        if let Probe::Connected { tools, millis } = server.probe {
            app.update(Action::Probed(server.name, Ok((tools, millis))));
        } else if let Probe::Failed(why) = server.probe {
            app.update(Action::Probed(server.name, Err(why)));
        }
    }
    app
}

fn render(app: &App, width: u16, height: u16) -> Terminal<TestBackend> {
    let mut terminal = Terminal::new(TestBackend::new(width, height)).unwrap();
    terminal
        .draw(|frame| view::draw(frame, app, &Theme::new(true)))
        .unwrap();
    terminal
}

fn key(app: &mut App, code: KeyCode) -> Vec<Effect> {
    app.update(Action::Key(KeyEvent::new(code, KeyModifiers::NONE)))
}

fn snapshot(name: &str, app: &App) {
    for (width, height) in [(80, 24), (160, 48)] {
        let terminal = render(app, width, height);
        insta::assert_snapshot!(format!("{name}_{width}x{height}"), terminal.backend());
    }
}

#[test]
fn every_tab_when_loaded() {
    let mut app = loaded();
    for tab in Tab::ALL {
        app.tab = tab;
        snapshot(&format!("{tab:?}").to_lowercase(), &app);
    }
}

#[test]
fn the_selected_client_shows_its_pending_diff() {
    let mut app = loaded();
    key(&mut app, KeyCode::Char('2'));
    key(&mut app, KeyCode::Down);
    snapshot("clients_pending_diff", &app);
}

#[test]
fn the_help_overlay() {
    let mut app = loaded();
    key(&mut app, KeyCode::Char('3'));
    key(&mut app, KeyCode::Char('?'));
    snapshot("help", &app);
    key(&mut app, KeyCode::Char('q'));
    assert!(!app.help && !app.quit, "q closes the help first");
}

#[test]
fn every_tab_while_loading() {
    let mut app = App::new(NOW);
    app.start();
    for tab in Tab::ALL {
        app.tab = tab;
        snapshot(&format!("loading_{tab:?}").to_lowercase(), &app);
    }
}

#[test]
fn errors_show_in_place_with_the_retry_key() {
    let mut app = App::new(NOW);
    app.start();
    let offline = Error::network("cannot connect to https://ai.example.com: connection refused")
        .hint("check the URL, your network or VPN, and HTTPS_PROXY if you need a proxy");
    app.update(Action::OverviewLoaded(Err(Error::failure(
        "~/.local/state/ai-setup/state.json: not valid JSON",
    ))));
    app.update(Action::ClientsLoaded(Err(Error::failure(
        "~/.local/state/ai-setup/ledger.json: not valid JSON",
    ))));
    app.update(Action::ModelsLoaded(Err(Error::auth(
        "https://ai.example.com refused the token (401)",
    )
    .hint("run `ai-setup login` to sign in again"))));
    app.update(Action::UsageLoaded(30, Err(offline.clone())));
    app.update(Action::McpLoaded(Err(offline)));
    for tab in Tab::ALL {
        app.tab = tab;
        snapshot(&format!("error_{tab:?}").to_lowercase(), &app);
    }
    // r retries the current tab.
    assert_eq!(key(&mut app, KeyCode::Char('r')), [Effect::LoadMcp]);
    assert!(matches!(app.mcp, Load::Loading));
}

#[test]
fn empty_states_say_why() {
    let mut app = App::new(NOW);
    app.start();
    app.update(Action::OverviewLoaded(Ok(Err(None))));
    app.update(Action::UsageLoaded(
        30,
        Ok(Err("Example Corp publishes no usage endpoint.".into())),
    ));
    app.update(Action::McpLoaded(Ok(Vec::new())));
    let mut logged_out = models();
    logged_out.org = None;
    for row in &mut logged_out.rows {
        row.offered = false;
        row.default = false;
    }
    app.update(Action::ModelsLoaded(Ok(Some(logged_out))));
    for tab in [Tab::Overview, Tab::Usage, Tab::Mcp, Tab::Models] {
        app.tab = tab;
        snapshot(&format!("empty_{tab:?}").to_lowercase(), &app);
    }
    // A filter that matches nothing.
    key(&mut app, KeyCode::Char('/'));
    for c in "no-such-model".chars() {
        key(&mut app, KeyCode::Char(c));
    }
    snapshot("empty_filter", &app);
}

#[test]
fn tabs_switch_by_key_number_and_click() {
    let mut app = loaded();
    key(&mut app, KeyCode::Tab);
    assert_eq!(app.tab, Tab::Clients);
    app.update(Action::Key(KeyEvent::new(
        KeyCode::BackTab,
        KeyModifiers::SHIFT,
    )));
    app.update(Action::Key(KeyEvent::new(
        KeyCode::BackTab,
        KeyModifiers::SHIFT,
    )));
    assert_eq!(app.tab, Tab::Mcp, "Shift-Tab wraps around");
    key(&mut app, KeyCode::Char('4'));
    assert_eq!(app.tab, Tab::Usage);
    // A click on "3 Models" in the tab bar, as drawn.
    render(&app, 80, 24);
    let (_, from, _) = app.hits.borrow().tabs[2];
    app.update(Action::Mouse(MouseEvent {
        kind: MouseEventKind::Down(MouseButton::Left),
        column: from + 1,
        row: 0,
        modifiers: KeyModifiers::NONE,
    }));
    assert_eq!(app.tab, Tab::Models);
    // A click on the third row of the table selects it.
    render(&app, 80, 24);
    let (rows, _) = app.hits.borrow().rows.unwrap();
    app.update(Action::Mouse(MouseEvent {
        kind: MouseEventKind::Down(MouseButton::Left),
        column: rows.x + 3,
        row: rows.y + 2,
        modifiers: KeyModifiers::NONE,
    }));
    assert_eq!(app.models_view.selected, 2);
    key(&mut app, KeyCode::Char('q'));
    assert!(app.quit);
}

#[test]
fn filtering_sorting_and_setting_the_default() {
    let mut app = loaded();
    key(&mut app, KeyCode::Char('3'));
    assert_eq!(app.models_view.visible.len(), 7, "the org's models");
    key(&mut app, KeyCode::Char('c'));
    assert_eq!(
        app.models_view.visible.len(),
        4804,
        "the whole catalog and the org's own"
    );
    key(&mut app, KeyCode::Char('/'));
    for c in "GPT-5-M".chars() {
        key(&mut app, KeyCode::Char(c));
    }
    key(&mut app, KeyCode::Enter);
    let keys: Vec<String> = app
        .models_view
        .visible
        .iter()
        .map(|i| app.models.ready().unwrap().rows[*i].model.key())
        .collect();
    assert!(keys.contains(&"openai/gpt-5-mini".to_string()), "{keys:?}");
    assert!(keys.iter().all(|k| k.to_lowercase().contains("gpt-5-m")));
    // Esc clears the filter instead of quitting.
    key(&mut app, KeyCode::Esc);
    assert!(!app.quit);
    assert_eq!(app.models_view.visible.len(), 4804);
    key(&mut app, KeyCode::Char('c'));

    // Sorted by context, largest first; S reverses.
    key(&mut app, KeyCode::Char('s'));
    let contexts = |app: &App| -> Vec<u64> {
        app.models_view
            .visible
            .iter()
            .map(|i| {
                app.models.ready().unwrap().rows[*i]
                    .model
                    .context()
                    .unwrap_or(0)
            })
            .collect()
    };
    assert!(contexts(&app).windows(2).all(|w| w[0] >= w[1]));
    key(&mut app, KeyCode::Char('S'));
    assert!(contexts(&app).windows(2).all(|w| w[0] <= w[1]));

    // Enter on a model the org offers asks to make it the default; on the default, nothing.
    key(&mut app, KeyCode::Char('g'));
    let first = app.selected_model().unwrap().model.key();
    assert_eq!(first, "inhouse/coder", "the smallest context");
    assert_eq!(
        key(&mut app, KeyCode::Enter),
        [Effect::SetDefault("inhouse/coder".into())]
    );
    assert!(app.busy.is_some());
    assert!(
        key(&mut app, KeyCode::Enter).is_empty(),
        "one change at a time"
    );
    app.update(Action::Done(Ok("inhouse/coder is your default".into())));
    assert!(app.busy.is_none());
}

#[test]
fn usage_ranges_load_on_demand() {
    let mut app = loaded();
    key(&mut app, KeyCode::Char('4'));
    assert_eq!(key(&mut app, KeyCode::Right), [Effect::LoadUsage(90)]);
    assert!(
        key(&mut app, KeyCode::Right).is_empty(),
        "90 days is the last"
    );
    assert_eq!(
        key(&mut app, KeyCode::Left),
        Vec::<Effect>::new(),
        "30 days is loaded"
    );
    assert_eq!(key(&mut app, KeyCode::Left), [Effect::LoadUsage(7)]);
    app.update(Action::UsageLoaded(7, Ok(Ok(report(7)))));
    snapshot("usage_7_days", &app);
}

#[test]
fn no_color_keeps_the_selection_visible_without_colours() {
    let mut app = loaded();
    app.tab = Tab::Models;
    let mut terminal = Terminal::new(TestBackend::new(80, 24)).unwrap();
    terminal
        .draw(|frame| view::draw(frame, &app, &Theme::new(false)))
        .unwrap();
    let buffer = terminal.backend().buffer();
    assert!(
        buffer
            .content
            .iter()
            .all(|c| c.fg == ratatui::style::Color::Reset)
    );
    assert!(
        buffer
            .content
            .iter()
            .any(|c| c.modifier.contains(ratatui::style::Modifier::REVERSED))
    );
    let colored = render(&app, 80, 24);
    assert!(
        colored
            .backend()
            .buffer()
            .content
            .iter()
            .any(|c| c.fg != ratatui::style::Color::Reset)
    );
}

#[test]
fn a_local_server_waiting_for_approval_is_a_warning_with_its_command() {
    use crate::layers::approval::{Change, Pending};
    let pinned = crate::layers::approval::pin(&json!({"command": ["srv"]}));
    let mut status = status();
    status.pending_approval = vec![Pending {
        entry: "mcp.tool".into(),
        name: "tool".into(),
        change: Change::Changed,
        wants: pinned.clone(),
        approved: Some(pinned),
        note: None,
    }];
    let warnings = view::overview::warnings_of(&status, None, NOW);
    assert!(
        warnings.contains(&(
            "mcp.tool waits for your approval (changed, the approved version runs).".into(),
            "ai-setup approve".into()
        )),
        "{warnings:?}"
    );
}
