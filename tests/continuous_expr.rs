//! Objectives written as expressions: values, reverse-mode gradients against
//! finite differences, shape errors, and optimizers running on them.

use optimist::direct::adam::{adam, AdamParams};
use optimist::direct::cmaes::{cmaes, CmaesParams};
use optimist::domains::continuous::{ContinuousProblem, Sense};
use optimist::domains::expr::{BinOp, Expr, ExprProblem, InstanceDist, Program, ThetaSpec};
use optimist::rng::Rng;

fn c(v: f64) -> Expr {
    Expr::Const(v)
}

fn call(name: &str, args: Vec<Expr>) -> Expr {
    Expr::call(name, args).expect("known function")
}

fn theta() -> Expr {
    Expr::Theta
}

fn x() -> Expr {
    Expr::X
}

/// `sum((theta - x) ^ 2)`
fn bowl() -> Expr {
    call("sum", vec![(theta() - x()).pow(c(2.0))])
}

fn problem(e: Expr, d: usize) -> ExprProblem {
    let dist = InstanceDist::Normal {
        mean: 0.0,
        std: 1.0,
        dim: d,
    };
    ExprProblem::minimize(e, ThetaSpec::bounded(d, -5.0, 5.0), Some(dist)).expect("well-shaped")
}

fn check_gradient(e: Expr, theta: &[f64], x: &[f64]) {
    let d = theta.len();
    let p = problem(e, d);
    let mut g = vec![0.0; d];
    let v = p.value_grad(theta, x, &mut g);
    assert_eq!(v, p.value(theta, x));
    let h = 1e-6;
    for i in 0..d {
        let (mut a, mut b) = (theta.to_vec(), theta.to_vec());
        a[i] += h;
        b[i] -= h;
        let fd = (p.value(&a, x) - p.value(&b, x)) / (2.0 * h);
        let tol = 1e-6 * (1.0 + fd.abs());
        assert!(
            (fd - g[i]).abs() < tol,
            "{}: ∂/∂θ{i} = {} but finite differences give {fd}",
            p.name(),
            g[i]
        );
    }
}

#[test]
fn values_are_exact() {
    let p = problem(bowl(), 3);
    assert_eq!(p.value(&[1.0, 2.0, 3.0], &[1.0, 0.0, 1.0]), 8.0);
    // mean(theta) * theta[0] - x[1] / 2 + max(theta) ^ 3
    let e = call("mean", vec![theta()]) * theta().index(0) - x().index(1) / c(2.0)
        + call("max", vec![theta()]).pow(c(3.0));
    assert_eq!(
        problem(e, 3).value(&[1.0, 2.0, 3.0], &[0.0, 4.0, 0.0]),
        2.0 - 2.0 + 27.0
    );
    // dot, norm and a stacked vector.
    let e =
        call("dot", vec![theta(), Expr::Stack(vec![c(1.0), c(-1.0)])]) + call("norm", vec![x()]);
    assert_eq!(problem(e, 2).value(&[5.0, 2.0], &[3.0, 4.0]), 3.0 + 5.0);
}

#[test]
fn gradients_match_finite_differences() {
    let t = [0.7, 1.3, 0.4, 2.1];
    let xs = [0.2, -0.5, 1.1, 0.3];
    let cases = vec![
        bowl(),
        // Every elementwise function, on positive arguments where needed.
        call(
            "sum",
            vec![
                call("sin", vec![theta() * x()])
                    + call("cos", vec![theta()])
                    + call("exp", vec![-theta()])
                    + call("log", vec![theta() + c(1.0)])
                    + call("sqrt", vec![theta()])
                    + call("tanh", vec![theta() - x()])
                    + call("abs", vec![theta() - c(1.0)]),
            ],
        ),
        // Broadcasting both ways, division, a general and a fractional power.
        call(
            "mean",
            vec![(c(2.0) / (theta() + c(1.0)) + theta() * c(3.0)).pow(c(1.5))],
        ) + call("sum", vec![Expr::binary(BinOp::Pow, theta(), x())]),
        // Reductions and elementwise extrema, indexing and stacking.
        call("min", vec![theta()]) * call("max", vec![theta() * x()])
            + call(
                "sum",
                vec![call("max", vec![theta(), c(1.0)]) + call("min", vec![theta(), x()])],
            )
            + theta().index(2) * theta().index(3).pow(c(-2.0))
            + call(
                "norm",
                vec![Expr::Stack(vec![
                    theta().index(0),
                    theta().index(1) * c(2.0),
                ])],
            ),
        // Dot and norm, and a vector divided by a scalar.
        call("dot", vec![theta(), x()]) / call("norm", vec![theta()])
            + call("sum", vec![theta() / call("sum", vec![theta()])]).pow(c(3.0)),
    ];
    for e in cases {
        check_gradient(e, &t, &xs);
    }
}

#[test]
fn shape_and_kind_errors_are_errors() {
    let spec = |d| ThetaSpec::bounded(d, -1.0, 1.0);
    let normal = |d| {
        Some(InstanceDist::Normal {
            mean: 0.0,
            std: 1.0,
            dim: d,
        })
    };
    let fails = |e: Expr, d: usize, x: Option<InstanceDist>| {
        let r = ExprProblem::minimize(e.clone(), spec(d), x);
        assert!(r.is_err(), "`{e}` should not check");
        r.err().map(|e| e.to_string()).unwrap_or_default()
    };
    // theta has 3 entries, x has 2.
    let msg = fails(call("sum", vec![theta() - x()]), 3, normal(2));
    assert!(msg.contains("lengths 3 and 2"), "{msg}");
    // A vector objective.
    let msg = fails(theta() * c(2.0), 3, None);
    assert!(msg.contains("must be a scalar"), "{msg}");
    // Out-of-range index, indexing a scalar.
    fails(theta().index(3), 3, None);
    fails(call("sum", vec![theta()]).index(1), 3, None);
    // x without a distribution.
    let msg = fails(call("sum", vec![theta() * x()]), 3, None);
    assert!(msg.contains("`x`"), "{msg}");
    // Stacking vectors; dot of mismatched vectors; an empty stack.
    fails(
        call("sum", vec![Expr::Stack(vec![theta(), c(1.0)])]),
        3,
        None,
    );
    fails(call("dot", vec![theta(), x()]), 3, normal(2));
    fails(call("sum", vec![Expr::Stack(vec![])]), 3, None);
    // Unknown functions and wrong argument counts.
    assert!(Expr::call("soft", vec![theta()]).is_err_and(|m| m.to_string().contains("known: sum")));
    assert!(Expr::call("dot", vec![theta()]).is_err());
    assert!(Expr::call("sum", vec![theta(), theta()]).is_err());
    // Bad specs.
    fails(bowl(), 0, normal(0));
    assert!(ExprProblem::minimize(bowl(), ThetaSpec::bounded(2, 1.0, -1.0), normal(2)).is_err());
    let bad = Some(InstanceDist::Normal {
        mean: 0.0,
        std: -1.0,
        dim: 2,
    });
    assert!(ExprProblem::minimize(bowl(), spec(2), bad).is_err());
}

#[test]
fn maximize_is_stored_negated() {
    let e = -call("sum", vec![(theta() - x()).pow(c(2.0))]);
    let spec = ThetaSpec::new(2);
    let dist = Some(InstanceDist::Uniform {
        lo: -1.0,
        hi: 1.0,
        dim: 2,
    });
    let p = ExprProblem::maximize(e, spec, dist).unwrap();
    assert_eq!(p.sense(), Sense::Maximize);
    let mut g = [0.0; 2];
    assert_eq!(p.value_grad(&[1.0, 1.0], &[0.0, 0.0], &mut g), 2.0);
    assert_eq!(g, [2.0, 2.0]);
    assert_eq!(p.name(), "maximize(-sum((theta - x) ^ 2))");
}

#[test]
fn a_program_with_its_own_workspace_agrees() {
    let prog = Program::compile(&bowl(), 4, Some(4)).unwrap();
    let mut ws = prog.workspace();
    let mut g = [0.0; 4];
    let v = prog.eval_grad(&mut ws, &[1.0, 2.0, 3.0, 4.0], &[0.0; 4], &mut g);
    assert_eq!((v, g), (30.0, [2.0, 4.0, 6.0, 8.0]));
    assert_eq!(prog.eval(&mut ws, &[0.0; 4], &[1.0; 4]), 4.0);
}

#[test]
fn optimizers_solve_an_expression_objective() {
    let p = problem(bowl(), 8);
    let mut x = vec![0.0; 8];
    p.sample_instance(&mut Rng::new(2), &mut x);
    let s = adam(&p, &x, &AdamParams::default()).unwrap();
    assert!(s.value < 1e-6, "{}", s.value);
    let params = CmaesParams {
        target: 1e-12,
        ..CmaesParams::default()
    };
    let a = cmaes(&p, &x, &mut Rng::new(1), &params).unwrap();
    let b = cmaes(&p, &x, &mut Rng::new(1), &params).unwrap();
    assert!(a.value <= 1e-12);
    assert_eq!((a.theta, a.cost.counted()), (b.theta, b.cost.counted()));
}

#[test]
fn a_problem_without_instances_has_empty_x() {
    // Rosenbrock's 2-D valley written by hand, no instance.
    let e = c(100.0) * (theta().index(1) - theta().index(0).pow(c(2.0))).pow(c(2.0))
        + (c(1.0) - theta().index(0)).pow(c(2.0));
    let p = ExprProblem::minimize(e, ThetaSpec::bounded(2, -2.0, 2.0), None).unwrap();
    assert_eq!(p.instance_dim(), 0);
    assert_eq!(p.value(&[1.0, 1.0], &[]), 0.0);
    let s = cmaes(
        &p,
        &[],
        &mut Rng::new(0),
        &CmaesParams {
            target: 1e-14,
            ..CmaesParams::default()
        },
    )
    .unwrap();
    assert!((s.theta[0] - 1.0).abs() < 1e-6 && (s.theta[1] - 1.0).abs() < 1e-6);
}

#[test]
fn gradient_after_plain_evaluation_on_the_shared_scratch() {
    // `value` grows only the value buffer of the thread's scratch; a later
    // `value_grad` must grow the adjoint buffer too (this used to panic).
    use optimist::domains::continuous::ContinuousProblem;
    use optimist::domains::expr::{Expr, ExprProblem, ThetaSpec};
    let e = Expr::call(
        "sum",
        vec![(Expr::Theta - Expr::Const(1.0)).pow(Expr::Const(2.0))],
    )
    .unwrap();
    let p = ExprProblem::minimize(e, ThetaSpec::new(64), None).unwrap();
    let theta = vec![0.0; 64];
    assert_eq!(p.value(&theta, &[]), 64.0);
    let mut grad = vec![0.0; 64];
    assert_eq!(p.value_grad(&theta, &[], &mut grad), 64.0);
    assert!(grad.iter().all(|g| *g == -2.0));
}
