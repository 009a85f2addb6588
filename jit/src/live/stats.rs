//! Redefinition statistics for `:stats` and embedders: per phase, the
//! count, median and 99th percentile of the accepted transactions, in
//! constant memory (a log-linear histogram, ~3% relative precision), plus
//! code bytes written and reclaimed.

use std::time::Duration;

use super::report::{Timings, TransactionReport};

/// Sub-buckets per power of two (relative precision 1/32).
const SUB: usize = 32;
/// Powers of two covered (1 ns .. ~2^40 ns ≈ 18 minutes).
const OCTAVES: usize = 41;

/// A histogram of durations in nanoseconds.
#[derive(Clone, Debug)]
pub struct Histogram {
    counts: Vec<u64>,
    total: u64,
    max: u64,
}

impl Default for Histogram {
    fn default() -> Self {
        Histogram {
            counts: vec![0; SUB * OCTAVES],
            total: 0,
            max: 0,
        }
    }
}

impl Histogram {
    fn bucket(ns: u64) -> usize {
        if ns < SUB as u64 {
            return ns as usize;
        }
        let octave = 63 - ns.leading_zeros() as usize; // >= 5
        let shift = octave - 5;
        let sub = ((ns >> shift) as usize) - SUB;
        ((octave - 4) * SUB + sub).min(SUB * OCTAVES - 1)
    }

    /// The smallest value of bucket `b` (the reported value).
    fn value(b: usize) -> u64 {
        if b < SUB {
            return b as u64;
        }
        let octave = b / SUB + 4;
        let sub = (b % SUB) as u64;
        (SUB as u64 + sub) << (octave - 5)
    }

    pub fn record(&mut self, d: Duration) {
        let ns = d.as_nanos().min(u64::MAX as u128) as u64;
        self.counts[Self::bucket(ns)] += 1;
        self.total += 1;
        self.max = self.max.max(ns);
    }

    pub fn count(&self) -> u64 {
        self.total
    }

    /// The `q` quantile (0.0..=1.0), to the bucket's precision.
    pub fn quantile(&self, q: f64) -> Duration {
        if self.total == 0 {
            return Duration::ZERO;
        }
        let rank = ((q * self.total as f64).ceil() as u64).clamp(1, self.total);
        let mut seen = 0;
        for (b, &c) in self.counts.iter().enumerate() {
            seen += c;
            if seen >= rank {
                return Duration::from_nanos(Self::value(b).min(self.max));
            }
        }
        Duration::from_nanos(self.max)
    }
}

/// Median and p99 of one phase.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PhaseSummary {
    pub median: Duration,
    pub p99: Duration,
}

/// Statistics over every accepted transaction of an engine.
#[derive(Clone, Debug, Default)]
pub struct Stats {
    pub transactions: u64,
    parse: Histogram,
    check: Histogram,
    compile: Histogram,
    pause: Histogram,
    total: Histogram,
    /// Machine code written by transactions.
    pub code_bytes_written: u64,
    /// Old machine code freed.
    pub code_bytes_reclaimed: u64,
    /// Struct instances migrated.
    pub migrated: u64,
}

impl Stats {
    /// Add one transaction.
    pub fn record(&mut self, r: &TransactionReport) {
        let t: &Timings = &r.timings;
        self.transactions += 1;
        self.parse.record(t.parse);
        self.check.record(t.check);
        self.compile.record(t.compile);
        self.pause.record(t.pause);
        self.total.record(t.total);
        self.code_bytes_written += r.code_bytes as u64;
        self.code_bytes_reclaimed += r.reclaimed_bytes as u64;
        self.migrated += r.migrated as u64;
    }

    /// `(phase name, summary)` for parse, check, compile, pause, total.
    pub fn phases(&self) -> [(&'static str, PhaseSummary); 5] {
        let s = |h: &Histogram| PhaseSummary {
            median: h.quantile(0.5),
            p99: h.quantile(0.99),
        };
        [
            ("parse", s(&self.parse)),
            ("check", s(&self.check)),
            ("compile", s(&self.compile)),
            ("pause", s(&self.pause)),
            ("total", s(&self.total)),
        ]
    }
}

impl std::fmt::Display for Stats {
    /// The REPL's `:stats` table.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        use super::report::micros;
        writeln!(f, "{} transactions", self.transactions)?;
        if self.transactions > 0 {
            writeln!(f, "  {:<8} {:>12} {:>12}", "phase", "median", "p99")?;
            for (name, p) in self.phases() {
                writeln!(
                    f,
                    "  {name:<8} {:>12} {:>12}",
                    micros(p.median),
                    micros(p.p99)
                )?;
            }
        }
        writeln!(
            f,
            "code: {} bytes written, {} reclaimed; {} struct instances migrated",
            self.code_bytes_written, self.code_bytes_reclaimed, self.migrated
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn histogram_quantiles_within_precision() {
        let mut h = Histogram::default();
        for us in 1..=1000u64 {
            h.record(Duration::from_micros(us));
        }
        let med = h.quantile(0.5).as_nanos() as f64;
        assert!((med - 500_000.0).abs() / 500_000.0 < 0.04, "{med}");
        let p99 = h.quantile(0.99).as_nanos() as f64;
        assert!((p99 - 990_000.0).abs() / 990_000.0 < 0.04, "{p99}");
        assert_eq!(h.count(), 1000);
        assert_eq!(Histogram::default().quantile(0.5), Duration::ZERO);
    }

    #[test]
    fn small_values_are_exact() {
        for ns in 0..40u64 {
            let mut h = Histogram::default();
            h.record(Duration::from_nanos(ns));
            assert!(h.quantile(0.5).as_nanos() as u64 <= ns);
            assert!(ns - h.quantile(0.5).as_nanos() as u64 <= ns / 32);
        }
    }
}
