//! Lockstep play (`lockstep=W`): each worker plays W games at once and
//! evaluates the leaves of all their network-guided searches in one call.
//! Every game is played exactly as it is alone (agents started on the
//! game's own streams), so evaluations, datasets and their costs are the
//! same for every W > 1 and thread count; bad widths are errors, never
//! panics.

mod common;

use std::sync::Arc;

use optimist::amortized::{Activation, Head, Mlp, MlpSpec};
use optimist::compose::discrete::{GameProblem, Games};
use optimist::compose::evaluate::{evaluate, Evaluation};
use optimist::compose::generate::generate;
use optimist::compose::play::{Agent, Decision};
use optimist::compose::{lockstep, parallel};
use optimist::compose::{Amortized, Context, Families, Solver, WarmStart};
use optimist::domains::connect4::connect4;
use optimist::domains::game::Game;
use optimist::domains::tictactoe::tictactoe;
use optimist::params::ParamValue;

/// An untrained network of random weights for `game` (a policy over its
/// actions, or a value).
fn net<G: Game>(game: &G, head: Head, hidden: usize, seed: u64) -> Arc<Amortized> {
    let out = if head == Head::Value {
        1
    } else {
        game.num_actions()
    };
    let spec = MlpSpec::new(
        game.feature_dim(),
        vec![hidden, hidden],
        out,
        Activation::Relu,
    );
    let mlp = Mlp::new(spec, head, seed).unwrap();
    Arc::new(Amortized::new(vec![mlp], Families::GAME, Some(game.name())))
}

/// `plan(mcts, …)` guided by a random policy prior and value network, and
/// the FLOPs of one call of both.
fn guided<G: Game>(game: &G, params: &[(&str, i64)]) -> (Arc<dyn Solver>, u64) {
    let catalog = optimist::catalog::standard();
    let given = params.iter().map(|(k, v)| (*k, ParamValue::Int(*v)));
    let mcts: Arc<dyn Solver> = Arc::new(
        catalog
            .algorithm("mcts")
            .unwrap()
            .plan(given, Context::default())
            .unwrap(),
    );
    let (prior, value) = (
        net(game, Head::Policy, 32, 1),
        net(game, Head::Value, 32, 2),
    );
    let flops = prior.forward_flops() + value.forward_flops();
    let solver = mcts
        .warm(&WarmStart::Prior(Some(prior)))
        .unwrap()
        .warm(&WarmStart::Value(value))
        .unwrap();
    (solver, flops)
}

fn plain_mcts(sims: i64) -> Arc<dyn Solver> {
    let catalog = optimist::catalog::standard();
    Arc::new(
        catalog
            .algorithm("mcts")
            .unwrap()
            .plan([("sims", ParamValue::Int(sims))], Context::default())
            .unwrap(),
    )
}

/// An evaluation's scores, wins/draws/losses, decisions and counted costs
/// (all but wall time).
type Fingerprint = (Vec<f64>, Option<[usize; 3]>, u64, (u64, u64, u64, u64));

fn evaluated<G: Game + 'static>(
    problem: &GameProblem<G>,
    solver: &dyn Solver,
    against: Option<&dyn Solver>,
    n: usize,
    (threads, lockstep): (usize, usize),
) -> Fingerprint {
    let r = evaluate(&Evaluation {
        label: "x".into(),
        solver,
        problem,
        against,
        n,
        seed: 7,
        threads,
        lockstep,
    })
    .unwrap();
    (r.scores.clone(), r.wdl, r.queries, r.cost.counted())
}

#[test]
fn evaluations_are_the_same_for_every_width_and_thread_count() {
    let game = tictactoe();
    let problem = GameProblem::new(game, optimist::algorithms::kernels());
    // One leaf per call, and four per call under virtual loss; against
    // random play, plain MCTS (not a stepper: it moves at once in the
    // lockstep loop) and a guided opponent of other networks.
    let (one, per_call) = guided(&game, &[("sims", 40)]);
    let (four, _) = guided(&game, &[("sims", 40), ("batch", 4)]);
    let uct = plain_mcts(30);
    let (rival, _) = guided(&game, &[("sims", 20)]);
    for (solver, against) in [
        (&one, None),
        (&four, None),
        (&one, Some(&uct)),
        (&one, Some(&rival)),
    ] {
        let against = against.map(|a| &**a);
        let two = evaluated(&problem, &**solver, against, 24, (1, 2));
        let (_, _, queries, (_, nodes, fwd, flops)) = &two;
        assert!(*queries > 0 && *nodes > 0 && *fwd > 0);
        // The networks' work: one call of both per evaluated leaf.
        assert_eq!(*flops, fwd * per_call, "{flops} FLOPs for {fwd} calls");
        for shape in [(1, 8), (1, 64), (2, 2), (2, 5), (3, 8)] {
            assert_eq!(
                evaluated(&problem, &**solver, against, 24, shape),
                two,
                "(threads, lockstep) = {shape:?}"
            );
        }
    }
}

/// The width asked for decides the draws even where nothing is batched
/// (plain MCTS against random play moves at once, and a worker plays its
/// games one at a time): every game still starts its agents on streams of
/// its own, so the thread count changes nothing.
#[test]
fn a_width_above_one_decides_the_draws_even_with_nothing_to_batch() {
    let game = tictactoe();
    let problem = GameProblem::new(game, optimist::algorithms::kernels());
    let uct = plain_mcts(30);
    let base = evaluated(&problem, &*uct, None, 12, (1, 4));
    for shape in [(2, 4), (3, 4), (3, 2), (1, 64)] {
        assert_eq!(
            evaluated(&problem, &*uct, None, 12, shape),
            base,
            "(threads, lockstep) = {shape:?}"
        );
    }
}

/// Single-player episodes (a maze) play on the workers too; in lockstep
/// each episode starts its agent on streams of its own, so the thread count
/// changes nothing.
#[test]
fn maze_episodes_are_the_same_for_every_thread_count_in_lockstep() {
    let script = "objective maze = gridworld()\nreport evaluate(plan(mcts, sims=60), on=maze, n=12, lockstep=2)\n";
    let text = |threads| {
        let outputs = common::run_script(script, 5, threads);
        let mut t = common::table(&outputs, 0).clone();
        t.title = String::new();
        common::stable_text(&t)
    };
    let one = text(1);
    assert!(one.contains("return"), "{one}");
    assert_eq!(text(2), one);
    assert_eq!(text(3), one);
}

#[test]
fn connect_four_evaluations_match_too() {
    let game = connect4(6, 7).unwrap();
    let problem = GameProblem::new(game.clone(), optimist::algorithms::kernels());
    let (solver, _) = guided(&game, &[("sims", 16)]);
    let two = evaluated(&problem, &*solver, None, 6, (1, 2));
    assert_eq!(evaluated(&problem, &*solver, None, 6, (1, 6)), two);
    assert_eq!(evaluated(&problem, &*solver, None, 6, (2, 3)), two);
}

#[test]
fn self_play_datasets_are_the_same_for_every_width_and_thread_count() {
    let game = tictactoe();
    let problem = GameProblem::new(game, optimist::algorithms::kernels());
    for (solver, _) in [
        guided(&game, &[("sims", 30)]),
        guided(&game, &[("sims", 30), ("batch", 3)]),
    ] {
        let made = |threads: usize, lockstep: usize| {
            let g = generate(
                &problem,
                &*solver,
                "guided",
                Games::new(100, 3, threads).lockstep(lockstep),
            )
            .unwrap();
            let rows: Vec<_> = g
                .data
                .data
                .examples()
                .iter()
                .map(|e| (e.features.clone(), e.target.clone(), e.value, e.action))
                .collect();
            (rows, g.runs, g.data.data.cost.counted())
        };
        let two = made(1, 2);
        assert_eq!(two.0.len(), 100);
        assert!(two.2 .2 > 0, "the networks were called");
        for (threads, lockstep) in [(1, 4), (1, 32), (2, 2), (2, 7), (3, 64)] {
            assert_eq!(
                made(threads, lockstep),
                two,
                "threads {threads}, lockstep {lockstep}"
            );
        }
    }
}

#[test]
fn a_width_outside_its_range_is_an_error() {
    let game = tictactoe();
    let problem = GameProblem::new(game, optimist::algorithms::kernels());
    let (solver, _) = guided(&game, &[("sims", 10)]);
    for lockstep in [0, optimist::compose::lockstep::MAX_WIDTH + 1] {
        let e = evaluate(&Evaluation {
            label: "x".into(),
            solver: &*solver,
            problem: &problem,
            against: None,
            n: 4,
            seed: 1,
            threads: 1,
            lockstep,
        })
        .unwrap_err();
        assert!(
            e.to_string()
                .contains("lockstep must be between 1 and 4096"),
            "{e}"
        );
        let e = generate(
            &problem,
            &*solver,
            "g",
            Games::new(10, 1, 1).lockstep(lockstep),
        )
        .err()
        .unwrap();
        assert!(e.to_string().contains("lockstep must be between"), "{e}");
    }
}

const SCRIPT: &str = r#"
objective ttt = tictactoe()
dataset games = solve(ttt, plan(mcts, sims=16), n=60, lockstep=LS)
pipeline policy = amortize(mlp(hidden=[16]), data=games, target="policy", epochs=2)
pipeline guided = policy |> init(plan(mcts, sims=24))
report evaluate(guided, on=ttt, n=12, lockstep=LS)
report compare([guided, plan(mcts, sims=24)], on=ttt, n=8, lockstep=LS)
dataset again = solve(ttt, guided, n=40, lockstep=LS)
report again
report expert_iteration(mlp(hidden=[8]), plan(mcts, sims=12), on=ttt, rounds=2, positions=30, epochs=1, n=4, lockstep=LS)
"#;

/// The reports' text without wall-clock columns, and the titles apart.
fn script_reports(lockstep: usize, threads: usize) -> (Vec<String>, Vec<String>) {
    let text = SCRIPT.replace("LS", &lockstep.to_string());
    let outputs = common::run_script(&text, 3, threads);
    let mut bodies = Vec::new();
    let mut titles = Vec::new();
    for i in 0..outputs.len() {
        match &outputs[i].value {
            optimist::interp::Value::Report(_) => {
                let t = common::table(&outputs, i);
                titles.push(t.title.clone());
                let mut plain = t.clone();
                plain.title = String::new();
                bodies.push(common::stable_text(&plain));
            }
            other => bodies.push(format!("{other}")),
        }
    }
    (bodies, titles)
}

#[test]
fn scripts_give_the_same_reports_for_every_width_and_say_which_was_used() {
    // Whatever `--threads`: a plain MCTS without `threads=` searches one
    // tree in a game worker, as on a single thread.
    let (narrow, titles) = script_reports(2, 2);
    assert!(
        titles.iter().any(|t| t.contains("(lockstep 2)")),
        "{titles:?}"
    );
    let (wide, wide_titles) = script_reports(16, 3);
    assert_eq!(wide, narrow);
    assert_eq!(script_reports(2, 1).0, narrow);
    let marked = wide_titles
        .iter()
        .filter(|t| t.contains("(lockstep 16)"))
        .count();
    assert_eq!(marked, 3, "{wide_titles:?}");
    // The default says nothing.
    let (_, plain) = script_reports(1, 2);
    assert!(plain.iter().all(|t| !t.contains("lockstep")), "{plain:?}");
}

#[test]
fn a_bad_width_in_a_script_is_a_diagnostic() {
    use optimist::driver::{self, Settings};
    use optimist::interp::Registry;
    let registry = Registry::standard();
    for bad in ["0", "5000", "2.5"] {
        let text = format!("objective ttt = tictactoe()\nreport evaluate(plan(mcts), on=ttt, n=2, lockstep={bad})\n");
        let checked = driver::check_text("bad.opt", &text, &registry, &Settings::default());
        assert!(!checked.ok(), "lockstep={bad} was accepted");
        let shown = optimist::diagnostics::render(&checked.diagnostics, &checked.sources, false);
        assert!(shown.contains("lockstep"), "{shown}");
    }
}

/// A decision as logged: the action, the counted cost, the policy.
type Move = (usize, (u64, u64, u64, u64), Option<Vec<f32>>);

/// A self-play game that records every decision: the action, the counted
/// cost and the search's policy.
struct Logged<S> {
    state: S,
    rng: optimist::rng::Rng,
    log: Vec<Move>,
}

impl<G: Game> lockstep::Turns<G> for Logged<G::State> {
    type Out = Vec<Move>;
    fn seat(&self, game: &G) -> Option<usize> {
        (!game.is_terminal(&self.state)).then(|| game.to_move(&self.state))
    }
    fn state(&self) -> &G::State {
        &self.state
    }
    fn rng(&mut self) -> &mut optimist::rng::Rng {
        &mut self.rng
    }
    fn play(
        &mut self,
        game: &G,
        _seat: usize,
        d: Decision,
        _agent: &dyn Agent<G>,
    ) -> Result<(), optimist::compose::SolveError> {
        self.state = game.apply(&self.state, d.action).0;
        self.log.push((d.action, d.cost.counted(), d.policy));
        Ok(())
    }
    fn finish(self, _game: &G) -> Result<Self::Out, optimist::compose::SolveError> {
        Ok(self.log)
    }
}

/// The heart of it: a search driven a batch of leaves at a time, with the
/// leaves of many games in one network call, decides exactly as `act` does
/// (same actions, costs and visit distributions, bit for bit), with one
/// leaf per search and with several (virtual loss), on both games.
#[test]
fn driven_searches_decide_exactly_as_act() {
    fn check<G: Game + Clone + Sync + 'static>(game: &G, sims: i64, games: usize) {
        let kernels = optimist::algorithms::kernels::<G>();
        let arc = Arc::new(game.clone());
        for batch in [1, 4] {
            let (a, _) = guided(game, &[("sims", sims), ("batch", batch)]);
            let (b, _) = guided(game, &[("sims", sims / 2 + 1)]);
            let play = |width: usize| {
                let make = || Ok(vec![kernels.agent(&*a, &arc)?, kernels.agent(&*b, &arc)?]);
                // Both ways start every game on its own streams.
                let start = |agents: &mut lockstep::Seats<G>, i: usize| {
                    for x in agents.iter_mut() {
                        x.start_game(i as u64);
                    }
                    // Two random moves first, so that the games differ.
                    let mut rng = optimist::rng::Rng::stream(8, i as u64);
                    let mut state = game.sample_instance(&mut rng);
                    for _ in 0..2 {
                        let legal = game.legal(&state);
                        state = game.apply(&state, legal.random(&mut rng)).0;
                    }
                    Ok(Logged {
                        state,
                        rng: optimist::rng::Rng::stream(9, i as u64),
                        log: Vec::new(),
                    })
                };
                parallel::games(games, 1, lockstep::worker(game, width, make, start)).unwrap()
            };
            let alone = play(1);
            assert!(alone.iter().all(|g| g.iter().all(|m| m.2.is_some())));
            assert!(alone.windows(2).any(|w| w[0] != w[1]), "the games differ");
            for width in [2, 5, games] {
                assert_eq!(play(width), alone, "batch {batch}, width {width}");
            }
        }
    }
    check(&tictactoe(), 30, 12);
    check(&connect4(6, 7).unwrap(), 12, 4);
}

/// Below the agents: searches driven together, their leaves answered in
/// one `evaluate_batch` call, end with the values, visits and costs of the
/// same searches run alone through `search_with` — every float bit for bit,
/// which only holds if a batched row is answered exactly as a single one.
#[test]
fn driven_searches_keep_every_bit_of_the_searches_alone() {
    use optimist::algorithms::mcts::NetEvaluator;
    use optimist::direct::mcts::{Evaluator, Mcts, MctsParams};
    let game = tictactoe();
    let mut eval = NetEvaluator::new(
        Some(net(&game, Head::Policy, 64, 3)),
        Some(net(&game, Head::Value, 64, 4)),
    );
    let flops =
        <NetEvaluator as Evaluator<optimist::domains::tictactoe::TicTacToe>>::flops_per_eval(&eval);
    // Three positions a few random moves deep.
    let mut rng = optimist::rng::Rng::new(5);
    let states: Vec<_> = (0..3)
        .map(|k| {
            let mut s = game.root();
            for _ in 0..k + 1 {
                s = game.apply(&s, game.legal(&s).random(&mut rng)).0;
            }
            s
        })
        .collect();
    for (batch, threads) in [(1, 1), (1, 2), (5, 1), (3, 3)] {
        let params = |seed| MctsParams {
            sims: 150,
            batch,
            threads,
            seed,
            ..MctsParams::default()
        };
        let alone: Vec<_> = states
            .iter()
            .enumerate()
            .map(|(k, s)| {
                let r = Mcts::new(params(k as u64))
                    .unwrap()
                    .search_with(&game, s, &mut eval.clone())
                    .unwrap();
                (r.action, r.visits, r.q, r.value, r.cost.counted())
            })
            .collect();
        let mut searches: Vec<Mcts<_>> = (0..3).map(|k| Mcts::new(params(k)).unwrap()).collect();
        for (m, s) in searches.iter_mut().zip(&states) {
            m.begin(&game, s).unwrap();
        }
        let n = game.num_actions();
        loop {
            let leaves: Vec<_> = searches.iter().flat_map(|m| m.pending().to_vec()).collect();
            if leaves.is_empty() {
                break;
            }
            let mut priors = vec![0.0; leaves.len() * n];
            let mut values = vec![None; leaves.len()];
            eval.evaluate_batch(&game, &leaves, &mut priors, &mut values);
            let mut at = 0;
            for m in &mut searches {
                let k = m.pending().len();
                m.resume(
                    &game,
                    &priors[at * n..(at + k) * n],
                    &values[at..at + k],
                    std::time::Duration::ZERO,
                );
                at += k;
            }
        }
        let driven: Vec<_> = searches
            .iter_mut()
            .map(|m| {
                let r = m.finish(&game, flops);
                (r.action, r.visits, r.q, r.value, r.cost.counted())
            })
            .collect();
        assert_eq!(driven, alone, "batch {batch}, threads {threads}");
    }
}
