//! Connect four on a `u64` bitboard, any size that fits one.
//!
//! Layout (the classic one): column `c`, row `r` (0 at the bottom) is bit
//! `c·(rows+1) + r`. The extra sentinel row above each column is always
//! empty, so shifting a bitboard by 1, `rows`, `rows+1` or `rows+2` finds
//! vertical, diagonal and horizontal neighbours without wrapping; four in a
//! row is two shift-and-ands per direction. The state is the mover's stones
//! plus the occupancy mask, so a move is one addition (the stone drops to
//! the lowest free cell of its column) and values are from the mover's view.

use std::fmt;

use crate::domains::game::{check_feature_len, random_opening, Actions, EncodeError, Game};
use crate::rng::Rng;

/// A connect-four position: the stones of the player to move and all stones.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub struct C4State {
    pub mine: u64,
    pub mask: u64,
}

impl C4State {
    pub fn stones(&self) -> u32 {
        self.mask.count_ones()
    }
}

/// Board size and instance distribution of connect four.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Connect4Params {
    pub rows: usize,
    pub cols: usize,
    /// Random (non-terminal) moves played from the empty board to make an instance.
    pub opening_moves: usize,
}

impl Default for Connect4Params {
    fn default() -> Self {
        Connect4Params {
            rows: 6,
            cols: 7,
            opening_moves: 0,
        }
    }
}

/// Connect four on a `rows × cols` board.
#[derive(Clone, Debug)]
pub struct Connect4 {
    params: Connect4Params,
    height: u32,
    full: u64,
    /// Every four-cell line on the board, for the heuristic.
    windows: Vec<u64>,
}

/// Why a connect-four family or board is refused.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Connect4Error {
    /// Fewer than 4 rows or columns: no line of four fits.
    TooSmall { rows: usize, cols: usize },
    /// The board does not fit the 64-bit board (`cols·(rows+1) > 64`).
    TooLarge { rows: usize, cols: usize },
    /// At least as many opening moves as cells.
    OpeningMoves { opening_moves: usize, cells: usize },
    /// A board with the wrong number of cells.
    CellCount { expected: usize, found: usize },
    /// A character that is not a cell.
    UnexpectedCell { found: char },
    /// A stone above an empty cell.
    FloatingStone { column: usize },
    /// Stone counts no game reaches.
    StoneCounts { x: u32, o: u32 },
    /// The player to move already has four in a row.
    AlreadyWon,
}

impl fmt::Display for Connect4Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Connect4Error::TooSmall { rows, cols } => write!(
                f,
                "connect4 needs at least 4 rows and 4 columns, got {rows}x{cols}"
            ),
            Connect4Error::TooLarge { rows, cols } => write!(
                f,
                "connect4 board {rows}x{cols} does not fit a 64-bit board: cols·(rows+1) must be ≤ 64"
            ),
            Connect4Error::OpeningMoves {
                opening_moves,
                cells,
            } => write!(
                f,
                "connect4: opening_moves must be below {cells} (the number of cells), got {opening_moves}"
            ),
            Connect4Error::CellCount { expected, found } => {
                write!(f, "connect4 board needs {expected} cells, got {found}")
            }
            Connect4Error::UnexpectedCell { found } => {
                write!(f, "unexpected {found:?} in connect4 board")
            }
            Connect4Error::FloatingStone { column } => {
                write!(f, "connect4 board has a floating stone in column {column}")
            }
            Connect4Error::StoneCounts { x, o } => {
                write!(f, "impossible connect4 board: {x} X and {o} O")
            }
            Connect4Error::AlreadyWon => write!(
                f,
                "impossible connect4 board: the player to move has already won"
            ),
        }
    }
}

impl std::error::Error for Connect4Error {}

/// `connect4(rows=6, cols=7)`.
pub fn connect4(rows: usize, cols: usize) -> Result<Connect4, Connect4Error> {
    Connect4::new(Connect4Params {
        rows,
        cols,
        opening_moves: 0,
    })
}

impl Connect4 {
    pub fn new(params: Connect4Params) -> Result<Self, Connect4Error> {
        let Connect4Params {
            rows,
            cols,
            opening_moves,
        } = params;
        if rows < 4 || cols < 4 {
            return Err(Connect4Error::TooSmall { rows, cols });
        }
        if cols * (rows + 1) > 64 {
            return Err(Connect4Error::TooLarge { rows, cols });
        }
        if opening_moves >= rows * cols {
            return Err(Connect4Error::OpeningMoves {
                opening_moves,
                cells: rows * cols,
            });
        }
        let height = rows as u32 + 1;
        let cell = |c: usize, r: usize| 1u64 << (c as u32 * height + r as u32);
        let mut full = 0;
        for c in 0..cols {
            for r in 0..rows {
                full |= cell(c, r);
            }
        }
        let mut windows = Vec::new();
        let dirs: [(i64, i64); 4] = [(1, 0), (0, 1), (1, 1), (1, -1)];
        for c in 0..cols as i64 {
            for r in 0..rows as i64 {
                for (dc, dr) in dirs {
                    let (ec, er) = (c + 3 * dc, r + 3 * dr);
                    if ec < 0 || ec >= cols as i64 || er < 0 || er >= rows as i64 {
                        continue;
                    }
                    windows.push((0..4).fold(0, |w, k| {
                        w | cell((c + k * dc) as usize, (r + k * dr) as usize)
                    }));
                }
            }
        }
        Ok(Connect4 {
            params,
            height,
            full,
            windows,
        })
    }

    pub fn params(&self) -> Connect4Params {
        self.params
    }

    /// The out-of-distribution variant with a different opening length.
    pub fn shift(&self, opening_moves: usize) -> Result<Self, Connect4Error> {
        Connect4::new(Connect4Params {
            opening_moves,
            ..self.params
        })
    }

    pub fn root(&self) -> C4State {
        C4State::default()
    }

    #[inline]
    fn cell(&self, col: usize, row: usize) -> u64 {
        1u64 << (col as u32 * self.height + row as u32)
    }

    #[inline]
    fn top_cell(&self, col: usize) -> u64 {
        self.cell(col, self.params.rows - 1)
    }

    /// Whether `stones` contain four in a row.
    #[inline]
    pub fn has_four(&self, stones: u64) -> bool {
        let h = self.height;
        for shift in [1, h - 1, h, h + 1] {
            let m = stones & (stones >> shift);
            if m & (m >> (2 * shift)) != 0 {
                return true;
            }
        }
        false
    }

    /// Reads a board of `rows` lines of `cols` cells (`X`, `O`, `.`), top row
    /// first; whitespace and `|` are ignored. X moves first, so the counts
    /// decide who is to move; floating stones are rejected.
    pub fn parse(&self, board: &str) -> Result<C4State, Connect4Error> {
        let (rows, cols) = (self.params.rows, self.params.cols);
        let cells: Vec<char> = board
            .chars()
            .filter(|c| !c.is_whitespace() && *c != '|')
            .collect();
        if cells.len() != rows * cols {
            return Err(Connect4Error::CellCount {
                expected: rows * cols,
                found: cells.len(),
            });
        }
        let (mut x, mut o) = (0u64, 0u64);
        for (i, ch) in cells.iter().enumerate() {
            let (row, col) = (rows - 1 - i / cols, i % cols);
            match ch {
                'X' | 'x' => x |= self.cell(col, row),
                'O' | 'o' => o |= self.cell(col, row),
                '.' | '-' | '_' => {}
                other => return Err(Connect4Error::UnexpectedCell { found: *other }),
            }
        }
        let mask = x | o;
        for c in 0..cols {
            for r in 1..rows {
                if mask & self.cell(c, r) != 0 && mask & self.cell(c, r - 1) == 0 {
                    return Err(Connect4Error::FloatingStone { column: c });
                }
            }
        }
        let (nx, no) = (x.count_ones(), o.count_ones());
        if nx != no && nx != no + 1 {
            return Err(Connect4Error::StoneCounts { x: nx, o: no });
        }
        let mine = if nx == no { x } else { o };
        if self.has_four(mine) {
            return Err(Connect4Error::AlreadyWon);
        }
        Ok(C4State { mine, mask })
    }
}

impl Game for Connect4 {
    type State = C4State;

    fn name(&self) -> String {
        let p = self.params;
        if p.opening_moves == 0 {
            format!("connect4({}x{})", p.rows, p.cols)
        } else {
            format!(
                "connect4({}x{}, opening_moves={})",
                p.rows, p.cols, p.opening_moves
            )
        }
    }

    fn num_actions(&self) -> usize {
        self.params.cols
    }

    fn num_players(&self) -> usize {
        2
    }

    #[inline]
    fn to_move(&self, s: &C4State) -> usize {
        (s.stones() % 2) as usize
    }

    #[inline]
    fn legal(&self, s: &C4State) -> Actions {
        if self.has_four(s.mine ^ s.mask) {
            return Actions(0);
        }
        let mut bits = 0;
        for c in 0..self.params.cols {
            bits |= u64::from(s.mask & self.top_cell(c) == 0) << c;
        }
        Actions(bits)
    }

    #[inline]
    fn apply(&self, s: &C4State, col: usize) -> (C4State, f32) {
        let mask = s.mask | (s.mask + (1u64 << (col as u32 * self.height)));
        let mover = s.mine | (mask ^ s.mask);
        let reward = if self.has_four(mover) { 1.0 } else { 0.0 };
        (
            C4State {
                mine: s.mine ^ s.mask,
                mask,
            },
            reward,
        )
    }

    #[inline]
    fn is_terminal(&self, s: &C4State) -> bool {
        s.mask == self.full || self.has_four(s.mine ^ s.mask)
    }

    /// Open lines: each four-cell window holding only one side's stones
    /// counts 1, 3 or 9 for 1, 2 or 3 stones, squashed into (−0.9, 0.9) so
    /// that a proven result always outranks it.
    fn heuristic(&self, s: &C4State) -> f32 {
        const WEIGHT: [i32; 5] = [0, 1, 3, 9, 0];
        let theirs = s.mine ^ s.mask;
        let mut score = 0i32;
        for &w in &self.windows {
            let (m, t) = (s.mine & w, theirs & w);
            if t == 0 {
                score += WEIGHT[m.count_ones() as usize];
            } else if m == 0 {
                score -= WEIGHT[t.count_ones() as usize];
            }
        }
        0.9 * (score as f32 / 40.0).tanh()
    }

    fn action_priority(&self, col: usize) -> i32 {
        -(2 * col as i32 - (self.params.cols as i32 - 1)).abs()
    }

    fn feature_dim(&self) -> usize {
        2 * self.params.rows * self.params.cols
    }

    /// Two planes of `rows × cols` (top row first): the mover's stones, then
    /// the opponent's.
    fn encode(&self, s: &C4State, out: &mut [f32]) -> Result<(), EncodeError> {
        check_feature_len(self.feature_dim(), out)?;
        let (rows, cols) = (self.params.rows, self.params.cols);
        let theirs = s.mine ^ s.mask;
        for i in 0..rows * cols {
            let bit = self.cell(i % cols, rows - 1 - i / cols);
            out[i] = f32::from(u8::from(s.mine & bit != 0));
            out[rows * cols + i] = f32::from(u8::from(theirs & bit != 0));
        }
        Ok(())
    }

    fn sample_instance(&self, rng: &mut Rng) -> C4State {
        random_opening(self, self.root(), self.params.opening_moves, rng)
    }

    fn render(&self, s: &C4State) -> String {
        let (rows, cols) = (self.params.rows, self.params.cols);
        let x_to_move = s.stones().is_multiple_of(2);
        let mut out = String::with_capacity((cols + 1) * rows);
        for r in (0..rows).rev() {
            for c in 0..cols {
                let bit = self.cell(c, r);
                out.push(if s.mask & bit == 0 {
                    '.'
                } else if (s.mine & bit != 0) == x_to_move {
                    'X'
                } else {
                    'O'
                });
            }
            out.push('\n');
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bad_sizes_are_rejected() {
        assert!(connect4(3, 7).is_err());
        assert!(connect4(6, 10).is_err());
        assert!(
            connect4(7, 8).is_ok(),
            "8 columns of 8 bits fill the board exactly"
        );
        assert!(connect4(6, 7).unwrap().shift(42).is_err());
    }

    #[test]
    fn wins_in_every_direction_are_detected() {
        let g = connect4(6, 7).unwrap();
        let cases = [
            (
                "vertical",
                "....... ....... ....... X...... XO..... XO...O.",
            ),
            (
                "horizontal",
                "....... ....... ....... ....... ....... XXX.OOO",
            ),
            ("rising", "....... ....... ....... ..XO... .XOX... XOXO..O"),
            ("falling", "....... ....... ....... ...OX.. ...XOX. O..OXOX"),
        ];
        for (name, board) in cases {
            let s = g.parse(board).unwrap_or_else(|e| panic!("{name}: {e}"));
            let wins: Vec<usize> = g
                .legal(&s)
                .iter()
                .filter(|&a| g.apply(&s, a).1 == 1.0)
                .collect();
            assert_eq!(wins.len(), 1, "{name}: {}", g.render(&s));
            let next = g.apply(&s, wins[0]).0;
            assert!(g.is_terminal(&next) && g.legal(&next).is_empty(), "{name}");
        }
    }

    #[test]
    fn parse_render_and_gravity() {
        let g = connect4(6, 7).unwrap();
        let board = ".......\n.......\n.......\n.......\n...O...\n..XX...\n";
        let s = g.parse(board).unwrap();
        assert_eq!(g.render(&s), board);
        assert_eq!(g.to_move(&s), 1);
        assert!(g
            .parse("...X... ....... ....... ....... ....... .......")
            .is_err());
        let full_col = (0..6).fold(g.root(), |s, _| g.apply(&s, 3).0);
        assert!(!g.legal(&full_col).contains(3));
        assert_eq!(g.legal(&full_col).len(), 6);
    }

    #[test]
    fn a_filled_board_is_terminal() {
        let g = connect4(4, 4).unwrap();
        let s = g.parse("XXOO OOXX XXOO OOXX").unwrap();
        assert!(g.is_terminal(&s) && g.legal(&s).is_empty());
    }

    #[test]
    fn features_and_heuristic_are_from_the_movers_view() {
        let g = connect4(6, 7).unwrap();
        let s = g.apply(&g.root(), 3).0;
        let mut f = vec![0.0; g.feature_dim()];
        g.encode(&s, &mut f).unwrap();
        assert_eq!(f[42 + 5 * 7 + 3], 1.0, "the first stone is the opponent's");
        assert!(g.heuristic(&s) < 0.0 && g.heuristic(&g.root()) == 0.0);
    }
}
