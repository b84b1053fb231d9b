//! Files of the amortizers: dataset formats and their error messages,
//! checkpoint round trips and damage detection, and the cache.

use std::fs;
use std::path::PathBuf;

use optimist::amortized::checkpoint::{self, CheckpointError};
use optimist::amortized::dataset_io::{load, save};
use optimist::amortized::{
    train, Activation, Cache, CacheLookup, Damage, Dataset, DatasetEntryError, DatasetFileError,
    Example, Head, Mlp, MlpSpec, Progress, TargetKind, TrainConfig,
};
use optimist::files::FileError;

const DATA: &str = "tests/data/amortized";

fn fixture(name: &str) -> String {
    format!("{DATA}/{name}")
}

/// A fresh scratch folder per test, under Cargo's temporary directory.
fn scratch(test: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join("amortized")
        .join(test);
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(&dir).unwrap();
    dir
}

fn policy_data() -> Dataset {
    let rows = vec![
        Example::new(vec![0.5, 1.0], vec![0.25, 0.75])
            .with_mask(vec![true, true])
            .with_value(-1.0)
            .with_action(0),
        Example::new(vec![0.1, -2.5e-7], vec![0.0, 1.0])
            .with_mask(vec![false, true])
            .with_action(1),
        Example::new(vec![1e-3, 3.0], vec![1.0, 0.0])
            .with_mask(vec![true, false])
            .with_value(0.5),
    ];
    Dataset::from_examples(rows, TargetKind::Policy, "test").unwrap()
}

#[test]
fn good_files_load_with_every_field() {
    let csv = load(fixture("good.csv")).unwrap();
    assert_eq!(
        (csv.len(), csv.feature_dim, csv.target_dim, csv.kind),
        (3, 1, 2, TargetKind::Policy)
    );
    assert_eq!(
        csv.examples()[0],
        Example::new(vec![0.5], vec![0.25, 0.75])
            .with_mask(vec![true, false])
            .with_value(-1.0)
    );
    assert_eq!(
        csv.examples()[2],
        Example::new(vec![1e-3], vec![1.0, 0.0]).with_mask(vec![true, false])
    );
    let yaml = load(fixture("good.yaml")).unwrap();
    assert_eq!(
        yaml.examples()[0],
        Example::new(vec![0.5, 1.0], vec![0.25, 0.75])
            .with_mask(vec![true, false])
            .with_value(-1.0)
    );
}

#[test]
fn every_format_round_trips_exactly() {
    let dir = scratch("round_trip");
    // With actions on some rows (and a row without one), and without any.
    let data = policy_data();
    assert!(data.has_action());
    let plain: Vec<Example> = data
        .examples()
        .iter()
        .map(|e| Example {
            action: None,
            ..e.clone()
        })
        .collect();
    let plain = Dataset::from_examples(plain, TargetKind::Policy, "test").unwrap();
    for (tag, data) in [("moves", &data), ("plain", &plain)] {
        for ext in ["csv", "jsonl", "yaml"] {
            let path = dir.join(format!("{tag}.{ext}"));
            save(data, &path).unwrap();
            let back = load(&path).unwrap();
            assert_eq!(back.examples(), data.examples(), "{tag}.{ext}");
            assert_eq!(back.content_hash(), data.content_hash(), "{tag}.{ext}");
        }
    }
    // Atomic writes leave no temporary file behind.
    let mut names: Vec<String> = fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(
        names,
        [
            "moves.csv",
            "moves.jsonl",
            "moves.yaml",
            "plain.csv",
            "plain.jsonl",
            "plain.yaml"
        ]
    );
    // The action column or key is written only when some row has one.
    let header = |tag: &str| {
        fs::read_to_string(dir.join(format!("{tag}.csv")))
            .unwrap()
            .lines()
            .next()
            .unwrap()
            .to_string()
    };
    assert_eq!(header("moves"), "f0,f1,t0,t1,m0,m1,v,a");
    assert_eq!(header("plain"), "f0,f1,t0,t1,m0,m1,v");
    let jsonl = fs::read_to_string(dir.join("moves.jsonl")).unwrap();
    assert_eq!(
        jsonl.lines().nth(1).unwrap(),
        r#"{"features":[0.1,-2.5e-7],"target":[0.0,1.0],"mask":[false,true],"action":1}"#
    );
    assert!(!fs::read_to_string(dir.join("plain.yaml"))
        .unwrap()
        .contains("action"));
}

#[test]
fn actions_load_from_every_format() {
    let csv = load(fixture("actions.csv")).unwrap();
    let jsonl = load(fixture("actions.jsonl")).unwrap();
    let yaml = load(fixture("actions.yaml")).unwrap();
    let expected = [
        Example::new(vec![0.5], vec![0.25, 0.75])
            .with_mask(vec![true, true])
            .with_value(1.0)
            .with_action(1),
        Example::new(vec![0.1], vec![1.0, 0.0]).with_mask(vec![true, false]),
        Example::new(vec![0.2], vec![0.0, 1.0])
            .with_mask(vec![false, true])
            .with_action(1),
    ];
    for d in [&csv, &jsonl, &yaml] {
        assert_eq!(d.examples(), expected, "{}", d.source);
        assert_eq!(d.kind, TargetKind::Policy);
    }
}

#[test]
fn bad_actions_say_what_was_expected() {
    let dir = scratch("bad_actions");
    let want = "expected a non-negative integer (the index of the move played)";
    // (file, contents, the error after the path)
    let cases = [
        (
            "negative.csv",
            "f0,t0,t1,a\n1,0.5,0.5,1\n2,0.5,0.5,-1\n",
            format!("3: column 4 (`a`): {want}, found `-1`"),
        ),
        (
            "fraction.csv",
            "f0,t0,t1,v,a\n1,0.5,0.5,0,1.5\n",
            format!("2: column 5 (`a`): {want}, found `1.5`"),
        ),
        (
            "string.csv",
            "f0,t0,t1,a\n1,0.5,0.5,left\n",
            format!("2: column 4 (`a`): {want}, found `left`"),
        ),
        (
            "negative.jsonl",
            "{\"features\":[1],\"target\":[1],\"action\":-1}\n",
            format!("1:40: invalid value: integer `-1`, {want}"),
        ),
        (
            "fraction.jsonl",
            "{\"features\":[1],\"target\":[1],\"action\":0.5}\n",
            format!("1:41: invalid type: floating point `0.5`, {want}"),
        ),
        (
            "string.jsonl",
            "{\"features\":[1],\"target\":[1],\"action\":\"0\"}\n",
            format!("1:41: invalid type: string \"0\", {want}"),
        ),
        (
            "negative.yaml",
            "- features: [1]\n  target: [1]\n  action: -1\n",
            format!("3:11: [0].action: invalid value: integer `-1`, {want}"),
        ),
        (
            "fraction.yaml",
            "- features: [1]\n  target: [1]\n  action: 2.5\n",
            format!("3:11: [0].action: invalid type: floating point `2.5`, {want}"),
        ),
        (
            "string.yaml",
            "- features: [1]\n  target: [1]\n  action: up\n",
            format!("3:11: [0].action: invalid type: string \"up\", {want}"),
        ),
        (
            "too_big.jsonl",
            "{\"features\":[1],\"target\":[0.5,0.5],\"action\":2}\n",
            "1: the example has action 2, expected an index below 2 (one per target entry)"
                .to_string(),
        ),
        (
            "illegal.csv",
            "f0,t0,t1,m0,m1,a\n1,1,0,1,0,0\n1,0,1,1,0,1\n",
            "3: the example has action 1, which its mask marks illegal".to_string(),
        ),
    ];
    for (file, text, expected) in cases {
        let path = dir.join(file);
        fs::write(&path, text).unwrap();
        assert_eq!(
            load(&path).unwrap_err().to_string(),
            format!("{}:{expected}", path.display()),
            "{file}"
        );
    }
}

#[test]
fn bad_dataset_files_name_file_line_and_what_was_expected() {
    let cases = [
        ("bad_number.csv", "bad_number.csv:3: column 2 (`f1`): expected a number, found `abc`"),
        ("bad_header.csv", "bad_header.csv:1: column 3: expected `f2` or `t0` in the header, found `target`"),
        ("short_row.csv", "short_row.csv:3: expected 6 fields, as in the header, found 5"),
        ("bad_syntax.jsonl", "bad_syntax.jsonl:2:34: trailing comma"),
        ("ragged.jsonl", "ragged.jsonl:3: the example has 3 features, expected 2"),
        (
            "unknown_key.jsonl",
            "unknown_key.jsonl:1:25: unknown field `targt`, expected one of `features`, `target`, `mask`, `value`, `action`",
        ),
        ("bad_type.yaml", "bad_type.yaml:3:19: [1].features[1]: invalid type: string \"x\", expected f32"),
        ("ragged.yaml", "ragged.yaml:3: the example has 1 features, expected 2"),
    ];
    for (file, expected) in cases {
        let err = load(fixture(file)).unwrap_err();
        assert_eq!(err.to_string(), format!("{DATA}/{expected}"));
    }
    let err = load(fixture("absent.csv")).unwrap_err();
    assert!(
        matches!(&err, DatasetFileError::File(FileError::NotFound { path })
            if path.ends_with("absent.csv")),
        "{err:?}"
    );
    assert_eq!(err.to_string(), format!("`{DATA}/absent.csv` not found"));
    let err = load("data.txt").unwrap_err();
    assert!(
        matches!(&err, DatasetFileError::UnknownFormat { .. }),
        "{err:?}"
    );
    assert_eq!(
        err.to_string(),
        "cannot tell the format of `data.txt`: expected a .csv, .jsonl, .yaml or .yml file"
    );
}

fn trained_model() -> Mlp {
    let rows = (0..40)
        .map(|i| {
            let x = i as f32 / 40.0;
            Example::new(vec![x, 1.0 - x], vec![x.sin(), x * x, -x])
        })
        .collect();
    let data = Dataset::from_examples(rows, TargetKind::Solution, "curve").unwrap();
    let spec = MlpSpec::new(2, vec![8, 8], 3, Activation::Gelu);
    let model = Mlp::new(spec, Head::Solution { bounds: None }, 4).unwrap();
    let cfg = TrainConfig {
        epochs: 3,
        progress: Progress::Silent,
        ..TrainConfig::default()
    };
    train(model, &data, &cfg).unwrap().0
}

#[test]
fn checkpoint_round_trip_gives_bit_identical_predictions() {
    let dir = scratch("checkpoint");
    let model = trained_model();
    let path = dir.join("policy.safetensors");
    let meta = checkpoint::save(&model, &path, Some("curve")).unwrap();
    assert_eq!(meta.io.domain.as_deref(), Some("curve"));
    assert_eq!(
        meta.dataset_hash,
        model.report.as_ref().unwrap().dataset_hash
    );
    assert!(dir.join("policy.yaml").exists());

    let back = checkpoint::load(&path).unwrap();
    assert_eq!(back.weights(), model.weights());
    assert_eq!(back.spec(), model.spec());
    assert_eq!(back.report, model.report);
    let queries: Vec<Vec<f32>> = (0..5).map(|i| vec![i as f32 * 0.3, -1.0]).collect();
    assert_eq!(
        back.predict_batch(&queries).unwrap().0,
        model.predict_batch(&queries).unwrap().0
    );
}

#[test]
fn damaged_checkpoints_are_clear_errors() {
    let dir = scratch("damaged");
    let model = trained_model();
    let path = dir.join("m.safetensors");
    checkpoint::save(&model, &path, None).unwrap();
    let good = fs::read(&path).unwrap();
    let name = path.display().to_string();

    fs::write(&path, &good[..good.len() - 10]).unwrap();
    let err = checkpoint::load(&path).unwrap_err();
    assert!(
        matches!(&err, CheckpointError::TruncatedTensor { tensor, .. } if tensor == "layer2.bias"),
        "{err:?}"
    );
    let err = err.to_string();
    assert!(
        err.starts_with(&format!(
            "`{name}` is truncated: tensor `layer2.bias` ends at byte"
        )),
        "{err}"
    );

    fs::write(&path, &good[..4]).unwrap();
    let err = checkpoint::load(&path).unwrap_err();
    assert!(
        matches!(&err, CheckpointError::TooShort { bytes: 4, .. }),
        "{err:?}"
    );
    assert_eq!(
        err.to_string(),
        format!("`{name}` is truncated: 4 bytes, too short for a safetensors header")
    );

    let mut flipped = good.clone();
    let last = flipped.len() - 1;
    flipped[last] ^= 0x40;
    fs::write(&path, &flipped).unwrap();
    let err = checkpoint::load(&path).unwrap_err();
    assert!(matches!(&err, CheckpointError::Checksum { .. }), "{err:?}");
    let err = err.to_string();
    assert!(
        err.starts_with(&format!("`{name}` is corrupted: its weights hash to")),
        "{err}"
    );

    let mut garbage = good.clone();
    garbage[9] = b'#';
    fs::write(&path, &garbage).unwrap();
    let err = checkpoint::load(&path).unwrap_err();
    assert!(
        matches!(&err, CheckpointError::HeaderJson { .. }),
        "{err:?}"
    );
    let err = err.to_string();
    assert!(
        err.starts_with(&format!(
            "`{name}` is corrupted: its header is not valid JSON"
        )),
        "{err}"
    );

    // Weights of a different architecture under this sidecar.
    let other = Mlp::new(
        MlpSpec::new(2, vec![5, 8], 3, Activation::Gelu),
        Head::Solution { bounds: None },
        0,
    )
    .unwrap();
    let other_path = dir.join("other.safetensors");
    checkpoint::save(&other, &other_path, None).unwrap();
    fs::copy(&other_path, &path).unwrap();
    let err = checkpoint::load(&path).unwrap_err();
    assert!(
        matches!(&err, CheckpointError::Shape { tensor, found, expected, .. }
            if tensor == "layer0.weight" && found == &[2, 5] && expected == &[2, 8]),
        "{err:?}"
    );
    assert_eq!(
        err.to_string(),
        format!("`{name}`: tensor `layer0.weight` has shape [2, 5], but the sidecar's architecture needs [2, 8]")
    );

    // Weights without their sidecar: half of a pair, named as such.
    fs::remove_file(dir.join("m.yaml")).unwrap();
    let err = checkpoint::load(&path).unwrap_err();
    assert!(
        matches!(&err, CheckpointError::Incomplete { missing, .. } if missing == &dir.join("m.yaml")),
        "{err:?}"
    );
    assert!(
        err.to_string().starts_with(&format!(
            "incomplete checkpoint: `{name}` is there but `{}` is not",
            dir.join("m.yaml").display()
        )),
        "{err}"
    );
    // Neither file: not found.
    fs::remove_file(&path).unwrap();
    let err = checkpoint::load(&path).unwrap_err();
    assert!(
        matches!(&err, CheckpointError::File(FileError::NotFound { .. })),
        "{err:?}"
    );
    assert_eq!(
        err.to_string(),
        format!("`{}` not found", dir.join("m.yaml").display())
    );
}

#[test]
fn cache_round_trips_and_reports_corruption() {
    let dir = scratch("cache");
    let cache = Cache::new(&dir);
    let key = 0x0123_4567_89ab_cdef;
    assert!(matches!(cache.get_model(key), CacheLookup::Miss));
    assert!(matches!(cache.get_dataset(key), CacheLookup::Miss));

    let model = trained_model();
    cache.put_model(key, &model, Some("curve")).unwrap();
    let back = cache.get_model(key).hit().unwrap();
    assert_eq!(back.weights(), model.weights());
    assert!(cache
        .model_path(key)
        .ends_with("models/0123456789abcdef.safetensors"));

    let data = policy_data();
    assert!(data.has_action());
    cache.put_dataset(key, &data).unwrap();
    assert_eq!(cache.get_dataset(key).hit().unwrap(), data);

    let dpath = cache.dataset_path(key);
    let mut bytes = fs::read(&dpath).unwrap();
    let n = bytes.len();
    bytes[n - 5] = if bytes[n - 5] == b'1' { b'2' } else { b'1' };
    fs::write(&dpath, &bytes).unwrap();
    match cache.get_dataset(key) {
        CacheLookup::Corrupt(reason) => {
            assert!(
                matches!(
                    &reason,
                    Damage::Dataset {
                        key: 0x0123_4567_89ab_cdef,
                        source: DatasetEntryError::Checksum { .. }
                    }
                ),
                "{reason:?}"
            );
            assert!(
                reason
                    .to_string()
                    .starts_with("cached dataset 0123456789abcdef: checksum mismatch"),
                "{reason}"
            )
        }
        other => panic!("expected Corrupt, got {other:?}"),
    }
    fs::write(&dpath, &bytes[..n / 2]).unwrap();
    assert!(
        matches!(cache.get_dataset(key), CacheLookup::Corrupt(r) if r.to_string().contains("truncated"))
    );

    let mpath = cache.model_path(key);
    let mut weights = fs::read(&mpath).unwrap();
    let m = weights.len();
    weights[m - 1] ^= 1;
    fs::write(&mpath, &weights).unwrap();
    assert!(
        matches!(cache.get_model(key), CacheLookup::Corrupt(r) if r.to_string().contains("is corrupted"))
    );
}
