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
//! or a silently different model. Both files are written atomically.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::checksum::{fnv64, hex};
use super::heads::{Head, TargetKind};
use super::mlp::{Mlp, MlpSpec};
use super::training_report::TrainingReport;
use crate::files::{read_file, write_atomic};

const FORMAT: &str = "optimist-mlp/1";

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

/// Writes `model` to `path` (weights) and its sidecar. `domain` names what
/// the inputs encode, for the reader's benefit.
pub fn save(
    model: &Mlp,
    path: impl AsRef<Path>,
    domain: Option<&str>,
) -> Result<CheckpointMeta, String> {
    let path = path.as_ref();
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
        let json =
            serde_json::to_value(info).map_err(|e| format!("cannot encode the header: {e}"))?;
        header.insert(name, json);
    }
    let checksum = hex(fnv64(&data));
    let mut meta = BTreeMap::new();
    meta.insert("format".to_string(), FORMAT.to_string());
    meta.insert("weights_fnv64".to_string(), checksum.clone());
    header.insert(
        "__metadata__".into(),
        serde_json::to_value(meta).map_err(|e| format!("cannot encode the header: {e}"))?,
    );
    let mut head_bytes =
        serde_json::to_vec(&header).map_err(|e| format!("cannot encode the header: {e}"))?;
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
    let yaml =
        serde_yaml::to_string(&meta).map_err(|e| format!("cannot encode the sidecar: {e}"))?;
    write_atomic(path, &file).map_err(|e| e.to_string())?;
    write_atomic(&sidecar_path(path), yaml.as_bytes()).map_err(|e| e.to_string())?;
    Ok(meta)
}

/// Reads only the sidecar of the checkpoint at `path`.
pub fn load_meta(path: impl AsRef<Path>) -> Result<CheckpointMeta, String> {
    let side = sidecar_path(path.as_ref());
    let text = read_file(&side).map_err(|e| e.to_string())?;
    let meta: CheckpointMeta = serde_yaml::from_slice(&text).map_err(|e| match e.location() {
        Some(l) => format!(
            "{}:{}:{}: not a checkpoint sidecar: {e}",
            side.display(),
            l.line(),
            l.column()
        ),
        None => format!("{}: not a checkpoint sidecar: {e}", side.display()),
    })?;
    if meta.format != FORMAT {
        return Err(format!(
            "{}: expected format `{FORMAT}`, found `{}`",
            side.display(),
            meta.format
        ));
    }
    Ok(meta)
}

/// Loads the checkpoint at `path` (and its sidecar), checking shapes and
/// the checksum.
pub fn load(path: impl AsRef<Path>) -> Result<Mlp, String> {
    let path = path.as_ref();
    let meta = load_meta(path)?;
    let name = path.display().to_string();
    let bytes = read_file(path).map_err(|e| e.to_string())?;
    if bytes.len() < 8 {
        return Err(format!(
            "`{name}` is truncated: {} bytes, too short for a safetensors header",
            bytes.len()
        ));
    }
    let mut len8 = [0u8; 8];
    len8.copy_from_slice(&bytes[..8]);
    let header_len = u64::from_le_bytes(len8);
    let rest = (bytes.len() - 8) as u64;
    if header_len > rest {
        return Err(format!(
            "`{name}` is truncated or corrupted: its header claims {header_len} bytes, only {rest} follow"
        ));
    }
    let header_end = 8 + header_len as usize;
    let header: BTreeMap<String, serde_json::Value> = serde_json::from_slice(&bytes[8..header_end])
        .map_err(|e| format!("`{name}` is corrupted: its header is not valid JSON ({e})"))?;
    let data = &bytes[header_end..];

    let mut model = Mlp::new(meta.architecture.clone(), meta.head.clone(), meta.seed)
        .map_err(|e| format!("{}: {e}", sidecar_path(path).display()))?;
    let expected = model.weights();
    let tensors = header.keys().filter(|k| *k != "__metadata__").count();
    if tensors != expected.len() {
        return Err(format!(
            "`{name}` holds {tensors} tensors, but its sidecar describes {} ({} layers)",
            expected.len(),
            expected.len() / 2
        ));
    }
    let mut snapshot = Vec::with_capacity(expected.len());
    for (tname, shape, _) in &expected {
        let info = header.get(tname).ok_or_else(|| {
            format!("`{name}` has no tensor `{tname}`, which its sidecar describes")
        })?;
        let info: TensorInfo = serde_json::from_value(info.clone()).map_err(|e| {
            format!("`{name}` is corrupted: the entry for `{tname}` is malformed ({e})")
        })?;
        if info.dtype != "F32" {
            return Err(format!(
                "`{name}`: tensor `{tname}` is {}, expected F32",
                info.dtype
            ));
        }
        if &info.shape != shape {
            return Err(format!(
                "`{name}`: tensor `{tname}` has shape {:?}, but the sidecar's architecture needs {shape:?}",
                info.shape
            ));
        }
        let [begin, end] = info.data_offsets;
        let numel: usize = shape.iter().product();
        if end < begin || end - begin != 4 * numel {
            return Err(format!(
                "`{name}` is corrupted: tensor `{tname}` spans bytes {begin}..{end}, expected {} bytes",
                4 * numel
            ));
        }
        if end > data.len() {
            return Err(format!(
                "`{name}` is truncated: tensor `{tname}` ends at byte {end} of the data, which has only {} bytes",
                data.len()
            ));
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
        return Err(format!(
            "`{name}` is corrupted: its weights hash to {actual}, the sidecar recorded {}",
            meta.weights_fnv64
        ));
    }
    model.restore(&snapshot).map_err(|e| e.to_string())?;
    model.report = meta.training;
    Ok(model)
}
