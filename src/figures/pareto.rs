//! The Pareto curve of the revenue: customers sorted by revenue, largest first, against the
//! cumulative share of the total revenue they bring.
//!
//! Drawing it exactly would need every customer's revenue, sorted: 8 bytes a row (80 MB at 10M
//! rows), against a `tier run` whose memory otherwise does not grow with the file. Instead
//! [`RevenueBuckets`] counts the customers and sums their revenue in logarithmic buckets, 32 per
//! doubling of the revenue (the top 5 bits of an `f64`'s mantissa): customers of one bucket
//! differ by less than 3.2% in revenue. Walking the buckets from the largest gives the curve's
//! points exactly at every bucket's end; in between, the straight line treats the bucket's
//! customers as equal, off by less than 3.2% of that bucket's own share of the revenue. Memory:
//! a few dozen bytes per bucket that holds a customer: revenues from 1 元 to 1 亿 span 27
//! doublings, 864 buckets at most; no data can make more than 131,073.

use std::collections::BTreeMap;

/// Mantissa bits kept in a bucket's key: 2^5 = 32 buckets per doubling.
const MANTISSA_BITS: u32 = 5;

/// Points closer than this (in share, on both axes) to the last kept one are dropped from the
/// curve: under half a pixel on a chart 800 pixels wide.
const MIN_STEP: f64 = 1.0 / 800.0;

/// Customers and revenue per logarithmic bucket of the revenue (see the module's docs).
#[derive(Debug, Clone, Default)]
pub struct RevenueBuckets {
    /// bucket key → (customers, revenue). Keys order the buckets by revenue: negative amounts
    /// below zero below positive ones.
    buckets: BTreeMap<i32, (u64, f64)>,
}

/// The bucket of an amount: larger amounts have larger keys; 0 for zero (and for NaN, which no
/// decimal converts to).
fn bucket(v: f64) -> i32 {
    let key = |x: f64| (x.to_bits() >> (52 - MANTISSA_BITS)) as i32;
    if v > 0.0 {
        key(v) + 1
    } else if v < 0.0 {
        -key(-v) - 1
    } else {
        0
    }
}

impl RevenueBuckets {
    /// Counts one customer with this revenue.
    pub fn add(&mut self, revenue: f64) {
        let revenue = if revenue.is_finite() { revenue } else { 0.0 };
        let b = self.buckets.entry(bucket(revenue)).or_default();
        b.0 += 1;
        b.1 += revenue;
    }

    /// Adds another worker's counts.
    pub fn merge(&mut self, other: RevenueBuckets) {
        for (key, (n, sum)) in other.buckets {
            let b = self.buckets.entry(key).or_default();
            b.0 += n;
            b.1 += sum;
        }
    }

    /// The curve; `None` without customers or without a positive total (no shares to draw).
    pub fn curve(&self) -> Option<ParetoCurve> {
        let customers: u64 = self.buckets.values().map(|b| b.0).sum();
        // Summed in the walking order, so that the last point is exactly (1, 1).
        let total: f64 = self.buckets.values().rev().map(|b| b.1).sum();
        if customers == 0 || total <= 0.0 || !total.is_finite() {
            return None;
        }
        let mut points = vec![(0.0, 0.0)];
        let (mut n, mut sum) = (0u64, 0.0f64);
        let last = self.buckets.len() - 1;
        for (i, (count, amount)) in self.buckets.values().rev().enumerate() {
            n += count;
            sum += amount;
            let point = (n as f64 / customers as f64, sum / total);
            let (px, py) = points[points.len() - 1];
            let far = (point.0 - px).abs() >= MIN_STEP || (point.1 - py).abs() >= MIN_STEP;
            if far || i == last {
                points.push(point);
            }
        }
        Some(ParetoCurve {
            points,
            customers: customers as usize,
        })
    }
}

/// Customers sorted by revenue, largest first: (share of the customers, share of the revenue)
/// from (0, 0) to (1, 1). A share of the revenue can pass 1 on the way when some customers
/// have a negative revenue (refunds): they come last and bring the curve back to 1.
#[derive(Debug, Clone, PartialEq)]
pub struct ParetoCurve {
    pub points: Vec<(f64, f64)>,
    /// Every graded customer (those with no or zero revenue are on the curve's flat end).
    pub customers: usize,
}

impl ParetoCurve {
    /// The share of the revenue the first `x` (a share) of the customers bring, read off the
    /// curve (straight between its points): the 80/20 check at `x = 0.2`.
    pub fn revenue_share_at(&self, x: f64) -> f64 {
        let x = x.clamp(0.0, 1.0);
        for pair in self.points.windows(2) {
            let ((x0, y0), (x1, y1)) = (pair[0], pair[1]);
            if x <= x1 {
                if x1 - x0 <= f64::EPSILON {
                    return y1;
                }
                return y0 + (y1 - y0) * (x - x0) / (x1 - x0);
            }
        }
        self.points.last().map_or(0.0, |p| p.1)
    }

    /// The highest share of the revenue on the curve (1, or more with refunds).
    pub fn max_share(&self) -> f64 {
        self.points.iter().map(|p| p.1).fold(1.0, f64::max)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn curve(values: &[f64]) -> ParetoCurve {
        let mut b = RevenueBuckets::default();
        for v in values {
            b.add(*v);
        }
        b.curve().expect("a positive total")
    }

    #[test]
    fn buckets_order_amounts() {
        let xs = [
            -1e9,
            -3.0,
            -1.0,
            -1e-9,
            0.0,
            1e-9,
            1.0,
            1.04,
            3.0,
            1e9,
            f64::MAX,
        ];
        for w in xs.windows(2) {
            assert!(bucket(w[0]) < bucket(w[1]), "{} {}", w[0], w[1]);
        }
        // Within 1/32 of a doubling: the same bucket.
        assert_eq!(bucket(1.0), bucket(1.03));
        assert_eq!(bucket(0.0), 0);
    }

    #[test]
    fn equal_customers_give_the_diagonal() {
        let c = curve(&[5.0; 10]);
        assert_eq!(c.points, vec![(0.0, 0.0), (1.0, 1.0)]);
        assert!((c.revenue_share_at(0.2) - 0.2).abs() < 1e-12);
    }

    #[test]
    fn one_big_customer_brings_most() {
        // 1 customer of 80, 4 of 5: 20% of the customers bring 80% of the revenue.
        let c = curve(&[5.0, 80.0, 5.0, 5.0, 5.0]);
        assert_eq!(c.points, vec![(0.0, 0.0), (0.2, 0.8), (1.0, 1.0)]);
        assert!((c.revenue_share_at(0.2) - 0.8).abs() < 1e-12);
        assert!((c.revenue_share_at(0.6) - 0.9).abs() < 1e-12);
        assert_eq!(c.customers, 5);
    }

    #[test]
    fn zero_revenue_is_the_flat_end_and_refunds_come_last() {
        let c = curve(&[10.0, 0.0, 0.0, -2.0]);
        let last = *c.points.last().unwrap();
        assert_eq!(last, (1.0, 1.0));
        assert!((c.max_share() - 1.25).abs() < 1e-12, "{:?}", c.points);
        assert_eq!(c.points[1], (0.25, 1.25));
        assert_eq!(c.points[2], (0.75, 1.25));
    }

    #[test]
    fn no_curve_without_a_positive_total() {
        let mut b = RevenueBuckets::default();
        assert!(b.curve().is_none());
        b.add(0.0);
        b.add(-3.0);
        assert!(b.curve().is_none());
        b.add(f64::NAN);
        assert!(b.curve().is_none());
    }

    #[test]
    fn merging_in_any_order_gives_the_same_curve() {
        let values: Vec<f64> = (1..=1000).map(|i| (i * i) as f64).collect();
        let mut whole = RevenueBuckets::default();
        values.iter().for_each(|v| whole.add(*v));
        let (mut a, mut b) = (RevenueBuckets::default(), RevenueBuckets::default());
        values[..300].iter().for_each(|v| a.add(*v));
        values[300..].iter().for_each(|v| b.add(*v));
        b.merge(a);
        let (x, y) = (whole.curve().unwrap(), b.curve().unwrap());
        assert_eq!(x.points.len(), y.points.len());
        for (p, q) in x.points.iter().zip(&y.points) {
            assert!((p.0 - q.0).abs() < 1e-12 && (p.1 - q.1).abs() < 1e-12);
        }
    }

    #[test]
    fn the_curve_is_close_to_the_exact_one_and_small() {
        // 100,000 customers, revenue spread over 6 orders of magnitude.
        let values: Vec<f64> = (0..100_000u64)
            .map(|i| 10f64.powf((i * 7919 % 100_000) as f64 / 100_000.0 * 6.0))
            .collect();
        let c = curve(&values);
        assert!(c.points.len() < 2 * 800, "{}", c.points.len());
        let mut sorted = values.clone();
        sorted.sort_by(|a, b| b.total_cmp(a));
        let total: f64 = sorted.iter().sum();
        for x in [0.01, 0.05, 0.1, 0.2, 0.5, 0.8] {
            let k = (x * sorted.len() as f64) as usize;
            let exact: f64 = sorted[..k].iter().sum::<f64>() / total;
            let drawn = c.revenue_share_at(x);
            assert!((exact - drawn).abs() < 0.01, "at {x}: {exact} vs {drawn}");
        }
    }
}
