//! SVG plots of score against compute: one series per solver, a log x axis,
//! error bars for the 95% interval. Drawn with plotters' SVG backend, which
//! writes text as SVG text (no fonts needed).

use std::fmt;

use plotters::coord::ranged1d::ValueFormatter;
use plotters::prelude::*;

/// Why a figure could not be drawn.
#[derive(Clone, Debug, PartialEq)]
pub enum PlotError {
    /// No series has a point with finite coordinates.
    NothingToPlot,
    /// plotters failed while drawing; its message.
    Draw { message: String },
}

impl fmt::Display for PlotError {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        match self {
            PlotError::NothingToPlot => f.write_str("there is nothing to plot: no finite points"),
            PlotError::Draw { message } => write!(f, "drawing the plot failed: {message}"),
        }
    }
}

impl std::error::Error for PlotError {}

/// One point: compute (x), score (y) and the half-width of its interval.
#[derive(Clone, Debug, PartialEq)]
pub struct Point {
    pub x: f64,
    pub y: f64,
    /// The 95% interval of `y` (equal to `y` when there is none).
    pub low: f64,
    pub high: f64,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Series {
    pub name: String,
    pub points: Vec<Point>,
}

/// What to draw and how to label it.
#[derive(Clone, Debug, PartialEq)]
pub struct Figure {
    pub title: String,
    pub x_label: String,
    pub y_label: String,
    pub log_x: bool,
    pub series: Vec<Series>,
}

const COLORS: [RGBColor; 8] = [
    RGBColor(31, 119, 180),
    RGBColor(255, 127, 14),
    RGBColor(44, 160, 44),
    RGBColor(214, 39, 40),
    RGBColor(148, 103, 189),
    RGBColor(140, 86, 75),
    RGBColor(227, 119, 194),
    RGBColor(127, 127, 127),
];

/// Renders the figure as an SVG document.
pub fn render_svg(fig: &Figure) -> Result<String, PlotError> {
    let points: Vec<&Point> = fig.series.iter().flat_map(|s| &s.points).collect();
    let finite: Vec<&&Point> = points
        .iter()
        .filter(|p| p.x.is_finite() && p.y.is_finite())
        .collect();
    if finite.is_empty() {
        return Err(PlotError::NothingToPlot);
    }
    let log_x = fig.log_x && finite.iter().all(|p| p.x > 0.0);
    let (mut x0, mut x1) = bounds(finite.iter().map(|p| p.x));
    let (mut y0, mut y1) = bounds(
        finite
            .iter()
            .flat_map(|p| [p.y, p.low, p.high])
            .filter(|v| v.is_finite()),
    );
    if log_x {
        (x0, x1) = (x0 / 1.5, x1 * 1.5);
    } else {
        let pad = ((x1 - x0) * 0.05).max(1e-9);
        (x0, x1) = (x0 - pad, x1 + pad);
    }
    let pad = ((y1 - y0) * 0.08).max(1e-6);
    (y0, y1) = (y0 - pad, y1 + pad);

    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (800, 500)).into_drawing_area();
        root.fill(&WHITE).map_err(draw_err)?;
        let mut builder = ChartBuilder::on(&root);
        builder
            .caption(&fig.title, ("sans-serif", 20))
            .margin(15)
            .x_label_area_size(45)
            .y_label_area_size(65);
        if log_x {
            let mut chart = builder
                .build_cartesian_2d((x0..x1).log_scale(), y0..y1)
                .map_err(draw_err)?;
            draw(&mut chart, fig)?;
        } else {
            let mut chart = builder
                .build_cartesian_2d(x0..x1, y0..y1)
                .map_err(draw_err)?;
            draw(&mut chart, fig)?;
        }
        root.present().map_err(draw_err)?;
    }
    Ok(svg)
}

fn draw<'a, 'b, X>(
    chart: &mut ChartContext<
        'a,
        SVGBackend<'b>,
        Cartesian2d<X, plotters::coord::types::RangedCoordf64>,
    >,
    fig: &Figure,
) -> Result<(), PlotError>
where
    X: Ranged<ValueType = f64> + ValueFormatter<f64>,
    'b: 'a,
{
    chart
        .configure_mesh()
        .x_desc(fig.x_label.as_str())
        .y_desc(fig.y_label.as_str())
        .label_style(("sans-serif", 13))
        .draw()
        .map_err(draw_err)?;
    for (i, s) in fig.series.iter().enumerate() {
        let color = COLORS[i % COLORS.len()];
        let pts: Vec<(f64, f64)> = s
            .points
            .iter()
            .filter(|p| p.x.is_finite() && p.y.is_finite())
            .map(|p| (p.x, p.y))
            .collect();
        chart
            .draw_series(LineSeries::new(pts.clone(), color.stroke_width(2)))
            .map_err(draw_err)?
            .label(s.name.as_str())
            .legend(move |(x, y)| {
                PathElement::new(vec![(x, y), (x + 20, y)], color.stroke_width(2))
            });
        chart
            .draw_series(pts.iter().map(|p| Circle::new(*p, 4, color.filled())))
            .map_err(draw_err)?;
        chart
            .draw_series(
                s.points
                    .iter()
                    .filter(|p| {
                        p.high > p.low
                            && p.x.is_finite()
                            && p.y.is_finite()
                            && p.low.is_finite()
                            && p.high.is_finite()
                    })
                    .map(|p| {
                        ErrorBar::new_vertical(p.x, p.low, p.y, p.high, color.stroke_width(1), 8)
                    }),
            )
            .map_err(draw_err)?;
    }
    chart
        .configure_series_labels()
        .background_style(WHITE.mix(0.85))
        .border_style(BLACK)
        .label_font(("sans-serif", 13))
        .draw()
        .map_err(draw_err)?;
    Ok(())
}

fn bounds(values: impl Iterator<Item = f64>) -> (f64, f64) {
    let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
    for v in values.filter(|v| v.is_finite()) {
        lo = lo.min(v);
        hi = hi.max(v);
    }
    if lo == hi {
        (lo - 0.5, hi + 0.5)
    } else {
        (lo, hi)
    }
}

fn draw_err<E: fmt::Display>(e: E) -> PlotError {
    PlotError::Draw {
        message: e.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn draws_series_with_labels_and_error_bars() {
        let fig = Figure {
            title: "score against compute".into(),
            x_label: "nodes per query".into(),
            y_label: "score".into(),
            log_x: true,
            series: vec![Series {
                name: "uct".into(),
                points: vec![
                    Point {
                        x: 16.0,
                        y: -0.5,
                        low: -0.7,
                        high: -0.3,
                    },
                    Point {
                        x: 256.0,
                        y: 0.1,
                        low: 0.0,
                        high: 0.2,
                    },
                ],
            }],
        };
        let svg = render_svg(&fig).unwrap();
        assert!(svg.starts_with("<svg"), "{}", &svg[..100.min(svg.len())]);
        assert!(
            svg.contains("uct")
                && svg.contains("nodes per query")
                && svg.contains("score against compute")
        );
        let empty = Figure {
            series: vec![],
            ..fig
        };
        assert_eq!(render_svg(&empty), Err(PlotError::NothingToPlot));
        assert_eq!(
            PlotError::NothingToPlot.to_string(),
            "there is nothing to plot: no finite points"
        );
    }
}
