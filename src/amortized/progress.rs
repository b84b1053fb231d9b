//! Where training progress goes: a live bar for a person at a terminal,
//! nothing otherwise.
//!
//! The final one-line summary is not printed here: it is returned in the
//! `TrainingReport`, so that the caller (the interpreter, a test, a bench)
//! decides whether to print or suppress it.

use std::io::IsTerminal;

use serde::{Deserialize, Serialize};

/// How training reports progress while it runs.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Progress {
    /// A progress bar on stderr when stderr is a terminal; nothing otherwise.
    #[default]
    Auto,
    /// Nothing at all (tests, benches, nested training).
    Silent,
}

/// A running display; a no-op unless a bar was warranted.
pub(crate) struct Tracker {
    bar: Option<indicatif::ProgressBar>,
}

impl Tracker {
    pub fn new(mode: Progress, total: u64, label: &str) -> Tracker {
        let wanted = mode == Progress::Auto && std::io::stderr().is_terminal();
        let bar = wanted.then(|| {
            let bar = indicatif::ProgressBar::new(total);
            if let Ok(style) = indicatif::ProgressStyle::with_template(
                "{prefix} [{bar:30}] {pos}/{len} {msg} ({elapsed})",
            ) {
                bar.set_style(style.progress_chars("=> "));
            }
            bar.set_prefix(label.to_string());
            bar
        });
        Tracker { bar }
    }

    /// Records one finished unit of work (an epoch, an evaluation interval).
    pub fn tick(&self, loss: f64, val: Option<f64>) {
        if let Some(bar) = &self.bar {
            match val {
                Some(v) => bar.set_message(format!("loss {loss:.4} val {v:.4}")),
                None => bar.set_message(format!("loss {loss:.4}")),
            }
            bar.inc(1);
        }
    }

    pub fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}
