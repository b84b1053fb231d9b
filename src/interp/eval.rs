//! Evaluation of the IR: lazily, each node at most once.
//!
//! Values are memoized by node hash, not node index, so a REPL session (which
//! re-checks the whole session on every line) reuses what earlier lines
//! computed, and two nodes that denote the same value share it.

use super::registry::{Call, Registry, RunSettings, RuntimeError};
use super::value::{format_number, Value};
use crate::ir::graph::{Arith, Ir, NodeId, Op};
use crate::ir::signature::Const;
use std::collections::HashMap;
use std::sync::Arc;

pub struct Interpreter<'r> {
    pub registry: &'r Registry,
    pub settings: RunSettings,
    memo: HashMap<u64, Value>,
}

impl<'r> Interpreter<'r> {
    pub fn new(registry: &'r Registry, settings: RunSettings) -> Self {
        Interpreter {
            registry,
            settings,
            memo: HashMap::new(),
        }
    }

    /// Forgets every computed value (the REPL's `:reset`, a new seed).
    pub fn clear(&mut self) {
        self.memo.clear();
    }

    pub fn eval(&mut self, ir: &Ir, id: NodeId) -> Result<Value, RuntimeError> {
        let node = ir.node(id);
        if let Some(v) = self.memo.get(&node.hash) {
            return Ok(v.clone());
        }
        super::cancel::check()?;
        let value = self.compute(ir, id).map_err(|e| e.at(node.span))?;
        // A search cut short by Ctrl-C is not the value this node names.
        super::cancel::check()?;
        self.memo.insert(node.hash, value.clone());
        Ok(value)
    }

    fn compute(&mut self, ir: &Ir, id: NodeId) -> Result<Value, RuntimeError> {
        let node = ir.node(id);
        match &node.op {
            Op::Const(c) => Ok(const_value(c)),
            Op::List(items) => {
                let values = items
                    .iter()
                    .map(|i| self.eval(ir, *i))
                    .collect::<Result<Vec<_>, _>>()?;
                Ok(Value::list(values))
            }
            Op::Call { builtin, .. } => {
                let Some(b) = self.registry.get(builtin) else {
                    return Err(RuntimeError::new(format!("no native code for `{builtin}`")));
                };
                match b.sig.param("seeds") {
                    Some((i, _)) => self.measure_across_seeds(ir, id, i),
                    None => self.call(ir, id, self.settings.seed, None),
                }
            }
            Op::Neg(a) => match self.eval(ir, *a)? {
                Value::Int(i) => i
                    .checked_neg()
                    .map(Value::Int)
                    .ok_or_else(|| RuntimeError::new("the negation overflows a whole number")),
                Value::Num(x) => Ok(Value::Num(-x)),
                other => Err(RuntimeError::new(format!("cannot negate {other}"))),
            },
            Op::Binary { op, lhs, rhs } => {
                let (a, b) = (self.eval(ir, *lhs)?, self.eval(ir, *rhs)?);
                binary(*op, &a, &b).map_err(|e| e.at(node.span))
            }
            Op::Index { target, index } => {
                let (t, i) = (self.eval(ir, *target)?, self.eval(ir, *index)?);
                let items = t
                    .as_list()
                    .ok_or_else(|| RuntimeError::new(format!("cannot index {t}")))?;
                let i = i
                    .as_i64()
                    .ok_or_else(|| RuntimeError::new("an index must be a whole number"))?;
                usize::try_from(i)
                    .ok()
                    .and_then(|i| items.get(i))
                    .cloned()
                    .ok_or_else(|| {
                        RuntimeError::new(format!(
                            "index {i} is out of range for a list of {} elements",
                            items.len()
                        ))
                        .at(ir.node(*index).span)
                        .hint(if items.is_empty() {
                            "the list is empty".to_string()
                        } else {
                            format!("valid indices are 0 to {}", items.len() - 1)
                        })
                    })
            }
            Op::Field { target, field } => {
                let t = self.eval(ir, *target)?;
                field_of(&t, field)
            }
            Op::Symbol(name) => Err(RuntimeError::new(format!(
                "`{name}` only has a value inside an objective expression"
            ))),
            Op::Tape { tape, .. } => Ok(Value::Tape(tape.clone())),
        }
    }
}

impl Interpreter<'_> {
    /// Calls the builtin of node `id` of `ir` (made under `run_seed`) on
    /// its evaluated arguments; `replace` overrides one argument's value.
    fn call(
        &mut self,
        ir: &Ir,
        id: NodeId,
        run_seed: u64,
        replace: Option<(usize, Value)>,
    ) -> Result<Value, RuntimeError> {
        let node = ir.node(id);
        let Op::Call {
            builtin,
            args,
            extra,
        } = &node.op
        else {
            return Err(RuntimeError::new("internal error: not a call"));
        };
        let Some(b) = self.registry.get(builtin) else {
            return Err(RuntimeError::new(format!("no native code for `{builtin}`")));
        };
        let mut values = Vec::with_capacity(args.len());
        for (i, a) in args.iter().enumerate() {
            values.push(match &replace {
                Some((j, v)) if *j == i => v.clone(),
                _ => self.eval(ir, *a)?,
            });
        }
        let mut extra_values = Vec::with_capacity(extra.len());
        for (k, a) in extra {
            extra_values.push((k.clone(), self.eval(ir, *a)?));
        }
        let mut call = Call {
            builtin,
            args: values,
            extra: extra_values,
            arg_spans: args.iter().map(|a| ir.node(*a).span).collect(),
            span: node.span,
            node: id,
            seed: node.seed.unwrap_or(self.settings.seed),
            run_seed,
            ir,
            settings: &self.settings,
            registry: self.registry,
        };
        // Native code must never take the run down: a panic in it is
        // a bug, reported as a diagnostic at the call like any error.
        let eval = b.eval;
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| eval(&mut call))).unwrap_or_else(
            |payload| {
                let what = payload
                    .downcast_ref::<&str>()
                    .map(|s| s.to_string())
                    .or_else(|| payload.downcast_ref::<String>().cloned())
                    .unwrap_or_else(|| "unknown cause".to_string());
                Err(
                    RuntimeError::new(format!("internal error in `{builtin}`: {what}"))
                        .hint("this is a bug in Optimist, not in the script; please report it"),
                )
            },
        )
    }

    /// A measurement (`evaluate`, `compare`, `sweep`) under `seeds=N` run
    /// seeds (the run seed and the next N − 1): for each, the whole program
    /// is re-seeded, so everything random upstream of the call (datasets,
    /// trained models, the instances) is made again under that seed, and
    /// the per-seed reports are merged into one. Values are memoized by
    /// hash, and a random node's hash covers its seed, so each seed's
    /// datasets and models are computed (and cached on disk) apart, while
    /// what no seed touches is shared.
    fn measure_across_seeds(
        &mut self,
        ir: &Ir,
        id: NodeId,
        seeds_arg: usize,
    ) -> Result<Value, RuntimeError> {
        let Op::Call { args, .. } = &ir.node(id).op else {
            return Err(RuntimeError::new("internal error: not a call"));
        };
        let seeds = match self.eval(ir, args[seeds_arg])? {
            Value::None => self.settings.seeds.max(1),
            v => match v.as_i64() {
                Some(k) if k >= 1 => k as usize,
                _ => {
                    return Err(RuntimeError::new(format!(
                        "`seeds` must be a whole number of at least 1, found {v}"
                    ))
                    .at(ir.node(args[seeds_arg]).span))
                }
            },
        };
        let base = self.settings.seed;
        let one = Some((seeds_arg, Value::Int(1)));
        if seeds == 1 {
            return self.call(ir, id, base, one);
        }
        let mut parts = Vec::with_capacity(seeds);
        for k in 0..seeds as u64 {
            let run_seed = base.wrapping_add(k);
            let value = if k == 0 {
                self.call(ir, id, run_seed, one.clone())
            } else {
                let reseeded = ir.reseeded(run_seed);
                self.call(&reseeded, id, run_seed, one.clone())
            }
            .map_err(|e| {
                e.hint(format!(
                    "under run seed {run_seed} (seed {} of {seeds})",
                    k + 1
                ))
            })?;
            let Value::Report(t) = value else {
                return Err(RuntimeError::new(
                    "internal error: a measurement gave no report",
                ));
            };
            let Some(m) = &t.measurement else {
                return Err(RuntimeError::new(
                    "internal error: a report without its measurement",
                ));
            };
            parts.push((**m).clone());
        }
        let merged = crate::report::evaluation::Measurement::merge(parts)
            .map_err(|e| RuntimeError::new(e.to_string()))?;
        Ok(Value::Report(Arc::new(merged.table())))
    }
}

pub fn const_value(c: &Const) -> Value {
    match c {
        Const::Int(i) => Value::Int(*i),
        Const::Num(x) => Value::Num(*x),
        Const::Bool(b) => Value::Bool(*b),
        Const::Str(s) => Value::str(s),
        Const::Algorithm(a) => Value::Algorithm(Arc::from(a.as_str())),
        Const::List(items) => Value::list(items.iter().map(const_value).collect()),
        Const::None => Value::None,
    }
}

fn binary(op: Arith, a: &Value, b: &Value) -> Result<Value, RuntimeError> {
    if let (Value::Int(x), Value::Int(y)) = (a, b) {
        let r = match op {
            Arith::Add => Some(x.checked_add(*y)),
            Arith::Sub => Some(x.checked_sub(*y)),
            Arith::Mul => Some(x.checked_mul(*y)),
            _ => None,
        };
        if let Some(r) = r {
            return r.map(Value::Int).ok_or_else(|| {
                RuntimeError::new(format!(
                    "`{x} {} {y}` overflows a whole number",
                    op.symbol()
                ))
                .hint("write one operand with a decimal point to compute with fractional numbers")
            });
        }
    }
    let (Some(x), Some(y)) = (a.as_f64(), b.as_f64()) else {
        return Err(RuntimeError::new(format!(
            "`{}` needs numbers, found {a} and {b}",
            op.symbol()
        )));
    };
    let r = match op {
        Arith::Add => x + y,
        Arith::Sub => x - y,
        Arith::Mul => x * y,
        Arith::Div => {
            if y == 0.0 {
                return Err(RuntimeError::new(format!(
                    "division by zero: {} / 0",
                    format_number(x)
                )));
            }
            x / y
        }
        Arith::Pow => x.powf(y),
    };
    if r.is_nan() {
        return Err(RuntimeError::new(format!(
            "`{} {} {}` is not a real number",
            format_number(x),
            op.symbol(),
            format_number(y)
        )));
    }
    Ok(Value::Num(r))
}

fn field_of(v: &Value, field: &str) -> Result<Value, RuntimeError> {
    match v {
        Value::Record(fields) => fields
            .iter()
            .find(|(k, _)| k == field)
            .map(|(_, v)| v.clone())
            .ok_or_else(|| {
                let names: Vec<&str> = fields.iter().map(|(k, _)| k.as_str()).collect();
                let mut e = RuntimeError::new(format!("no field `{field}`"));
                if let Some(s) = crate::diagnostics::suggest(field, names.iter().copied()) {
                    e = e.hint(format!("did you mean `{s}`?"));
                }
                e.hint(format!("fields: {}", names.join(", ")))
            }),
        Value::Report(table) => {
            // A report's field is its column (by the name machines read,
            // or the header people see), one value per row; a one-row
            // report gives the value itself.
            let Some(col) = table.column_index(field) else {
                let names: Vec<&str> = table.columns.iter().map(|c| c.name.as_str()).collect();
                return Err(
                    RuntimeError::new(format!("the report has no column `{field}`"))
                        .hint(format!("columns: {}", names.join(", "))),
                );
            };
            let cells: Vec<Value> = table
                .rows
                .iter()
                .map(|r| match &r[col] {
                    crate::report::Cell::Int(i) => Value::Int(*i),
                    crate::report::Cell::Num(x) => Value::Num(*x),
                    crate::report::Cell::Str(s) => Value::str(s),
                    crate::report::Cell::Empty => Value::None,
                })
                .collect();
            Ok(if cells.len() == 1 {
                cells.into_iter().next().unwrap_or(Value::None)
            } else {
                Value::list(cells)
            })
        }
        other => Err(RuntimeError::new(format!("{other} has no fields"))),
    }
}
