//! Where progress goes while long work runs: a live bar for a person at a
//! terminal; plain lines for a log when stderr is not a terminal (a batch
//! job's log), at most one every [`LOG_INTERVAL`]; nothing when silent.
//! Training, `compare` and `sweep` are handed a mode; exact searches deep
//! in the native library read the process-wide [`ambient`] one, which the
//! CLI turns on for `optimist run` without `--quiet`, and log lines only.
//!
//! The final one-line summary is not printed here: it is returned in the
//! `TrainingReport`, so that the caller (the interpreter, a test, a bench)
//! decides whether to print or suppress it.

use std::io::IsTerminal;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

/// The least time between two progress lines in a log.
pub const LOG_INTERVAL: Duration = Duration::from_secs(10);

/// How long work reports progress while it runs.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Progress {
    /// A progress bar on stderr when stderr is a terminal; otherwise a
    /// plain line at most every [`LOG_INTERVAL`].
    #[default]
    Auto,
    /// Nothing at all (tests, benches, nested training).
    Silent,
}

static AMBIENT: AtomicBool = AtomicBool::new(false);

/// Sets the mode of native loops that are not handed one (exact
/// searches): `Auto` logs their progress lines, `Silent` (the default)
/// does not.
pub fn set_ambient(mode: Progress) {
    AMBIENT.store(mode == Progress::Auto, Ordering::Relaxed);
}

/// The mode set by [`set_ambient`].
pub fn ambient() -> Progress {
    if AMBIENT.load(Ordering::Relaxed) {
        Progress::Auto
    } else {
        Progress::Silent
    }
}

/// Plain progress lines for a log: the first once `interval` has passed,
/// then at most one per `interval`. Time is passed in, so that tests need
/// no clock.
#[derive(Clone, Debug)]
pub struct LineLog {
    label: String,
    total: u64,
    interval: Duration,
    next: Duration,
}

impl LineLog {
    pub fn new(label: &str, total: u64, interval: Duration) -> LineLog {
        LineLog {
            label: label.to_string(),
            total,
            interval,
            next: interval,
        }
    }

    /// The line to log after `done` of `total` units at `elapsed` since
    /// the start, if one is due.
    pub fn line(&mut self, elapsed: Duration, done: u64, message: &str) -> Option<String> {
        if elapsed < self.next {
            return None;
        }
        self.next = elapsed + self.interval;
        let sep = if message.is_empty() { "" } else { ", " };
        let count = if self.total > 0 {
            let pct = 100.0 * done as f64 / self.total as f64;
            format!("{done}/{} ({pct:.0}%)", self.total)
        } else {
            done.to_string()
        };
        Some(format!(
            "{}: {count}{sep}{message}, {:.0}s",
            self.label,
            elapsed.as_secs_f64()
        ))
    }
}

enum Display {
    Bar(indicatif::ProgressBar),
    Log(Mutex<LineLog>, Instant),
    Nothing,
}

/// A running display.
pub(crate) struct Tracker {
    display: Display,
    done: AtomicU64,
}

impl Tracker {
    pub fn new(mode: Progress, total: u64, label: &str) -> Tracker {
        let display = match mode {
            Progress::Silent => Display::Nothing,
            Progress::Auto if std::io::stderr().is_terminal() => {
                let bar = indicatif::ProgressBar::new(total);
                if let Ok(style) = indicatif::ProgressStyle::with_template(
                    "{prefix} [{bar:30}] {pos}/{len} {msg} ({elapsed})",
                ) {
                    bar.set_style(style.progress_chars("=> "));
                }
                bar.set_prefix(label.to_string());
                Display::Bar(bar)
            }
            Progress::Auto => Display::Log(
                Mutex::new(LineLog::new(label, total, LOG_INTERVAL)),
                Instant::now(),
            ),
        };
        Tracker {
            display,
            done: AtomicU64::new(0),
        }
    }

    /// Plain lines only, even on a terminal (for loops that may run many
    /// times briefly, such as one search per move): nothing unless a run
    /// lasts past [`LOG_INTERVAL`]. `total` 0: unknown.
    pub fn lines(mode: Progress, total: u64, label: &str) -> Tracker {
        let display = match mode {
            Progress::Silent => Display::Nothing,
            Progress::Auto => Display::Log(
                Mutex::new(LineLog::new(label, total, LOG_INTERVAL)),
                Instant::now(),
            ),
        };
        Tracker {
            display,
            done: AtomicU64::new(0),
        }
    }

    /// Records one finished unit of work (an epoch, an evaluation interval).
    pub fn tick(&self, loss: f64, val: Option<f64>) {
        let message = match val {
            Some(v) => format!("loss {loss:.4} val {v:.4}"),
            None => format!("loss {loss:.4}"),
        };
        self.step(&message);
    }

    /// Records one finished unit of work described by `message`.
    pub fn step(&self, message: &str) {
        let done = self.done.fetch_add(1, Ordering::Relaxed) + 1;
        match &self.display {
            Display::Bar(bar) => {
                bar.set_message(message.to_string());
                bar.inc(1);
            }
            Display::Log(log, start) => {
                let line = log
                    .lock()
                    .ok()
                    .and_then(|mut l| l.line(start.elapsed(), done, message));
                if let Some(line) = line {
                    eprintln!("{line}");
                }
            }
            Display::Nothing => {}
        }
    }

    pub fn finish(&self) {
        if let Display::Bar(bar) = &self.display {
            bar.finish_and_clear();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_log_gets_at_most_one_line_per_interval() {
        let s = Duration::from_secs;
        let mut log = LineLog::new("train", 100, s(10));
        assert_eq!(
            log.line(s(0), 1, "loss 1.0"),
            None,
            "nothing before the first interval"
        );
        assert_eq!(log.line(s(9), 9, "loss 1.0"), None);
        assert_eq!(
            log.line(s(10), 10, "loss 0.5000").as_deref(),
            Some("train: 10/100 (10%), loss 0.5000, 10s")
        );
        assert_eq!(log.line(s(15), 15, ""), None, "a second line within 10 s");
        assert_eq!(log.line(s(19), 19, ""), None);
        assert_eq!(
            log.line(s(20), 20, "").as_deref(),
            Some("train: 20/100 (20%), 20s")
        );
        // A long unit: the next line waits a full interval after the last.
        assert!(log.line(s(95), 21, "").is_some());
        assert_eq!(log.line(s(104), 99, ""), None);
        assert!(log.line(s(105), 100, "").is_some());
        // An unknown total counts units.
        let mut log = LineLog::new("value iteration", 0, s(10));
        assert_eq!(
            log.line(s(12), 7, "sweep 7").as_deref(),
            Some("value iteration: 7, sweep 7, 12s")
        );
    }
}
