//! The memory budget (`--max-memory`): what searches, datasets, loads and
//! networks may allocate. Checked *before* allocating, from an estimate of
//! the largest size the work can reach, so that a run that would not fit
//! ends with an error naming the parameter to lower instead of an abort —
//! and a run that fits never depends on the machine's memory.
//!
//! Process-wide, like `stop.rs`: the CLI sets it once ([`set_limit`]);
//! unset, it is half the machine's physical memory. Part of the native
//! library: it knows nothing of the language.

use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::OnceLock;

static LIMIT: AtomicU64 = AtomicU64::new(0);

/// Sets the budget in bytes (0 restores the default).
pub fn set_limit(bytes: u64) {
    LIMIT.store(bytes, Ordering::Relaxed);
}

/// The budget in bytes: the one set, or half the machine's memory.
pub fn limit() -> u64 {
    match LIMIT.load(Ordering::Relaxed) {
        0 => default_limit(),
        n => n,
    }
}

/// Half the machine's physical memory (8 GiB where it cannot be read).
pub fn default_limit() -> u64 {
    static DEFAULT: OnceLock<u64> = OnceLock::new();
    *DEFAULT.get_or_init(|| physical_memory().map_or(8 << 30, |m| m / 2))
}

fn physical_memory() -> Option<u64> {
    let text = std::fs::read_to_string("/proc/meminfo").ok()?;
    let line = text.lines().find(|l| l.starts_with("MemTotal:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    kib.checked_mul(1024)
}

/// Work that would need more memory than the budget.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MemoryError {
    /// What would be allocated (`the search trees`, `the dataset`, …).
    pub what: String,
    /// The parameter whose value drives the size (`sims`, `n`, `hidden`),
    /// or in words what does (`the file's size`).
    pub parameter: &'static str,
    /// The estimate, in bytes (saturated at `u64::MAX`).
    pub needed: u64,
    pub limit: u64,
}

impl fmt::Display for MemoryError {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        // A parameter's name in backticks; a description (`the file's
        // size`) as it is.
        let lower = if self.parameter.contains(' ') {
            self.parameter.to_string()
        } else {
            format!("`{}`", self.parameter)
        };
        write!(
            f,
            "{} would need about {}, over the memory limit of {} (--max-memory): lower {lower} or raise the limit",
            self.what,
            format_size(self.needed),
            format_size(self.limit),
        )
    }
}

impl std::error::Error for MemoryError {}

/// Errs when `bytes` (an estimate; `None` for an overflowing one) exceeds
/// the budget.
pub fn check(
    what: impl Into<String>,
    parameter: &'static str,
    bytes: Option<u64>,
) -> Result<(), MemoryError> {
    let limit = limit();
    let needed = bytes.unwrap_or(u64::MAX);
    if needed > limit {
        return Err(MemoryError {
            what: what.into(),
            parameter,
            needed,
            limit,
        });
    }
    Ok(())
}

/// `count × each` bytes, `None` on overflow.
pub fn times(count: u64, each: u64) -> Option<u64> {
    count.checked_mul(each)
}

/// A size written as a number of bytes with an optional unit: `512M`,
/// `2G`, `1.5GB`, `64k`, `1T`, `1000000` (units are powers of 1024).
pub fn parse_size(text: &str) -> Result<u64, SizeError> {
    let t = text.trim();
    let split = t
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(t.len());
    let (num, unit) = t.split_at(split);
    let unit = unit.trim().to_ascii_lowercase();
    let unit = unit
        .strip_suffix("ib")
        .or_else(|| unit.strip_suffix('b'))
        .unwrap_or(&unit);
    let scale: u64 = match unit {
        "" => 1,
        "k" => 1 << 10,
        "m" => 1 << 20,
        "g" => 1 << 30,
        "t" => 1 << 40,
        _ => return Err(SizeError(text.to_string())),
    };
    let value: f64 = num.parse().map_err(|_| SizeError(text.to_string()))?;
    let bytes = value * scale as f64;
    if !(bytes >= 1.0 && bytes < u64::MAX as f64) {
        return Err(SizeError(text.to_string()));
    }
    Ok(bytes as u64)
}

/// A `--max-memory` value that is not a size.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SizeError(pub String);

impl fmt::Display for SizeError {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        write!(
            f,
            "`{}` is not a memory size: write a positive number with an optional unit, such as 512M or 2G",
            self.0
        )
    }
}

impl std::error::Error for SizeError {}

/// Bytes in the largest binary unit that keeps a number ≥ 1 (`2.0 GiB`).
pub fn format_size(bytes: u64) -> String {
    if bytes == u64::MAX {
        return "more than 16 EiB".into();
    }
    let units = ["bytes", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"];
    let mut v = bytes as f64;
    let mut i = 0;
    while v >= 1024.0 && i + 1 < units.len() {
        v /= 1024.0;
        i += 1;
    }
    if i == 0 {
        format!("{bytes} bytes")
    } else {
        format!("{v:.1} {}", units[i])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_parse_with_binary_units() {
        assert_eq!(parse_size("2G"), Ok(2 << 30));
        assert_eq!(parse_size("512M"), Ok(512 << 20));
        assert_eq!(parse_size("512MiB"), Ok(512 << 20));
        assert_eq!(parse_size("1.5gb"), Ok(3 << 29));
        assert_eq!(parse_size("4096"), Ok(4096));
        for bad in ["", "G", "-1G", "0", "2X", "1e400", "nan"] {
            assert!(parse_size(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn sizes_print_in_binary_units() {
        assert_eq!(format_size(512), "512 bytes");
        assert_eq!(format_size(2 << 30), "2.0 GiB");
        assert_eq!(format_size(u64::MAX), "more than 16 EiB");
    }

    #[test]
    fn the_default_is_half_the_machine() {
        assert!(default_limit() >= 1 << 20);
        let err = check("the thing", "n", None).unwrap_err();
        assert_eq!(err.needed, u64::MAX);
        assert!(err.to_string().contains("lower `n`"), "{err}");
        assert!(check("the thing", "n", Some(1024)).is_ok());
    }
}
