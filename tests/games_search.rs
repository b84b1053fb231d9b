//! MCTS mechanics: parameter errors, exact values at terminal children,
//! determinism, tree reuse, root parallelism and PUCT with an evaluator.

use optimist::algorithms::mcts::MctsAgent;
use optimist::algorithms::minimax::MinimaxAgent;
use optimist::compose::play::play_match;
use optimist::direct::mcts::{mcts, Evaluator, Mcts, MctsParams, SearchResult};
use optimist::direct::minimax::MinimaxParams;
use optimist::domains::connect4::connect4;
use optimist::domains::game::Game;
use optimist::domains::gridworld::gridworld;
use optimist::domains::tictactoe::{tictactoe, TicTacToe, TttState};

fn params(sims: u32, threads: usize, seed: u64) -> MctsParams {
    MctsParams {
        sims,
        threads,
        seed,
        ..MctsParams::default()
    }
}

/// Everything but wall time.
type Fingerprint = (usize, Vec<u32>, Vec<f32>, f32, (u64, u64, u64, u64));

fn fingerprint(r: &SearchResult) -> Fingerprint {
    (
        r.action,
        r.visits.clone(),
        r.q.clone(),
        r.value,
        r.cost.counted(),
    )
}

#[test]
fn bad_parameters_and_terminal_states_are_errors() {
    let g = tictactoe();
    for bad in [
        MctsParams {
            sims: 0,
            ..MctsParams::default()
        },
        MctsParams {
            c: f32::NAN,
            ..MctsParams::default()
        },
        MctsParams {
            rollouts: 0,
            ..MctsParams::default()
        },
        MctsParams {
            threads: 0,
            ..MctsParams::default()
        },
    ] {
        assert!(Mcts::<TicTacToe>::new(bad).is_err(), "{bad:?}");
    }
    let won = g.parse("XXX OO. ...").unwrap();
    assert!(mcts(&g, &won, &MctsParams::default()).is_err());
}

#[test]
fn a_winning_move_is_worth_exactly_one() {
    let g = tictactoe();
    let s = g.parse("XX. OO. ...").unwrap();
    let r = mcts(&g, &s, &params(500, 1, 0)).unwrap();
    assert_eq!(r.action, 2);
    assert_eq!(r.q[2], 1.0);
    assert_eq!(r.visits.iter().sum::<u32>(), 500);
    assert!((r.policy.iter().sum::<f32>() - 1.0).abs() < 1e-5);
    assert_eq!(r.cost.nodes, 500);
}

#[test]
fn single_agent_values_are_returns() {
    let world = gridworld(5, 0.0).unwrap();
    let s = world.parse("..... ..... ..... ...AG .....").unwrap();
    let r = mcts(&world, &s, &params(400, 1, 1)).unwrap();
    assert_eq!(r.action, 1, "step right into the goal");
    assert!((r.q[1] - 0.99).abs() < 1e-5, "{:?}", r.q);
    let far = world.parse("A.... ..... ..... ..... ....G").unwrap();
    let r = mcts(&world, &far, &params(3000, 1, 2)).unwrap();
    // Averages of exploring rollouts stay below the optimum, but the most
    // visited move must be on a shortest path (right or down).
    let optimum = world.optimal_value(&far).unwrap();
    assert!(
        r.value < optimum && r.value > 0.0,
        "{} vs {optimum}",
        r.value
    );
    let next = world.apply(&far, r.action).0;
    assert_eq!(world.shortest_path(&next), Some(7));
}

#[test]
fn same_seed_and_threads_give_identical_answers_and_costs() {
    let g = connect4(6, 7).unwrap();
    for threads in [1, 2, 3] {
        let a = mcts(&g, &g.root(), &params(2000, threads, 9)).unwrap();
        let b = mcts(&g, &g.root(), &params(2000, threads, 9)).unwrap();
        assert_eq!(fingerprint(&a), fingerprint(&b), "threads = {threads}");
        assert_eq!(a.visits.iter().sum::<u32>(), 2000, "threads = {threads}");
        let c = mcts(&g, &g.root(), &params(2000, threads, 10)).unwrap();
        assert_ne!(a.visits, c.visits, "another seed searches differently");
    }
    let ttt = tictactoe();
    let run = || {
        let mut uct = MctsAgent::new(params(300, 2, 4)).unwrap();
        let mut perfect = MinimaxAgent::new(MinimaxParams::default(), true).unwrap();
        play_match(&ttt, &mut uct, &mut perfect, 6, 8).unwrap()
    };
    let (x, y) = (run(), run());
    assert_eq!(
        (x.wins, x.draws, x.losses, x.moves),
        (y.wins, y.draws, y.losses, y.moves)
    );
    assert_eq!(x.costs[0].counted(), y.costs[0].counted());
    assert_eq!(x.costs[1].counted(), y.costs[1].counted());
}

#[test]
fn the_tree_is_reused_two_plies_down() {
    let g = tictactoe();
    let mut searcher = Mcts::new(params(1000, 1, 3)).unwrap();
    let first = searcher.search(&g, &g.root()).unwrap();
    let after_us = g.apply(&g.root(), first.action).0;
    let reply = g.legal(&after_us).nth(0);
    let after_them = g.apply(&after_us, reply).0;
    let second = searcher.search(&g, &after_them).unwrap();
    assert!(
        second.visits.iter().sum::<u32>() > 1000,
        "statistics were kept"
    );
    assert_eq!(second.cost.nodes, 1000, "only new simulations are counted");
    assert!(g.legal(&after_them).contains(second.action));
    let mut fresh = Mcts::new(MctsParams {
        reuse: false,
        ..params(1000, 1, 3)
    })
    .unwrap();
    fresh.search(&g, &g.root()).unwrap();
    let r = fresh.search(&g, &after_them).unwrap();
    assert_eq!(r.visits.iter().sum::<u32>(), 1000);
    assert!(Mcts::<TicTacToe>::bytes_per_node() <= 32);
}

/// A fixed prior on one action, a fixed leaf value, and a call counter.
#[derive(Clone)]
struct Fixed {
    favourite: usize,
    value: Option<f32>,
    calls: u64,
}

impl Evaluator<TicTacToe> for Fixed {
    fn evaluate(&mut self, _g: &TicTacToe, _s: &TttState, priors: &mut [f32]) -> Option<f32> {
        self.calls += 1;
        priors.fill(0.0);
        priors[self.favourite] = 1.0;
        self.value
    }
    fn flops_per_eval(&self) -> u64 {
        10
    }
}

#[test]
fn puct_follows_the_prior_and_counts_evaluations() {
    let g = tictactoe();
    let mut eval = Fixed {
        favourite: 4,
        value: Some(0.0),
        calls: 0,
    };
    let mut searcher = Mcts::new(params(60, 1, 0)).unwrap();
    let r = searcher.search_with(&g, &g.root(), &mut eval).unwrap();
    assert_eq!(r.action, 4);
    assert_eq!(r.cost.forward_passes, eval.calls);
    assert_eq!(r.cost.flops, 10 * eval.calls);
    assert_eq!(
        r.cost.evaluations, 0,
        "the evaluator's values replace rollouts"
    );
    let mut no_value = Fixed {
        favourite: 4,
        value: None,
        calls: 0,
    };
    let r = mcts_with(&g, &mut no_value);
    assert!(
        r.cost.evaluations > 0,
        "without a value, leaves are rolled out"
    );
}

fn mcts_with(g: &TicTacToe, eval: &mut Fixed) -> SearchResult {
    let mut searcher = Mcts::new(params(60, 2, 0)).unwrap();
    searcher.search_with(g, &g.root(), eval).unwrap()
}

/// Leaves valued by one random rollout each, priors uniform, calls counted
/// per state (so a batched call counts its rows).
#[derive(Clone, Default)]
struct Counting {
    rows: u64,
    calls: u64,
}

impl Evaluator<TicTacToe> for Counting {
    fn evaluate(&mut self, _g: &TicTacToe, _s: &TttState, priors: &mut [f32]) -> Option<f32> {
        self.rows += 1;
        priors.fill(1.0);
        None
    }
    fn evaluate_batch(
        &mut self,
        g: &TicTacToe,
        states: &[TttState],
        priors: &mut [f32],
        values: &mut [Option<f32>],
    ) {
        self.calls += 1;
        for ((s, p), v) in states.iter().zip(priors.chunks_mut(9)).zip(values) {
            *v = self.evaluate(g, s, p);
        }
    }
    fn flops_per_eval(&self) -> u64 {
        7
    }
}

fn batched(sims: u32, batch: u32, seed: u64) -> MctsParams {
    MctsParams {
        batch,
        ..params(sims, 1, seed)
    }
}

#[test]
fn batched_leaves_count_network_work_as_single_leaves_do() {
    let g = tictactoe();
    for batch in [1, 8] {
        let mut eval = Counting::default();
        let mut searcher = Mcts::new(batched(400, batch, 3)).unwrap();
        let r = searcher.search_with(&g, &g.root(), &mut eval).unwrap();
        assert_eq!(r.cost.nodes, 400, "batch {batch}");
        // The first simulation expands the root itself.
        assert_eq!(r.visits.iter().sum::<u32>(), 399, "batch {batch}");
        assert_eq!(r.cost.forward_passes, eval.rows, "batch {batch}");
        assert_eq!(r.cost.flops, 7 * eval.rows, "batch {batch}");
        if batch == 1 {
            assert_eq!(eval.calls, 0, "one leaf at a time uses evaluate");
        } else {
            // Most leaves share a call with others.
            assert!(
                eval.calls * 3 < eval.rows,
                "{} calls for {} leaves",
                eval.calls,
                eval.rows
            );
        }
    }
}

#[test]
fn batched_search_is_determined_by_its_seed_and_still_plays_well() {
    let g = tictactoe();
    let run = |seed| {
        let mut searcher = Mcts::new(batched(2000, 16, seed)).unwrap();
        let s = g.parse("XX. OO. ...").unwrap();
        searcher
            .search_with(&g, &s, &mut Counting::default())
            .unwrap()
    };
    let (a, b) = (run(5), run(5));
    assert_eq!(fingerprint(&a), fingerprint(&b));
    assert_eq!(a.action, 2, "take the win: {:?}", a.visits);
    assert_eq!(a.q[2], 1.0);
    // Batched and one-at-a-time searches differ (virtual loss spreads the
    // leaves) but agree on the move.
    let mut single = Mcts::new(batched(2000, 1, 5)).unwrap();
    let s = g.parse("XX. OO. ...").unwrap();
    let one = single
        .search_with(&g, &s, &mut Counting::default())
        .unwrap();
    assert_eq!(one.action, 2);
    assert!(Mcts::<TicTacToe>::new(batched(10, 0, 0)).is_err());
    assert!(Mcts::<TicTacToe>::new(batched(10, 1025, 0)).is_err());
}

/// Games on several threads: worker `i mod T` plays game `i`, so agents
/// that draw only on each game's own generator give the serial answer at
/// any thread count, and searchers (whose generators run on from game to
/// game within a worker) give one answer per thread count.
#[test]
fn games_played_in_parallel_are_determined_by_seed_and_threads() {
    use optimist::compose::discrete::GameProblem;
    use optimist::compose::evaluate::{evaluate, Evaluation};
    use optimist::compose::play::RandomPlay;
    use optimist::compose::{Context, Solver};
    use optimist::params::ParamValue;

    let problem = GameProblem::new(tictactoe(), optimist::algorithms::kernels());
    let row = |solver: &dyn Solver, threads: usize| {
        let r = evaluate(&Evaluation {
            label: "x".into(),
            solver,
            problem: &problem,
            against: None,
            n: 30,
            seed: 4,
            threads,
            lockstep: 1,
        })
        .unwrap();
        (r.scores.clone(), r.wdl, r.queries, r.cost.counted())
    };
    let random = RandomPlay;
    let serial = row(&random, 1);
    assert_eq!(row(&random, 2), serial);
    assert_eq!(row(&random, 3), serial);
    // A searcher: the same answer twice for each thread count.
    let catalog = optimist::catalog::standard();
    let mcts = catalog
        .algorithm("mcts")
        .unwrap()
        .plan([("sims", ParamValue::Int(50))], Context::default())
        .unwrap();
    for threads in [1, 2] {
        assert_eq!(
            row(&mcts, threads),
            row(&mcts, threads),
            "threads={threads}"
        );
    }
}
