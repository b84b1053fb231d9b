//! Exact truths of tic-tac-toe checked against the searches: the game value,
//! perfect play, MCTS against perfect play, and forced wins found by MCTS.

use optimist::algorithms::mcts::MctsAgent;
use optimist::algorithms::minimax::MinimaxAgent;
use optimist::compose::play::{play_game, play_match, Agent, RandomAgent};
use optimist::direct::mcts::{mcts, MctsParams};
use optimist::direct::minimax::{minimax, Minimax, MinimaxParams};
use optimist::domains::game::Game;
use optimist::domains::tictactoe::{tictactoe, TicTacToe, TttState};
use optimist::rng::Rng;

/// Positions where the player to move has a forced win (X moves first, so
/// the counts decide who is to move). Each is checked with minimax below.
const FORCED_WINS: [&str; 24] = [
    // Immediate wins.
    "XX. OO. ...",
    "X.X .O. O..",
    "XO. XO. ...",
    "XX. .O. ..O",
    "XOX .O. X..",
    "XO. .O. X..",
    // X in a corner, O anywhere but the centre: X forks.
    "XO. ... ...",
    "X.. O.. ...",
    "X.O ... ...",
    "X.. ..O ...",
    "X.. ... O..",
    "X.. ... .O.",
    "X.. ... ..O",
    "... ... .OX",
    "..X ..O ...",
    "... O.. X..",
    "..X ... O..",
    // X in the centre, O on an edge.
    ".O. .X. ...",
    "... OX. ...",
    "... .XO ...",
    "... .X. .O.",
    // Later forks.
    "XO. .X. ..O",
    "X.. .XO ..O",
    "XX. .O. ..O",
];

fn parse(g: &TicTacToe, board: &str) -> TttState {
    g.parse(board).unwrap_or_else(|e| panic!("{board}: {e}"))
}

#[test]
fn minimax_value_of_the_root_is_a_draw() {
    let g = tictactoe();
    let r = minimax(&g, &g.root(), &MinimaxParams::default()).unwrap();
    assert_eq!(r.value, 0.0);
    assert!(r.cost.nodes > 0);
    let mut m = Minimax::new(MinimaxParams::default()).unwrap();
    let (values, _) = m.action_values(&g, &g.root()).unwrap();
    assert!(
        values.iter().all(|v| *v == Some(0.0)),
        "every first move draws: {values:?}"
    );
}

#[test]
fn perfect_play_never_loses_to_random_play() {
    let g = tictactoe();
    let mut perfect = MinimaxAgent::new(MinimaxParams::default(), true).unwrap();
    let summary = play_match(&g, &mut perfect, &mut RandomAgent, 400, 17).unwrap();
    assert_eq!(summary.losses, 0, "{summary:?}");
    assert!(
        summary.wins > 300,
        "random play should lose most games: {summary:?}"
    );
}

/// Plays game `i` (moves from `Rng::stream(9, i)`) with `agent` as X
/// against random play: minimax's nodes, the moves and the outcome.
fn minimax_game(g: &TicTacToe, agent: &mut MinimaxAgent<TicTacToe>, i: u64) -> (u64, usize, f32) {
    let record = play_game(
        g,
        &g.root(),
        [agent, &mut RandomAgent],
        &mut Rng::stream(9, i),
    )
    .unwrap();
    (record.costs[0].nodes, record.moves, record.outcome)
}

#[test]
fn a_reset_minimax_agent_plays_each_game_at_a_fresh_agents_cost() {
    let g = tictactoe();
    let fresh = || MinimaxAgent::new(MinimaxParams::default(), true).unwrap();
    let mut agent = fresh();
    let mut in_a_row = Vec::new();
    for i in 0..4 {
        agent.reset();
        in_a_row.push(minimax_game(&g, &mut agent, i));
    }
    for (i, game) in in_a_row.iter().enumerate() {
        assert_eq!(*game, minimax_game(&g, &mut fresh(), i as u64), "game {i}");
    }
    // A table kept from the first game makes the second cheaper: that is
    // what the reset must undo.
    let mut kept = fresh();
    minimax_game(&g, &mut kept, 0);
    let (nodes, moves, outcome) = minimax_game(&g, &mut kept, 1);
    assert_eq!((moves, outcome), (in_a_row[1].1, in_a_row[1].2));
    assert!(nodes < in_a_row[1].0, "{nodes} vs {}", in_a_row[1].0);
}

#[test]
fn mcts_with_5000_simulations_never_loses_to_minimax() {
    let g = tictactoe();
    let params = MctsParams {
        sims: 5000,
        seed: 3,
        ..MctsParams::default()
    };
    let mut uct = MctsAgent::new(params).unwrap();
    let mut perfect = MinimaxAgent::new(MinimaxParams::default(), true).unwrap();
    let summary = play_match(&g, &mut uct, &mut perfect, 100, 5).unwrap();
    assert_eq!(summary.losses, 0, "{summary:?}");
    assert_eq!(summary.games, 100);
}

#[test]
fn mcts_finds_the_forced_win_in_every_listed_position() {
    let g = tictactoe();
    let mut exact = Minimax::new(MinimaxParams::default()).unwrap();
    for (i, board) in FORCED_WINS.iter().enumerate() {
        let s = parse(&g, board);
        let (values, _) = exact.action_values(&g, &s).unwrap();
        let best = values.iter().flatten().fold(f32::MIN, |m, &v| m.max(v));
        assert_eq!(best, 1.0, "{board} is not a forced win");
        assert_eq!(g.optimal_value(&s), Some(1.0), "{board}");
        let params = MctsParams {
            sims: 4000,
            seed: i as u64,
            ..MctsParams::default()
        };
        let r = mcts(&g, &s, &params).unwrap();
        assert_eq!(
            values[r.action],
            Some(1.0),
            "{board}: MCTS chose {} ({r:?})",
            r.action
        );
        assert!(r.value > 0.5, "{board}: root value {}", r.value);
    }
}
