//! The `optimist` command line: run, check, doc, repl, fmt, lsp, completions.
//!
//! Exit status: 0 success, 1 errors in the script (or its data), 2 usage
//! errors (bad flags, unreadable files named on the command line).

use clap::{Parser, Subcommand, ValueEnum};
use optimist::amortized::Cache;
use optimist::diagnostics::{render, Diagnostic};
use optimist::driver::{self, Settings};
use optimist::interp::output::{render_document, render_text};
use optimist::interp::{Format, Interpreter, Registry, RunSettings};
use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Parser)]
#[command(
    name = "optimist",
    version,
    about = "A language for composing direct and amortized optimizers"
)]
struct Cli {
    /// When to colour diagnostics.
    #[arg(long, global = true, value_enum, default_value_t = ColorChoice::Auto)]
    color: ColorChoice,
    /// The most memory search trees, datasets, loaded files and networks
    /// may take (e.g. 512M, 2G); the default is half the machine's memory.
    /// Work that would need more stops with an error before allocating.
    #[arg(long, global = true, value_name = "SIZE", value_parser = parse_memory)]
    max_memory: Option<u64>,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Clone, Copy, ValueEnum)]
enum ColorChoice {
    Auto,
    Always,
    Never,
}

#[derive(clap::Args)]
struct ScriptArgs {
    /// The script (.opt).
    file: PathBuf,
    /// The run seed; every random choice derives from it.
    #[arg(long, default_value_t = 0)]
    seed: u64,
    /// Override a param: --set sims=800 (repeatable).
    #[arg(long = "set", value_name = "NAME=VALUE")]
    sets: Vec<String>,
    /// A YAML file mapping param names to values.
    #[arg(long, value_name = "FILE.yaml")]
    config: Option<PathBuf>,
}

#[derive(Subcommand)]
enum Command {
    /// Check and run a script.
    #[command(after_help = "Example:\n  optimist run examples/basics.opt --set n=5 --format json")]
    Run {
        #[command(flatten)]
        script: ScriptArgs,
        /// How to print reports.
        #[arg(long, value_enum, default_value_t = FormatArg::Table)]
        format: FormatArg,
        /// Write report.yaml and report.html here; relative `save`/`plot` paths go here too.
        #[arg(long, value_name = "DIR")]
        out: Option<PathBuf>,
        /// Worker threads for search and evaluation.
        #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..=256))]
        threads: u32,
        /// Measure every `evaluate`, `compare` and `sweep` under N run seeds
        /// (--seed, --seed + 1, …), everything upstream made again per seed;
        /// reports aggregate across seeds. A call's own `seeds=` wins.
        #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..=1000))]
        seeds: u32,
        /// Print nothing but errors and reports.
        #[arg(long, short)]
        quiet: bool,
        /// Neither read nor write the dataset and model cache (.optimist/cache).
        #[arg(long)]
        no_cache: bool,
    },
    /// Check a script without running it; optionally dump a stage.
    #[command(after_help = "Example:\n  optimist check examples/basics.opt --dump ir")]
    Check {
        #[command(flatten)]
        script: ScriptArgs,
        /// Print the tokens, the syntax tree, the IR or the objectives' tapes.
        #[arg(long, value_enum)]
        dump: Option<Dump>,
        /// Print errors only, no warnings.
        #[arg(long, short)]
        quiet: bool,
    },
    /// Print the reference of every builtin (Markdown).
    #[command(after_help = "Example:\n  optimist doc > docs/reference.md")]
    Doc,
    /// Start an interactive session (the default on a terminal).
    #[command(
        after_help = "Example:\n  optimist repl --seed 7 --threads 4\n\nIn the session, :help lists the commands; piped input runs as a script:\n  echo 'sqrt(2)' | optimist repl"
    )]
    Repl {
        /// The run seed; `:set seed N` changes it in the session.
        #[arg(long, default_value_t = 0)]
        seed: u64,
        /// Worker threads for search and evaluation (`:set threads N`).
        #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..=256))]
        threads: u32,
        /// No banner.
        #[arg(long, short)]
        quiet: bool,
    },
    /// Rewrite scripts in the canonical layout (comments are kept).
    #[command(
        after_help = "Examples:\n  optimist fmt examples/*.opt\n  optimist fmt --check examples/*.opt   # exit 1 if a file would change"
    )]
    Fmt {
        /// The scripts to format, in place.
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// Change nothing; list the files that are not formatted and exit 1
        /// if there is any.
        #[arg(long)]
        check: bool,
        /// Print only errors.
        #[arg(long, short)]
        quiet: bool,
    },
    /// Serve the Language Server Protocol on standard input and output (for
    /// editors: diagnostics, hover, completion, go-to-definition, formatting).
    #[command(
        after_help = "Editors start it themselves; see editors/vscode/README.md for VS Code and Neovim."
    )]
    Lsp,
    /// Print a completion script for a shell.
    #[command(
        after_help = "Examples:\n  optimist completions bash > ~/.local/share/bash-completion/completions/optimist\n  optimist completions zsh > ~/.zfunc/_optimist\n  optimist completions fish > ~/.config/fish/completions/optimist.fish"
    )]
    Completions {
        /// The shell.
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
}

#[derive(Clone, Copy, ValueEnum)]
enum FormatArg {
    Table,
    Json,
    Yaml,
    Csv,
}

#[derive(Clone, Copy, ValueEnum)]
enum Dump {
    Tokens,
    Ast,
    Ir,
    Tape,
}

fn parse_memory(text: &str) -> Result<u64, optimist::memory::SizeError> {
    optimist::memory::parse_size(text)
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    if let Some(bytes) = cli.max_memory {
        optimist::memory::set_limit(bytes);
    }
    let color = match cli.color {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none()
        }
    };
    let registry = Registry::standard();
    let code = driver::with_big_stack(|| match cli.command {
        Some(Command::Run {
            script,
            format,
            out,
            threads,
            seeds,
            quiet,
            no_cache,
        }) => {
            let format = match format {
                FormatArg::Table => Format::Table,
                FormatArg::Json => Format::Json,
                FormatArg::Yaml => Format::Yaml,
                FormatArg::Csv => Format::Csv,
            };
            let options = RunOptions {
                format,
                out,
                threads: threads as usize,
                seeds: seeds as usize,
                quiet,
                cache: !no_cache,
                color,
            };
            run(&registry, script, options)
        }
        Some(Command::Check {
            script,
            dump,
            quiet,
        }) => check(&registry, script, dump, quiet, color),
        Some(Command::Doc) => {
            print!("{}", optimist::interp::doc::reference(&registry));
            0
        }
        Some(Command::Repl {
            seed,
            threads,
            quiet,
        }) => optimist::repl::run(
            &registry,
            &optimist::repl::Options {
                color,
                seed,
                threads: threads as usize,
                quiet,
            },
        ),
        None => optimist::repl::run(
            &registry,
            &optimist::repl::Options {
                color,
                ..optimist::repl::Options::default()
            },
        ),
        Some(Command::Fmt {
            files,
            check,
            quiet,
        }) => format_files(&files, check, quiet, color),
        Some(Command::Lsp) => optimist::lsp::run(&registry),
        Some(Command::Completions { shell }) => {
            let mut cmd = <Cli as clap::CommandFactory>::command();
            clap_complete::generate(shell, &mut cmd, "optimist", &mut std::io::stdout());
            0
        }
    });
    ExitCode::from(code)
}

fn settings(script: &ScriptArgs) -> Settings {
    Settings {
        seed: script.seed,
        sets: script.sets.clone(),
        config: script.config.clone(),
    }
}

/// Prints diagnostics to standard error; `quiet` keeps only the errors.
fn show(diagnostics: &[Diagnostic], sources: &optimist::span::Sources, quiet: bool, color: bool) {
    let shown: Vec<Diagnostic> = diagnostics
        .iter()
        .filter(|d| d.is_error() || !quiet)
        .cloned()
        .collect();
    eprint!("{}", render(&shown, sources, color));
}

fn usage_error(message: &str) -> u8 {
    eprintln!("error: {message}");
    2
}

/// How `optimist run` was asked to run.
struct RunOptions {
    format: Format,
    out: Option<PathBuf>,
    threads: usize,
    seeds: usize,
    quiet: bool,
    cache: bool,
    color: bool,
}

fn run(registry: &Registry, script: ScriptArgs, options: RunOptions) -> u8 {
    let RunOptions {
        format,
        out,
        threads,
        seeds,
        quiet,
        cache,
        color,
    } = options;
    if let Some(config) = &script.config {
        match optimist::files::check_regular(config) {
            Ok(()) => {}
            Err(optimist::files::FileError::NotFound { .. }) => {
                return usage_error(&format!(
                    "cannot read config `{}`: no such file",
                    config.display()
                ))
            }
            Err(e) => return usage_error(&format!("cannot read config: {e}")),
        }
    }
    let checked = match driver::check_script(&script.file, registry, &settings(&script)) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("error: {e}");
            return e.status();
        }
    };
    show(&checked.diagnostics, &checked.sources, quiet, color);
    let Some(ir) = checked.ir.as_ref().filter(|_| checked.ok()) else {
        return 1;
    };
    optimist::progress::set_ambient(if quiet {
        optimist::progress::Progress::Silent
    } else {
        optimist::progress::Progress::Auto
    });
    let run_settings = RunSettings {
        seed: script.seed,
        seeds,
        threads,
        out_dir: out.clone(),
        cache: cache.then(|| PathBuf::from(Cache::DEFAULT_DIR)),
        progress: !quiet,
        ..RunSettings::default()
    };
    let mut interp = Interpreter::new(registry, run_settings);
    let mut stdout = std::io::stdout();
    let mut first = true;
    let outcome = driver::run(ir, &mut interp, &mut |o| {
        if format == Format::Table {
            if !first {
                let _ = writeln!(stdout);
            }
            first = false;
            let _ = write!(stdout, "{}", render_text(o));
            let _ = stdout.flush();
        }
    });
    if format != Format::Table && outcome.ok() {
        print!("{}", render_document(&outcome.outputs, format));
    }
    show(&outcome.diagnostics, &checked.sources, quiet, color);
    if !outcome.ok() {
        return 1;
    }
    if let Some(dir) = out {
        let doc = render_document(&outcome.outputs, Format::Yaml);
        let html = driver::html_report(&checked, &outcome, &settings(&script));
        for (name, bytes) in [
            ("report.yaml", doc.as_bytes()),
            ("report.html", html.as_bytes()),
        ] {
            if let Err(e) = optimist::files::write_atomic(&dir.join(name), bytes) {
                eprintln!("error: {e}");
                return 1;
            }
        }
    }
    0
}

fn check(
    registry: &Registry,
    script: ScriptArgs,
    dump: Option<Dump>,
    quiet: bool,
    color: bool,
) -> u8 {
    let checked = match driver::check_script(&script.file, registry, &settings(&script)) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("error: {e}");
            return e.status();
        }
    };
    if let Some(dump) = dump {
        let stage = match dump {
            Dump::Tokens => driver::Stage::Tokens,
            Dump::Ast => driver::Stage::Ast,
            Dump::Ir => driver::Stage::Ir,
            Dump::Tape => driver::Stage::Tape,
        };
        print!("{}", driver::dump(&checked, stage));
    }
    show(&checked.diagnostics, &checked.sources, quiet, color);
    if checked.ok() {
        0
    } else {
        1
    }
}

/// `fmt`: formats each file in place (or, with `--check`, lists those that
/// are not formatted). A file with syntax errors is reported and left alone.
fn format_files(files: &[PathBuf], check: bool, quiet: bool, color: bool) -> u8 {
    let mut status = 0;
    for path in files {
        let text = match driver::read_script(path) {
            Ok(t) => t,
            Err(e) => {
                eprintln!("error: {e}");
                status = status.max(e.status());
                continue;
            }
        };
        let mut sources = optimist::span::Sources::new();
        let id = sources.add(path.to_string_lossy(), text.as_str());
        let formatted = match optimist::fmt::format_source(id, &text) {
            Ok(f) => f,
            Err(diags) => {
                eprint!("{}", render(&diags, &sources, color));
                status = status.max(1);
                continue;
            }
        };
        if formatted == text {
            continue;
        }
        if check {
            println!("{} is not formatted", path.display());
            status = status.max(1);
        } else if let Err(e) = optimist::files::write_atomic(path, formatted.as_bytes()) {
            eprintln!("error: {e}");
            status = status.max(1);
        } else if !quiet {
            println!("formatted {}", path.display());
        }
    }
    status
}
