//! The dashboard's frame and filter costs with the whole catalog loaded (4,803 models plus
//! the org's own), measured in-process on ratatui's test backend, so only ai-setup's work is
//! timed: `cargo bench --bench dashboard`. `bench/run` runs it next to the first-frame and
//! memory measurements of the real binary and its peer.

use std::time::{Duration, Instant};

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use serde_json::json;

use ai_setup::api::catalog::{self, Catalog};
use ai_setup::tui::app::{Action, App, ModelsData};
use ai_setup::tui::theme::Theme;
use ai_setup::tui::view;

fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples[samples.len() / 2]
}

fn key(app: &mut App, code: KeyCode) {
    app.update(Action::Key(KeyEvent::new(code, KeyModifiers::NONE)));
}

fn main() {
    let started = Instant::now();
    let snapshot = Catalog::snapshot().expect("the catalog parses");
    let parse = started.elapsed();
    let config = json!({
        "model": "anthropic/claude-sonnet-4-5",
        "provider": {"anthropic": {}, "openai": {}, "google": {}}
    });
    let offered = catalog::offered(config.as_object().unwrap(), None, &snapshot, &[]);
    let rows = catalog::whole(snapshot, Some(&offered));
    let count = rows.len();

    let mut app = App::new(0);
    app.start();
    app.update(Action::ModelsLoaded(Ok(Some(ModelsData {
        rows,
        org: Some("Bench Corp".into()),
        source: Some(offered.source),
        warning: None,
    }))));
    key(&mut app, KeyCode::Char('3'));
    key(&mut app, KeyCode::Char('c'));
    assert_eq!(
        app.models_view.visible.len(),
        count,
        "the whole catalog is shown"
    );
    let theme = Theme::new(true);

    println!("dashboard, whole catalog loaded: {count} models (snapshot parsed in {parse:.1?})");
    for (width, height) in [(80u16, 24u16), (160, 48)] {
        let mut terminal = Terminal::new(TestBackend::new(width, height)).unwrap();
        let mut samples = Vec::new();
        for i in 0..400 {
            // Scroll as a user would, so frames differ.
            key(
                &mut app,
                if i % 50 < 25 {
                    KeyCode::PageDown
                } else {
                    KeyCode::PageUp
                },
            );
            let start = Instant::now();
            terminal
                .draw(|frame| view::draw(frame, &app, &theme))
                .unwrap();
            samples.push(start.elapsed());
        }
        let worst = samples.iter().max().copied().unwrap_or_default();
        let median = median(samples);
        println!(
            "  render {width}x{height}: median {:.3} ms, max {:.3} ms per frame (target 2 ms: {:.0}x under)",
            median.as_secs_f64() * 1e3,
            worst.as_secs_f64() * 1e3,
            2e-3 / median.as_secs_f64()
        );
    }

    // Filter latency: typing "claude sonnet" one key at a time, then clearing it, 20 times.
    let mut per_key = Vec::new();
    for _ in 0..20 {
        key(&mut app, KeyCode::Char('/'));
        for c in "claude sonnet".chars() {
            let start = Instant::now();
            key(&mut app, KeyCode::Char(c));
            per_key.push(start.elapsed());
        }
        let start = Instant::now();
        key(&mut app, KeyCode::Esc);
        per_key.push(start.elapsed());
    }
    let worst = per_key.iter().max().copied().unwrap_or_default();
    println!(
        "  filter, per key over {count} models: median {:.3} ms, max {:.3} ms",
        median(per_key).as_secs_f64() * 1e3,
        worst.as_secs_f64() * 1e3
    );
    let mut sorts = Vec::new();
    for _ in 0..20 {
        let start = Instant::now();
        key(&mut app, KeyCode::Char('s'));
        sorts.push(start.elapsed());
    }
    println!(
        "  sort by the next column: median {:.3} ms",
        median(sorts).as_secs_f64() * 1e3
    );
}
