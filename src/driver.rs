//! The facade the CLI, the REPL and the tests share: load and check a
//! script, then run it.

use crate::diagnostics::{has_errors, Diagnostic};
use crate::interp::output::Output;
use crate::interp::registry::RuntimeError;
use crate::interp::{Interpreter, Registry, Value};
use crate::ir::graph::{CommandKind, Ir};
use crate::ir::lower::{lower, CheckOptions};
use crate::ir::overrides::{parse_config, parse_set, Override};
use crate::span::{SourceId, Sources};
use std::path::{Path, PathBuf};

/// How a script is checked: the run seed and the param overrides.
#[derive(Clone, Debug, Default)]
pub struct Settings {
    pub seed: u64,
    /// `--set NAME=VALUE`, as typed.
    pub sets: Vec<String>,
    /// `--config FILE.yaml`.
    pub config: Option<PathBuf>,
}

/// A loaded and checked script.
pub struct Checked {
    pub sources: Sources,
    pub main: SourceId,
    /// `Some` when there were no errors: the program to run.
    pub ir: Option<Ir>,
    /// With errors, what lowered regardless (declarations whose values
    /// checked): for tooling, such as an editor showing a name's kind in a
    /// file with a mistake elsewhere; never run.
    pub partial: Option<Ir>,
    pub diagnostics: Vec<Diagnostic>,
}

impl Checked {
    pub fn ok(&self) -> bool {
        self.ir.is_some() && !has_errors(&self.diagnostics)
    }

    /// The IR for tooling: the program, or what lowered of a file with errors.
    pub fn ir_so_far(&self) -> Option<&Ir> {
        self.ir.as_ref().or(self.partial.as_ref())
    }
}

/// A stage `check --dump` prints.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stage {
    Tokens,
    Ast,
    Ir,
    /// The objectives' native trees (`ir::tape`).
    Tape,
}

/// The deterministic dump of one stage of a checked script's main source.
/// Tokens and the syntax tree are printed whatever the checker found; the
/// IR and the tapes only once checking produced an IR (empty otherwise).
pub fn dump(checked: &Checked, stage: Stage) -> String {
    let text = checked.sources.text(checked.main);
    match (stage, &checked.ir) {
        (Stage::Tokens, _) => crate::syntax::dump_tokens(&crate::syntax::lex(checked.main, text).0),
        (Stage::Ast, _) => crate::syntax::parse(checked.main, text)
            .program
            .map_or_else(String::new, |p| crate::syntax::dump_ast(&p)),
        (Stage::Ir, Some(ir)) => ir.dump(),
        (Stage::Tape, Some(ir)) => crate::ir::tape::dump(ir),
        (Stage::Ir | Stage::Tape, None) => String::new(),
    }
}

/// Reads and checks the script at `path`. `Err` is a one-line message for
/// a file that cannot be read at all.
pub fn check_file(
    path: &Path,
    registry: &Registry,
    settings: &Settings,
) -> Result<Checked, String> {
    check_script(path, registry, settings).map_err(|e| e.to_string())
}

/// [`check_file`] with the reason a file could not be read kept apart
/// (the CLI's exit status depends on it).
pub fn check_script(
    path: &Path,
    registry: &Registry,
    settings: &Settings,
) -> Result<Checked, ReadError> {
    let text = read_script(path)?;
    Ok(check_text(
        &path.to_string_lossy(),
        &text,
        registry,
        settings,
    ))
}

/// Checks script text under a display `name` (imports resolve relative to it).
pub fn check_text(name: &str, text: &str, registry: &Registry, settings: &Settings) -> Checked {
    check_sources(&[(name, text, false)], registry, settings)
}

/// Checks a REPL entry after the session's kept items; the entry may hold
/// bare expressions. `main` in the result is the entry.
pub fn check_repl(kept: &str, entry: &str, registry: &Registry, settings: &Settings) -> Checked {
    check_sources(
        &[("<session>", kept, false), ("<repl>", entry, true)],
        registry,
        settings,
    )
}

fn check_sources(
    texts: &[(&str, &str, bool)],
    registry: &Registry,
    settings: &Settings,
) -> Checked {
    let mut sources = Sources::new();
    let mains: Vec<(SourceId, bool)> = texts
        .iter()
        .map(|(n, t, repl)| (sources.add(*n, *t), *repl))
        .collect();
    let main = mains.last().map_or(SourceId(0), |m| m.0);
    let mut diagnostics = Vec::new();
    let overrides = collect_overrides(&mut sources, settings, &mut diagnostics);
    let loaded = crate::ir::load::load_all(&mut sources, &mains);
    diagnostics.extend(loaded.diagnostics);
    let parse_failed = has_errors(&diagnostics);
    let opts = CheckOptions {
        seed: settings.seed,
        overrides,
    };
    let (ir, more) = lower(&loaded.items, &sources, registry, &opts);
    // After syntax errors the checker's errors are still real (an unknown
    // name is unknown), but its warnings are noise about a broken file.
    diagnostics.extend(more.into_iter().filter(|d| d.is_error() || !parse_failed));
    let (ir, partial) = match has_errors(&diagnostics) {
        false => (Some(ir), None),
        true => (None, Some(ir)),
    };
    Checked {
        sources,
        main,
        ir,
        partial,
        diagnostics,
    }
}

fn collect_overrides(
    sources: &mut Sources,
    settings: &Settings,
    diags: &mut Vec<Diagnostic>,
) -> Vec<Override> {
    let mut out = Vec::new();
    if let Some(path) = &settings.config {
        match read_text(path) {
            Ok(text) => {
                let id = sources.add(path.to_string_lossy(), text);
                match parse_config(sources, id) {
                    Ok(o) => out.extend(o),
                    Err(e) => diags.extend(e),
                }
            }
            Err(e) => diags.push(Diagnostic::error("E0407", e)),
        }
    }
    // `--set` wins over the config file: it is the more specific request.
    for s in &settings.sets {
        match parse_set(s) {
            Ok(o) => {
                out.retain(|prev: &Override| prev.name != o.name);
                out.push(o);
            }
            Err(d) => diags.push(d),
        }
    }
    out
}

/// Reads a text file, with a one-line error naming it.
pub fn read_text(path: &Path) -> Result<String, String> {
    read_script(path).map_err(|e| e.to_string())
}

/// Why a script could not be read: the file itself (a usage error: exit
/// status 2), or its contents, which are not UTF-8 text (an error in the
/// script: exit status 1).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ReadError {
    Io {
        path: PathBuf,
        reason: String,
    },
    NotUtf8 {
        path: PathBuf,
        at: crate::ir::load::NotUtf8,
    },
}

impl ReadError {
    /// The exit status the CLI gives it.
    pub fn status(&self) -> u8 {
        match self {
            ReadError::Io { .. } => 2,
            ReadError::NotUtf8 { .. } => 1,
        }
    }
}

impl std::fmt::Display for ReadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ReadError::Io { path, reason } => {
                write!(f, "cannot read `{}`: {reason}", path.display())
            }
            ReadError::NotUtf8 { path, at } => write!(f, "cannot read `{}`: {at}", path.display()),
        }
    }
}

/// Reads a script (or any text file), saying where it is not UTF-8.
pub fn read_script(path: &Path) -> Result<String, ReadError> {
    let bytes = crate::files::read_file(path).map_err(|e| ReadError::Io {
        path: path.to_path_buf(),
        reason: crate::ir::load::file_reason(&e),
    })?;
    crate::ir::load::decode_text(bytes).map_err(|at| ReadError::NotUtf8 {
        path: path.to_path_buf(),
        at,
    })
}

/// What a run produced.
#[derive(Default)]
pub struct RunOutcome {
    pub outputs: Vec<Output>,
    /// Files written by `save` and `plot`.
    pub files: Vec<PathBuf>,
    /// Each `plot` command's SVG, as written to its file.
    pub plots: Vec<PlotOutput>,
    pub diagnostics: Vec<Diagnostic>,
}

/// One `plot … to "file.svg"`: what was plotted, where, and the SVG.
pub struct PlotOutput {
    pub label: String,
    pub path: PathBuf,
    pub svg: String,
}

impl RunOutcome {
    pub fn ok(&self) -> bool {
        !has_errors(&self.diagnostics)
    }
}

/// Runs the commands of a checked program in order; `on_output` sees each
/// report as soon as it is computed. Stops at the first runtime error.
pub fn run(ir: &Ir, interp: &mut Interpreter, on_output: &mut dyn FnMut(&Output)) -> RunOutcome {
    let mut outcome = RunOutcome::default();
    for cmd in &ir.commands {
        let result = interp
            .eval(ir, cmd.value)
            .and_then(|value| match &cmd.kind {
                CommandKind::Report | CommandKind::Show => {
                    let o = Output {
                        label: cmd.label.clone(),
                        value,
                    };
                    on_output(&o);
                    outcome.outputs.push(o);
                    Ok(())
                }
                CommandKind::Save { path } => {
                    let target = output_path(ir, interp, *path)?;
                    save_value(&value, &target)
                        .map_err(|e| RuntimeError::new(e).at(ir.node(*path).span))?;
                    outcome.files.push(target);
                    Ok(())
                }
                CommandKind::Plot { path } => {
                    let target = output_path(ir, interp, *path)?;
                    let figure = match &value {
                        Value::Report(t) => t.figure.as_ref(),
                        _ => None,
                    };
                    let Some(figure) = figure else {
                        return Err(RuntimeError::new("there is nothing to plot in this report")
                            .at(ir.node(cmd.value).span)
                            .hint("plot a `sweep(…)` or `compare(…)` report"));
                    };
                    if target.extension().and_then(|e| e.to_str()) != Some("svg") {
                        return Err(RuntimeError::new(
                            "plots are written as SVG: name the file `….svg`",
                        )
                        .at(ir.node(*path).span));
                    }
                    let svg = crate::report::plot::render_svg(figure)
                        .map_err(|e| RuntimeError::new(e.to_string()).at(cmd.span))?;
                    crate::files::write_atomic(&target, svg.as_bytes())
                        .map_err(|e| RuntimeError::new(e.to_string()).at(ir.node(*path).span))?;
                    outcome.files.push(target.clone());
                    outcome.plots.push(PlotOutput {
                        label: cmd.label.clone(),
                        path: target,
                        svg,
                    });
                    Ok(())
                }
            });
        let warnings = interp.settings.warnings.take();
        outcome
            .diagnostics
            .extend(warnings.into_iter().map(runtime_warning));
        if let Err(e) = result {
            outcome.diagnostics.push(runtime_diagnostic(e));
            break;
        }
    }
    outcome
}

/// `report.html` for a finished run of `checked` (see `report::html`):
/// each report as a table (with its plot when it has one) or as text, each
/// `plot` inline, then the script, the seed, the overrides and the version.
pub fn html_report(checked: &Checked, outcome: &RunOutcome, settings: &Settings) -> String {
    use crate::report::html::{render, Page, Section};
    let mut sections: Vec<Section<'_>> = Vec::new();
    for o in &outcome.outputs {
        sections.push(match &o.value {
            Value::Report(t) => Section::Table {
                label: &o.label,
                table: t,
                // A report that is also plotted shows its plot once, below.
                svg: t
                    .figure
                    .as_ref()
                    .filter(|_| !outcome.plots.iter().any(|p| p.label == o.label))
                    .and_then(|f| crate::report::plot::render_svg(f).ok()),
            },
            v => Section::Value {
                label: &o.label,
                text: v.to_string(),
            },
        });
    }
    for p in &outcome.plots {
        sections.push(Section::Plot {
            label: &p.label,
            file: p.path.display().to_string(),
            svg: p.svg.clone(),
        });
    }
    let config_name = settings.config.as_ref().map(|c| c.to_string_lossy());
    let config = config_name.as_deref().and_then(|name| {
        let id = checked.sources.find(name)?;
        Some((checked.sources.name(id), checked.sources.text(id)))
    });
    let mut overrides: Vec<String> = Vec::new();
    if let Some(name) = &config_name {
        overrides.push(format!("--config {name}"));
    }
    overrides.extend(settings.sets.iter().map(|s| format!("--set {s}")));
    render(&Page {
        script_name: checked.sources.name(checked.main),
        script: checked.sources.text(checked.main),
        seed: settings.seed,
        overrides,
        config,
        version: env!("CARGO_PKG_VERSION"),
        sections,
    })
}

pub fn runtime_diagnostic(e: RuntimeError) -> Diagnostic {
    let mut d = Diagnostic::error("E1001", e.message);
    if let Some(span) = e.span {
        d = d.with_primary(span, "while evaluating this");
    }
    for h in e.hints {
        d = d.with_hint(h);
    }
    d
}

/// A warning raised while running (a damaged cache entry, say): shown,
/// but the run goes on.
pub fn runtime_warning(w: RuntimeError) -> Diagnostic {
    let mut d = Diagnostic::warning("W1001", w.message);
    if let Some(span) = w.span {
        d = d.with_primary(span, "while evaluating this");
    }
    for h in w.hints {
        d = d.with_hint(h);
    }
    d
}

fn output_path(ir: &Ir, interp: &mut Interpreter, node: usize) -> Result<PathBuf, RuntimeError> {
    let value = interp.eval(ir, node)?;
    let Value::Str(s) = value else {
        return Err(RuntimeError::new("a file name must be a string"));
    };
    if s.is_empty() {
        return Err(RuntimeError::new("the file name is empty"));
    }
    let p = PathBuf::from(s.as_ref());
    Ok(match &interp.settings.out_dir {
        Some(dir) if p.is_relative() => dir.join(p),
        _ => p,
    })
}

/// Writes a value to a file, in the format its extension names: datasets
/// as `.csv`, `.jsonl` or `.yaml`; amortized solvers as `.safetensors`
/// (with a `.yaml` sidecar beside it); other values as JSON, YAML, CSV
/// (reports) or text.
pub fn save_value(value: &Value, path: &Path) -> Result<(), String> {
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or("")
        .to_ascii_lowercase();
    if let Some(weights) = crate::amortized::checkpoint::weights_of_sidecar(path) {
        return Err(format!(
            "cannot save to `{}`: it is the sidecar of the checkpoint `{}`, which would be left without it; choose another name",
            path.display(),
            weights.display()
        ));
    }
    match value {
        Value::Dataset(d) => {
            return crate::amortized::dataset_io::save(&d.data, path).map_err(|e| e.to_string())
        }
        Value::Solver(s) if ext == "safetensors" => {
            return match s.amortized() {
                Some(a) => a.save(&s.label, path).map_err(|e| e.to_string()),
                None => Err(format!(
                    "`{}` is a direct solver ({}): only amortized solvers have weights to save",
                    s.label,
                    s.solver.algorithm()
                )),
            }
        }
        _ if ext == "safetensors" => {
            return Err(format!(
                "only amortized solvers can be saved as .safetensors, and this is a {}",
                value.kind()
            ))
        }
        _ => {}
    }
    let bytes = match ext.as_str() {
        "json" => {
            let mut s =
                serde_json::to_string_pretty(&value.to_json()).map_err(|e| e.to_string())?;
            s.push('\n');
            s.into_bytes()
        }
        "yaml" | "yml" => serde_yaml::to_string(&value.to_json())
            .map_err(|e| e.to_string())?
            .into_bytes(),
        "csv" => match value {
            Value::Report(t) => t.to_csv().into_bytes(),
            _ => {
                return Err(format!(
                    "only reports can be saved as CSV, and this is a {}",
                    value.kind()
                ))
            }
        },
        "txt" => format!("{value}\n").into_bytes(),
        _ => {
            return Err(format!(
                "cannot save a {} to `{}`: use a .json, .yaml, .csv or .txt file",
                value.kind(),
                path.display()
            ))
        }
    };
    crate::files::write_atomic(path, &bytes).map_err(|e| e.to_string())
}

/// Runs `f` on a thread with a large stack: deeply nested input recurses
/// deeply in the parser and checker, and must end in a diagnostic, never a
/// stack overflow.
pub fn with_big_stack<T: Send>(f: impl FnOnce() -> T + Send) -> T {
    std::thread::scope(|s| {
        std::thread::Builder::new()
            .stack_size(256 << 20)
            .spawn_scoped(s, f)
            .expect("spawning the evaluation thread")
            .join()
            .unwrap_or_else(|p| std::panic::resume_unwind(p))
    })
}
