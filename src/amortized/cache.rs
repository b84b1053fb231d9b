//! An on-disk cache of trained models and generated datasets, keyed by a
//! 64-bit content hash (the interpreter hashes a node's builtin, arguments,
//! inputs and seed), so re-running a script does not retrain.
//!
//! Layout under the root (default `.optimist/cache/`):
//! `models/<key>.safetensors` + `models/<key>.yaml` (a checkpoint, whose
//! sidecar carries the weights' checksum) and `datasets/<key>.json` (one
//! line `optimist-dataset/1 fnv64=<hash> bytes=<n>`, then the dataset as
//! JSON). Keys are 16 hex digits. A damaged or unreadable entry is never
//! an error: it comes back as `CacheLookup::Corrupt(reason)` so the caller
//! warns and recomputes. Writes are atomic.

use std::path::{Path, PathBuf};

use super::checkpoint;
use super::checksum::{fnv64, hex};
use super::dataset::Dataset;
use super::mlp::Mlp;
use crate::files::{read_file, write_atomic};

const DATASET_MAGIC: &str = "optimist-dataset/1";

/// The outcome of a cache lookup.
#[derive(Debug)]
pub enum CacheLookup<T> {
    Hit(T),
    Miss,
    /// The entry exists but cannot be trusted; recompute (and overwrite).
    Corrupt(String),
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
            Err(e) => CacheLookup::Corrupt(format!("cached model {}: {e}", hex(key))),
        }
    }

    pub fn put_model(&self, key: u64, model: &Mlp, domain: Option<&str>) -> Result<(), String> {
        checkpoint::save(model, self.model_path(key), domain).map(|_| ())
    }

    pub fn get_dataset(&self, key: u64) -> CacheLookup<Dataset> {
        let path = self.dataset_path(key);
        if !path.exists() {
            return CacheLookup::Miss;
        }
        match read_file(&path)
            .map_err(|e| e.to_string())
            .and_then(|b| decode_dataset(&b))
        {
            Ok(d) => CacheLookup::Hit(d),
            Err(e) => CacheLookup::Corrupt(format!("cached dataset {}: {e}", hex(key))),
        }
    }

    pub fn put_dataset(&self, key: u64, data: &Dataset) -> Result<(), String> {
        let body =
            serde_json::to_vec(data).map_err(|e| format!("cannot encode the dataset: {e}"))?;
        let mut file = format!(
            "{DATASET_MAGIC} fnv64={} bytes={}\n",
            hex(fnv64(&body)),
            body.len()
        )
        .into_bytes();
        file.extend_from_slice(&body);
        write_atomic(&self.dataset_path(key), &file).map_err(|e| e.to_string())
    }
}

fn decode_dataset(bytes: &[u8]) -> Result<Dataset, String> {
    let nl = bytes
        .iter()
        .position(|&b| b == b'\n')
        .ok_or("no header line")?;
    let header = std::str::from_utf8(&bytes[..nl]).map_err(|_| "the header is not text")?;
    let body = &bytes[nl + 1..];
    let mut parts = header.split(' ');
    if parts.next() != Some(DATASET_MAGIC) {
        return Err(format!(
            "expected a `{DATASET_MAGIC}` header, found `{header}`"
        ));
    }
    let field = |p: Option<&str>, key: &str| -> Result<String, String> {
        p.and_then(|s| s.strip_prefix(key))
            .map(str::to_string)
            .ok_or_else(|| format!("the header lacks `{key}`"))
    };
    let sum = field(parts.next(), "fnv64=")?;
    let len = field(parts.next(), "bytes=")?;
    if len != body.len().to_string() {
        return Err(format!(
            "truncated: expected {len} bytes, found {}",
            body.len()
        ));
    }
    let actual = hex(fnv64(body));
    if actual != sum {
        return Err(format!("checksum mismatch: recorded {sum}, found {actual}"));
    }
    serde_json::from_slice(body).map_err(|e| format!("undecodable dataset: {e}"))
}
