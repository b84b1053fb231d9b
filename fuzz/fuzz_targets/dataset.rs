//! Dataset files (`load("….csv" | "….jsonl" | "….yaml")`): the first byte
//! picks the format, the rest is the file. Errors are expected; panics and
//! aborts are bugs.
#![no_main]

use libfuzzer_sys::fuzz_target;
use std::path::PathBuf;
use std::sync::OnceLock;

fn dir() -> &'static PathBuf {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let d = std::env::temp_dir().join(format!("optimist-fuzz-dataset-{}", std::process::id()));
        std::fs::create_dir_all(&d).expect("a scratch folder");
        d
    })
}

fuzz_target!(|data: &[u8]| {
    let Some((&which, body)) = data.split_first() else {
        return;
    };
    let ext = ["csv", "jsonl", "yaml"][usize::from(which % 3)];
    let path = dir().join(format!("data.{ext}"));
    std::fs::write(&path, body).expect("write the input");
    let _ = optimist::amortized::dataset_io::load(&path);
});
