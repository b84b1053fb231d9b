//! An on-disk cache of trained models and generated datasets, keyed by a
//! 64-bit content hash (the interpreter hashes a node's builtin, arguments,
//! inputs and seed), so re-running a script does not retrain.
//!
//! Layout under the root (default `.optimist/cache/`):
//! `models/<key>.safetensors` + `models/<key>.yaml` (a checkpoint, whose
//! sidecar carries the weights' checksum) and `datasets/<key>.json` (one
//! line `optimist-dataset/1 fnv64=<hash> bytes=<n>`, then the dataset as
//! JSON). Keys are 16 hex digits. A damaged or unreadable entry is never
//! an error: it comes back as `CacheLookup::Corrupt(damage)` so the caller
//! warns and recomputes. Writes are atomic.

use std::fmt;
use std::path::{Path, PathBuf};

use super::checkpoint::{self, CheckpointError};
use super::checksum::{fnv64, hex};
use super::dataset::Dataset;
use super::mlp::Mlp;
use crate::files::{read_file, write_atomic, FileError};

const DATASET_MAGIC: &str = "optimist-dataset/1";

/// Why an entry could not be stored.
#[derive(Debug)]
pub enum CacheError {
    /// The model's checkpoint could not be written.
    Model(CheckpointError),
    EncodeDataset(serde_json::Error),
    File(FileError),
}

impl fmt::Display for CacheError {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        match self {
            CacheError::Model(e) => e.fmt(f),
            CacheError::EncodeDataset(e) => write!(f, "cannot encode the dataset: {e}"),
            CacheError::File(e) => e.fmt(f),
        }
    }
}

impl std::error::Error for CacheError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            CacheError::Model(e) => Some(e),
            CacheError::EncodeDataset(e) => Some(e),
            CacheError::File(e) => Some(e),
        }
    }
}

/// Why an entry that exists cannot be trusted.
#[derive(Debug)]
pub enum Damage {
    Model { key: u64, source: CheckpointError },
    Dataset { key: u64, source: DatasetEntryError },
}

impl fmt::Display for Damage {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        match self {
            Damage::Model { key, source } => write!(f, "cached model {}: {source}", hex(*key)),
            Damage::Dataset { key, source } => {
                write!(f, "cached dataset {}: {source}", hex(*key))
            }
        }
    }
}

impl std::error::Error for Damage {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Damage::Model { source, .. } => Some(source),
            Damage::Dataset { source, .. } => Some(source),
        }
    }
}

/// What is wrong with a dataset entry (the header line
/// `optimist-dataset/1 fnv64=<hash> bytes=<n>`, then JSON).
#[derive(Debug)]
pub enum DatasetEntryError {
    File(FileError),
    /// No newline: no header line.
    NoHeader,
    HeaderNotText,
    /// The header does not start with the format's magic.
    Magic {
        header: String,
    },
    /// The header has no `key` field (`fnv64=` or `bytes=`) where expected.
    MissingField {
        key: &'static str,
    },
    /// Fewer or more bytes than the header recorded (as written there).
    Truncated {
        recorded: String,
        found: usize,
    },
    Checksum {
        recorded: String,
        actual: String,
    },
    Decode(serde_json::Error),
}

impl fmt::Display for DatasetEntryError {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        match self {
            DatasetEntryError::File(e) => e.fmt(f),
            DatasetEntryError::NoHeader => f.write_str("no header line"),
            DatasetEntryError::HeaderNotText => f.write_str("the header is not text"),
            DatasetEntryError::Magic { header } => {
                write!(f, "expected a `{DATASET_MAGIC}` header, found `{header}`")
            }
            DatasetEntryError::MissingField { key } => write!(f, "the header lacks `{key}`"),
            DatasetEntryError::Truncated { recorded, found } => {
                write!(f, "truncated: expected {recorded} bytes, found {found}")
            }
            DatasetEntryError::Checksum { recorded, actual } => {
                write!(f, "checksum mismatch: recorded {recorded}, found {actual}")
            }
            DatasetEntryError::Decode(e) => write!(f, "undecodable dataset: {e}"),
        }
    }
}

impl std::error::Error for DatasetEntryError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            DatasetEntryError::File(e) => Some(e),
            DatasetEntryError::Decode(e) => Some(e),
            _ => None,
        }
    }
}

/// The outcome of a cache lookup.
#[derive(Debug)]
pub enum CacheLookup<T> {
    Hit(T),
    Miss,
    /// The entry exists but cannot be trusted; recompute (and overwrite).
    Corrupt(Damage),
}

impl<T> CacheLookup<T> {
    /// The value on a hit.
    pub fn hit(self) -> Option<T> {
        match self {
            CacheLookup::Hit(t) => Some(t),
            _ => None,
        }
    }
}

/// A cache directory.
#[derive(Clone, Debug)]
pub struct Cache {
    root: PathBuf,
}

impl Default for Cache {
    fn default() -> Self {
        Cache::new(Cache::DEFAULT_DIR)
    }
}

impl Cache {
    pub const DEFAULT_DIR: &'static str = ".optimist/cache";

    /// A cache rooted at `root` (created on first write).
    pub fn new(root: impl Into<PathBuf>) -> Cache {
        Cache { root: root.into() }
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The weights file of a model entry (its sidecar sits next to it).
    pub fn model_path(&self, key: u64) -> PathBuf {
        self.root
            .join("models")
            .join(format!("{}.safetensors", hex(key)))
    }

    pub fn dataset_path(&self, key: u64) -> PathBuf {
        self.root
            .join("datasets")
            .join(format!("{}.json", hex(key)))
    }

    pub fn get_model(&self, key: u64) -> CacheLookup<Mlp> {
        let path = self.model_path(key);
        let side = checkpoint::sidecar_path(&path);
        if !path.exists() && !side.exists() {
            return CacheLookup::Miss;
        }
        match checkpoint::load(&path) {
            Ok(m) => CacheLookup::Hit(m),
            // Half a pair: another run is between its two renames (or was
            // killed there). Not damage: train and write the pair again.
            Err(CheckpointError::Incomplete { .. }) => CacheLookup::Miss,
            Err(source) => CacheLookup::Corrupt(Damage::Model { key, source }),
        }
    }

    pub fn put_model(&self, key: u64, model: &Mlp, domain: Option<&str>) -> Result<(), CacheError> {
        checkpoint::save_over(model, &self.model_path(key), domain)
            .map(|_| ())
            .map_err(CacheError::Model)
    }

    pub fn get_dataset(&self, key: u64) -> CacheLookup<Dataset> {
        let path = self.dataset_path(key);
        if !path.exists() {
            return CacheLookup::Miss;
        }
        match read_file(&path)
            .map_err(DatasetEntryError::File)
            .and_then(|b| decode_dataset(&b))
        {
            Ok(d) => CacheLookup::Hit(d),
            Err(source) => CacheLookup::Corrupt(Damage::Dataset { key, source }),
        }
    }

    pub fn put_dataset(&self, key: u64, data: &Dataset) -> Result<(), CacheError> {
        let body = serde_json::to_vec(data).map_err(CacheError::EncodeDataset)?;
        let mut file = format!(
            "{DATASET_MAGIC} fnv64={} bytes={}\n",
            hex(fnv64(&body)),
            body.len()
        )
        .into_bytes();
        file.extend_from_slice(&body);
        write_atomic(&self.dataset_path(key), &file).map_err(CacheError::File)
    }
}

fn decode_dataset(bytes: &[u8]) -> Result<Dataset, DatasetEntryError> {
    let nl = bytes
        .iter()
        .position(|&b| b == b'\n')
        .ok_or(DatasetEntryError::NoHeader)?;
    let header = std::str::from_utf8(&bytes[..nl]).map_err(|_| DatasetEntryError::HeaderNotText)?;
    let body = &bytes[nl + 1..];
    let mut parts = header.split(' ');
    if parts.next() != Some(DATASET_MAGIC) {
        return Err(DatasetEntryError::Magic {
            header: header.to_string(),
        });
    }
    let field = |p: Option<&str>, key: &'static str| -> Result<String, DatasetEntryError> {
        p.and_then(|s| s.strip_prefix(key))
            .map(str::to_string)
            .ok_or(DatasetEntryError::MissingField { key })
    };
    let sum = field(parts.next(), "fnv64=")?;
    let len = field(parts.next(), "bytes=")?;
    if len != body.len().to_string() {
        return Err(DatasetEntryError::Truncated {
            recorded: len,
            found: body.len(),
        });
    }
    let actual = hex(fnv64(body));
    if actual != sum {
        return Err(DatasetEntryError::Checksum {
            recorded: sum,
            actual,
        });
    }
    serde_json::from_slice(body).map_err(DatasetEntryError::Decode)
}
