//! Connect four: alpha-beta against an independent exhaustive solver on late
//! positions, and MCTS and depth-limited minimax on immediate wins and threats.

use optimist::direct::mcts::{mcts, MctsParams};
use optimist::direct::minimax::{minimax, MinimaxParams};
use optimist::domains::connect4::{connect4, Connect4, Connect4Params};
use optimist::domains::game::Game;
use optimist::rng::Rng;

const ROWS: usize = 6;
const COLS: usize = 7;

/// A deliberately plain board for the reference solver: cells as bytes,
/// row 0 at the bottom, no bit tricks shared with the domain.
#[derive(Clone)]
struct Plain {
    cells: [[u8; COLS]; ROWS],
    heights: [usize; COLS],
}

impl Plain {
    /// From the domain's rendering (top row first); returns the board and
    /// the mark of the player to move.
    fn from_render(text: &str) -> (Plain, u8) {
        let mut p = Plain {
            cells: [[b'.'; COLS]; ROWS],
            heights: [0; COLS],
        };
        let (mut x, mut o) = (0, 0);
        for (i, line) in text.lines().enumerate() {
            for (c, ch) in line.bytes().enumerate() {
                let r = ROWS - 1 - i;
                p.cells[r][c] = ch;
                if ch != b'.' {
                    p.heights[c] = p.heights[c].max(r + 1);
                    if ch == b'X' {
                        x += 1;
                    } else {
                        o += 1;
                    }
                }
            }
        }
        (p, if x == o { b'X' } else { b'O' })
    }

    fn count(&self, r: usize, c: usize, dr: i64, dc: i64, mark: u8) -> usize {
        let mut n = 0;
        let (mut rr, mut cc) = (r as i64 + dr, c as i64 + dc);
        while rr >= 0
            && rr < ROWS as i64
            && cc >= 0
            && cc < COLS as i64
            && self.cells[rr as usize][cc as usize] == mark
        {
            n += 1;
            rr += dr;
            cc += dc;
        }
        n
    }

    fn wins_at(&self, r: usize, c: usize, mark: u8) -> bool {
        [(0, 1), (1, 0), (1, 1), (1, -1)].iter().any(|&(dr, dc)| {
            1 + self.count(r, c, dr, dc, mark) + self.count(r, c, -dr, -dc, mark) >= 4
        })
    }

    /// Exhaustive negamax without pruning or memory: +1 if the player to
    /// move (`mark`) wins, 0 draw, −1 loss.
    fn solve(&mut self, mark: u8, nodes: &mut u64) -> i8 {
        *nodes += 1;
        let other = if mark == b'X' { b'O' } else { b'X' };
        let mut best = None;
        for c in 0..COLS {
            let r = self.heights[c];
            if r == ROWS {
                continue;
            }
            self.cells[r][c] = mark;
            self.heights[c] += 1;
            let v = if self.wins_at(r, c, mark) {
                1
            } else {
                -self.solve(other, nodes)
            };
            self.heights[c] -= 1;
            self.cells[r][c] = b'.';
            best = Some(best.map_or(v, |b: i8| b.max(v)));
        }
        best.unwrap_or(0)
    }
}

fn late_positions(g: &Connect4, n: usize) -> Vec<<Connect4 as Game>::State> {
    let mut rng = Rng::new(42);
    (0..n)
        .map(|i| {
            let opening = g.shift(29 + i % 3).unwrap();
            opening.sample_instance(&mut rng)
        })
        .collect()
}

#[test]
fn alpha_beta_matches_exhaustive_search_on_24_late_positions() {
    let g = connect4(ROWS, COLS).unwrap();
    let mut seen = [0usize; 3];
    let mut total_nodes = 0;
    for s in late_positions(&g, 24) {
        let text = g.render(&s);
        let (mut plain, mark) = Plain::from_render(&text);
        let truth = plain.solve(mark, &mut total_nodes);
        seen[(truth + 1) as usize] += 1;
        let r = minimax(&g, &s, &MinimaxParams::default()).unwrap();
        assert_eq!(r.value, f32::from(truth), "\n{text}");
        // The chosen move must achieve the value too.
        let (next, reward) = g.apply(&s, r.action);
        let achieved = if reward == 1.0 {
            1
        } else {
            let (mut after, other) = Plain::from_render(&g.render(&next));
            -after.solve(other, &mut total_nodes)
        };
        assert_eq!(achieved, truth, "move {} in\n{text}", r.action);
    }
    assert!(
        seen.iter().filter(|&&k| k > 0).count() >= 2,
        "results {seen:?} should be mixed"
    );
}

/// X to move: (board, the only good move, why).
const TACTICS: [(&str, usize, &str); 4] = [
    (
        "....... ....... ....... ....... OO..... XXX.O..",
        3,
        "take the row",
    ),
    (
        "....... ....... ....... ...X... ..OX... .OOX...",
        3,
        "take the column",
    ),
    (
        "....... ....... ....... ....... X...... OOO.XX.",
        3,
        "block the row",
    ),
    (
        "....... ....... ....... ...O... ...O..X ..XO..X",
        3,
        "block the column",
    ),
];

#[test]
fn mcts_takes_immediate_wins_and_blocks_immediate_threats() {
    let g = connect4(ROWS, COLS).unwrap();
    for (i, (board, good, why)) in TACTICS.iter().enumerate() {
        let s = g.parse(board).unwrap();
        assert_eq!(g.to_move(&s), 0, "{why}");
        let params = MctsParams {
            sims: 3000,
            seed: i as u64,
            ..MctsParams::default()
        };
        let r = mcts(&g, &s, &params).unwrap();
        assert_eq!(r.action, *good, "{why}: {r:?}");
    }
}

#[test]
fn depth_limited_minimax_sees_wins_and_threats() {
    let g = connect4(ROWS, COLS).unwrap();
    let params = MinimaxParams {
        depth: Some(4),
        ..MinimaxParams::default()
    };
    for (board, good, why) in TACTICS {
        let s = g.parse(board).unwrap();
        let r = minimax(&g, &s, &params).unwrap();
        assert_eq!(r.action, good, "{why}");
        assert!(
            r.cost.evaluations > 0 || r.value == 1.0,
            "{why}: heuristic used"
        );
    }
    // Exactly one ply: the win is seen, the heuristic scores the rest.
    let one = MinimaxParams {
        depth: Some(1),
        ..MinimaxParams::default()
    };
    let s = g.parse(TACTICS[0].0).unwrap();
    let r = minimax(&g, &s, &one).unwrap();
    assert_eq!((r.action, r.value), (3, 1.0));
}

#[test]
fn a_small_board_is_solved_from_the_root() {
    // 4x4 connect four is a draw (every line is easy to block).
    let g = Connect4::new(Connect4Params {
        rows: 4,
        cols: 4,
        opening_moves: 0,
    })
    .unwrap();
    let r = minimax(&g, &g.root(), &MinimaxParams::default()).unwrap();
    assert_eq!(r.value, 0.0);
}
