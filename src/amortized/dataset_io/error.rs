//! The errors of reading and writing dataset files: a file that cannot be
//! read, or contents that are not a dataset, named by file, line (1-based)
//! and column or field, with what was expected and what was found.

use std::fmt;
use std::path::PathBuf;

use crate::amortized::dataset::{DatasetError, RowProblem};
use crate::files::FileError;

/// Why a dataset file could not be read or written. Errors about the
/// contents name the file and the line (1-based), and the column or field
/// where there is one.
#[derive(Debug)]
pub enum DatasetFileError {
    /// The extension is none of `.csv`, `.jsonl`, `.yaml`, `.yml`.
    UnknownFormat {
        path: PathBuf,
    },
    File(FileError),
    NotUtf8 {
        file: PathBuf,
        line: usize,
    },
    /// A file with no example in it.
    Empty {
        file: PathBuf,
    },
    /// A CSV file without even a header line.
    NoHeader {
        file: PathBuf,
    },
    /// CSV header column `column` (1-based) is `found`, where only one of
    /// `allowed` may come. Columns come in a fixed order ending `…, v, a`,
    /// so `allowed` is empty only after `a`, and just `a` only after `v`.
    HeaderColumn {
        file: PathBuf,
        column: usize,
        allowed: Vec<String>,
        found: String,
    },
    /// A CSV header without a target column.
    HeaderTargets {
        file: PathBuf,
        header: String,
    },
    /// A CSV header with some mask columns, but not one per target.
    MaskColumns {
        file: PathBuf,
        targets: usize,
        masks: usize,
    },
    /// A CSV row with another number of fields than the header.
    FieldCount {
        file: PathBuf,
        line: usize,
        expected: usize,
        found: usize,
    },
    /// A CSV field (column `column`, 1-based, headed `name`) that does not parse.
    Field {
        file: PathBuf,
        line: usize,
        column: usize,
        name: String,
        expected: FieldKind,
        found: String,
    },
    /// A JSONL line that is not a record (serde's column is kept).
    Json {
        file: PathBuf,
        line: usize,
        source: serde_json::Error,
    },
    /// A YAML file that is not a list of records.
    /// Loading the file would exceed the memory budget.
    Memory {
        file: PathBuf,
        source: crate::memory::MemoryError,
    },
    /// YAML nested deeper than `crate::yaml::MAX_DEPTH`.
    YamlDepth {
        file: PathBuf,
        source: crate::yaml::DepthError,
    },
    Yaml {
        file: PathBuf,
        source: serde_yaml::Error,
    },
    /// A row with a mask where the first has none, or the other way round.
    MaskPresence {
        file: PathBuf,
        line: usize,
        first_has_mask: bool,
    },
    /// A row that does not fit the rows before it.
    Example {
        file: PathBuf,
        line: usize,
        problem: RowProblem,
    },
    /// Any other reason the rows do not make a dataset.
    Dataset(DatasetError),
    EncodeJson(serde_json::Error),
    EncodeYaml(serde_yaml::Error),
}

/// What a CSV field should have held.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FieldKind {
    Number,
    /// A mask entry: `0`, `1`, `true` or `false`.
    Mask,
    /// The move played: a non-negative integer.
    Action,
}

impl fmt::Display for FieldKind {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str(match self {
            FieldKind::Number => "a number",
            FieldKind::Mask => "0, 1, true or false",
            FieldKind::Action => "a non-negative integer (the index of the move played)",
        })
    }
}

impl fmt::Display for DatasetFileError {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        match self {
            DatasetFileError::UnknownFormat { path } => write!(
                f,
                "cannot tell the format of `{}`: expected a .csv, .jsonl, .yaml or .yml file",
                path.display()
            ),
            DatasetFileError::File(e) => e.fmt(f),
            DatasetFileError::NotUtf8 { file, line } => write!(
                f,
                "{}:{line}: expected UTF-8 text, found invalid bytes",
                file.display()
            ),
            DatasetFileError::Empty { file } => write!(
                f,
                "{}: expected at least one example, found none",
                file.display()
            ),
            DatasetFileError::NoHeader { file } => write!(
                f,
                "{}:1: expected a header line `f0,…,t0,…`, found an empty file",
                file.display()
            ),
            DatasetFileError::HeaderColumn {
                file,
                column,
                allowed,
                found,
            } => {
                let expected = match allowed.as_slice() {
                    [] => "nothing after `a`".to_string(),
                    [a] if a == "a" => "`a` or nothing after `v`".to_string(),
                    names => {
                        let quoted: Vec<String> = names.iter().map(|n| format!("`{n}`")).collect();
                        one_of(&quoted)
                    }
                };
                write!(
                    f,
                    "{}:1: column {column}: expected {expected} in the header, found `{found}`",
                    file.display()
                )
            }
            DatasetFileError::HeaderTargets { file, header } => write!(
                f,
                "{}:1: expected a header `f0,…,t0,…[,m0,…][,v][,a]` with at least one feature and one target, found `{header}`",
                file.display()
            ),
            DatasetFileError::MaskColumns {
                file,
                targets,
                masks,
            } => write!(
                f,
                "{}:1: expected {targets} mask columns (one per target), found {masks}",
                file.display()
            ),
            DatasetFileError::FieldCount {
                file,
                line,
                expected,
                found,
            } => write!(
                f,
                "{}:{line}: expected {expected} fields, as in the header, found {found}",
                file.display()
            ),
            DatasetFileError::Field {
                file,
                line,
                column,
                name,
                expected,
                found,
            } => write!(
                f,
                "{}:{line}: column {column} (`{name}`): expected {expected}, found `{found}`",
                file.display()
            ),
            DatasetFileError::Json { file, line, source } => write!(
                f,
                "{}:{line}:{}: {}",
                file.display(),
                source.column(),
                bare_message(&source.to_string())
            ),
            DatasetFileError::Memory { source, .. } => source.fmt(f),
            DatasetFileError::YamlDepth { file, source } => {
                write!(f, "{}:{source}", file.display())
            }
            DatasetFileError::Yaml { file, source } => match source.location() {
                Some(loc) => {
                    let msg = source.to_string();
                    let msg = bare_message(&msg);
                    write!(
                        f,
                        "{}:{}:{}: {}",
                        file.display(),
                        loc.line(),
                        loc.column(),
                        msg.strip_prefix('.').unwrap_or(msg)
                    )
                }
                None => write!(f, "{}: {source}", file.display()),
            },
            DatasetFileError::MaskPresence {
                file,
                line,
                first_has_mask,
            } => write!(
                f,
                "{}:{line}: expected {} mask, as on the first row, found {}",
                file.display(),
                if *first_has_mask { "a" } else { "no" },
                if *first_has_mask { "none" } else { "one" }
            ),
            DatasetFileError::Example {
                file,
                line,
                problem,
            } => write!(f, "{}:{line}: the example {problem}", file.display()),
            DatasetFileError::Dataset(e) => e.fmt(f),
            DatasetFileError::EncodeJson(e) => {
                write!(f, "cannot encode the dataset as JSON: {e}")
            }
            DatasetFileError::EncodeYaml(e) => {
                write!(f, "cannot encode the dataset as YAML: {e}")
            }
        }
    }
}

impl std::error::Error for DatasetFileError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            DatasetFileError::File(e) => Some(e),
            DatasetFileError::Json { source, .. } | DatasetFileError::EncodeJson(source) => {
                Some(source)
            }
            DatasetFileError::YamlDepth { source, .. } => Some(source),
            DatasetFileError::Memory { source, .. } => Some(source),
            DatasetFileError::Yaml { source, .. } | DatasetFileError::EncodeYaml(source) => {
                Some(source)
            }
            DatasetFileError::Dataset(e) => Some(e),
            _ => None,
        }
    }
}

impl From<FileError> for DatasetFileError {
    fn from(e: FileError) -> Self {
        DatasetFileError::File(e)
    }
}

/// `a`, `a or b`, `a, b or c`.
fn one_of(names: &[String]) -> String {
    match names {
        [] => String::new(),
        [only] => only.clone(),
        [init @ .., last] => format!("{} or {last}", init.join(", ")),
    }
}

/// serde's message without its trailing " at line L column C".
fn bare_message(msg: &str) -> &str {
    msg.rfind(" at line ").map_or(msg, |i| &msg[..i])
}
