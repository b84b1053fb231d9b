//! Model checkpoints: a safetensors file and its YAML sidecar, as `load`
//! and the cache read them. The input is the sidecar, then the separator
//! `SPLIT` below, then the safetensors bytes (no separator: all of it is the
//! safetensors file, with an empty sidecar).
#![no_main]

use libfuzzer_sys::fuzz_target;
use optimist::amortized::checkpoint;
use std::path::PathBuf;
use std::sync::OnceLock;

const SPLIT: &[u8] = b"\n#--safetensors--\n";

fn dir() -> &'static PathBuf {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let d =
            std::env::temp_dir().join(format!("optimist-fuzz-checkpoint-{}", std::process::id()));
        std::fs::create_dir_all(&d).expect("a scratch folder");
        d
    })
}

fuzz_target!(|data: &[u8]| {
    let (sidecar, tensors) = match data.windows(SPLIT.len()).position(|w| w == SPLIT) {
        Some(at) => (&data[..at], &data[at + SPLIT.len()..]),
        None => (&b""[..], data),
    };
    let path = dir().join("model.safetensors");
    std::fs::write(&path, tensors).expect("write the tensors");
    std::fs::write(checkpoint::sidecar_path(&path), sidecar).expect("write the sidecar");
    let _ = checkpoint::load_meta(&path);
    let _ = checkpoint::load(&path);
});
