//! A tic-tac-toe policy distilled from MCTS self-play through a script
//! (`solve` then `amortize(…, target="policy")`): what the dataset holds,
//! what a query costs, and that the policy beats random play as X; a value
//! network trained on the same games' outcomes beats it too. Every
//! self-play row records the move actually played.

use optimist::amortized::TargetKind;
use optimist::compose::generate::Data as DataValue;
use optimist::compose::play::{play_game, Agent, RandomAgent};
use optimist::diagnostics::render;
use optimist::domains::tictactoe::{tictactoe, TicTacToe};
use optimist::driver::{self, Settings};
use optimist::interp::solver::SolverValue;
use optimist::interp::{Interpreter, Registry, RunSettings, Value};
use optimist::report::Cell;
use optimist::rng::Rng;
use std::sync::Arc;

const SCRIPT: &str = r#"
objective ttt = tictactoe()
dataset games = solve(ttt, plan(mcts, sims=200), n=2000)
pipeline policy = amortize(mlp(hidden=[64, 64]), data=games, target="policy", epochs=40, lr=3e-3)
pipeline trio = amortize(ensemble(3, mlp(hidden=[16])), data=games, epochs=2)
pipeline judge = amortize(mlp(hidden=[64, 64]), data=games, target="value", epochs=40, lr=3e-3)
report evaluate(policy, on=ttt, n=20)
report evaluate(trio, on=ttt, n=20)
report evaluate(judge, on=ttt, n=200)
"#;

/// Runs `SCRIPT` and returns the reports and the named values.
fn run() -> (Vec<Value>, Arc<DataValue>, Arc<SolverValue>) {
    let registry = Registry::standard();
    let checked = driver::check_text("policy.opt", SCRIPT, &registry, &Settings::default());
    assert!(
        checked.ok(),
        "{}",
        render(&checked.diagnostics, &checked.sources, false)
    );
    let ir = checked.ir.as_ref().unwrap();
    let mut interp = Interpreter::new(&registry, RunSettings::default());
    let outcome = driver::run(ir, &mut interp, &mut |_| {});
    assert!(
        outcome.ok(),
        "{}",
        render(&outcome.diagnostics, &checked.sources, false)
    );
    let reports = outcome.outputs.into_iter().map(|o| o.value).collect();
    let mut get = |name: &str| interp.eval(ir, ir.decl(name).unwrap().node).unwrap();
    let (Value::Dataset(games), Value::Solver(policy)) = (get("games"), get("policy")) else {
        panic!("`games` is not a dataset or `policy` not a solver");
    };
    (reports, games, policy)
}

/// The numbers of column `name` of a one-table report.
fn column(report: &Value, name: &str) -> Vec<f64> {
    let Value::Report(t) = report else {
        panic!("not a report: {report}")
    };
    let i = t.column_index(name).unwrap();
    t.rows
        .iter()
        .map(|r| match &r[i] {
            Cell::Num(x) => *x,
            Cell::Int(n) => *n as f64,
            other => panic!("{name}: {other:?}"),
        })
        .collect()
}

#[test]
fn distilled_policy_beats_random_play_as_x_and_costs_one_forward_pass() {
    let (reports, games, policy) = run();

    // The dataset: 2000 self-play positions with masks, visit
    // distributions over legal moves and outcomes; game 0 starts empty.
    let d = &games.data;
    assert_eq!((d.len(), d.feature_dim, d.target_dim), (2000, 18, 9));
    assert_eq!(d.kind, TargetKind::Policy);
    let first = &d.examples()[0];
    assert!(first.features.iter().all(|&f| f == 0.0));
    assert_eq!(first.mask.as_deref(), Some(&[true; 9][..]));
    for e in d.examples() {
        let mask = e.mask.as_ref().unwrap();
        let legal: f32 = (0..9).filter(|&a| mask[a]).map(|a| e.target[a]).sum();
        let illegal: f32 = (0..9).filter(|&a| !mask[a]).map(|a| e.target[a]).sum();
        assert!((legal - 1.0).abs() < 1e-5 && illegal == 0.0, "{e:?}");
        assert!(matches!(e.value, Some(v) if v == -1.0 || v == 0.0 || v == 1.0));
        // A legal move is an empty cell: neither plane has a stone there.
        for a in 0..9 {
            assert_eq!(mask[a], e.features[a] == 0.0 && e.features[9 + a] == 0.0);
        }
        // The move played is legal and was sampled from the visits.
        let a = e.action.expect("a self-play row without its move") as usize;
        assert!(mask[a] && e.target[a] > 0.0, "{e:?}");
    }
    // Within a game the next row is the opponent's view after the move:
    // its own stones are this row's opponent's, and its opponent's are
    // this row's own plus the recorded move.
    let mut followed = 0;
    for w in d.examples().windows(2) {
        let (now, next) = (&w[0], &w[1]);
        let stones = |e: &optimist::amortized::Example| e.features.iter().sum::<f32>();
        if stones(next) != stones(now) + 1.0 || next.features[..9] != now.features[9..] {
            continue;
        }
        let mut after = now.features[..9].to_vec();
        after[now.action.unwrap() as usize] = 1.0;
        assert_eq!(next.features[9..], after[..], "{now:?} → {next:?}");
        followed += 1;
    }
    assert!(followed >= 1500, "only {followed} consecutive positions");
    // Sampling explores: the move played is not always the most visited.
    let off_argmax = d
        .examples()
        .iter()
        .filter(|e| {
            let a = e.action.unwrap() as usize;
            e.target.iter().any(|&t| t > e.target[a])
        })
        .count();
    assert!(off_argmax > 0);

    // One forward pass per move, three for an ensemble of three.
    assert_eq!(column(&reports[0], "fwd/q"), [1.0]);
    assert_eq!(column(&reports[1], "fwd/q"), [3.0]);

    // A value network looks one move ahead: one forward pass per
    // non-final successor, and it too beats random play (both sides).
    let judged = &reports[2];
    let fwd = column(judged, "fwd/q")[0];
    assert!(fwd > 1.0 && fwd < 9.0, "{fwd}");
    assert!(column(judged, "win")[0] >= 160.0, "{judged}");

    // As X against uniformly random play, 200 games.
    let game: TicTacToe = tictactoe();
    let mut me = optimist::algorithms::agent(&*policy.solver, &Arc::new(game)).unwrap();
    let mut random = RandomAgent;
    let mut wins = 0;
    for i in 0..200 {
        me.reset();
        let mut rng = Rng::stream(2024, i);
        let players: [&mut dyn Agent<TicTacToe>; 2] = [&mut *me, &mut random];
        let record = play_game(&game, &game.root(), players, &mut rng).unwrap();
        wins += usize::from(record.outcome > 0.0);
    }
    assert!(wins >= 180, "won only {wins} of 200 games as X");
}

/// The datasets a script declares, by name.
fn datasets(script: &str, names: &[&str]) -> Vec<Arc<DataValue>> {
    let registry = Registry::standard();
    let checked = driver::check_text("data.opt", script, &registry, &Settings::default());
    assert!(
        checked.ok(),
        "{}",
        render(&checked.diagnostics, &checked.sources, false)
    );
    let ir = checked.ir.as_ref().unwrap();
    let mut interp = Interpreter::new(&registry, RunSettings::default());
    names
        .iter()
        .map(
            |name| match interp.eval(ir, ir.decl(name).unwrap().node).unwrap() {
                Value::Dataset(d) => d,
                other => panic!("`{name}` is {other}"),
            },
        )
        .collect()
}

#[test]
fn rows_of_other_solvers_record_their_move_one_hot() {
    let script = r#"
dataset games = solve(tictactoe(), plan(minimax), n=60)
dataset walks = solve(gridworld(size=4, walls=0.1), plan(value_iteration), n=60)
dataset points = solve(sphere(2), plan(random_search, samples=10), n=5)
"#;
    let v = datasets(script, &["games", "walks", "points"]);
    for d in [&v[0].data, &v[1].data] {
        assert_eq!(d.len(), 60);
        assert!(d.has_action(), "{}", d.source);
        for e in d.examples() {
            let a = e.action.unwrap() as usize;
            assert!(e.mask.as_ref().unwrap()[a], "{e:?}");
            let mut one_hot = vec![0.0; d.target_dim];
            one_hot[a] = 1.0;
            assert_eq!(e.target, one_hot, "{}", d.source);
        }
    }
    // A continuous objective has answers, not moves.
    assert!(!v[2].data.has_action());
}
