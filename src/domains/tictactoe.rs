//! Tic-tac-toe on two 9-bit bitboards.
//!
//! The state keeps the stones of the player to move and of the opponent,
//! swapped after every move, so that features and values are naturally from
//! the mover's perspective. Cells are numbered row-major from the top left
//! (action `a` = cell `a`); X moves first. Win detection is one lookup in a
//! 512-entry table of "contains a line" bits.

use std::fmt;

use crate::domains::game::{check_feature_len, random_opening, Actions, EncodeError, Game};
use crate::rng::Rng;

const FULL: u16 = 0x1FF;
const LINES: [u16; 8] = [
    0b000_000_111,
    0b000_111_000,
    0b111_000_000,
    0b001_001_001,
    0b010_010_010,
    0b100_100_100,
    0b100_010_001,
    0b001_010_100,
];

const fn win_table() -> [bool; 512] {
    let mut table = [false; 512];
    let mut bits = 0;
    while bits < 512 {
        let mut l = 0;
        while l < 8 {
            if bits as u16 & LINES[l] == LINES[l] {
                table[bits] = true;
            }
            l += 1;
        }
        bits += 1;
    }
    table
}

static WINS: [bool; 512] = win_table();

#[inline]
fn has_line(stones: u16) -> bool {
    WINS[stones as usize]
}

/// A tic-tac-toe position: the mover's stones and the opponent's.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub struct TttState {
    pub me: u16,
    pub opp: u16,
}

impl TttState {
    /// Number of stones on the board.
    pub fn stones(&self) -> u32 {
        (self.me | self.opp).count_ones()
    }

    /// The (X, O) bitboards, whoever is to move.
    pub fn xo(&self) -> (u16, u16) {
        if self.stones().is_multiple_of(2) {
            (self.me, self.opp)
        } else {
            (self.opp, self.me)
        }
    }
}

/// Parameters of the tic-tac-toe instance distribution.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct TicTacToeParams {
    /// Random (non-terminal) moves played from the empty board to make an
    /// instance; 0 means every instance is the empty board.
    pub opening_moves: usize,
}

/// Tic-tac-toe; instances are the empty board after `opening_moves` random moves.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct TicTacToe {
    params: TicTacToeParams,
}

/// Why a tic-tac-toe family or board is refused.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TicTacToeError {
    /// More opening moves than a game that is still going can have.
    OpeningMoves { opening_moves: usize },
    /// A board with a tenth cell (the whole text is kept).
    TooManyCells { board: String },
    /// A character that is not a cell.
    UnexpectedCell { found: char },
    /// A board with fewer than 9 cells.
    TooFewCells { found: usize },
    /// Stone counts no game reaches.
    StoneCounts { x: u32, o: u32 },
    /// The player to move already has a line.
    AlreadyWon,
}

impl fmt::Display for TicTacToeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TicTacToeError::OpeningMoves { opening_moves } => write!(
                f,
                "tictactoe: opening_moves must be at most 8 (a board with 9 stones is over), got {opening_moves}"
            ),
            TicTacToeError::TooManyCells { board } => {
                write!(f, "tictactoe board has more than 9 cells: {board:?}")
            }
            TicTacToeError::UnexpectedCell { found } => {
                write!(f, "unexpected {found:?} in tictactoe board")
            }
            TicTacToeError::TooFewCells { found } => {
                write!(f, "tictactoe board needs 9 cells, got {found}")
            }
            TicTacToeError::StoneCounts { x, o } => {
                write!(f, "impossible tictactoe board: {x} X and {o} O")
            }
            TicTacToeError::AlreadyWon => write!(
                f,
                "impossible tictactoe board: the player to move has already won"
            ),
        }
    }
}

impl std::error::Error for TicTacToeError {}

/// `tictactoe()` with default parameters.
pub fn tictactoe() -> TicTacToe {
    TicTacToe::default()
}

impl TicTacToe {
    pub fn new(params: TicTacToeParams) -> Result<Self, TicTacToeError> {
        if params.opening_moves > 8 {
            return Err(TicTacToeError::OpeningMoves {
                opening_moves: params.opening_moves,
            });
        }
        Ok(TicTacToe { params })
    }

    pub fn params(&self) -> TicTacToeParams {
        self.params
    }

    /// The out-of-distribution variant: instances start `opening_moves` in.
    pub fn shift(&self, opening_moves: usize) -> Result<Self, TicTacToeError> {
        TicTacToe::new(TicTacToeParams { opening_moves })
    }

    pub fn root(&self) -> TttState {
        TttState::default()
    }

    /// Reads a board from 9 cells of `X`, `O` and `.` (or `-`, `_`), row-major;
    /// whitespace and `|` are ignored. The side to move follows from the counts.
    pub fn parse(&self, board: &str) -> Result<TttState, TicTacToeError> {
        let (mut x, mut o, mut n) = (0u16, 0u16, 0usize);
        for ch in board.chars().filter(|c| !c.is_whitespace() && *c != '|') {
            if n >= 9 {
                return Err(TicTacToeError::TooManyCells {
                    board: board.to_string(),
                });
            }
            match ch {
                'X' | 'x' => x |= 1 << n,
                'O' | 'o' => o |= 1 << n,
                '.' | '-' | '_' => {}
                other => return Err(TicTacToeError::UnexpectedCell { found: other }),
            }
            n += 1;
        }
        if n != 9 {
            return Err(TicTacToeError::TooFewCells { found: n });
        }
        let (nx, no) = (x.count_ones(), o.count_ones());
        if nx != no && nx != no + 1 {
            return Err(TicTacToeError::StoneCounts { x: nx, o: no });
        }
        let s = if nx == no {
            TttState { me: x, opp: o }
        } else {
            TttState { me: o, opp: x }
        };
        if has_line(s.me) {
            return Err(TicTacToeError::AlreadyWon);
        }
        Ok(s)
    }

    /// Exact negamax value for the player to move (alpha-beta, no table: the
    /// whole game is ~500k nodes without pruning, far fewer with it).
    fn solve(s: TttState, mut alpha: i8, beta: i8) -> i8 {
        if has_line(s.opp) {
            return -1;
        }
        let empty = !(s.me | s.opp) & FULL;
        if empty == 0 {
            return 0;
        }
        let mut best = -2;
        for a in Actions(u64::from(empty)).iter() {
            let next = TttState {
                me: s.opp,
                opp: s.me | 1 << a,
            };
            let v = -Self::solve(next, -beta, -alpha);
            if v > best {
                best = v;
                alpha = alpha.max(v);
                if alpha >= beta {
                    break;
                }
            }
        }
        best
    }
}

impl Game for TicTacToe {
    type State = TttState;

    fn name(&self) -> String {
        if self.params.opening_moves == 0 {
            "tictactoe".into()
        } else {
            format!("tictactoe(opening_moves={})", self.params.opening_moves)
        }
    }

    fn num_actions(&self) -> usize {
        9
    }

    fn num_players(&self) -> usize {
        2
    }

    #[inline]
    fn to_move(&self, s: &TttState) -> usize {
        (s.stones() % 2) as usize
    }

    #[inline]
    fn legal(&self, s: &TttState) -> Actions {
        if has_line(s.opp) {
            Actions(0)
        } else {
            Actions(u64::from(!(s.me | s.opp) & FULL))
        }
    }

    #[inline]
    fn apply(&self, s: &TttState, a: usize) -> (TttState, f32) {
        let mine = s.me | 1 << a;
        let reward = if has_line(mine) { 1.0 } else { 0.0 };
        (
            TttState {
                me: s.opp,
                opp: mine,
            },
            reward,
        )
    }

    #[inline]
    fn is_terminal(&self, s: &TttState) -> bool {
        has_line(s.opp) || (s.me | s.opp) == FULL
    }

    fn action_priority(&self, a: usize) -> i32 {
        match a {
            4 => 2,
            0 | 2 | 6 | 8 => 1,
            _ => 0,
        }
    }

    fn feature_dim(&self) -> usize {
        18
    }

    /// Two planes of 9: the mover's stones, then the opponent's.
    fn encode(&self, s: &TttState, out: &mut [f32]) -> Result<(), EncodeError> {
        check_feature_len(18, out)?;
        for i in 0..9 {
            out[i] = f32::from(s.me >> i & 1);
            out[9 + i] = f32::from(s.opp >> i & 1);
        }
        Ok(())
    }

    fn sample_instance(&self, rng: &mut Rng) -> TttState {
        random_opening(self, self.root(), self.params.opening_moves, rng)
    }

    fn optimal_value(&self, s: &TttState) -> Option<f32> {
        Some(f32::from(Self::solve(*s, -2, 2)))
    }

    fn render(&self, s: &TttState) -> String {
        let (x, o) = s.xo();
        let mut out = String::with_capacity(12);
        for i in 0..9 {
            out.push(if x >> i & 1 == 1 {
                'X'
            } else if o >> i & 1 == 1 {
                'O'
            } else {
                '.'
            });
            if i % 3 == 2 {
                out.push('\n');
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    fn count_reachable(g: &TicTacToe, s: TttState, seen: &mut HashSet<TttState>) {
        if !seen.insert(s) {
            return;
        }
        for a in g.legal(&s).iter() {
            count_reachable(g, g.apply(&s, a).0, seen);
        }
    }

    #[test]
    fn exactly_5478_positions_are_reachable() {
        let g = tictactoe();
        let mut seen = HashSet::new();
        count_reachable(&g, g.root(), &mut seen);
        assert_eq!(seen.len(), 5478);
        let terminal = seen.iter().filter(|s| g.is_terminal(s)).count();
        assert_eq!(terminal, 958);
    }

    #[test]
    fn root_is_a_draw_and_wins_are_seen() {
        let g = tictactoe();
        assert_eq!(g.optimal_value(&g.root()), Some(0.0));
        let s = g.parse("XX. OO. ...").unwrap();
        assert_eq!(g.to_move(&s), 0);
        assert_eq!(g.optimal_value(&s), Some(1.0));
        let (next, r) = g.apply(&s, 2);
        assert_eq!(r, 1.0);
        assert!(g.is_terminal(&next) && g.legal(&next).is_empty());
    }

    #[test]
    fn parse_render_round_trip_and_errors() {
        let g = tictactoe();
        let s = g.parse("X.O\n.X.\n..O").unwrap();
        assert_eq!(g.render(&s), "X.O\n.X.\n..O\n");
        assert_eq!(g.to_move(&s), 0);
        assert!(g.parse("XXX......").is_err());
        assert!(g.parse("XXX OO. O..").is_err());
        assert!(g.parse("X.O").is_err());
        assert!(g.parse("X.O.X.O.Z").is_err());
        assert!(TicTacToe::new(TicTacToeParams { opening_moves: 9 }).is_err());
    }

    #[test]
    fn features_are_from_the_movers_view() {
        let g = tictactoe();
        let s = g.parse("X........").unwrap();
        let mut f = [0.0; 18];
        g.encode(&s, &mut f).unwrap();
        assert_eq!(f[9], 1.0, "X is the opponent when O is to move");
        assert_eq!(f.iter().sum::<f32>(), 1.0);
        assert!(g.encode(&s, &mut [0.0; 3]).is_err());
    }

    #[test]
    fn instances_have_the_requested_opening_and_are_live() {
        let g = tictactoe().shift(7).unwrap();
        let mut rng = Rng::new(5);
        for _ in 0..200 {
            let s = g.sample_instance(&mut rng);
            assert_eq!(s.stones(), 7);
            assert!(!g.is_terminal(&s));
        }
    }
}
