//! `docs/reference.md` is the output of `optimist doc`, kept equal by this
//! test. After changing a builtin, regenerate it with
//! `cargo run --release -- doc > docs/reference.md`.

#[test]
fn checked_in_reference_matches_the_registry() {
    let registry = optimist::interp::Registry::standard();
    let generated = optimist::interp::doc::reference(&registry);
    let on_disk = std::fs::read_to_string("docs/reference.md").unwrap_or_default();
    assert!(
        generated == on_disk,
        "docs/reference.md is out of date: run `cargo run --release -- doc > docs/reference.md`"
    );
}
