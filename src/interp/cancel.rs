//! Cancellation: the REPL's Ctrl-C stops a long search, training or
//! evaluation and returns to the prompt with the session intact.
//!
//! One process-wide flag, because the request comes from a signal handler,
//! which can only store to a static. The interpreter checks it between
//! nodes and refuses to memoize a value computed while it was raised (a
//! cut-short search is not the value its node names); long native loops
//! poll it through the `&'static AtomicBool` that [`flag`] hands out, so
//! that they stay ignorant of the language. Nothing raises the flag unless
//! the REPL installs its Ctrl-C handler, so scripts and tests never see it.

use super::registry::RuntimeError;
use std::sync::atomic::{AtomicBool, Ordering};

static REQUESTED: AtomicBool = AtomicBool::new(false);

/// What a cancelled evaluation reports.
pub const MESSAGE: &str = "cancelled (Ctrl-C)";

/// The flag itself, for native loops to poll (`flag().load(Relaxed)`).
pub fn flag() -> &'static AtomicBool {
    &REQUESTED
}

/// Asks whatever runs to stop. Async-signal-safe: one atomic store.
pub fn request() {
    REQUESTED.store(true, Ordering::Relaxed);
}

pub fn requested() -> bool {
    REQUESTED.load(Ordering::Relaxed)
}

/// Lowers the flag; returns whether it was raised.
pub fn take() -> bool {
    REQUESTED.swap(false, Ordering::Relaxed)
}

/// `Err` once cancellation has been requested.
pub fn check() -> Result<(), RuntimeError> {
    if requested() {
        Err(RuntimeError::new(MESSAGE))
    } else {
        Ok(())
    }
}

/// Makes the native searches that can run for minutes poll the flag too.
/// The REPL calls it once, with its Ctrl-C handler.
pub fn watch_native_loops() {
    crate::stop::watch(flag());
}
