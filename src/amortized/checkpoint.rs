//! Checkpoints: a model's weights as safetensors plus a YAML sidecar that
//! says what the weights are.
//!
//! `policy.safetensors` holds `layer{i}.weight` (`in × out`, row-major) and
//! `layer{i}.bias` as little-endian F32, in the standard layout (8-byte
//! header length, JSON header, raw data), written by hand because dfdx's
//! safetensors support expects compile-time modules. `policy.yaml` holds
//! the architecture, head, input/output widths, the caller's domain name,
//! the seed, the training dataset's hash, the training report and cost,
//! and an FNV-1a checksum of the weight bytes. Loading checks every shape
//! and offset against the sidecar and the checksum against the bytes, so a
//! truncated, corrupted or mismatched pair is a clear error, never a panic
//! or a silently different model. Sizes the sidecar claims are checked
//! (overflow-free, under the parameter cap and the memory budget) and
//! matched against the file's own tensor table before anything is
//! allocated, so a small, hostile sidecar cannot make the reader allocate
//! gigabytes.
//!
//! **One unit.** Both files are written to temporaries first and renamed
//! into place weights first, sidecar last. A save cut short between the two
//! renames leaves new weights beside the old sidecar (their checksum
//! differs) or weights without a sidecar: the reader reports either as an
//! incomplete or mismatched pair, never loads half of one. A save refuses
//! to replace a file at the sidecar's path that is not a checkpoint
//! sidecar (`run.yaml` holding a dataset, say).

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::checksum::{fnv64, hex};
use super::heads::{Head, TargetKind};
use super::mlp::{Mlp, MlpError, MlpSpec};
use super::training_report::TrainingReport;
use crate::files::{read_file, write_target, write_temporary, FileError};

const FORMAT: &str = "optimist-mlp/1";

/// Why a checkpoint could not be written or read back. `path` is the
/// weights file unless a field says otherwise; `tensor` names a tensor
/// (`layer0.weight`, …).
#[derive(Debug)]
pub enum CheckpointError {
    EncodeHeader(serde_json::Error),
    EncodeSidecar(serde_yaml::Error),
    File(FileError),
    /// The sidecar at `path` is not YAML of a checkpoint's shape.
    Sidecar {
        path: PathBuf,
        source: serde_yaml::Error,
    },
    /// The sidecar at `path` is nested too deep to be a sidecar.
    SidecarDepth {
        path: PathBuf,
        source: crate::yaml::DepthError,
    },
    /// The sidecar at `path` names another format than this reader's.
    Format {
        path: PathBuf,
        found: String,
    },
    /// Fewer than the 8 bytes of the header's length.
    TooShort {
        path: PathBuf,
        bytes: usize,
    },
    /// The header claims more bytes than follow it.
    HeaderLength {
        path: PathBuf,
        claimed: u64,
        available: u64,
    },
    HeaderJson {
        path: PathBuf,
        source: serde_json::Error,
    },
    /// The sidecar (at `sidecar`) describes a network that cannot be built.
    Architecture {
        sidecar: PathBuf,
        source: MlpError,
    },
    /// The weights hold another number of tensors than the sidecar describes.
    TensorCount {
        path: PathBuf,
        found: usize,
        expected: usize,
    },
    MissingTensor {
        path: PathBuf,
        tensor: String,
    },
    /// A tensor's header entry is not of the safetensors shape.
    TensorEntry {
        path: PathBuf,
        tensor: String,
        source: serde_json::Error,
    },
    Dtype {
        path: PathBuf,
        tensor: String,
        dtype: String,
    },
    Shape {
        path: PathBuf,
        tensor: String,
        found: Vec<usize>,
        expected: Vec<usize>,
    },
    /// A tensor's byte range is not as long as its shape needs.
    Span {
        path: PathBuf,
        tensor: String,
        begin: usize,
        end: usize,
        expected: usize,
    },
    /// A tensor ends past the end of the data.
    TruncatedTensor {
        path: PathBuf,
        tensor: String,
        end: usize,
        available: usize,
    },
    /// The weights' FNV-1a hash is not the one the sidecar recorded.
    Checksum {
        path: PathBuf,
        actual: String,
        recorded: String,
    },
    /// The weights do not fit the network.
    Weights(MlpError),
    /// One file of the pair exists without the other (a save was cut
    /// short, or a file was removed).
    Incomplete {
        present: PathBuf,
        missing: PathBuf,
    },
    /// Saving would replace `sidecar`, which is not a checkpoint sidecar.
    SidecarCollision {
        weights: PathBuf,
        sidecar: PathBuf,
    },
}

impl fmt::Display for CheckpointError {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        match self {
            CheckpointError::EncodeHeader(e) => write!(f, "cannot encode the header: {e}"),
            CheckpointError::EncodeSidecar(e) => write!(f, "cannot encode the sidecar: {e}"),
            CheckpointError::File(e) => e.fmt(f),
            CheckpointError::Sidecar { path, source } => match source.location() {
                Some(l) => write!(
                    f,
                    "{}:{}:{}: not a checkpoint sidecar: {source}",
                    path.display(),
                    l.line(),
                    l.column()
                ),
                None => write!(f, "{}: not a checkpoint sidecar: {source}", path.display()),
            },
            CheckpointError::SidecarDepth { path, source } => write!(
                f,
                "{}:{source}: not a checkpoint sidecar",
                path.display()
            ),
            CheckpointError::Format { path, found } => write!(
                f,
                "{}: expected format `{FORMAT}`, found `{found}`",
                path.display()
            ),
            CheckpointError::TooShort { path, bytes } => write!(
                f,
                "`{}` is truncated: {bytes} bytes, too short for a safetensors header",
                path.display()
            ),
            CheckpointError::HeaderLength {
                path,
                claimed,
                available,
            } => write!(
                f,
                "`{}` is truncated or corrupted: its header claims {claimed} bytes, only {available} follow",
                path.display()
            ),
            CheckpointError::HeaderJson { path, source } => write!(
                f,
                "`{}` is corrupted: its header is not valid JSON ({source})",
                path.display()
            ),
            CheckpointError::Architecture { sidecar, source } => {
                write!(f, "{}: {source}", sidecar.display())
            }
            CheckpointError::TensorCount {
                path,
                found,
                expected,
            } => write!(
                f,
                "`{}` holds {found} tensors, but its sidecar describes {expected} ({} layers)",
                path.display(),
                expected / 2
            ),
            CheckpointError::MissingTensor { path, tensor } => write!(
                f,
                "`{}` has no tensor `{tensor}`, which its sidecar describes",
                path.display()
            ),
            CheckpointError::TensorEntry {
                path,
                tensor,
                source,
            } => write!(
                f,
                "`{}` is corrupted: the entry for `{tensor}` is malformed ({source})",
                path.display()
            ),
            CheckpointError::Dtype {
                path,
                tensor,
                dtype,
            } => write!(
                f,
                "`{}`: tensor `{tensor}` is {dtype}, expected F32",
                path.display()
            ),
            CheckpointError::Shape {
                path,
                tensor,
                found,
                expected,
            } => write!(
                f,
                "`{}`: tensor `{tensor}` has shape {found:?}, but the sidecar's architecture needs {expected:?}",
                path.display()
            ),
            CheckpointError::Span {
                path,
                tensor,
                begin,
                end,
                expected,
            } => write!(
                f,
                "`{}` is corrupted: tensor `{tensor}` spans bytes {begin}..{end}, expected {expected} bytes",
                path.display()
            ),
            CheckpointError::TruncatedTensor {
                path,
                tensor,
                end,
                available,
            } => write!(
                f,
                "`{}` is truncated: tensor `{tensor}` ends at byte {end} of the data, which has only {available} bytes",
                path.display()
            ),
            CheckpointError::Checksum {
                path,
                actual,
                recorded,
            } => write!(
                f,
                "`{}` is corrupted: its weights hash to {actual}, the sidecar recorded {recorded}",
                path.display()
            ),
            CheckpointError::Weights(e) => e.fmt(f),
            CheckpointError::Incomplete { present, missing } => write!(
                f,
                "incomplete checkpoint: `{}` is there but `{}` is not (a save was interrupted, or a file was removed); save the model again",
                present.display(),
                missing.display()
            ),
            CheckpointError::SidecarCollision { weights, sidecar } => write!(
                f,
                "cannot save `{}`: its sidecar `{}` would replace a file that is not a checkpoint sidecar; choose another name",
                weights.display(),
                sidecar.display()
            ),
        }
    }
}

impl std::error::Error for CheckpointError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            CheckpointError::EncodeHeader(e)
            | CheckpointError::HeaderJson { source: e, .. }
            | CheckpointError::TensorEntry { source: e, .. } => Some(e),
            CheckpointError::EncodeSidecar(e) | CheckpointError::Sidecar { source: e, .. } => {
                Some(e)
            }
            CheckpointError::File(e) => Some(e),
            CheckpointError::SidecarDepth { source, .. } => Some(source),
            CheckpointError::Architecture { source: e, .. } | CheckpointError::Weights(e) => {
                Some(e)
            }
            _ => None,
        }
    }
}

impl From<FileError> for CheckpointError {
    fn from(e: FileError) -> Self {
        CheckpointError::File(e)
    }
}

/// Input and output widths, repeated for readers of the sidecar.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct IoSpec {
    pub features: usize,
    pub outputs: usize,
    pub target: TargetKind,
    /// What the features encode (e.g. `tictactoe`), as the caller named it.
    pub domain: Option<String>,
}

/// The sidecar: everything about the weights but the weights.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CheckpointMeta {
    pub format: String,
    pub architecture: MlpSpec,
    pub head: Head,
    pub io: IoSpec,
    pub seed: u64,
    pub dataset_hash: Option<String>,
    pub weights_fnv64: String,
    pub training: Option<TrainingReport>,
}

/// The sidecar path for a weights path: `x.safetensors` → `x.yaml`.
pub fn sidecar_path(path: &Path) -> PathBuf {
    path.with_extension("yaml")
}

#[derive(Serialize, Deserialize)]
struct TensorInfo {
    dtype: String,
    shape: Vec<usize>,
    data_offsets: [usize; 2],
}

/// The checkpoint whose sidecar the file at `path` is: a `.safetensors`
/// beside it with the same name, when `path` holds a checkpoint sidecar.
/// Other writers refuse to replace it (a report saved as `model.yaml` would
/// leave `model.safetensors` without its description).
pub fn weights_of_sidecar(path: &Path) -> Option<PathBuf> {
    let weights = path.with_extension("safetensors");
    (sidecar_path(&weights) == path && weights.is_file() && is_sidecar(path)).then_some(weights)
}

/// Whether the file at `path` is a checkpoint sidecar (a YAML mapping whose
/// `format` is this reader's family), whatever else is wrong with it.
fn is_sidecar(path: &Path) -> bool {
    let Ok(bytes) = read_file(path) else {
        return false;
    };
    if crate::yaml::check_depth(&bytes).is_err() {
        return false;
    }
    let Ok(value) = serde_yaml::from_slice::<serde_yaml::Value>(&bytes) else {
        return false;
    };
    value
        .get("format")
        .and_then(serde_yaml::Value::as_str)
        .is_some_and(|f| f.starts_with("optimist-mlp/"))
}

/// Writes `model` to `path` (weights) and its sidecar. `domain` names what
/// the inputs encode, for the reader's benefit. Refuses when a file that
/// is not a checkpoint sidecar sits at the sidecar's path.
pub fn save(
    model: &Mlp,
    path: impl AsRef<Path>,
    domain: Option<&str>,
) -> Result<CheckpointMeta, CheckpointError> {
    let path = path.as_ref();
    let side = sidecar_path(path);
    if side.exists() && !is_sidecar(&side) {
        return Err(CheckpointError::SidecarCollision {
            weights: path.to_path_buf(),
            sidecar: side,
        });
    }
    save_over(model, path, domain)
}

/// `save` without the sidecar check, for a directory this program owns
/// (the cache, where a damaged sidecar is to be replaced).
pub(crate) fn save_over(
    model: &Mlp,
    path: &Path,
    domain: Option<&str>,
) -> Result<CheckpointMeta, CheckpointError> {
    let mut header: BTreeMap<String, serde_json::Value> = BTreeMap::new();
    let mut data = Vec::new();
    for (name, shape, values) in model.weights() {
        let begin = data.len();
        for v in &values {
            data.extend_from_slice(&v.to_le_bytes());
        }
        let info = TensorInfo {
            dtype: "F32".into(),
            shape,
            data_offsets: [begin, data.len()],
        };
        let json = serde_json::to_value(info).map_err(CheckpointError::EncodeHeader)?;
        header.insert(name, json);
    }
    let checksum = hex(fnv64(&data));
    let mut meta = BTreeMap::new();
    meta.insert("format".to_string(), FORMAT.to_string());
    meta.insert("weights_fnv64".to_string(), checksum.clone());
    header.insert(
        "__metadata__".into(),
        serde_json::to_value(meta).map_err(CheckpointError::EncodeHeader)?,
    );
    let mut head_bytes = serde_json::to_vec(&header).map_err(CheckpointError::EncodeHeader)?;
    // Pad so the data starts 8-byte aligned, as the format recommends.
    while (8 + head_bytes.len()) % 8 != 0 {
        head_bytes.push(b' ');
    }
    let mut file = Vec::with_capacity(8 + head_bytes.len() + data.len());
    file.extend_from_slice(&(head_bytes.len() as u64).to_le_bytes());
    file.extend_from_slice(&head_bytes);
    file.extend_from_slice(&data);

    let spec = model.spec().clone();
    let report = model.report.clone();
    let meta = CheckpointMeta {
        format: FORMAT.into(),
        io: IoSpec {
            features: spec.input,
            outputs: spec.output,
            target: model.head().kind(),
            domain: domain.map(str::to_string),
        },
        architecture: spec,
        head: model.head().clone(),
        seed: model.seed(),
        dataset_hash: report.as_ref().and_then(|r| r.dataset_hash.clone()),
        weights_fnv64: checksum,
        training: report,
    };
    let yaml = serde_yaml::to_string(&meta).map_err(CheckpointError::EncodeSidecar)?;
    let weights_at = write_target(path)?;
    let side_at = write_target(&sidecar_path(path))?;
    let weights_tmp = write_temporary(&weights_at, &file)?;
    let side_tmp = match write_temporary(&side_at, yaml.as_bytes()) {
        Ok(t) => t,
        Err(e) => {
            let _ = std::fs::remove_file(&weights_tmp);
            return Err(e.into());
        }
    };
    // Renamed under the folder's lock: two saves to one path never leave
    // one's weights beside the other's sidecar.
    let _lock = crate::files::lock_folder_of(path, true);
    for (tmp, at) in [(&weights_tmp, &weights_at), (&side_tmp, &side_at)] {
        if let Err(source) = std::fs::rename(tmp, at) {
            let _ = std::fs::remove_file(&weights_tmp);
            let _ = std::fs::remove_file(&side_tmp);
            return Err(CheckpointError::File(FileError::Write {
                path: at.clone(),
                source,
            }));
        }
    }
    Ok(meta)
}

/// Reads only the sidecar of the checkpoint at `path`.
pub fn load_meta(path: impl AsRef<Path>) -> Result<CheckpointMeta, CheckpointError> {
    let _lock = crate::files::lock_folder_of(path.as_ref(), false);
    let side = sidecar_path(path.as_ref());
    let text = match read_file(&side) {
        Err(FileError::NotFound { .. }) if path.as_ref().exists() => {
            return Err(CheckpointError::Incomplete {
                present: path.as_ref().to_path_buf(),
                missing: side,
            })
        }
        other => other?,
    };
    if let Err(source) = crate::yaml::check_depth(&text) {
        return Err(CheckpointError::SidecarDepth { path: side, source });
    }
    let meta: CheckpointMeta = match serde_yaml::from_slice(&text) {
        Ok(meta) => meta,
        Err(source) => return Err(CheckpointError::Sidecar { path: side, source }),
    };
    if meta.format != FORMAT {
        return Err(CheckpointError::Format {
            path: side,
            found: meta.format,
        });
    }
    Ok(meta)
}

/// Loads the checkpoint at `path` (and its sidecar), checking sizes,
/// shapes and the checksum before building the network.
pub fn load(path: impl AsRef<Path>) -> Result<Mlp, CheckpointError> {
    let path = path.as_ref();
    // Both files under one shared lock: a pair, never halves of two saves.
    let lock = crate::files::lock_folder_of(path, false);
    let meta = load_meta(path)?;
    let at = || path.to_path_buf();
    let architecture = |source| CheckpointError::Architecture {
        sidecar: sidecar_path(path),
        source,
    };
    // Overflow, the parameter cap and the memory budget, before anything
    // the sidecar claims is allocated.
    meta.architecture.check().map_err(architecture)?;
    let bytes = match read_file(path) {
        Err(FileError::NotFound { .. }) => {
            return Err(CheckpointError::Incomplete {
                present: sidecar_path(path),
                missing: at(),
            })
        }
        other => other?,
    };
    drop(lock);
    if bytes.len() < 8 {
        return Err(CheckpointError::TooShort {
            path: at(),
            bytes: bytes.len(),
        });
    }
    let mut len8 = [0u8; 8];
    len8.copy_from_slice(&bytes[..8]);
    let header_len = u64::from_le_bytes(len8);
    let rest = (bytes.len() - 8) as u64;
    if header_len > rest {
        return Err(CheckpointError::HeaderLength {
            path: at(),
            claimed: header_len,
            available: rest,
        });
    }
    let header_end = 8 + header_len as usize;
    let header: BTreeMap<String, serde_json::Value> = serde_json::from_slice(&bytes[8..header_end])
        .map_err(|source| CheckpointError::HeaderJson { path: at(), source })?;
    let data = &bytes[header_end..];

    let expected = meta.architecture.tensor_shapes();
    let tensors = header.keys().filter(|k| *k != "__metadata__").count();
    if tensors != expected.len() {
        return Err(CheckpointError::TensorCount {
            path: at(),
            found: tensors,
            expected: expected.len(),
        });
    }
    let mut snapshot = Vec::with_capacity(expected.len());
    for (tname, shape) in &expected {
        let tensor = || tname.clone();
        let info = header
            .get(tname)
            .ok_or_else(|| CheckpointError::MissingTensor {
                path: at(),
                tensor: tensor(),
            })?;
        let info: TensorInfo = serde_json::from_value(info.clone()).map_err(|source| {
            CheckpointError::TensorEntry {
                path: at(),
                tensor: tensor(),
                source,
            }
        })?;
        if info.dtype != "F32" {
            return Err(CheckpointError::Dtype {
                path: at(),
                tensor: tensor(),
                dtype: info.dtype,
            });
        }
        if &info.shape != shape {
            return Err(CheckpointError::Shape {
                path: at(),
                tensor: tensor(),
                found: info.shape,
                expected: shape.clone(),
            });
        }
        let [begin, end] = info.data_offsets;
        // The architecture passed the parameter cap: no overflow here.
        let numel: usize = shape.iter().product();
        if end < begin || end - begin != 4 * numel {
            return Err(CheckpointError::Span {
                path: at(),
                tensor: tensor(),
                begin,
                end,
                expected: 4 * numel,
            });
        }
        if end > data.len() {
            return Err(CheckpointError::TruncatedTensor {
                path: at(),
                tensor: tensor(),
                end,
                available: data.len(),
            });
        }
        snapshot.push(
            data[begin..end]
                .chunks_exact(4)
                .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
                .collect::<Vec<f32>>(),
        );
    }
    let actual = hex(fnv64(data));
    if actual != meta.weights_fnv64 {
        return Err(CheckpointError::Checksum {
            path: at(),
            actual,
            recorded: meta.weights_fnv64,
        });
    }
    let mut model =
        Mlp::new(meta.architecture.clone(), meta.head.clone(), meta.seed).map_err(architecture)?;
    model.restore(&snapshot).map_err(CheckpointError::Weights)?;
    model.report = meta.training;
    Ok(model)
}
