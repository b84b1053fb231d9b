#!/bin/sh
# Fills fuzz/corpus/<target>/ with seeds taken from the tests' own files.
# Run from the repository root: sh fuzz/seed.sh
set -eu
c=fuzz/corpus
mkdir -p "$c/script" "$c/dataset" "$c/checkpoint" "$c/config"
for f in examples/*.opt tests/syntax/*.opt tests/errors/*.opt stdlib/*.opt tests/claims/*.opt; do
    [ -f "$f" ] && cp "$f" "$c/script/$(echo "$f" | tr / _)"
done
# dataset: one byte picks the format (0 csv, 1 jsonl, 2 yaml), then the file.
for f in tests/data/*/*.csv tests/data/*/*.jsonl tests/data/*/*.yaml; do
    case "$f" in
        *.csv) b='\000' ;;
        *.jsonl) b='\001' ;;
        *) b='\002' ;;
    esac
    { printf "$b"; cat "$f"; } > "$c/dataset/$(echo "$f" | tr / _)"
done
# checkpoint: the sidecar, the separator, the safetensors bytes.
for t in tests/data/*/*.safetensors; do
    s="${t%.safetensors}.yaml"
    [ -f "$s" ] || continue
    { cat "$s"; printf '\n#--safetensors--\n'; cat "$t"; } > "$c/checkpoint/$(echo "$t" | tr / _)"
done
# config: the tests' configs and sidecars (YAML of every shape).
for f in tests/errors/*.yaml tests/data/*/*.yaml; do
    cp "$f" "$c/config/$(echo "$f" | tr / _)"
done
printf 'sims: 64\nrate: 0.25\nname: b\non: false\nbudgets: [2, 8]\n' > "$c/config/good.yaml"
