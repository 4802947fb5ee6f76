//! The dashboard (`ai-setup` on a terminal, or `ai-setup dashboard`): ratatui and crossterm on
//! a tokio loop, in The Elm Architecture.
//!
//! - [`app`]: the model, the actions and `update` (pure: tests drive it without a terminal);
//! - [`view`]: one drawing function per tab (pure: tests snapshot its buffer);
//! - [`data`]: the background work each effect starts (the same functions as the commands);
//! - [`theme`]: colours, or none with `NO_COLOR`.
//!
//! The first frame is drawn before anything is loaded: every tab starts "Loading…" and fills
//! in as its data arrives, so a slow endpoint never freezes the screen. The terminal is
//! restored on quit, on error and on panic. Diagnostics meant for stderr (`-v`) are held while
//! the dashboard draws and written when it quits.

pub mod app;
pub mod data;
pub mod theme;
pub mod view;

#[cfg(test)]
mod tests;

use std::io::IsTerminal;
use std::path::PathBuf;

use crossterm::event::{DisableMouseCapture, EnableMouseCapture, Event, EventStream};
use futures_util::StreamExt;

use app::{Action, App};
use data::Context;
use theme::Theme;

use crate::error::{Error, Finished, Result};
use crate::paths::Paths;

/// Whether a dashboard can open here: both ends of the terminal are a TTY.
pub fn can_open() -> bool {
    std::io::stdin().is_terminal() && std::io::stdout().is_terminal()
}

/// Runs the dashboard until the user quits. `child_env` is set for the processes it starts.
pub fn run(
    paths: Paths,
    org: Option<String>,
    child_env: Vec<(&'static str, PathBuf)>,
) -> Result<Finished> {
    let context = Context {
        paths,
        org,
        child_env,
    };
    let runtime = crate::runtime()?;
    let mut terminal = enter()?;
    let result = runtime.block_on(event_loop(&mut terminal, &context));
    leave();
    result.map(|()| Finished::Done)
}

fn terminal_error(e: std::io::Error) -> Error {
    Error::failure(format!("the terminal failed: {e}"))
}

/// Raw mode, the alternate screen and mouse reports, with a panic hook that undoes them
/// before the panic message prints.
fn enter() -> Result<ratatui::DefaultTerminal> {
    crate::logging::hold_stderr();
    let terminal = ratatui::try_init().map_err(terminal_error)?;
    crossterm::execute!(std::io::stdout(), EnableMouseCapture).map_err(terminal_error)?;
    let ratatui_hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let _ = crossterm::execute!(std::io::stdout(), DisableMouseCapture);
        ratatui_hook(info);
    }));
    Ok(terminal)
}

fn leave() {
    let _ = crossterm::execute!(std::io::stdout(), DisableMouseCapture);
    ratatui::restore();
    crate::logging::release_stderr();
}

async fn event_loop(terminal: &mut ratatui::DefaultTerminal, context: &Context) -> Result<()> {
    let theme = Theme::from_env();
    let (send, mut receive) = tokio::sync::mpsc::unbounded_channel();
    let mut app = App::new(crate::now_unix());
    // The first frame, before anything has loaded.
    terminal
        .draw(|frame| view::draw(frame, &app, &theme))
        .map_err(terminal_error)?;
    for effect in app.start() {
        let send = send.clone();
        data::spawn(effect, context, move |action| {
            let _ = send.send(action);
        });
    }
    let mut events = EventStream::new();
    let mut tick = tokio::time::interval(std::time::Duration::from_secs(1));
    loop {
        let action = tokio::select! {
            event = events.next() => match event {
                Some(Ok(Event::Key(key))) => Action::Key(key),
                Some(Ok(Event::Mouse(mouse))) => Action::Mouse(mouse),
                Some(Ok(_)) => Action::Tick(crate::now_unix()),
                Some(Err(e)) => return Err(terminal_error(e)),
                None => return Ok(()),
            },
            Some(action) = receive.recv() => action,
            _ = tick.tick() => Action::Tick(crate::now_unix()),
        };
        for effect in app.update(action) {
            let send = send.clone();
            data::spawn(effect, context, move |action| {
                let _ = send.send(action);
            });
        }
        if app.quit {
            return Ok(());
        }
        terminal
            .draw(|frame| view::draw(frame, &app, &theme))
            .map_err(terminal_error)?;
    }
}
