//! Amortizers: architectures (`mlp`, `ensemble`), datasets (`solve`,
//! `load`, `split`), training (`amortize`) and checkpoints (`load_model`).
//!
//! `solve` and `amortize` are the expensive nodes: with the run's cache on
//! (`optimist run` without `--no-cache`), their results are stored under
//! the cache directory keyed by the node's content hash (which covers the
//! arguments, their inputs and the seed; `amortize` adds the training
//! rows' own hash, so an edited data file is never served stale weights).
//! A damaged entry is a warning and is recomputed, never an error.

use std::sync::Arc;

use crate::amortized::checksum::Fnv64;
use crate::amortized::{dataset_io, Activation, Cache, CacheLookup, Mlp, Progress, TargetKind};
use crate::compose::fit::{FitError, Fitting, Form, Network};
use crate::compose::generate::{generate, Data};
use crate::compose::{Amortized, Games, ModelSpec};
use crate::interp::registry::{sig, Call, Registry, RuntimeError};
use crate::interp::solver::SolverValue;
use crate::interp::value::Value;
use crate::ir::signature::{Const, Families, FamilyRule, KindConst};
use crate::ir::Kind;

pub fn register(r: &mut Registry) {
    let (int, num, text) = (Kind::Int, Kind::Num, Kind::Str);
    r.add(
        sig("mlp", "models", "A multilayer perceptron (untrained): its hidden widths and activation. Its input and output widths come from the data or the objective when it is trained; its last layer is linear and a head (policy, value or solution) reads it.")
            .opt("hidden", Kind::list(Kind::Int), Const::List(vec![Const::Int(64), Const::Int(64)]), "hidden-layer widths; [] for a linear model")
            .range(1.0, 65_536.0)
            .named("act", text.clone(), Const::Str("relu".into()), "hidden activation: \"relu\", \"tanh\" or \"gelu\"")
            .choices(&["relu", "tanh", "gelu"])
            .returns(KindConst::Model)
            .example("mlp(hidden=[128, 128], act=\"tanh\")"),
        eval_mlp,
    );
    r.add(
        sig("ensemble", "models", "`k` independently seeded copies of a model, trained alike; the solver answers with their average.")
            .req("k", int.clone(), "members")
            .range(1.0, 64.0)
            .req("net", Kind::Model, "the architecture to copy")
            .returns(KindConst::Model)
            .example("ensemble(5, mlp(hidden=[64]))"),
        eval_ensemble,
    );
    r.add(
        sig("load_model", "models", "An amortized solver read from a checkpoint written by `save M to \"f.safetensors\"` (weights, plus the `.yaml` sidecar beside them). Its widths are checked against the objective it is used on.")
            .req("path", text.clone(), "the weights file (relative to the working directory)")
            .returns(KindConst::Solver)
            .example("load_model(\"policy.safetensors\")"),
        eval_load_model,
    );
    r.add(
        sig("solve", "data", "A dataset made by a direct solver on instances of an objective. Games: the positions of self-play games, each with the legal-move mask, the policy target (MCTS: its visit distribution, the move played being sampled from it; other solvers: their move, one-hot) and the game's outcome for the mover as the value. Gridworld: states with the solver's action one-hot and the return to come. Continuous objectives: x → the solver's θ. Control: state features → the planner's action.")
            .req("problem", Kind::Objective, "the objective whose instances are solved")
            .req("solver", Kind::Solver, "the direct solver that answers them")
            .named("n", int.clone(), Const::Int(1000), "rows: positions, states, instances or control steps")
            .range(1.0, 1e7)
            .named("lockstep", int.clone(), Const::Int(1), super::measure::LOCKSTEP_DOC)
            .range(1.0, crate::compose::lockstep::MAX_WIDTH as f64)
            .returns(KindConst::Dataset)
            .families(FamilyRule::Arg(0))
            .fits(&[(1, 0)])
            .random()
            .example("solve(tictactoe(), plan(mcts, sims=200), n=2000)"),
        eval_solve,
    );
    r.add(
        sig("load", "data", "A dataset read from a file: `.csv` (header `f0,…,t0,…[,m0,…][,v][,a]`: features, targets, optional legal-move mask, value and the move played), `.jsonl` (one `{\"features\": […], \"target\": […], \"mask\": […], \"value\": v, \"action\": a}` per line; mask, value and action optional) or `.yaml` (a list of such mappings). Rows with a mask make a policy dataset, others a solution dataset.")
            .req("path", text.clone(), "the file (relative to the working directory)")
            .returns(KindConst::Dataset)
            .example("load(\"games.jsonl\")"),
        eval_load,
    );
    r.add(
        sig("split", "data", "A seeded shuffle of a dataset cut in two: a record with fields `train` and `test` (round(test × rows) rows).")
            .req("data", Kind::Dataset, "the dataset to cut")
            .opt("test", num.clone(), Const::Num(0.2), "fraction of the rows in `test`")
            .range(0.0, 1.0)
            .returns(KindConst::Record)
            .random()
            .example("split(games, test=0.2).train"),
        eval_split,
    );
    r.add(
        sig("amortize", "amortized", "Trains a model into a solver that answers in one forward pass. Give exactly one of `data=` (regression-based: fit a dataset; `target` picks what is learnt) and `on=` (objective-based: the network minimizes a continuous objective over its instance distribution, no data needed). Adam on minibatches, early stopping on a validation split (data) or on held-out instances (objective).")
            .req("net", Kind::Model, "the architecture: mlp(…) or ensemble(k, …)")
            .named("data", Kind::Dataset, Const::None, "regression-based: the dataset to fit")
            .named("on", Kind::Objective, Const::None, "objective-based: the continuous objective to minimize")
            .named("target", text.clone(), Const::None, "with data: \"policy\", \"value\" or \"solution\"; none: the dataset's own kind")
            .choices(&["policy", "value", "solution"])
            .named("loss", text, Const::None, "\"regression\" (with data) or \"objective\" (with on); none: follows from which is given")
            .choices(&["regression", "objective"])
            .named("epochs", int.clone(), Const::Int(100), "with data: passes over the training rows")
            .range(1.0, 1e6)
            .named("steps", int.clone(), Const::Int(2000), "with on: Adam steps, each on `batch` fresh instances")
            .range(1.0, 1e9)
            .named("lr", num.clone(), Const::Num(1e-3), "Adam's step size")
            .range(1e-9, 10.0)
            .named("batch", int.clone(), Const::Int(64), "rows (or instances) per step")
            .range(1.0, 1e6)
            .named("val", num, Const::Num(0.1), "with data: fraction held out to pick the best epoch")
            .range(0.0, 0.9)
            .named("patience", int, Const::Int(10), "with data: epochs without a better validation loss before stopping; 0: never")
            .range(0.0, 1e6)
            .returns(KindConst::Solver)
            .families(FamilyRule::FirstArg(&[1, 2]))
            .random()
            .example("amortize(mlp(hidden=[64]), data=games, target=\"policy\", epochs=50)"),
        eval_amortize,
    );
}

fn eval_mlp(c: &mut Call) -> Result<Value, RuntimeError> {
    let hidden = c
        .list(0)?
        .iter()
        .map(|v| match v.as_i64() {
            Some(w) if (1..=65_536).contains(&w) => Ok(w as usize),
            _ => Err(RuntimeError::new(format!(
                "a hidden width must be a whole number from 1 to 65536, found {v}"
            ))
            .at(c.arg_spans[0])),
        })
        .collect::<Result<Vec<_>, _>>()?;
    let act = match &c.args[1] {
        Value::Str(s) => Activation::parse(s).map_err(|e| {
            RuntimeError::new(e.to_string())
                .at(c.arg_spans[1])
                .hint("write act=\"relu\", act=\"tanh\" or act=\"gelu\"")
        })?,
        other => {
            return Err(
                RuntimeError::new(format!("`act` must be a string, found {other}"))
                    .at(c.arg_spans[1]),
            )
        }
    };
    Ok(Value::Model(Arc::new(ModelSpec {
        hidden,
        act,
        members: 1,
    })))
}

fn eval_ensemble(c: &mut Call) -> Result<Value, RuntimeError> {
    let k = c.int(0)? as usize;
    let Value::Model(m) = &c.args[1] else {
        return Err(RuntimeError::new("`ensemble` needs a model").at(c.arg_spans[1]));
    };
    let members = m.members * k;
    if members > 64 {
        return Err(RuntimeError::new(format!(
            "an ensemble of {k} ensembles of {} has {members} members, more than 64",
            m.members
        ))
        .at(c.span));
    }
    Ok(Value::Model(Arc::new(ModelSpec {
        members,
        ..(**m).clone()
    })))
}

fn string_arg<'v>(c: &'v Call, i: usize) -> Option<&'v str> {
    match &c.args[i] {
        Value::Str(s) => Some(s),
        _ => None,
    }
}

fn path_arg(c: &Call, i: usize) -> Result<std::path::PathBuf, RuntimeError> {
    match string_arg(c, i) {
        Some(s) if !s.is_empty() => Ok(std::path::PathBuf::from(s)),
        _ => Err(RuntimeError::new("the file name is empty").at(c.arg_spans[i])),
    }
}

/// A file error at the call, with a hint when the file is not there.
fn file_error(c: &Call, e: String) -> RuntimeError {
    let missing = e.ends_with("not found");
    let err = RuntimeError::new(e).at(c.span);
    if missing {
        err.hint("relative paths are read from the directory `optimist` runs in")
    } else {
        err
    }
}

fn eval_load(c: &mut Call) -> Result<Value, RuntimeError> {
    let path = path_arg(c, 0)?;
    let data = dataset_io::load(&path).map_err(|e| file_error(c, e.to_string()))?;
    Ok(Value::Dataset(Arc::new(Data::from_file(data))))
}

fn eval_load_model(c: &mut Call) -> Result<Value, RuntimeError> {
    let path = path_arg(c, 0)?;
    let model = Amortized::load(&path).map_err(|e| file_error(c, e.to_string()))?;
    Ok(Value::Solver(Arc::new(SolverValue {
        solver: Arc::new(model),
        label: c.ir.label(c.node),
    })))
}

fn eval_split(c: &mut Call) -> Result<Value, RuntimeError> {
    let Value::Dataset(d) = &c.args[0] else {
        return Err(RuntimeError::new("`split` needs a dataset").at(c.arg_spans[0]));
    };
    let (train, test) = d
        .data
        .split(c.num(1)?, c.seed)
        .map_err(|e| RuntimeError::new(e.to_string()).at(c.arg_spans[1]))?;
    Ok(Value::Record(Arc::new(vec![
        ("train".into(), Value::Dataset(Arc::new(d.with_rows(train)))),
        ("test".into(), Value::Dataset(Arc::new(d.with_rows(test)))),
    ])))
}

/// The cache and progress settings of one expensive call.
struct Effort<'c, 'a> {
    call: &'c Call<'a>,
    label: String,
    cache: Option<Cache>,
}

impl<'c, 'a> Effort<'c, 'a> {
    fn new(call: &'c Call<'a>) -> Self {
        Effort {
            call,
            label: call.ir.label(call.node),
            cache: call.settings.cache.as_ref().map(Cache::new),
        }
    }

    fn progress(&self) -> Progress {
        if self.call.settings.progress {
            Progress::Auto
        } else {
            Progress::Silent
        }
    }

    /// One line on stderr, unless the run is quiet.
    fn note(&self, line: &str) {
        if self.call.settings.progress {
            eprintln!("{}: {line}", self.label);
        }
    }

    fn warn(&self, message: String) {
        self.call
            .settings
            .warnings
            .push(RuntimeError::new(message).at(self.call.span));
    }

    fn fail(&self, e: String) -> RuntimeError {
        RuntimeError::new(format!("`{}`: {e}", self.label)).at(self.call.span)
    }

    /// A cache key: the node's hash, salted with what else the value
    /// depends on.
    fn key(&self, what: &str, extra: &[u64]) -> u64 {
        let mut h = Fnv64::new();
        h.write(what.as_bytes());
        h.write_u64(self.call.ir.node(self.call.node).hash);
        for x in extra {
            h.write_u64(*x);
        }
        h.finish()
    }
}

fn eval_solve(c: &mut Call) -> Result<Value, RuntimeError> {
    let (Value::Objective(objective), Value::Solver(solver)) = (&c.args[0], &c.args[1]) else {
        return Err(RuntimeError::new("`solve` needs an objective and a solver").at(c.span));
    };
    let n = c.int(2)? as usize;
    let lockstep = c.int(3)? as usize;
    let effort = Effort::new(c);
    // A parallel planner without its own `threads` uses the run's, which
    // changes its answers. (`lockstep`, which changes them too — one game at
    // a time or in lockstep — is an argument, so the node's hash covers it.)
    let key = effort.key("optimist-solve/1", &[c.settings.threads as u64]);
    if let Some(cache) = &effort.cache {
        match cache.get_dataset(key) {
            CacheLookup::Hit(data) => {
                effort.note(&format!(
                    "{} rows reused from the cache ({})",
                    data.len(),
                    cache.dataset_path(key).display()
                ));
                return Ok(Value::Dataset(Arc::new(Data {
                    data,
                    families: Some(objective.families()),
                    problem: Some(objective.name()),
                })));
            }
            CacheLookup::Corrupt(reason) => effort.warn(format!(
                "the cached dataset of `{}` is damaged and is made again: {reason}",
                effort.label
            )),
            CacheLookup::Miss => {}
        }
    }
    let made = generate(
        &**objective,
        &*solver.solver,
        &solver.label,
        Games::new(n, c.seed, c.settings.threads).lockstep(lockstep),
    )
    .map_err(|e| effort.fail(e.to_string()))?;
    let what = match objective.families() {
        Families::GAME => "self-play games",
        Families::MDP | Families::CONTROL => "episodes",
        _ => "instances",
    };
    let width = match lockstep {
        1 => String::new(),
        w => format!(", lockstep {w}"),
    };
    effort.note(&format!(
        "{} rows from {} {what} of {} solved by {}, {:.2}s{width}",
        made.data.data.len(),
        made.runs,
        objective.name(),
        solver.label,
        made.wall_secs
    ));
    if let Some(cache) = &effort.cache {
        if let Err(e) = cache.put_dataset(key, &made.data.data) {
            effort.warn(format!("the dataset could not be cached: {e}"));
        }
    }
    Ok(Value::Dataset(Arc::new(made.data)))
}

fn eval_amortize(c: &mut Call) -> Result<Value, RuntimeError> {
    let Value::Model(spec) = &c.args[0] else {
        return Err(RuntimeError::new("`amortize` needs a model").at(c.arg_spans[0]));
    };
    let form = amortize_form(c)?;
    let effort = Effort::new(c);
    let fitting = Fitting {
        spec,
        form,
        lr: c.num(7)? as f32,
        batch: c.int(8)? as usize,
        seed: c.seed,
        progress: effort.progress(),
    };
    let network = fitting.network().map_err(|e| fit_error(c, &effort, e))?;
    let k = spec.members;
    let mut members = Vec::with_capacity(k);
    let mut all_cached = true;
    for i in 0..k {
        let key = effort.key("optimist-amortize/1", &[fitting.data_hash(), i as u64]);
        let who = if k == 1 {
            String::new()
        } else {
            format!("member {}/{k}: ", i + 1)
        };
        if let Some(m) = cached_model(&effort, key, &network) {
            effort.note(&format!("{who}weights reused from the cache"));
            members.push(m);
            continue;
        }
        all_cached = false;
        let (model, report) = fitting
            .train_member(i, &network)
            .map_err(|e| fit_error(c, &effort, e))?;
        effort.note(&format!("{who}{}", report.summary));
        if let Some(cache) = &effort.cache {
            if let Err(e) = cache.put_model(key, &model, fitting.trained_for().as_deref()) {
                effort.warn(format!("the trained model could not be cached: {e}"));
            }
        }
        members.push(model);
    }
    let mut amortized = fitting.finish(&network, members);
    amortized.cached = all_cached && effort.cache.is_some();
    Ok(Value::Solver(Arc::new(SolverValue {
        solver: Arc::new(amortized),
        label: effort.label.clone(),
    })))
}

/// A training error at the call: an objective that is not continuous
/// points at `on=` with a way out; others name the declaration.
fn fit_error(c: &Call, effort: &Effort, e: FitError) -> RuntimeError {
    match e {
        FitError::NotContinuous { .. } => RuntimeError::new(e.to_string())
            .at(c.arg_spans[2])
            .hint("make a dataset with `solve(…)` and amortize it with `data=`"),
        other => effort.fail(other.to_string()),
    }
}

/// Reads which form a call of `amortize` is, checking `data`, `on`,
/// `target` and `loss` against each other.
fn amortize_form<'v>(c: &'v Call) -> Result<Form<'v>, RuntimeError> {
    let epochs = c.int(5)? as usize;
    let steps = c.int(6)? as usize;
    let val = c.num(9)?;
    let patience = c.int(10)? as usize;
    let target = match string_arg(c, 3) {
        Some(s) => Some(TargetKind::parse(s).map_err(|e| {
            RuntimeError::new(e.to_string())
                .at(c.arg_spans[3])
                .hint("write target=\"policy\", target=\"value\" or target=\"solution\"")
        })?),
        None => None,
    };
    let loss = string_arg(c, 4);
    if let Some(l) = loss {
        if l != "regression" && l != "objective" {
            return Err(RuntimeError::new(format!(
                "unknown loss `{l}`: expected \"regression\" (with data=) or \"objective\" (with on=)"
            ))
            .at(c.arg_spans[4]));
        }
    }
    match (&c.args[1], &c.args[2]) {
        (Value::Dataset(data), Value::None) => {
            if loss == Some("objective") {
                return Err(RuntimeError::new(
                    "loss=\"objective\" minimizes an objective given with `on=`, not a dataset",
                )
                .at(c.arg_spans[4])
                .hint("drop `loss`, or give `on=OBJECTIVE` instead of `data=`"));
            }
            Ok(Form::Regression {
                data,
                target: target.unwrap_or(data.data.kind),
                epochs,
                val,
                patience,
            })
        }
        (Value::None, Value::Objective(objective)) => {
            if loss == Some("regression") {
                return Err(RuntimeError::new(
                    "loss=\"regression\" fits a dataset given with `data=`, not an objective",
                )
                .at(c.arg_spans[4])
                .hint("drop `loss`, or give `data=DATASET` instead of `on=`"));
            }
            if target.is_some_and(|t| t != TargetKind::Solution) {
                return Err(RuntimeError::new(
                    "objective-based amortization learns solutions: `target` must be \"solution\" or left out",
                )
                .at(c.arg_spans[3]));
            }
            Ok(Form::Objective {
                problem: &**objective,
                steps,
            })
        }
        (Value::Dataset(_), Value::Objective(_)) => Err(RuntimeError::new(
            "`amortize` takes `data=` or `on=`, not both",
        )
        .at(c.span)
        .hint("`data=DATASET` fits a dataset; `on=OBJECTIVE` minimizes a continuous objective directly")),
        _ => Err(RuntimeError::new(
            "`amortize` needs `data=` (a dataset to fit) or `on=` (an objective to minimize)",
        )
        .at(c.span)
        .hint("e.g. `amortize(mlp(), data=solve(tictactoe(), plan(mcts)))` or `amortize(mlp(), on=sphere(4))`")),
    }
}

/// A member's weights from the cache, if there and of the expected shape;
/// a damaged entry is a warning (and is trained again).
fn cached_model(effort: &Effort, key: u64, expected: &Network) -> Option<Mlp> {
    let cache = effort.cache.as_ref()?;
    match cache.get_model(key) {
        CacheLookup::Hit(m) if *m.spec() == expected.spec && *m.head() == expected.head => Some(m),
        CacheLookup::Hit(_) => {
            effort.warn(format!(
                "the cached model of `{}` has another shape than expected and is trained again",
                effort.label
            ));
            None
        }
        CacheLookup::Corrupt(reason) => {
            effort.warn(format!(
                "the cached model of `{}` is damaged and is trained again: {reason}",
                effort.label
            ));
            None
        }
        CacheLookup::Miss => None,
    }
}
