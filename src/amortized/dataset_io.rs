//! Reading and writing datasets as CSV, JSONL and YAML.
//!
//! The format follows the extension (`.csv`, `.jsonl`, `.yaml`/`.yml`).
//!
//! **CSV.** A header line, then one row per example, comma-separated, no
//! quoting. The header names every column, in this order:
//! `f0,f1,…,f{N-1}` (features, N ≥ 1), `t0,…,t{M-1}` (target, M ≥ 1),
//! optionally `m0,…,m{M-1}` (legal-action mask: `1`/`0` or
//! `true`/`false`, one per target entry), optionally `v` (an outcome),
//! optionally `a` (the move played: a non-negative integer, the index of
//! a target entry). Numbers are anything Rust's `f32` parser accepts. An
//! empty `v` or `a` field means the row has none. Blank lines are skipped.
//!
//! **JSONL.** One object per non-blank line:
//! `{"features":[…],"target":[…],"mask":[…],"value":0.5,"action":3}`,
//! where `mask` (booleans), `value` and `action` (a non-negative integer;
//! `null` means none) are optional; other keys are errors.
//!
//! **YAML.** A list of mappings with the same keys as JSONL.
//!
//! Every row must have the widths of the first, and an action must index
//! the target and be legal under the row's mask. A dataset with a mask is
//! read as a policy dataset, otherwise as solutions; set `Dataset::kind`
//! to say otherwise. A bad file gives one error naming the file, the line
//! (and column or field), what was expected and what was found; nothing is
//! half-loaded. Writes are atomic.

use std::path::Path;

use serde::de::{self, Deserializer, Visitor};
use serde::{Deserialize, Serialize};

use super::dataset::{Dataset, DatasetError, Example};
use super::heads::TargetKind;
use std::io::BufRead;

use crate::files::{check_regular, read_file, write_atomic, FileError};

mod error;

pub use error::{DatasetFileError, FieldKind};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Format {
    Csv,
    Jsonl,
    Yaml,
}

fn format_of(path: &Path) -> Result<Format, DatasetFileError> {
    match path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
        .as_deref()
    {
        Some("csv") => Ok(Format::Csv),
        Some("jsonl") => Ok(Format::Jsonl),
        Some("yaml" | "yml") => Ok(Format::Yaml),
        _ => Err(DatasetFileError::UnknownFormat {
            path: path.to_path_buf(),
        }),
    }
}

/// Loads a dataset; its `source` is the path. CSV and JSONL are read a
/// line at a time (the file is never held whole: one pass counts the
/// lines, so the rows are reserved once, the next parses them), so the
/// peak is the rows themselves.
pub fn load(path: impl AsRef<Path>) -> Result<Dataset, DatasetFileError> {
    let path = path.as_ref();
    let format = format_of(path)?;
    if format == Format::Yaml {
        return load_bytes(path, &read_file(path)?);
    }
    check_regular(path)?;
    let open = || {
        std::fs::File::open(path)
            .map(|f| std::io::BufReader::with_capacity(1 << 16, f))
            .map_err(|source| read_error(path, source))
    };
    let mut lines = 1;
    let mut counter = open()?;
    loop {
        let buf = counter
            .fill_buf()
            .map_err(|source| read_error(path, source))?;
        if buf.is_empty() {
            break;
        }
        lines += buf.iter().filter(|&&b| b == b'\n').count();
        let n = buf.len();
        counter.consume(n);
    }
    load_lines(path, format, reader_lines(path, open()?), lines)
}

/// Loads a dataset from the bytes of a file named `path` (whose extension
/// names the format), as `load` does from the file: for callers that hold
/// the bytes (fuzzing, tests).
pub fn load_bytes(path: impl AsRef<Path>, bytes: &[u8]) -> Result<Dataset, DatasetFileError> {
    let path = path.as_ref();
    let format = format_of(path)?;
    let lines = bytes.iter().filter(|&&b| b == b'\n').count() + 1;
    if format != Format::Yaml {
        return load_lines(path, format, reader_lines(path, bytes), lines);
    }
    let text = std::str::from_utf8(bytes).map_err(|e| {
        let line = bytes[..e.valid_up_to()]
            .iter()
            .filter(|&&b| b == b'\n')
            .count()
            + 1;
        DatasetFileError::NotUtf8 {
            file: path.to_path_buf(),
            line,
        }
    })?;
    let mut loader = Loader::new(path, lines);
    for (line, e) in parse_yaml(path, text)? {
        loader.push(line, e)?;
    }
    loader.finish()
}

fn read_error(path: &Path, source: std::io::Error) -> DatasetFileError {
    DatasetFileError::File(FileError::Read {
        path: path.to_path_buf(),
        source,
    })
}

/// A line of a file being read: its number (1-based) and its text.
type Line = Result<(usize, String), DatasetFileError>;

/// The lines of `input` (without `\n` or `\r\n`), each checked to be UTF-8.
fn reader_lines<'a>(file: &'a Path, input: impl BufRead + 'a) -> impl Iterator<Item = Line> + 'a {
    input.split(b'\n').enumerate().map(move |(i, chunk)| {
        let mut bytes = chunk.map_err(|source| read_error(file, source))?;
        if bytes.last() == Some(&b'\r') {
            bytes.pop();
        }
        String::from_utf8(bytes)
            .map(|text| (i + 1, text))
            .map_err(|_| DatasetFileError::NotUtf8 {
                file: file.to_path_buf(),
                line: i + 1,
            })
    })
}

/// The lines of a text, numbered as `reader_lines` numbers them.
#[cfg(test)]
fn text_lines(text: &str) -> impl Iterator<Item = Line> + '_ {
    text.lines()
        .enumerate()
        .map(|(i, l)| Ok((i + 1, l.to_string())))
}

/// Parses CSV or JSONL lines straight into a dataset: no second copy of
/// the rows, reserved once (after a memory check) from the number of lines
/// and the first row's widths.
fn load_lines(
    path: &Path,
    format: Format,
    lines: impl Iterator<Item = Line>,
    count: usize,
) -> Result<Dataset, DatasetFileError> {
    let mut loader = Loader::new(path, count);
    match format {
        Format::Csv => parse_csv(path, lines, &mut |line, e| loader.push(line, e))?,
        _ => parse_jsonl(path, lines, &mut |line, e| loader.push(line, e))?,
    }
    loader.finish()
}

/// Where parsed rows go while a file loads.
struct Loader<'a> {
    path: &'a Path,
    name: String,
    /// Lines in the file: at least the number of rows.
    lines: usize,
    data: Option<Dataset>,
}

impl Loader<'_> {
    fn new(path: &Path, lines: usize) -> Loader<'_> {
        Loader {
            path,
            name: path.display().to_string(),
            lines,
            data: None,
        }
    }

    fn finish(self) -> Result<Dataset, DatasetFileError> {
        self.data.ok_or_else(|| DatasetFileError::Empty {
            file: self.path.to_path_buf(),
        })
    }

    fn push(&mut self, line: usize, e: Example) -> Result<(), DatasetFileError> {
        let path = self.path;
        let data = match &mut self.data {
            Some(d) => d,
            None => {
                // A mask makes a policy dataset; every row must then have one.
                let kind = if e.mask.is_some() {
                    TargetKind::Policy
                } else {
                    TargetKind::Solution
                };
                let each =
                    Example::estimated_bytes(e.features.len(), e.target.len(), e.mask.is_some());
                crate::memory::check(
                    format!("loading `{}` ({} lines)", path.display(), self.lines),
                    "the file's size",
                    crate::memory::times(self.lines as u64, each),
                )
                .map_err(|source| DatasetFileError::Memory {
                    file: path.to_path_buf(),
                    source,
                })?;
                let mut d = Dataset::new(
                    e.features.len(),
                    e.target.len(),
                    kind,
                    std::mem::take(&mut self.name),
                );
                d.reserve(self.lines);
                self.data.insert(d)
            }
        };
        let first_mask = data.kind == TargetKind::Policy;
        if e.mask.is_some() != first_mask {
            return Err(DatasetFileError::MaskPresence {
                file: path.to_path_buf(),
                line,
                first_has_mask: first_mask,
            });
        }
        data.push(e).map_err(|e| match e {
            // `push` numbers rows from 0; a file reader wants lines.
            DatasetError::Row { problem, .. } => DatasetFileError::Example {
                file: path.to_path_buf(),
                line,
                problem,
            },
            other => DatasetFileError::Dataset(other),
        })
    }
}

/// Saves a dataset in the format named by the extension, atomically.
pub fn save(data: &Dataset, path: impl AsRef<Path>) -> Result<(), DatasetFileError> {
    let path = path.as_ref();
    let text = match format_of(path)? {
        Format::Csv => to_csv(data),
        Format::Jsonl => to_jsonl(data)?,
        Format::Yaml => {
            serde_yaml::to_string(&records(data)).map_err(DatasetFileError::EncodeYaml)?
        }
    };
    Ok(write_atomic(path, text.as_bytes())?)
}

/// The on-disk shape of one example in JSONL and YAML.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Record {
    features: Vec<f32>,
    target: Vec<f32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    mask: Option<Vec<bool>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    value: Option<f32>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "action_index"
    )]
    action: Option<u32>,
}

/// Reads an optional action so that a negative, fractional or non-numeric
/// one is reported as what it is, against what the schema expects.
fn action_index<'de, D: Deserializer<'de>>(d: D) -> Result<Option<u32>, D::Error> {
    struct Index;
    impl<'de> Visitor<'de> for Index {
        type Value = Option<u32>;

        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("a non-negative integer (the index of the move played)")
        }

        fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }

        fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }

        fn visit_some<D2: Deserializer<'de>>(self, d: D2) -> Result<Self::Value, D2::Error> {
            d.deserialize_any(self)
        }

        fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
            u32::try_from(v)
                .map(Some)
                .map_err(|_| E::invalid_value(de::Unexpected::Unsigned(v), &self))
        }

        fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
            u64::try_from(v)
                .map_err(|_| E::invalid_value(de::Unexpected::Signed(v), &self))
                .and_then(|v| self.visit_u64(v))
        }
    }
    d.deserialize_option(Index)
}

impl From<Record> for Example {
    fn from(r: Record) -> Example {
        Example {
            features: r.features,
            target: r.target,
            mask: r.mask,
            value: r.value,
            action: r.action,
        }
    }
}

fn records(data: &Dataset) -> Vec<Record> {
    data.examples()
        .iter()
        .map(|e| Record {
            features: e.features.clone(),
            target: e.target.clone(),
            mask: e.mask.clone(),
            value: e.value,
            action: e.action,
        })
        .collect()
}

fn to_jsonl(data: &Dataset) -> Result<String, DatasetFileError> {
    let mut out = String::new();
    for r in records(data) {
        out += &serde_json::to_string(&r).map_err(DatasetFileError::EncodeJson)?;
        out.push('\n');
    }
    Ok(out)
}

fn to_csv(data: &Dataset) -> String {
    let mask = data.has_mask();
    let value = data.has_value();
    let action = data.has_action();
    let mut cols: Vec<String> = (0..data.feature_dim).map(|i| format!("f{i}")).collect();
    cols.extend((0..data.target_dim).map(|i| format!("t{i}")));
    if mask {
        cols.extend((0..data.target_dim).map(|i| format!("m{i}")));
    }
    if value {
        cols.push("v".into());
    }
    if action {
        cols.push("a".into());
    }
    let mut out = cols.join(",") + "\n";
    for e in data.examples() {
        let mut fields: Vec<String> = e
            .features
            .iter()
            .chain(&e.target)
            .map(|x| x.to_string())
            .collect();
        if mask {
            let m = e
                .mask
                .clone()
                .unwrap_or_else(|| vec![true; data.target_dim]);
            fields.extend(m.iter().map(|&b| if b { "1" } else { "0" }.to_string()));
        }
        if value {
            fields.push(e.value.map_or(String::new(), |v| v.to_string()));
        }
        if action {
            fields.push(e.action.map_or(String::new(), |a| a.to_string()));
        }
        out += &fields.join(",");
        out.push('\n');
    }
    out
}

/// What each CSV column holds, from the header.
struct CsvLayout {
    features: usize,
    targets: usize,
    mask: bool,
    value: bool,
    action: bool,
}

fn parse_header(file: &Path, header: &str) -> Result<CsvLayout, DatasetFileError> {
    let cols: Vec<&str> = header.split(',').map(str::trim).collect();
    let mut layout = CsvLayout {
        features: 0,
        targets: 0,
        mask: false,
        value: false,
        action: false,
    };
    let mut masks = 0;
    for (i, &col) in cols.iter().enumerate() {
        // The columns that may come next, given those so far.
        let next: Vec<String> = if layout.action {
            vec![]
        } else if layout.value {
            vec!["a".into()]
        } else if masks > 0 {
            let more = (masks < layout.targets).then(|| format!("m{masks}"));
            more.into_iter().chain(["v".into(), "a".into()]).collect()
        } else if layout.targets > 0 {
            vec![
                format!("t{}", layout.targets),
                "m0".into(),
                "v".into(),
                "a".into(),
            ]
        } else if layout.features > 0 {
            vec![format!("f{}", layout.features), "t0".into()]
        } else {
            vec!["f0".into()]
        };
        if !next.iter().any(|n| n == col) {
            return Err(DatasetFileError::HeaderColumn {
                file: file.to_path_buf(),
                column: i + 1,
                allowed: next,
                found: col.to_string(),
            });
        }
        match col.as_bytes()[0] {
            b'f' => layout.features += 1,
            b't' => layout.targets += 1,
            b'm' => masks += 1,
            b'v' => layout.value = true,
            _ => layout.action = true,
        }
    }
    if layout.targets == 0 {
        return Err(DatasetFileError::HeaderTargets {
            file: file.to_path_buf(),
            header: header.to_string(),
        });
    }
    if masks > 0 && masks != layout.targets {
        return Err(DatasetFileError::MaskColumns {
            file: file.to_path_buf(),
            targets: layout.targets,
            masks,
        });
    }
    layout.mask = masks > 0;
    Ok(layout)
}

/// Where a parser hands each row, with its line.
type Sink<'s> = dyn FnMut(usize, Example) -> Result<(), DatasetFileError> + 's;

fn parse_csv(
    file: &Path,
    lines: impl Iterator<Item = Line>,
    sink: &mut Sink,
) -> Result<(), DatasetFileError> {
    let mut lines = lines.filter(|l| !matches!(l, Ok((_, t)) if t.trim().is_empty()));
    let header = match lines.next() {
        Some(l) => l?.1,
        None => {
            return Err(DatasetFileError::NoHeader {
                file: file.to_path_buf(),
            })
        }
    };
    let layout = parse_header(file, header.trim_start_matches('\u{feff}'))?;
    let width = layout.features
        + layout.targets * (1 + usize::from(layout.mask))
        + usize::from(layout.value)
        + usize::from(layout.action);
    let header_cols: Vec<&str> = header.split(',').map(str::trim).collect();
    for item in lines {
        let (lineno, line) = item?;
        let fields: Vec<&str> = line.split(',').map(str::trim).collect();
        if fields.len() != width {
            return Err(DatasetFileError::FieldCount {
                file: file.to_path_buf(),
                line: lineno,
                expected: width,
                found: fields.len(),
            });
        }
        let bad_field = |c: usize, expected: FieldKind| DatasetFileError::Field {
            file: file.to_path_buf(),
            line: lineno,
            column: c + 1,
            name: header_cols[c].to_string(),
            expected,
            found: fields[c].to_string(),
        };
        let num = |c: usize| -> Result<f32, DatasetFileError> {
            fields[c]
                .parse::<f32>()
                .map_err(|_| bad_field(c, FieldKind::Number))
        };
        let features = (0..layout.features)
            .map(num)
            .collect::<Result<Vec<_>, _>>()?;
        let t0 = layout.features;
        let target = (t0..t0 + layout.targets)
            .map(num)
            .collect::<Result<Vec<_>, _>>()?;
        let mut e = Example::new(features, target);
        let mut c = t0 + layout.targets;
        if layout.mask {
            let entry = |col: usize| match fields[col] {
                "1" | "true" => Ok(true),
                "0" | "false" => Ok(false),
                _ => Err(bad_field(col, FieldKind::Mask)),
            };
            e.mask = Some(
                (c..c + layout.targets)
                    .map(entry)
                    .collect::<Result<Vec<_>, _>>()?,
            );
            c += layout.targets;
        }
        if layout.value {
            if !fields[c].is_empty() {
                e.value = Some(num(c)?);
            }
            c += 1;
        }
        if layout.action && !fields[c].is_empty() {
            // Digits only: `u32`'s parser would also take a leading `+`.
            let index = fields[c]
                .bytes()
                .all(|b| b.is_ascii_digit())
                .then(|| fields[c].parse::<u32>().ok())
                .flatten();
            e.action = Some(index.ok_or_else(|| bad_field(c, FieldKind::Action))?);
        }
        sink(lineno, e)?;
    }
    Ok(())
}

fn parse_jsonl(
    file: &Path,
    lines: impl Iterator<Item = Line>,
    sink: &mut Sink,
) -> Result<(), DatasetFileError> {
    for item in lines {
        let (lineno, line) = item?;
        if line.trim().is_empty() {
            continue;
        }
        let record: Record =
            serde_json::from_str(&line).map_err(|source| DatasetFileError::Json {
                file: file.to_path_buf(),
                line: lineno,
                source,
            })?;
        sink(lineno, record.into())?;
    }
    Ok(())
}

fn parse_yaml(file: &Path, text: &str) -> Result<Vec<(usize, Example)>, DatasetFileError> {
    if text.trim().is_empty() {
        return Ok(Vec::new());
    }
    crate::yaml::check_depth(text.as_bytes()).map_err(|source| DatasetFileError::YamlDepth {
        file: file.to_path_buf(),
        source,
    })?;
    let records: Vec<Record> =
        serde_yaml::from_str(text).map_err(|source| DatasetFileError::Yaml {
            file: file.to_path_buf(),
            source,
        })?;
    // Entries of a block list start with `-` in the first column; use their
    // lines where the file is laid out that way.
    let starts: Vec<usize> = text
        .lines()
        .enumerate()
        .filter(|(_, l)| l.starts_with('-') && !l.starts_with("---"))
        .map(|(i, _)| i + 1)
        .collect();
    let use_starts = starts.len() == records.len();
    Ok(records
        .into_iter()
        .enumerate()
        .map(|(k, r)| (if use_starts { starts[k] } else { k + 1 }, r.into()))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_errors_say_what_was_expected() {
        assert!(matches!(
            parse_header(Path::new("d.csv"), "f0,t0,t1,m0"),
            Err(DatasetFileError::MaskColumns {
                targets: 2,
                masks: 1,
                ..
            })
        ));
        assert_eq!(
            parse_header(Path::new("d.csv"), "f0,f1,x")
                .err()
                .unwrap()
                .to_string(),
            "d.csv:1: column 3: expected `f2` or `t0` in the header, found `x`"
        );
        assert_eq!(
            parse_header(Path::new("d.csv"), "f0,t0,t1,m0")
                .err()
                .unwrap()
                .to_string(),
            "d.csv:1: expected 2 mask columns (one per target), found 1"
        );
        assert_eq!(
            parse_header(Path::new("d.csv"), "f0,t0,t1,m0,m1,x")
                .err()
                .unwrap()
                .to_string(),
            "d.csv:1: column 6: expected `v` or `a` in the header, found `x`"
        );
        assert_eq!(
            parse_header(Path::new("d.csv"), "f0,t0,t1,m0,x")
                .err()
                .unwrap()
                .to_string(),
            "d.csv:1: column 5: expected `m1`, `v` or `a` in the header, found `x`"
        );
        assert_eq!(
            parse_header(Path::new("d.csv"), "f0,t0,v,m0")
                .err()
                .unwrap()
                .to_string(),
            "d.csv:1: column 4: expected `a` or nothing after `v` in the header, found `m0`"
        );
        assert_eq!(
            parse_header(Path::new("d.csv"), "f0,t0,a,v")
                .err()
                .unwrap()
                .to_string(),
            "d.csv:1: column 4: expected nothing after `a` in the header, found `v`"
        );
        let l = parse_header(Path::new("d.csv"), "f0,t0,t1,m0,m1,v").unwrap();
        assert_eq!(
            (l.features, l.targets, l.mask, l.value, l.action),
            (1, 2, true, true, false)
        );
        let l = parse_header(Path::new("d.csv"), "f0,t0,t1,a").unwrap();
        assert_eq!(
            (l.features, l.targets, l.mask, l.value, l.action),
            (1, 2, false, false, true)
        );
    }

    #[test]
    fn csv_field_errors_name_line_column_and_header() {
        let file = Path::new("d.csv");
        let err = parse_csv(
            file,
            text_lines("f0,t0,t1,m0,m1\n1,0.5,0.5,1,yes\n"),
            &mut |_, _| Ok(()),
        )
        .unwrap_err();
        assert!(
            matches!(
                &err,
                DatasetFileError::Field {
                    line: 2,
                    column: 5,
                    expected: FieldKind::Mask,
                    ..
                }
            ),
            "{err:?}"
        );
        assert_eq!(
            err.to_string(),
            "d.csv:2: column 5 (`m1`): expected 0, 1, true or false, found `yes`"
        );
        assert_eq!(
            parse_csv(file, text_lines("\n\n"), &mut |_, _| Ok(()))
                .unwrap_err()
                .to_string(),
            "d.csv:1: expected a header line `f0,…,t0,…`, found an empty file"
        );
    }
}
