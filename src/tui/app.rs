//! The dashboard's model and its one `update` function (The Elm Architecture): every key,
//! mouse click, tick and background result is an [`Action`]; `update` changes the [`App`] and
//! returns the [`Effect`]s to start (loads, apply, set default). Nothing here touches the
//! terminal, the network or the disk, so tests drive it with actions and look at the frames.

use std::cell::{Cell, RefCell};
use std::collections::BTreeMap;

use crossterm::event::{
    KeyCode, KeyEvent, KeyEventKind, KeyModifiers, MouseButton, MouseEvent, MouseEventKind,
};
use ratatui::layout::Rect;

use crate::api::catalog::{Offered, Source};
use crate::api::usage::Report;
use crate::engine::inspect::ClientRow;
use crate::engine::inspect::Status;
use crate::error::Error;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Tab {
    Overview,
    Clients,
    Models,
    Usage,
    Mcp,
}

impl Tab {
    pub const ALL: [Tab; 5] = [
        Tab::Overview,
        Tab::Clients,
        Tab::Models,
        Tab::Usage,
        Tab::Mcp,
    ];

    pub fn title(self) -> &'static str {
        match self {
            Tab::Overview => "Overview",
            Tab::Clients => "Clients",
            Tab::Models => "Models",
            Tab::Usage => "Usage",
            Tab::Mcp => "MCP",
        }
    }

    fn index(self) -> usize {
        Tab::ALL.iter().position(|t| *t == self).unwrap_or(0)
    }

    fn step(self, by: isize) -> Tab {
        let n = Tab::ALL.len() as isize;
        Tab::ALL[((self.index() as isize + by).rem_euclid(n)) as usize]
    }
}

/// Something loaded in the background.
#[derive(Debug, Clone)]
pub enum Load<T> {
    Loading,
    Ready(T),
    /// It could not be loaded; `r` retries.
    Failed(Error),
    /// There is nothing to load, and why (not logged in, no endpoint).
    Empty(String),
}

impl<T> Load<T> {
    pub fn ready(&self) -> Option<&T> {
        match self {
            Load::Ready(value) => Some(value),
            _ => None,
        }
    }
}

/// The Models tab's data: the whole catalog with the org's models marked.
#[derive(Debug, Clone)]
pub struct ModelsData {
    pub rows: Vec<Offered>,
    /// The org's name, when logged in.
    pub org: Option<String>,
    pub source: Option<Source>,
    /// Why the org's models endpoint could not be read, if it could not.
    pub warning: Option<String>,
}

/// An MCP server of the org, and what probing it found.
#[derive(Debug, Clone)]
pub struct McpServer {
    pub name: String,
    /// Remote (through `ai-setup mcp bridge`) or local (`ai-setup exec`).
    pub remote: bool,
    /// The URL, or the command line.
    pub target: String,
    pub enabled: bool,
    pub probe: Probe,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Probe {
    /// Local servers start only when asked (they may download a package).
    Idle,
    Running,
    Connected {
        tools: Vec<String>,
        millis: u64,
    },
    Failed(String),
}

/// How the model table is sorted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sort {
    Name,
    Context,
    InputPrice,
    OutputPrice,
    Released,
}

impl Sort {
    const ALL: [Sort; 5] = [
        Sort::Name,
        Sort::Context,
        Sort::InputPrice,
        Sort::OutputPrice,
        Sort::Released,
    ];

    pub fn label(self) -> &'static str {
        match self {
            Sort::Name => "model",
            Sort::Context => "context",
            Sort::InputPrice => "input price",
            Sort::OutputPrice => "output price",
            Sort::Released => "release date",
        }
    }
}

/// What the Models tab shows of its data.
#[derive(Debug, Clone)]
pub struct ModelsView {
    pub filter: String,
    /// `/` was pressed: keys type into the filter.
    pub typing: bool,
    pub sort: Sort,
    pub descending: bool,
    /// The whole catalog rather than the org's models.
    pub catalog: bool,
    /// Indices into the rows, filtered and sorted.
    pub visible: Vec<usize>,
    pub selected: usize,
}

/// The usage ranges the tab offers, in days.
pub const RANGES: [u32; 3] = [7, 30, 90];

/// A message in the footer, until the next key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Notice {
    Info(String),
    Error(String),
}

/// Where the last frame put things the mouse can hit, recorded by the view.
#[derive(Debug, Clone, Default)]
pub struct Hits {
    /// Each tab's columns in the tab bar (row 0).
    pub tabs: Vec<(Tab, u16, u16)>,
    /// The table's rows (header excluded) and the index of its first visible row.
    pub rows: Option<(Rect, usize)>,
}

pub struct App {
    pub tab: Tab,
    pub help: bool,
    pub quit: bool,
    /// Unix time, for "expires in 40 minutes" (a tick updates it).
    pub now: i64,
    pub overview: Load<Status>,
    pub clients: Load<Vec<ClientRow>>,
    pub client_selected: usize,
    pub models: Load<ModelsData>,
    pub models_view: ModelsView,
    pub usage: BTreeMap<u32, Load<Report>>,
    pub days: u32,
    pub mcp: Load<Vec<McpServer>>,
    pub mcp_selected: usize,
    /// An apply or a default-model change is running.
    pub busy: Option<String>,
    pub notice: Option<Notice>,
    /// The first visible row of each table, kept between frames by the view.
    pub scroll: [Cell<usize>; 3],
    pub hits: RefCell<Hits>,
}

/// Everything that happens to the dashboard.
#[derive(Debug)]
pub enum Action {
    Key(KeyEvent),
    Mouse(MouseEvent),
    Tick(i64),
    OverviewLoaded(Result<Result<Status, Option<String>>, Error>),
    ClientsLoaded(Result<Vec<ClientRow>, Error>),
    ModelsLoaded(Result<Option<ModelsData>, Error>),
    /// A range's report, or `None` when the org has no usage endpoint (the message says so).
    UsageLoaded(u32, Result<Result<Report, String>, Error>),
    McpLoaded(Result<Vec<McpServer>, Error>),
    Probed(String, Result<(Vec<String>, u64), String>),
    /// An apply or a default change finished, with what to tell the user.
    Done(Result<String, Error>),
}

/// Work for the runtime to start; each ends in an [`Action`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Effect {
    LoadOverview,
    LoadClients,
    LoadModels,
    LoadUsage(u32),
    LoadMcp,
    Probe(String),
    /// Apply the org's configuration to one client, or all.
    Apply(Option<&'static str>),
    /// Make this model the user's default, then apply.
    SetDefault(String),
}

impl App {
    pub fn new(now: i64) -> App {
        App {
            tab: Tab::Overview,
            help: false,
            quit: false,
            now,
            overview: Load::Loading,
            clients: Load::Loading,
            client_selected: 0,
            models: Load::Loading,
            models_view: ModelsView {
                filter: String::new(),
                typing: false,
                sort: Sort::Name,
                descending: false,
                catalog: false,
                visible: Vec::new(),
                selected: 0,
            },
            usage: BTreeMap::new(),
            days: 30,
            mcp: Load::Loading,
            mcp_selected: 0,
            busy: None,
            notice: None,
            scroll: Default::default(),
            hits: RefCell::default(),
        }
    }

    /// What to load when the dashboard opens: everything at once, in the background.
    pub fn start(&mut self) -> Vec<Effect> {
        self.usage.insert(self.days, Load::Loading);
        vec![
            Effect::LoadOverview,
            Effect::LoadClients,
            Effect::LoadModels,
            Effect::LoadUsage(self.days),
            Effect::LoadMcp,
        ]
    }

    pub fn update(&mut self, action: Action) -> Vec<Effect> {
        match action {
            Action::Key(key) if key.kind != KeyEventKind::Release => self.key(key),
            Action::Key(_) => Vec::new(),
            Action::Mouse(mouse) => self.mouse(mouse),
            Action::Tick(now) => {
                self.now = now;
                Vec::new()
            }
            Action::OverviewLoaded(result) => {
                self.overview = match result {
                    Ok(Ok(status)) => Load::Ready(status),
                    Ok(Err(org)) => Load::Empty(not_logged_in(org.as_deref())),
                    Err(err) => Load::Failed(err),
                };
                Vec::new()
            }
            Action::ClientsLoaded(result) => {
                self.clients = loaded(result);
                let count = self.clients.ready().map_or(0, Vec::len);
                self.client_selected = self.client_selected.min(count.saturating_sub(1));
                Vec::new()
            }
            Action::ModelsLoaded(result) => {
                self.models = match result {
                    Ok(Some(data)) => {
                        // Logged out, the org's list is empty: show the catalog.
                        if data.org.is_none() {
                            self.models_view.catalog = true;
                        }
                        Load::Ready(data)
                    }
                    Ok(None) => Load::Empty(not_logged_in(None)),
                    Err(err) => Load::Failed(err),
                };
                self.refilter();
                Vec::new()
            }
            Action::UsageLoaded(days, result) => {
                self.usage.insert(
                    days,
                    match result {
                        Ok(Ok(report)) => Load::Ready(report),
                        Ok(Err(why)) => Load::Empty(why),
                        Err(err) => Load::Failed(err),
                    },
                );
                Vec::new()
            }
            Action::McpLoaded(result) => {
                self.mcp = loaded(result);
                // Remote servers are probed at once; local ones start only when asked.
                let remote: Vec<String> = self
                    .mcp
                    .ready()
                    .into_iter()
                    .flatten()
                    .filter(|s| s.remote && s.enabled)
                    .map(|s| s.name.clone())
                    .collect();
                for name in &remote {
                    self.set_probe(name, Probe::Running);
                }
                remote.into_iter().map(Effect::Probe).collect()
            }
            Action::Probed(name, result) => {
                self.set_probe(
                    &name,
                    match result {
                        Ok((tools, millis)) => Probe::Connected { tools, millis },
                        Err(message) => Probe::Failed(message),
                    },
                );
                Vec::new()
            }
            Action::Done(result) => {
                self.busy = None;
                self.notice = Some(match result {
                    Ok(message) => Notice::Info(message),
                    Err(err) => Notice::Error(describe(&err)),
                });
                vec![
                    Effect::LoadOverview,
                    Effect::LoadClients,
                    Effect::LoadModels,
                ]
            }
        }
    }

    fn set_probe(&mut self, name: &str, probe: Probe) {
        if let Load::Ready(servers) = &mut self.mcp
            && let Some(server) = servers.iter_mut().find(|s| s.name == name)
        {
            server.probe = probe;
        }
    }

    fn key(&mut self, key: KeyEvent) -> Vec<Effect> {
        let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
        if ctrl && matches!(key.code, KeyCode::Char('c') | KeyCode::Char('q')) {
            self.quit = true;
            return Vec::new();
        }
        if self.help {
            // Any key closes the help; `q` does not quit from it.
            self.help = false;
            return Vec::new();
        }
        if self.tab == Tab::Models && self.models_view.typing {
            return self.type_filter(key);
        }
        self.notice = None;
        match key.code {
            KeyCode::Char('q') | KeyCode::Esc if !self.escape_filter(key.code) => {
                self.quit = true;
                Vec::new()
            }
            KeyCode::Esc => Vec::new(),
            KeyCode::Char('?') => {
                self.help = true;
                Vec::new()
            }
            KeyCode::Tab => self.switch(self.tab.step(1)),
            KeyCode::BackTab => self.switch(self.tab.step(-1)),
            KeyCode::Char(c @ '1'..='5') => self.switch(Tab::ALL[c as usize - '1' as usize]),
            KeyCode::Char('r') => self.reload(),
            KeyCode::Up | KeyCode::Char('k') => self.move_selection(-1),
            KeyCode::Down | KeyCode::Char('j') => self.move_selection(1),
            KeyCode::PageUp => self.move_selection(-10),
            KeyCode::PageDown => self.move_selection(10),
            KeyCode::Home | KeyCode::Char('g') => self.move_selection(isize::MIN / 2),
            KeyCode::End | KeyCode::Char('G') => self.move_selection(isize::MAX / 2),
            code => self.tab_key(code),
        }
    }

    /// Esc first clears a model filter; only then does it quit.
    fn escape_filter(&mut self, code: KeyCode) -> bool {
        if code == KeyCode::Esc && self.tab == Tab::Models && !self.models_view.filter.is_empty() {
            self.models_view.filter.clear();
            self.refilter();
            return true;
        }
        false
    }

    fn tab_key(&mut self, code: KeyCode) -> Vec<Effect> {
        match (self.tab, code) {
            (Tab::Clients, KeyCode::Char('a')) => {
                let client = self
                    .clients
                    .ready()
                    .and_then(|rows| rows.get(self.client_selected))
                    .map(|row| row.id);
                match client {
                    Some(id) => {
                        self.run_busy(format!("Applying to {id}…"), Effect::Apply(Some(id)))
                    }
                    None => Vec::new(),
                }
            }
            (Tab::Clients, KeyCode::Char('A')) => {
                self.run_busy("Applying to every client…".into(), Effect::Apply(None))
            }
            (Tab::Models, KeyCode::Char('/')) => {
                self.models_view.typing = true;
                Vec::new()
            }
            (Tab::Models, KeyCode::Char('s')) => {
                let i = Sort::ALL
                    .iter()
                    .position(|s| *s == self.models_view.sort)
                    .unwrap_or(0);
                self.sort_by(Sort::ALL[(i + 1) % Sort::ALL.len()]);
                Vec::new()
            }
            (Tab::Models, KeyCode::Char('S')) => {
                self.models_view.descending = !self.models_view.descending;
                self.refilter();
                Vec::new()
            }
            (Tab::Models, KeyCode::Char('c')) => {
                self.models_view.catalog = !self.models_view.catalog;
                self.refilter();
                Vec::new()
            }
            (Tab::Models, KeyCode::Enter | KeyCode::Char('d')) => self.set_default(),
            (Tab::Usage, KeyCode::Left | KeyCode::Char('h') | KeyCode::Char('[')) => {
                self.change_range(-1)
            }
            (Tab::Usage, KeyCode::Right | KeyCode::Char('l') | KeyCode::Char(']')) => {
                self.change_range(1)
            }
            (Tab::Mcp, KeyCode::Enter | KeyCode::Char('p')) => {
                let name = self
                    .mcp
                    .ready()
                    .and_then(|s| s.get(self.mcp_selected))
                    .filter(|s| s.probe != Probe::Running)
                    .map(|s| s.name.clone());
                match name {
                    Some(name) => {
                        self.set_probe(&name, Probe::Running);
                        vec![Effect::Probe(name)]
                    }
                    None => Vec::new(),
                }
            }
            _ => Vec::new(),
        }
    }

    fn run_busy(&mut self, what: String, effect: Effect) -> Vec<Effect> {
        if self.busy.is_some() {
            self.notice = Some(Notice::Error(
                "wait for the change under way to finish".into(),
            ));
            return Vec::new();
        }
        self.busy = Some(what);
        vec![effect]
    }

    fn set_default(&mut self) -> Vec<Effect> {
        let Some(offered) = self.selected_model() else {
            return Vec::new();
        };
        let key = offered.model.key();
        if !offered.offered {
            let org = self
                .models
                .ready()
                .and_then(|m| m.org.clone())
                .unwrap_or_else(|| "the org".into());
            self.notice = Some(Notice::Error(format!("{org} does not offer {key}")));
            return Vec::new();
        }
        if offered.default {
            self.notice = Some(Notice::Info(format!("{key} is already your default")));
            return Vec::new();
        }
        self.run_busy(
            format!("Setting {key} as your default…"),
            Effect::SetDefault(key),
        )
    }

    /// The model under the cursor.
    pub fn selected_model(&self) -> Option<&Offered> {
        let data = self.models.ready()?;
        let index = *self.models_view.visible.get(self.models_view.selected)?;
        data.rows.get(index)
    }

    fn type_filter(&mut self, key: KeyEvent) -> Vec<Effect> {
        let view = &mut self.models_view;
        match key.code {
            KeyCode::Enter => view.typing = false,
            KeyCode::Esc => {
                view.typing = false;
                view.filter.clear();
            }
            KeyCode::Backspace => {
                view.filter.pop();
            }
            KeyCode::Char(c) => view.filter.push(c),
            KeyCode::Up | KeyCode::Down => {
                view.typing = false;
                return self.key(key);
            }
            _ => return Vec::new(),
        }
        self.refilter();
        Vec::new()
    }

    pub fn sort_by(&mut self, sort: Sort) {
        if self.models_view.sort == sort {
            self.models_view.descending = !self.models_view.descending;
        } else {
            self.models_view.sort = sort;
            // Biggest first is what one wants for sizes and dates; cheapest first for prices.
            self.models_view.descending = matches!(sort, Sort::Context | Sort::Released);
        }
        self.refilter();
    }

    /// Recomputes the visible model rows after a change of data, filter, sort or scope,
    /// keeping the selected model selected when it is still visible.
    pub fn refilter(&mut self) {
        let Some(data) = self.models.ready() else {
            self.models_view.visible.clear();
            return;
        };
        let view = &self.models_view;
        let previous = view
            .visible
            .get(view.selected)
            .and_then(|i| data.rows.get(*i))
            .map(|o| o.model.key());
        let needle = view.filter.to_lowercase();
        let mut visible: Vec<usize> = data
            .rows
            .iter()
            .enumerate()
            .filter(|(_, o)| (view.catalog || o.offered) && o.model.matches(&needle))
            .map(|(i, _)| i)
            .collect();
        let rows = &data.rows;
        let sort = view.sort;
        // Unknown values sort last either way.
        let float = |v: Option<f64>| v.unwrap_or(f64::INFINITY);
        visible.sort_by(|a, b| {
            let (a, b) = (&rows[*a].model, &rows[*b].model);
            let order = match sort {
                Sort::Name => std::cmp::Ordering::Equal,
                Sort::Context => a.context().unwrap_or(0).cmp(&b.context().unwrap_or(0)),
                Sort::InputPrice => float(a.input_price()).total_cmp(&float(b.input_price())),
                Sort::OutputPrice => float(a.output_price()).total_cmp(&float(b.output_price())),
                Sort::Released => a.info.release_date.cmp(&b.info.release_date),
            };
            let order = if view.descending {
                order.reverse()
            } else {
                order
            };
            order.then_with(|| (&a.provider, &a.id).cmp(&(&b.provider, &b.id)))
        });
        let selected = previous
            .and_then(|key| visible.iter().position(|i| rows[*i].model.key() == key))
            .unwrap_or(0);
        self.models_view.visible = visible;
        self.models_view.selected = selected;
    }

    fn switch(&mut self, tab: Tab) -> Vec<Effect> {
        self.tab = tab;
        Vec::new()
    }

    fn reload(&mut self) -> Vec<Effect> {
        match self.tab {
            Tab::Overview => {
                self.overview = Load::Loading;
                vec![Effect::LoadOverview]
            }
            Tab::Clients => {
                self.clients = Load::Loading;
                vec![Effect::LoadClients]
            }
            Tab::Models => {
                self.models = Load::Loading;
                vec![Effect::LoadModels]
            }
            Tab::Usage => {
                self.usage.insert(self.days, Load::Loading);
                vec![Effect::LoadUsage(self.days)]
            }
            Tab::Mcp => {
                self.mcp = Load::Loading;
                vec![Effect::LoadMcp]
            }
        }
    }

    fn change_range(&mut self, by: isize) -> Vec<Effect> {
        let i = RANGES.iter().position(|d| *d == self.days).unwrap_or(1) as isize;
        let next = RANGES[(i + by).clamp(0, RANGES.len() as isize - 1) as usize];
        self.days = next;
        match self.usage.get(&next) {
            Some(Load::Ready(_) | Load::Loading | Load::Empty(_)) => Vec::new(),
            _ => {
                self.usage.insert(next, Load::Loading);
                vec![Effect::LoadUsage(next)]
            }
        }
    }

    /// The selected row of the current tab's table and how many rows it has.
    fn selection(&mut self) -> Option<(&mut usize, usize)> {
        match self.tab {
            Tab::Clients => {
                let n = self.clients.ready().map_or(0, Vec::len);
                Some((&mut self.client_selected, n))
            }
            Tab::Models => {
                let n = self.models_view.visible.len();
                Some((&mut self.models_view.selected, n))
            }
            Tab::Mcp => {
                let n = self.mcp.ready().map_or(0, Vec::len);
                Some((&mut self.mcp_selected, n))
            }
            _ => None,
        }
    }

    fn move_selection(&mut self, by: isize) -> Vec<Effect> {
        if let Some((selected, count)) = self.selection() {
            let last = count.saturating_sub(1) as isize;
            *selected = (*selected as isize)
                .saturating_add(by)
                .clamp(0, last.max(0)) as usize;
        }
        Vec::new()
    }

    fn mouse(&mut self, mouse: MouseEvent) -> Vec<Effect> {
        match mouse.kind {
            MouseEventKind::ScrollDown => self.move_selection(3),
            MouseEventKind::ScrollUp => self.move_selection(-3),
            MouseEventKind::Down(MouseButton::Left) => {
                let hits = self.hits.borrow().clone();
                if self.help {
                    self.help = false;
                    return Vec::new();
                }
                if mouse.row == 0
                    && let Some((tab, _, _)) = hits
                        .tabs
                        .iter()
                        .find(|(_, from, to)| (*from..*to).contains(&mouse.column))
                {
                    return self.switch(*tab);
                }
                if let Some((area, offset)) = hits.rows
                    && area.contains(ratatui::layout::Position::new(mouse.column, mouse.row))
                {
                    let row = offset + usize::from(mouse.row - area.y);
                    if let Some((selected, count)) = self.selection()
                        && row < count
                    {
                        *selected = row;
                    }
                }
                Vec::new()
            }
            _ => Vec::new(),
        }
    }
}

fn loaded<T>(result: Result<T, Error>) -> Load<T> {
    match result {
        Ok(value) => Load::Ready(value),
        Err(err) => Load::Failed(err),
    }
}

fn not_logged_in(org: Option<&str>) -> String {
    match org {
        Some(org) => format!("Not logged in to {org}. Run `ai-setup login {org}`."),
        None => "Not logged in. Run `ai-setup login https://ai.example.com` with your org's \
                 address, or `ai-setup demo` to try it."
            .into(),
    }
}

/// An error and its first hint, on one line.
pub fn describe(err: &Error) -> String {
    match err.hints.first() {
        Some(hint) => format!("{} ({hint})", err.message),
        None => err.message.clone(),
    }
}
