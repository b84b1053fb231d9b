//! The open core, proved from outside the crate: a new game (Nim) and a new
//! direct algorithm (one-step greedy lookahead) are defined here, added to
//! the standard registry through its public registration API, and used
//! from a script with `plan`, `evaluate`, `compare`, `solve`, `amortize`,
//! `init` and `shift` — next to the crate's own algorithms, which play the
//! new game monomorphized (its kernels), while the new algorithm plays
//! every game through the erased view.

mod common;

use std::sync::Arc;

use common::{cell, run_script_with, table};
use optimist::algorithms::mcts::MctsAgent;
use optimist::compose::erased::{ErasedGame, Unerased};
use optimist::compose::play::{play_match, Agent, Decision};
use optimist::compose::{
    AlgorithmDescriptor, Amortized, Context, Families, GameProblem, Problem, ProblemDescriptor,
    ProblemError, SolveError, Solver, WarmStart, WarmStarts,
};
use optimist::direct::mcts::MctsParams;
use optimist::domains::game::{check_feature_len, Actions, EncodeError, FiniteStates, Game};
use optimist::interp::Registry;
use optimist::params::{ParamSpec, Params};
use optimist::rng::Rng;

/// The largest heap a position may hold; a move takes 1 to `MAX` objects.
const MAX: usize = 7;

/// Nim under normal play: players alternately take objects from one heap;
/// whoever takes the last object wins. A position is lost for the player to
/// move exactly when the heaps' nim-sum (xor) is zero.
#[derive(Clone, Copy, Debug)]
struct Nim {
    heaps: usize,
    /// Instances draw each heap from 1 to `largest` objects.
    largest: usize,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
struct NimState {
    heaps: [u8; 4],
    to_move: u8,
}

impl Nim {
    fn nim_sum(s: &NimState) -> u8 {
        s.heaps.iter().fold(0, |x, h| x ^ h)
    }
}

impl Game for Nim {
    type State = NimState;

    fn name(&self) -> String {
        format!("nim({}, largest={})", self.heaps, self.largest)
    }
    fn num_actions(&self) -> usize {
        self.heaps * MAX
    }
    fn num_players(&self) -> usize {
        2
    }
    fn to_move(&self, s: &NimState) -> usize {
        usize::from(s.to_move)
    }
    fn legal(&self, s: &NimState) -> Actions {
        let mut bits = 0u64;
        for (i, &h) in s.heaps.iter().enumerate().take(self.heaps) {
            for take in 1..=usize::from(h) {
                bits |= 1 << (i * MAX + take - 1);
            }
        }
        Actions(bits)
    }
    fn apply(&self, s: &NimState, action: usize) -> (NimState, f32) {
        let (heap, take) = (action / MAX, action % MAX + 1);
        let mut next = *s;
        next.heaps[heap] -= take as u8;
        next.to_move = 1 - s.to_move;
        let won = next.heaps.iter().all(|&h| h == 0);
        (next, if won { 1.0 } else { 0.0 })
    }
    fn is_terminal(&self, s: &NimState) -> bool {
        s.heaps.iter().all(|&h| h == 0)
    }
    /// Exact: +1 when the player to move wins with perfect play.
    fn heuristic(&self, s: &NimState) -> f32 {
        self.optimal_value(s).unwrap_or(0.0)
    }
    fn feature_dim(&self) -> usize {
        self.heaps * MAX
    }
    /// Each heap in unary: heap `i` of size `h` sets its first `h` cells.
    fn encode(&self, s: &NimState, out: &mut [f32]) -> Result<(), EncodeError> {
        check_feature_len(self.feature_dim(), out)?;
        for (i, &h) in s.heaps.iter().enumerate().take(self.heaps) {
            for j in 0..MAX {
                out[i * MAX + j] = f32::from(u8::from(j < usize::from(h)));
            }
        }
        Ok(())
    }
    fn sample_instance(&self, rng: &mut Rng) -> NimState {
        let mut heaps = [0u8; 4];
        for h in heaps.iter_mut().take(self.heaps) {
            *h = 1 + rng.below(self.largest) as u8;
        }
        NimState { heaps, to_move: 0 }
    }
    fn optimal_value(&self, s: &NimState) -> Option<f32> {
        if self.is_terminal(s) {
            return Some(0.0);
        }
        Some(if Nim::nim_sum(s) != 0 { 1.0 } else { -1.0 })
    }
    fn render(&self, s: &NimState) -> String {
        format!("{:?}", &s.heaps[..self.heaps])
    }
}

fn nim_descriptor() -> ProblemDescriptor {
    ProblemDescriptor {
        name: "nim",
        doc: "Nim under normal play on a few random heaps of 1 to `largest` objects.",
        params: vec![
            ParamSpec::int("heaps", 3, "number of heaps").range(1.0, 4.0),
            ParamSpec::int("largest", 3, "the largest heap of an instance").range(1.0, 7.0),
        ],
        shift: vec![ParamSpec::optional(
            "largest",
            optimist::params::ParamKind::Int,
            "nim: the largest heap",
        )
        .range(1.0, 7.0)
        .named()],
        families: Families::GAME,
        example: "nim(heaps=3)",
        build: |p: &Params| -> Result<Arc<dyn Problem>, ProblemError> {
            let nim = Nim {
                heaps: p.usize("heaps"),
                largest: p.usize("largest"),
            };
            Ok(Arc::new(
                GameProblem::new(nim, optimist::algorithms::kernels()).with_shift(
                    &["largest"],
                    |g, by| {
                        Ok(Nim {
                            largest: by.opt_usize("largest").unwrap_or(g.largest),
                            ..*g
                        })
                    },
                ),
            ))
        },
    }
}

/// One-step greedy lookahead: the move whose immediate reward plus the
/// heuristic value of the position it leads to is best for the mover; ties
/// go to the prior's most probable move when it has one (`init`), else to
/// the lowest action.
#[derive(Clone, Debug, Default)]
struct Greedy {
    prior: Option<Arc<Amortized>>,
}

fn greedy_descriptor() -> AlgorithmDescriptor {
    AlgorithmDescriptor {
        name: "greedy",
        doc: "One-step lookahead on the problem's heuristic; ties broken by a prior.",
        params: Vec::new(),
        families: Families::DISCRETE,
        warm_starts: WarmStarts::ACTION_PRIOR,
        build: |_: &Params, _: &Context| -> Result<Arc<dyn Solver>, SolveError> {
            Ok(Arc::new(Greedy::default()))
        },
    }
}

impl Solver for Greedy {
    fn algorithm(&self) -> &str {
        "greedy"
    }
    fn families(&self) -> Families {
        Families::DISCRETE
    }
    fn accepts(&self) -> WarmStarts {
        WarmStarts::ACTION_PRIOR
    }
    fn warm(&self, with: &WarmStart) -> Result<Arc<dyn Solver>, SolveError> {
        match with {
            WarmStart::Prior(prior) => Ok(Arc::new(Greedy {
                prior: prior.clone(),
            })),
            other => Err(SolveError::Warm {
                solver: "greedy".into(),
                wanted: other.kind(),
            }),
        }
    }
    fn erased_agent(
        &self,
        _game: &ErasedGame,
    ) -> Option<Result<Box<dyn Agent<ErasedGame>>, SolveError>> {
        Some(Ok(Box::new(GreedyAgent {
            prior: self.prior.clone(),
        })))
    }
    fn model(&self) -> Option<&Amortized> {
        self.prior.as_deref()
    }
}

struct GreedyAgent {
    prior: Option<Arc<Amortized>>,
}

impl<G: Game> Agent<G> for GreedyAgent {
    fn name(&self) -> String {
        "greedy".into()
    }

    fn act(&mut self, game: &G, state: &G::State, _rng: &mut Rng) -> Result<Decision, SolveError> {
        let legal = game.legal(state);
        let (prior, cost) = match &self.prior {
            Some(p) => {
                let mut x = vec![0.0; game.feature_dim()];
                game.encode(state, &mut x).map_err(SolveError::native)?;
                let mask: Vec<bool> = (0..game.num_actions()).map(|a| legal.contains(a)).collect();
                let (probs, cost) = p.policy(&x, &mask)?;
                (Some(probs), cost)
            }
            None => (None, Default::default()),
        };
        let mut best: Option<(usize, f32, f32)> = None;
        for a in legal.iter() {
            let (next, reward) = game.apply(state, a);
            let later = if game.is_terminal(&next) {
                0.0
            } else if game.to_move(&next) == game.to_move(state) {
                game.heuristic(&next)
            } else {
                -game.heuristic(&next)
            };
            let score = reward + later;
            let tie = prior.as_ref().map_or(0.0, |p| p[a]);
            if best.is_none_or(|(_, s, t)| score > s || (score == s && tie > t)) {
                best = Some((a, score, tie));
            }
        }
        best.map(|(a, _, _)| Decision::new(a, cost))
            .ok_or_else(|| SolveError::Problem("no legal move".into()))
    }
}

fn registry() -> Registry {
    let mut r = Registry::standard();
    r.add_problem(nim_descriptor()).unwrap();
    r.add_algorithm(greedy_descriptor()).unwrap();
    r
}

/// Every position of three heaps of up to `n` objects.
fn positions(n: u8) -> Vec<NimState> {
    let mut all = Vec::new();
    for a in 0..=n {
        for b in 0..=n {
            for c in 0..=n {
                if a + b + c > 0 {
                    all.push(NimState {
                        heaps: [a, b, c, 0],
                        to_move: 0,
                    });
                }
            }
        }
    }
    all
}

#[test]
fn registered_names_are_checked_documented_and_refused_twice() {
    let mut r = registry();
    assert!(r.add_problem(nim_descriptor()).is_err());
    assert!(r.add_algorithm(greedy_descriptor()).is_err());
    let doc = optimist::interp::doc::reference(&r);
    assert!(
        doc.contains("### `nim(heaps=3, largest=3)` → Objective"),
        "{doc}"
    );
    assert!(doc.contains("### `plan(greedy)`"), "{doc}");
    // The checker knows their families: greedy solves games, not sphere.
    let checked = optimist::driver::check_text(
        "bad.opt",
        "report evaluate(plan(greedy), on=sphere(2))\nreport evaluate(plan(cem), on=nim())",
        &r,
        &Default::default(),
    );
    let text = optimist::diagnostics::render(&checked.diagnostics, &checked.sources, false);
    assert_eq!(text.matches("E0225").count(), 2, "{text}");
}

#[test]
fn the_crate_algorithms_play_the_new_game_and_the_new_algorithm_every_game() {
    let r = registry();
    let nim = Arc::new(Nim {
        heaps: 3,
        largest: 5,
    });
    // Minimax through the game's kernels finds the nim-sum's verdict, and
    // greedy through the erased view (its heuristic is exact) moves to a
    // lost position for the opponent whenever there is one.
    let plan = |name: &str| {
        r.catalog()
            .algorithm(name)
            .unwrap()
            .plan([], Context::default())
            .unwrap()
    };
    let (minimax, greedy) = (plan("minimax"), plan("greedy"));
    let mut perfect = optimist::algorithms::agent(&minimax, &nim).unwrap();
    let mut lookahead = optimist::algorithms::agent(&greedy, &nim).unwrap();
    let mut rng = Rng::new(1);
    let mut winning = 0;
    for s in positions(4) {
        let won = Nim::nim_sum(&s) != 0;
        for agent in [&mut perfect, &mut lookahead] {
            agent.reset();
            let d = agent.act(&nim, &s, &mut rng).unwrap();
            let (next, _) = nim.apply(&s, d.action);
            assert_eq!(
                Nim::nim_sum(&next) == 0,
                won,
                "{} from {:?} took action {}",
                agent.name(),
                s.heaps,
                d.action
            );
        }
        winning += usize::from(won);
    }
    assert!(winning > 50);

    // Greedy on a crate game, through the same erased view: tic-tac-toe's
    // heuristic is 0, so it takes an immediate win when there is one.
    let ttt = optimist::domains::tictactoe::tictactoe();
    let s = ttt.parse("XX. OO. ...").unwrap();
    let mut g = optimist::algorithms::agent(&greedy, &Arc::new(ttt)).unwrap();
    assert_eq!(g.act(&ttt, &s, &mut rng).unwrap().action, 2);
}

#[test]
fn the_erased_view_plays_exactly_as_the_monomorphized_kernel() {
    // The same MCTS on Nim, once monomorphized and once through interned
    // handles: the same seeded match, the same outcome and search cost.
    let nim = Arc::new(Nim {
        heaps: 3,
        largest: 5,
    });
    let params = MctsParams {
        sims: 100,
        seed: 5,
        ..MctsParams::default()
    };
    let opponent = || MctsAgent::<Nim>::new(MctsParams { seed: 9, ..params }).unwrap();
    let mut direct = MctsAgent::<Nim>::new(params).unwrap();
    let a = play_match(&*nim, &mut direct, &mut opponent(), 20, 3).unwrap();
    let erased = Unerased::new(nim.clone());
    let inner = MctsAgent::<ErasedGame>::new(params).unwrap();
    let mut through = erased.with(Box::new(inner));
    let b = play_match(&*nim, &mut through, &mut opponent(), 20, 3).unwrap();
    assert_eq!((a.wins, a.draws, a.losses), (b.wins, b.draws, b.losses));
    assert_eq!(a.costs[0].counted(), b.costs[0].counted());
}

#[test]
fn a_script_uses_them_like_builtins() {
    let r = registry();
    let out = run_script_with(
        &r,
        "objective heaps = nim(heaps=3)\n\
         dataset games = solve(heaps, plan(greedy), n=600)\n\
         pipeline policy = amortize(mlp(hidden=[32]), data=games, epochs=30, lr=3e-3)\n\
         pipeline guided = policy |> init(plan(mcts, sims=32))\n\
         pipeline tiebreak = policy |> init(plan(greedy))\n\
         report compare([plan(greedy), plan(minimax)], on=heaps, n=40, against=plan(minimax))\n\
         report compare([plan(greedy), plan(mcts, sims=32), policy, guided, tiebreak], on=[heaps, shift(heaps, largest=7)], n=40)\n\
         report len(games)",
        0,
        1,
    );
    // Greedy with an exact heuristic is a perfect player: against perfect
    // play, each game goes to whoever starts in a won position, so on the
    // same openings it wins exactly the games minimax itself wins.
    let duel = table(&out, 0);
    assert_eq!(
        cell(duel, 0, "win"),
        cell(duel, 1, "win"),
        "{}",
        duel.render()
    );
    assert_eq!(cell(duel, 0, "win") + cell(duel, 0, "loss"), 40.0);
    let t = table(&out, 1);
    assert_eq!(t.rows.len(), 10, "five solvers on two objectives");
    for row in 0..t.rows.len() {
        assert_eq!(cell(t, row, "n"), 40.0);
    }
    // Perfect play against random play wins nearly every game.
    assert!(cell(t, 0, "score") >= 0.9, "{}", t.render());
    // The policy answers in one forward pass per move, and so does greedy
    // with it as its tie-breaker; MCTS guided by it searches.
    assert_eq!(cell(t, 4, "fwd/q"), 1.0, "{}", t.render());
    assert_eq!(cell(t, 8, "fwd/q"), 1.0, "{}", t.render());
    assert!(cell(t, 6, "nodes/q") > 0.0, "{}", t.render());
    assert!(matches!(&out[2].value, optimist::interp::Value::Int(600)));
}

/// A finite MDP of this file's own: a corridor of `len` cells with an exit
/// at each end, the left paying 0.5 and the right 1, and 0.05 lost per
/// step. From cell `p` the right exit is worth `1 − 0.05·(len−1−p)`, the left
/// `0.5 − 0.05·p`: near the left end the nearer, smaller exit is better.
#[derive(Clone, Copy, Debug)]
struct Corridor {
    len: u8,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
struct Cell {
    at: u8,
    done: bool,
}

impl Corridor {
    fn exit_values(&self, at: u8) -> (f32, f32) {
        let p = f32::from(at);
        (0.5 - 0.05 * p, 1.0 - 0.05 * (f32::from(self.len) - 1.0 - p))
    }
}

impl Game for Corridor {
    type State = Cell;
    fn name(&self) -> String {
        format!("corridor({})", self.len)
    }
    fn num_actions(&self) -> usize {
        2
    }
    fn num_players(&self) -> usize {
        1
    }
    fn to_move(&self, _: &Cell) -> usize {
        0
    }
    fn legal(&self, s: &Cell) -> Actions {
        Actions(if s.done { 0 } else { 0b11 })
    }
    /// Action 0 steps left, 1 right; stepping out of an end exits.
    fn apply(&self, s: &Cell, action: usize) -> (Cell, f32) {
        let (at, exit) = match (action, s.at) {
            (0, 0) => (0, Some(0.5)),
            (0, p) => (p - 1, None),
            (_, p) if p + 1 == self.len => (p, Some(1.0)),
            (_, p) => (p + 1, None),
        };
        let next = Cell {
            at,
            done: exit.is_some(),
        };
        (next, exit.unwrap_or(0.0) - 0.05)
    }
    fn is_terminal(&self, s: &Cell) -> bool {
        s.done
    }
    fn feature_dim(&self) -> usize {
        1
    }
    fn encode(&self, s: &Cell, out: &mut [f32]) -> Result<(), EncodeError> {
        check_feature_len(1, out)?;
        out[0] = f32::from(s.at) / f32::from(self.len);
        Ok(())
    }
    fn sample_instance(&self, rng: &mut Rng) -> Cell {
        Cell {
            at: rng.below(usize::from(self.len)) as u8,
            done: false,
        }
    }
    fn optimal_value(&self, s: &Cell) -> Option<f32> {
        let (left, right) = self.exit_values(s.at);
        Some(left.max(right) - 0.05)
    }
    fn render(&self, s: &Cell) -> String {
        format!("cell {} of {}", s.at, self.len)
    }
    fn finite_states(&self) -> Option<&dyn FiniteStates<Cell>> {
        Some(self)
    }
}

impl FiniteStates<Cell> for Corridor {
    fn state_count(&self, _: &Cell) -> usize {
        usize::from(self.len) + 1
    }
    /// Index `len` is the exited state.
    fn state_at(&self, _: &Cell, i: usize) -> Option<Cell> {
        Some(Cell {
            at: i.min(usize::from(self.len) - 1) as u8,
            done: i == usize::from(self.len),
        })
    }
    fn state_index(&self, s: &Cell) -> usize {
        if s.done {
            usize::from(self.len)
        } else {
            usize::from(s.at)
        }
    }
    fn same_instance(&self, _: &Cell, _: &Cell) -> bool {
        true
    }
}

#[test]
fn value_iteration_solves_a_finite_mdp_defined_outside_the_crate() {
    let corridor = Arc::new(Corridor { len: 12 });
    let vi = Registry::standard()
        .catalog()
        .algorithm("value_iteration")
        .unwrap()
        .plan([], Context::default())
        .unwrap();
    let mut agent = optimist::algorithms::agent(&vi, &corridor).unwrap();
    let mut rng = Rng::new(0);
    let mut went_left = 0;
    for at in 0..corridor.len {
        let start = Cell { at, done: false };
        agent.reset();
        let episode =
            optimist::compose::play::run_episode(&*corridor, &start, &mut *agent, &mut rng)
                .unwrap();
        let best = corridor.optimal_value(&start).unwrap();
        assert!(
            (episode.ret - best).abs() < 1e-5,
            "from cell {at}: {} instead of {best}",
            episode.ret
        );
        let (left, right) = corridor.exit_values(at);
        went_left += usize::from(left > right);
    }
    assert!(went_left > 0, "the left exit is never better: a weak test");
}
