//! A process-wide stop request that long native loops poll, so that the
//! REPL's Ctrl-C can cut a search, an optimization or a training run short.
//!
//! The library stays ignorant of the language: the caller hands it a flag
//! once ([`watch`]); loops then stop early with what they have, and the
//! interpreter, which raised the flag, reports the cancellation and does
//! not keep the cut-short value. Nothing is watched unless a caller asks,
//! so scripts and tests never stop early.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::OnceLock;

static STOP: OnceLock<&'static AtomicBool> = OnceLock::new();

/// Makes every long native loop poll `flag`. Set once per process; later
/// calls are ignored.
pub fn watch(flag: &'static AtomicBool) {
    let _ = STOP.set(flag);
}

/// Whether the loops should stop now (one relaxed atomic load).
#[inline]
pub fn requested() -> bool {
    STOP.get().is_some_and(|f| f.load(Ordering::Relaxed))
}
