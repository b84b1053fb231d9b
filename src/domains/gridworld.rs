//! Gridworld: a single agent walks a random maze to a goal.
//!
//! An instance is a wall layout with a start and a goal cell, drawn per seed
//! and guaranteed solvable (layouts are redrawn, and as a last resort a
//! corridor is carved, until a breadth-first search connects start and
//! goal). Four actions (up, right, down, left); moving into a wall or off the
//! board is not legal. Each step costs `step_cost`, reaching the goal pays 1,
//! and an episode ends at the goal or after `max_steps` steps, so an optimal
//! return is `1 − step_cost · (shortest path length)`.
//!
//! The state carries the whole instance (walls as a 256-bit set, goal, agent,
//! step count), so it stays `Copy` and searches need nothing else; boards are
//! therefore limited to 16 × 16.
//!
//! **Features and other sizes.** The default encoding is *egocentric*: a
//! `(2r+1)²` window centred on the agent with a wall plane (off-board counts
//! as wall) and a goal plane, followed by three goal-direction features
//! (`dx` and `dy` divided by the Manhattan distance, and `1/(1+distance)`).
//! Its width depends only on the radius `r`, never on the board size, so a
//! network trained on 6 × 6 mazes can be evaluated unchanged on 12 × 12 ones
//! (the out-of-distribution experiment). The `Global` encoding (wall, goal
//! and agent planes of `size²` each) sees the whole maze but ties a network
//! to one size.

use std::collections::VecDeque;
use std::fmt;

use crate::domains::game::{check_feature_len, Actions, EncodeError, FiniteStates, Game};
use crate::rng::Rng;

/// The largest supported side (the wall set is 256 bits).
pub const MAX_SIZE: usize = 16;

/// Row and column offsets of the four actions: up, right, down, left.
const MOVES: [(i32, i32); 4] = [(-1, 0), (0, 1), (1, 0), (0, -1)];

/// A gridworld state: the instance (walls, goal) and the agent.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub struct GridState {
    pub walls: [u64; 4],
    pub agent: u8,
    pub goal: u8,
    pub steps: u16,
}

impl GridState {
    #[inline]
    pub fn is_wall(&self, cell: usize) -> bool {
        self.walls[cell >> 6] >> (cell & 63) & 1 == 1
    }

    fn set_wall(&mut self, cell: usize, wall: bool) {
        let bit = 1u64 << (cell & 63);
        if wall {
            self.walls[cell >> 6] |= bit;
        } else {
            self.walls[cell >> 6] &= !bit;
        }
    }
}

/// How a state is turned into features (see the module docs).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GridEncoding {
    /// A `(2·radius+1)²` egocentric window (walls, goal) plus goal direction:
    /// the same width for every board size.
    Local { radius: usize },
    /// Wall, goal and agent planes over the whole board (`3·size²`).
    Global,
}

/// Parameters of the maze family.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct GridParams {
    /// Side of the square board, 2 to 16.
    pub size: usize,
    /// Probability that a cell is a wall, in `[0, 0.9]`.
    pub walls: f64,
    /// Reward lost per step (≥ 0).
    pub step_cost: f32,
    /// Episode limit; `None` means `4·size²`. Must be at least `size²`, so
    /// that every shortest path fits.
    pub max_steps: Option<usize>,
    pub encoding: GridEncoding,
}

impl Default for GridParams {
    fn default() -> Self {
        GridParams {
            size: 8,
            walls: 0.2,
            step_cost: 0.01,
            max_steps: None,
            encoding: GridEncoding::Local { radius: 3 },
        }
    }
}

/// A family of random mazes.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct GridWorld {
    params: GridParams,
    max_steps: usize,
}

/// Why a maze family or board is refused.
#[derive(Clone, Debug, PartialEq)]
pub enum GridError {
    /// The side is outside 2 to [`MAX_SIZE`].
    Size { size: usize },
    /// The wall probability is outside `[0, 0.9]`.
    Walls { walls: f64 },
    /// The step cost is negative or not finite.
    StepCost { step_cost: f32 },
    /// The episode limit is below `size²` (some shortest path would not
    /// fit) or above what the step counter holds.
    MaxSteps {
        max_steps: usize,
        min: usize,
        max: usize,
    },
    /// The local encoding's radius is 0 or beyond twice the largest side.
    Radius { radius: usize },
    /// A board with the wrong number of cells.
    CellCount { expected: usize, found: usize },
    /// A character that is not a cell.
    UnexpectedCell { found: char },
    /// A board without exactly one agent and one goal on different cells.
    AgentAndGoal,
}

impl fmt::Display for GridError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            GridError::Size { size } => write!(
                f,
                "gridworld size must be between 2 and {MAX_SIZE}, got {size}"
            ),
            GridError::Walls { walls } => {
                write!(f, "gridworld walls must be in [0, 0.9], got {walls}")
            }
            GridError::StepCost { step_cost } => {
                write!(f, "gridworld step_cost must be ≥ 0, got {step_cost}")
            }
            GridError::MaxSteps {
                max_steps,
                min,
                max,
            } => write!(
                f,
                "gridworld max_steps must be between size² = {min} and {max}, got {max_steps}"
            ),
            GridError::Radius { radius } => write!(
                f,
                "gridworld encoding radius must be 1 to {}, got {radius}",
                2 * MAX_SIZE
            ),
            GridError::CellCount { expected, found } => {
                write!(f, "gridworld board needs {expected} cells, got {found}")
            }
            GridError::UnexpectedCell { found } => {
                write!(f, "unexpected {found:?} in gridworld board")
            }
            GridError::AgentAndGoal => {
                write!(f, "gridworld board needs one agent `A` and one goal `G`")
            }
        }
    }
}

impl std::error::Error for GridError {}

/// `gridworld(size, walls)` with the other parameters at their defaults.
pub fn gridworld(size: usize, walls: f64) -> Result<GridWorld, GridError> {
    GridWorld::new(GridParams {
        size,
        walls,
        ..GridParams::default()
    })
}

impl GridWorld {
    pub fn new(params: GridParams) -> Result<Self, GridError> {
        let size = params.size;
        if !(2..=MAX_SIZE).contains(&size) {
            return Err(GridError::Size { size });
        }
        if !(0.0..=0.9).contains(&params.walls) {
            return Err(GridError::Walls {
                walls: params.walls,
            });
        }
        if !(params.step_cost >= 0.0 && params.step_cost.is_finite()) {
            return Err(GridError::StepCost {
                step_cost: params.step_cost,
            });
        }
        let max_steps = params.max_steps.unwrap_or(4 * size * size);
        let (min, max) = (size * size, usize::from(u16::MAX));
        if max_steps < min || max_steps > max {
            return Err(GridError::MaxSteps {
                max_steps,
                min,
                max,
            });
        }
        if let GridEncoding::Local { radius } = params.encoding {
            if radius == 0 || radius > 2 * MAX_SIZE {
                return Err(GridError::Radius { radius });
            }
        }
        Ok(GridWorld { params, max_steps })
    }

    pub fn params(&self) -> GridParams {
        self.params
    }

    /// The out-of-distribution variant: another size and wall density, same
    /// rewards and encoding (the local encoding keeps its width).
    pub fn shift(&self, size: usize, walls: f64) -> Result<Self, GridError> {
        GridWorld::new(GridParams {
            size,
            walls,
            max_steps: None,
            ..self.params
        })
    }

    pub fn size(&self) -> usize {
        self.params.size
    }

    pub fn step_cost(&self) -> f32 {
        self.params.step_cost
    }

    pub fn max_steps(&self) -> usize {
        self.max_steps
    }

    /// The cell reached from `cell` by `action`, if it is on the board and open.
    #[inline]
    pub fn neighbour(&self, s: &GridState, cell: usize, action: usize) -> Option<usize> {
        let n = self.params.size as i32;
        let (dr, dc) = MOVES[action];
        let (r, c) = (cell as i32 / n + dr, cell as i32 % n + dc);
        if r < 0 || r >= n || c < 0 || c >= n {
            return None;
        }
        let next = (r * n + c) as usize;
        (!s.is_wall(next)).then_some(next)
    }

    /// Breadth-first distances from every cell to the goal (`None` where the
    /// goal cannot be reached or the cell is a wall).
    pub fn distances_to_goal(&self, s: &GridState) -> Vec<Option<usize>> {
        let cells = self.params.size * self.params.size;
        let mut dist = vec![None; cells];
        let mut queue = VecDeque::with_capacity(cells);
        dist[usize::from(s.goal)] = Some(0);
        queue.push_back(usize::from(s.goal));
        while let Some(cell) = queue.pop_front() {
            let d = dist[cell].unwrap_or(0);
            for a in 0..4 {
                if let Some(next) = self.neighbour(s, cell, a) {
                    if dist[next].is_none() {
                        dist[next] = Some(d + 1);
                        queue.push_back(next);
                    }
                }
            }
        }
        dist
    }

    /// Length of a shortest path from the agent to the goal.
    pub fn shortest_path(&self, s: &GridState) -> Option<usize> {
        self.distances_to_goal(s)[usize::from(s.agent)]
    }

    /// The same instance with the agent on `cell` at step 0.
    pub fn with_agent(&self, s: &GridState, cell: usize) -> GridState {
        GridState {
            agent: cell as u8,
            steps: 0,
            ..*s
        }
    }

    /// Reads a maze of `size` lines of `size` cells: `#` wall, `.` open,
    /// `A` agent, `G` goal; whitespace is ignored.
    pub fn parse(&self, board: &str) -> Result<GridState, GridError> {
        let n = self.params.size;
        let cells: Vec<char> = board.chars().filter(|c| !c.is_whitespace()).collect();
        if cells.len() != n * n {
            return Err(GridError::CellCount {
                expected: n * n,
                found: cells.len(),
            });
        }
        let mut s = GridState::default();
        let (mut agent, mut goal) = (None, None);
        for (i, ch) in cells.iter().enumerate() {
            match ch {
                '#' => s.set_wall(i, true),
                '.' => {}
                'A' => agent = Some(i),
                'G' => goal = Some(i),
                other => return Err(GridError::UnexpectedCell { found: *other }),
            }
        }
        match (agent, goal) {
            (Some(a), Some(g)) if a != g => {
                s.agent = a as u8;
                s.goal = g as u8;
                Ok(s)
            }
            _ => Err(GridError::AgentAndGoal),
        }
    }

    fn direction_features(&self, s: &GridState, out: &mut [f32]) {
        let n = self.params.size as i32;
        let (a, g) = (i32::from(s.agent), i32::from(s.goal));
        let (dy, dx) = ((g / n - a / n) as f32, (g % n - a % n) as f32);
        let d = dx.abs() + dy.abs();
        if d > 0.0 {
            out[0] = dx / d;
            out[1] = dy / d;
        } else {
            out[0] = 0.0;
            out[1] = 0.0;
        }
        out[2] = 1.0 / (1.0 + d);
    }
}

impl Game for GridWorld {
    type State = GridState;

    fn name(&self) -> String {
        format!(
            "gridworld(size={}, walls={})",
            self.params.size, self.params.walls
        )
    }

    fn num_actions(&self) -> usize {
        4
    }

    fn num_players(&self) -> usize {
        1
    }

    fn to_move(&self, _s: &GridState) -> usize {
        0
    }

    #[inline]
    fn legal(&self, s: &GridState) -> Actions {
        if self.is_terminal(s) {
            return Actions(0);
        }
        let mut bits = 0;
        for a in 0..4 {
            if self.neighbour(s, usize::from(s.agent), a).is_some() {
                bits |= 1 << a;
            }
        }
        Actions(bits)
    }

    #[inline]
    fn apply(&self, s: &GridState, action: usize) -> (GridState, f32) {
        let agent = self
            .neighbour(s, usize::from(s.agent), action)
            .unwrap_or(usize::from(s.agent));
        let next = GridState {
            agent: agent as u8,
            steps: s.steps + 1,
            ..*s
        };
        let reward = if next.agent == next.goal { 1.0 } else { 0.0 };
        (next, reward - self.params.step_cost)
    }

    #[inline]
    fn is_terminal(&self, s: &GridState) -> bool {
        s.agent == s.goal || usize::from(s.steps) >= self.max_steps
    }

    fn feature_dim(&self) -> usize {
        match self.params.encoding {
            GridEncoding::Local { radius } => 2 * (2 * radius + 1).pow(2) + 3,
            GridEncoding::Global => 3 * self.params.size * self.params.size,
        }
    }

    fn encode(&self, s: &GridState, out: &mut [f32]) -> Result<(), EncodeError> {
        check_feature_len(self.feature_dim(), out)?;
        let n = self.params.size as i32;
        match self.params.encoding {
            GridEncoding::Local { radius } => {
                let r = radius as i32;
                let w = (2 * r + 1) as usize;
                let (ar, ac) = (i32::from(s.agent) / n, i32::from(s.agent) % n);
                for dr in -r..=r {
                    for dc in -r..=r {
                        let i = (dr + r) as usize * w + (dc + r) as usize;
                        let (row, col) = (ar + dr, ac + dc);
                        let inside = row >= 0 && row < n && col >= 0 && col < n;
                        let cell = (row * n + col) as usize;
                        out[i] = f32::from(u8::from(!inside || s.is_wall(cell)));
                        out[w * w + i] = f32::from(u8::from(inside && cell == usize::from(s.goal)));
                    }
                }
                self.direction_features(s, &mut out[2 * w * w..]);
            }
            GridEncoding::Global => {
                let cells = (n * n) as usize;
                for cell in 0..cells {
                    out[cell] = f32::from(u8::from(s.is_wall(cell)));
                    out[cells + cell] = f32::from(u8::from(cell == usize::from(s.goal)));
                    out[2 * cells + cell] = f32::from(u8::from(cell == usize::from(s.agent)));
                }
            }
        }
        Ok(())
    }

    /// A fresh maze: walls with probability `walls`, distinct random start
    /// and goal; redrawn until connected, with a carved corridor as the
    /// fallback for very dense walls.
    fn sample_instance(&self, rng: &mut Rng) -> GridState {
        let n = self.params.size;
        let cells = n * n;
        let mut s = GridState::default();
        for _ in 0..100 {
            s = GridState::default();
            for cell in 0..cells {
                s.set_wall(cell, rng.uniform() < self.params.walls);
            }
            let start = rng.below(cells);
            let goal = (start + 1 + rng.below(cells - 1)) % cells;
            s.set_wall(start, false);
            s.set_wall(goal, false);
            s.agent = start as u8;
            s.goal = goal as u8;
            if self.shortest_path(&s).is_some() {
                return s;
            }
        }
        // Carve an L-shaped corridor: first along the row, then the column.
        let (goal_row, goal_col) = (usize::from(s.goal) / n, usize::from(s.goal) % n);
        let (mut row, mut col) = (usize::from(s.agent) / n, usize::from(s.agent) % n);
        while col != goal_col {
            col = if col < goal_col { col + 1 } else { col - 1 };
            s.set_wall(row * n + col, false);
        }
        while row != goal_row {
            row = if row < goal_row { row + 1 } else { row - 1 };
            s.set_wall(row * n + col, false);
        }
        s
    }

    /// `1 − step_cost · d` for a shortest path of length `d`, when it fits
    /// in the steps left (otherwise only step costs remain). Mazes are
    /// deterministic and undiscounted, so this breadth-first optimum is
    /// exact, and it owes nothing to any solver: evaluation gaps, value
    /// iteration's included, are measured against it.
    fn optimal_value(&self, s: &GridState) -> Option<f32> {
        if self.is_terminal(s) {
            return Some(0.0);
        }
        let left = self.max_steps - usize::from(s.steps);
        let cost = self.params.step_cost;
        Some(match self.shortest_path(s) {
            Some(d) if d <= left => 1.0 - cost * d as f32,
            _ => -cost * left as f32,
        })
    }

    fn reached_goal(&self, s: &GridState) -> bool {
        s.agent == s.goal
    }

    fn render(&self, s: &GridState) -> String {
        let n = self.params.size;
        let mut out = String::with_capacity((n + 1) * n);
        for cell in 0..n * n {
            out.push(if cell == usize::from(s.agent) {
                'A'
            } else if cell == usize::from(s.goal) {
                'G'
            } else if s.is_wall(cell) {
                '#'
            } else {
                '.'
            });
            if cell % n == n - 1 {
                out.push('\n');
            }
        }
        out
    }

    fn finite_states(&self) -> Option<&dyn FiniteStates<GridState>> {
        Some(self)
    }
}

/// A maze's states are its open cells, the agent on each at step 0.
impl FiniteStates<GridState> for GridWorld {
    fn state_count(&self, _of: &GridState) -> usize {
        self.params.size * self.params.size
    }

    fn state_at(&self, of: &GridState, i: usize) -> Option<GridState> {
        (!of.is_wall(i)).then(|| self.with_agent(of, i))
    }

    fn state_index(&self, state: &GridState) -> usize {
        usize::from(state.agent)
    }

    fn same_instance(&self, a: &GridState, b: &GridState) -> bool {
        a.walls == b.walls && a.goal == b.goal
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bad_parameters_are_errors() {
        assert!(gridworld(1, 0.2).is_err());
        assert!(gridworld(17, 0.2).is_err());
        assert!(gridworld(8, 0.95).is_err());
        assert!(gridworld(8, -0.1).is_err());
        let p = GridParams {
            max_steps: Some(10),
            ..GridParams::default()
        };
        assert!(GridWorld::new(p).is_err());
    }

    #[test]
    fn instances_are_solvable_even_with_dense_walls() {
        let mut rng = Rng::new(9);
        for walls in [0.0, 0.2, 0.5, 0.9] {
            let g = gridworld(10, walls).unwrap();
            for _ in 0..50 {
                let s = g.sample_instance(&mut rng);
                assert!(s.agent != s.goal && !g.is_terminal(&s));
                assert!(g.shortest_path(&s).is_some(), "{}", g.render(&s));
            }
        }
    }

    #[test]
    fn walking_the_shortest_path_pays_the_optimal_return() {
        let g = gridworld(5, 0.0).unwrap();
        let s = g.parse("A.... .###. ...#. .#.#. ...#G").unwrap();
        assert_eq!(g.shortest_path(&s), Some(8));
        assert_eq!(g.legal(&s), Actions(0b0110), "right and down only");
        let path = [1, 1, 1, 1, 2, 2, 2, 2];
        let (mut t, mut ret) = (s, 0.0);
        for a in path {
            let (next, r) = g.apply(&t, a);
            t = next;
            ret += r;
        }
        assert!(g.reached_goal(&t) && g.is_terminal(&t));
        assert!((ret - 0.92).abs() < 1e-6);
        assert!((g.optimal_value(&s).unwrap_or(0.0) - 0.92).abs() < 1e-6);
    }

    #[test]
    fn local_features_have_the_same_width_on_every_size() {
        let small = gridworld(6, 0.2).unwrap();
        let large = small.shift(12, 0.3).unwrap();
        assert_eq!(small.feature_dim(), large.feature_dim());
        let s = small
            .parse("A....G ...... ...... ...... ...... ......")
            .unwrap();
        let mut f = vec![0.0; small.feature_dim()];
        small.encode(&s, &mut f).unwrap();
        let w = 7;
        assert_eq!(f[0], 1.0, "off the board reads as wall");
        assert_eq!(f[3 * w + 3], 0.0, "the agent's own cell is open");
        assert_eq!(
            f[w * w + 3 * w + 5],
            0.0,
            "the goal is 5 away, outside the window"
        );
        assert_eq!(&f[2 * w * w..], &[1.0, 0.0, 1.0 / 6.0]);
        let global = GridWorld::new(GridParams {
            encoding: GridEncoding::Global,
            ..small.params()
        })
        .unwrap();
        let mut f = vec![0.0; global.feature_dim()];
        global.encode(&s, &mut f).unwrap();
        assert_eq!((f[36 + 5], f[72]), (1.0, 1.0));
    }
}
