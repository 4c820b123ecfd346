//! The report's charts as inline SVG, drawn by tier: horizontal bars (one per grade or owner)
//! and the Pareto curve with its cut lines. Every number an element stands for is in a
//! `data-*` attribute (`data-label`, `data-value`, `data-share`), so that a test (or a reader's
//! script) can check the picture against the summary. The SVGs scale with the page (a
//! `viewBox`, `width: 100%`); their text is sized for a phone's width.

use super::escape;
use crate::figures::pareto::ParetoCurve;
use crate::figures::{CutAxis, CutLine};
use std::fmt::Write;

/// The width of every chart's `viewBox`: on a phone (about 330 CSS pixels of content) text of
/// 13 units is drawn at about 11 pixels.
pub(super) const WIDTH: f64 = 400.0;
/// A bar's row, and the bar's thickness in it.
const ROW: f64 = 26.0;
const BAR: f64 = 16.0;

/// A straight map from a domain onto a range (pixels); a domain of zero width maps onto the
/// range's start.
#[derive(Debug, Clone, Copy)]
pub(super) struct Linear {
    domain: (f64, f64),
    range: (f64, f64),
}

impl Linear {
    pub(super) fn new(domain: (f64, f64), range: (f64, f64)) -> Linear {
        Linear { domain, range }
    }

    pub(super) fn at(&self, v: f64) -> f64 {
        let (d0, d1) = self.domain;
        let (r0, r1) = self.range;
        let span = d1 - d0;
        if !v.is_finite() || !span.is_finite() || span.abs() < f64::MIN_POSITIVE {
            return r0;
        }
        r0 + (v - d0) / span * (r1 - r0)
    }
}

/// One bar: its label, the number it stands for, and that number as shown.
#[derive(Debug, Clone)]
pub(super) struct Bar {
    pub label: String,
    pub value: f64,
    pub shown: String,
}

/// A bar's rectangle in the chart: x, y, width, height.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct Rect {
    pub x: f64,
    pub y: f64,
    pub width: f64,
    pub height: f64,
}

/// Roughly how wide a text is drawn at 13 units: CJK characters a full em, others ~0.6.
fn text_width(text: &str) -> f64 {
    use unicode_width::UnicodeWidthChar;
    text.chars()
        .map(|c| c.width().unwrap_or(0) as f64 * 7.0)
        .sum()
}

/// Where the labels end and the bars start: room for the longest label, within limits.
fn label_room(bars: &[Bar]) -> f64 {
    let widest = bars
        .iter()
        .map(|b| text_width(&b.label))
        .fold(0.0, f64::max);
    (widest + 10.0).clamp(36.0, 150.0)
}

/// Room right of the bars for the longest value's text, within limits.
fn value_room(bars: &[Bar]) -> f64 {
    let widest = bars
        .iter()
        .map(|b| text_width(&b.shown))
        .fold(0.0, f64::max);
    (widest + 10.0).clamp(40.0, 170.0)
}

/// The bars' rectangles: lengths proportional to the values, from a zero line that leaves
/// room left of it for negative values (a refund-heavy grade's revenue).
pub(super) fn bar_rects(bars: &[Bar]) -> Vec<Rect> {
    let left = label_room(bars);
    let right = WIDTH - value_room(bars);
    let finite = |v: f64| if v.is_finite() { v } else { 0.0 };
    let low = bars.iter().map(|b| finite(b.value)).fold(0.0, f64::min);
    let high = bars.iter().map(|b| finite(b.value)).fold(0.0, f64::max);
    let x = Linear::new((low, high), (left, right));
    let zero = x.at(0.0);
    bars.iter()
        .enumerate()
        .map(|(i, b)| {
            let end = x.at(finite(b.value));
            Rect {
                x: zero.min(end),
                y: i as f64 * ROW + (ROW - BAR) / 2.0,
                width: (end - zero).abs(),
                height: BAR,
            }
        })
        .collect()
}

/// Horizontal bars, one per row: the label left, the bar, its value right of it.
/// `chart` names the chart (`data-chart`), `class` the bars' colour.
pub(super) fn bar_chart(chart: &str, title: &str, class: &str, bars: &[Bar]) -> String {
    let height = (bars.len().max(1) as f64) * ROW;
    let left = label_room(bars);
    let mut s = String::new();
    let _ = write!(
        s,
        r#"<svg viewBox="0 0 {WIDTH} {height}" role="img" aria-label="{}" data-chart="{}">"#,
        escape(title),
        escape(chart)
    );
    for (b, r) in bars.iter().zip(bar_rects(bars)) {
        let mid = r.y + r.height / 2.0 + 4.5;
        let _ = write!(
            s,
            r#"<text x="{:.1}" y="{mid:.1}" text-anchor="end">{}</text><rect class="bar {}" x="{:.1}" y="{:.1}" width="{:.1}" height="{:.1}" data-label="{}" data-value="{}"><title>{}: {}</title></rect><text class="value" x="{:.1}" y="{mid:.1}">{}</text>"#,
            left - 6.0,
            escape(&b.label),
            escape(class),
            r.x,
            r.y,
            r.width,
            r.height,
            escape(&b.label),
            b.value,
            escape(&b.label),
            escape(&b.shown),
            r.x + r.width + 5.0,
            escape(&b.shown),
        );
    }
    s.push_str("</svg>");
    s
}

/// The Pareto chart's plot area in the `viewBox`: left, top, right, bottom.
const PLOT: (f64, f64, f64, f64) = (44.0, 12.0, WIDTH - 14.0, 262.0);
/// The Pareto chart's height.
pub(super) const PARETO_HEIGHT: f64 = 290.0;

/// The Pareto chart's axes: x the share of customers (0–1), y the share of revenue (0 up to
/// the curve's highest point, in steps of 10%).
pub(super) fn pareto_axes(curve: &ParetoCurve) -> (Linear, Linear) {
    let top = (curve.max_share() * 10.0).ceil() / 10.0;
    let (left, upper, right, lower) = PLOT;
    (
        Linear::new((0.0, 1.0), (left, right)),
        Linear::new((0.0, top.max(1.0)), (lower, upper)),
    )
}

/// The curve as SVG `points`.
pub(super) fn curve_points(curve: &ParetoCurve) -> String {
    let (x, y) = pareto_axes(curve);
    let mut s = String::new();
    for (i, (px, py)) in curve.points.iter().enumerate() {
        let sep = if i == 0 { "" } else { " " };
        let _ = write!(s, "{sep}{:.1},{:.1}", x.at(*px), y.at(*py));
    }
    s
}

/// A share as a percentage with at most one decimal: `65%`, `12.5%`.
pub(super) fn percent(share: f64) -> String {
    let p = (share * 1000.0).round() / 10.0;
    if p == p.trunc() {
        format!("{p:.0}%")
    } else {
        format!("{p:.1}%")
    }
}

/// The Pareto curve with a grid every 20%, the diagonal (every customer equal) and the cut
/// lines: a `pareto` relative's cuts across (a share of the value), a `top` relative's down (a
/// share of the customers).
pub(super) fn pareto_chart(title: &str, curve: &ParetoCurve, cut_lines: &[CutLine]) -> String {
    let (x, y) = pareto_axes(curve);
    let (left, upper, right, lower) = PLOT;
    let mut s = String::new();
    let _ = write!(
        s,
        r#"<svg viewBox="0 0 {WIDTH} {PARETO_HEIGHT}" role="img" aria-label="{}" data-chart="pareto">"#,
        escape(title)
    );
    for step in 0..=5 {
        let share = step as f64 / 5.0;
        let (gx, gy) = (x.at(share), y.at(share));
        let _ = write!(
            s,
            r#"<line class="grid" x1="{gx:.1}" y1="{upper:.1}" x2="{gx:.1}" y2="{lower:.1}"/><text x="{gx:.1}" y="{:.1}" text-anchor="middle">{}</text><line class="grid" x1="{left:.1}" y1="{gy:.1}" x2="{right:.1}" y2="{gy:.1}"/><text x="{:.1}" y="{:.1}" text-anchor="end">{}</text>"#,
            lower + 17.0,
            percent(share),
            left - 5.0,
            gy + 4.5,
            percent(share),
        );
    }
    let _ = write!(
        s,
        r#"<line class="diagonal" x1="{:.1}" y1="{:.1}" x2="{:.1}" y2="{:.1}"/>"#,
        x.at(0.0),
        y.at(0.0),
        x.at(1.0),
        y.at(1.0)
    );
    for line in cut_lines {
        for (label, share) in &line.cuts {
            let text = format!("{} {} {}", line.relative, label, percent(*share));
            let (x1, y1, x2, y2, tx, ty, anchor) = match line.axis {
                CutAxis::Revenue => {
                    let cy = y.at(*share);
                    (left, cy, right, cy, right - 3.0, cy - 4.0, "end")
                }
                CutAxis::Customers => {
                    let cx = x.at(*share);
                    (cx, lower, cx, upper, cx + 4.0, lower - 6.0, "start")
                }
            };
            let _ = write!(
                s,
                r#"<line class="cut" x1="{x1:.1}" y1="{y1:.1}" x2="{x2:.1}" y2="{y2:.1}" data-relative="{}" data-label="{}" data-share="{share}"/><text class="cut-label" x="{tx:.1}" y="{ty:.1}" text-anchor="{anchor}">{}</text>"#,
                escape(&line.relative),
                escape(label),
                escape(&text),
            );
        }
    }
    let _ = write!(
        s,
        r#"<polyline class="curve" points="{}" data-points="{}" data-customers="{}"/></svg>"#,
        curve_points(curve),
        curve.points.len(),
        curve.customers
    );
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bars(values: &[f64]) -> Vec<Bar> {
        values
            .iter()
            .enumerate()
            .map(|(i, v)| Bar {
                label: format!("G{i}"),
                value: *v,
                shown: v.to_string(),
            })
            .collect()
    }

    #[test]
    fn linear_maps_ends_and_middle_and_survives_an_empty_domain() {
        let l = Linear::new((0.0, 10.0), (100.0, 300.0));
        assert_eq!(l.at(0.0), 100.0);
        assert_eq!(l.at(10.0), 300.0);
        assert_eq!(l.at(5.0), 200.0);
        let flipped = Linear::new((0.0, 1.0), (250.0, 10.0));
        assert_eq!(flipped.at(1.0), 10.0);
        let empty = Linear::new((3.0, 3.0), (7.0, 70.0));
        assert_eq!(empty.at(3.0), 7.0);
        assert_eq!(l.at(f64::NAN), 100.0);
    }

    #[test]
    fn bar_lengths_are_proportional_and_the_longest_fills_the_room() {
        let b = bars(&[10.0, 5.0, 0.0]);
        let r = bar_rects(&b);
        let full = WIDTH - value_room(&b) - r[0].x;
        assert!((r[0].width - full).abs() < 1e-9);
        assert!((r[1].width * 2.0 - r[0].width).abs() < 1e-9);
        assert_eq!(r[2].width, 0.0);
        // One row each, in order, the same thickness.
        assert!(r[0].y < r[1].y && r[1].y < r[2].y);
        assert!(r.iter().all(|b| b.height == BAR && b.x == r[0].x));
    }

    #[test]
    fn negative_bars_go_left_of_the_zero_line() {
        let r = bar_rects(&bars(&[30.0, -10.0]));
        let zero = r[0].x;
        assert!((r[1].x + r[1].width - zero).abs() < 1e-9, "{r:?}");
        assert!((r[0].width - 3.0 * r[1].width).abs() < 1e-9);
    }

    #[test]
    fn all_zero_or_no_bars_draw_nothing_broken() {
        let r = bar_rects(&bars(&[0.0, 0.0]));
        assert!(r.iter().all(|b| b.width == 0.0 && b.x.is_finite()));
        assert!(bar_chart("c", "t", "bar", &[]).ends_with("</svg>"));
        let odd = bar_rects(&bars(&[f64::INFINITY, 1.0]));
        assert!(odd.iter().all(|b| b.width.is_finite()));
    }

    #[test]
    fn labels_values_and_titles_are_escaped() {
        let svg = bar_chart(
            "x\"y",
            "<t>",
            "bar",
            &[Bar {
                label: "<script>alert(1)</script>".into(),
                value: 1.0,
                shown: "O'Brien \"Bob\"".into(),
            }],
        );
        assert!(!svg.contains("<script"), "{svg}");
        assert!(svg.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
        assert!(svg.contains("O&#39;Brien &quot;Bob&quot;"));
        assert!(svg.contains(r#"data-chart="x&quot;y""#));
    }

    #[test]
    fn the_pareto_curve_fills_the_plot_and_cut_lines_sit_at_their_shares() {
        let curve = ParetoCurve {
            points: vec![(0.0, 0.0), (0.2, 0.8), (1.0, 1.0)],
            customers: 5,
        };
        let (x, y) = pareto_axes(&curve);
        assert_eq!(curve_points(&curve), "44.0,262.0 112.4,62.0 386.0,12.0");
        assert_eq!((x.at(1.0), y.at(1.0)), (PLOT.2, PLOT.1));
        let cuts = [CutLine {
            relative: "ABC".into(),
            by: "sales".into(),
            axis: CutAxis::Revenue,
            cuts: vec![("A".into(), 0.5)],
        }];
        let svg = pareto_chart("t", &curve, &cuts);
        // A horizontal line halfway up.
        assert!(
            svg.contains(r#"x1="44.0" y1="137.0" x2="386.0" y2="137.0" data-relative="ABC" data-label="A" data-share="0.5""#),
            "{svg}"
        );
        let top = [CutLine {
            axis: CutAxis::Customers,
            ..cuts[0].clone()
        }];
        assert!(pareto_chart("t", &curve, &top).contains(r#"x1="215.0" y1="262.0" x2="215.0""#));
    }

    #[test]
    fn refunds_raise_the_axis_above_100_percent() {
        let curve = ParetoCurve {
            points: vec![(0.0, 0.0), (0.5, 1.25), (1.0, 1.0)],
            customers: 2,
        };
        let (_, y) = pareto_axes(&curve);
        assert_eq!(y.at(1.3), PLOT.1);
    }

    #[test]
    fn percents_drop_a_zero_decimal() {
        assert_eq!(percent(0.65), "65%");
        assert_eq!(percent(0.125), "12.5%");
        assert_eq!(percent(1.0), "100%");
    }
}
