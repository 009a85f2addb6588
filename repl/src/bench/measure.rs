//! Figures over the rounds: per phase, the median and 99th percentile of
//! the transactions' own timings (`TransactionReport::timings`, exact
//! samples, nearest rank); memory from the engine's statistics and the
//! resident set.

use std::time::Duration;

use serde::Serialize;

/// One phase's timings of every round.
#[derive(Default)]
pub struct Samples {
    parse: Vec<Duration>,
    check: Vec<Duration>,
    compile: Vec<Duration>,
    pause: Vec<Duration>,
    total: Vec<Duration>,
}

impl Samples {
    pub fn record(&mut self, r: &ember::TransactionReport) {
        let t = &r.timings;
        self.parse.push(t.parse);
        self.check.push(t.check);
        self.compile.push(t.compile);
        self.pause.push(t.pause);
        self.total.push(t.total);
    }

    pub fn summary(&self) -> Phases {
        Phases {
            parse: Phase::of(&self.parse),
            check: Phase::of(&self.check),
            compile: Phase::of(&self.compile),
            pause: Phase::of(&self.pause),
            total: Phase::of(&self.total),
        }
    }
}

/// Median and p99 of one phase, in nanoseconds.
#[derive(Clone, Copy, Debug, Serialize)]
pub struct Phase {
    pub median_ns: u64,
    pub p99_ns: u64,
}

impl Phase {
    fn of(samples: &[Duration]) -> Phase {
        let mut ns: Vec<u64> = samples
            .iter()
            .map(|d| d.as_nanos().min(u64::MAX as u128) as u64)
            .collect();
        ns.sort_unstable();
        Phase {
            median_ns: nearest_rank(&ns, 0.5),
            p99_ns: nearest_rank(&ns, 0.99),
        }
    }
}

/// The `q` quantile of sorted `v` by the nearest-rank method (0 if empty).
fn nearest_rank(v: &[u64], q: f64) -> u64 {
    if v.is_empty() {
        return 0;
    }
    let rank = ((q * v.len() as f64).ceil() as usize).clamp(1, v.len());
    v[rank - 1]
}

/// The phases the table and the JSON show (parse only in the JSON).
#[derive(Clone, Copy, Debug, Serialize)]
pub struct Phases {
    pub parse: Phase,
    pub check: Phase,
    pub compile: Phase,
    pub pause: Phase,
    pub total: Phase,
}

/// Memory figures at one moment.
#[derive(Clone, Copy)]
pub struct MemoryPoint {
    rss: Option<u64>,
    code_written: u64,
    code_reclaimed: u64,
    code_live: usize,
    heap_footprint: usize,
}

impl MemoryPoint {
    pub fn now(engine: &ember::Engine) -> MemoryPoint {
        let stats = engine.stats();
        MemoryPoint {
            rss: rss(),
            code_written: stats.code_bytes_written,
            code_reclaimed: stats.code_bytes_reclaimed,
            code_live: engine.code_stats().live,
            heap_footprint: engine.shared().heap.stats().footprint,
        }
    }

    /// Per round, from `self` to `after`.
    pub fn per_round(&self, after: &MemoryPoint, rounds: u32) -> Memory {
        let n = f64::from(rounds);
        let delta = |a: f64, b: f64| (b - a) / n;
        Memory {
            code_bytes_written_per_round: delta(
                self.code_written as f64,
                after.code_written as f64,
            ),
            code_bytes_reclaimed_per_round: delta(
                self.code_reclaimed as f64,
                after.code_reclaimed as f64,
            ),
            code_live_growth_per_round: delta(self.code_live as f64, after.code_live as f64),
            heap_footprint_growth_per_round: delta(
                self.heap_footprint as f64,
                after.heap_footprint as f64,
            ),
            rss_growth_per_round: match (self.rss, after.rss) {
                (Some(a), Some(b)) => Some(delta(a as f64, b as f64)),
                _ => None,
            },
        }
    }
}

/// Memory per redefinition (JSON `memory`), in bytes per round.
#[derive(Clone, Copy, Debug, Serialize)]
pub struct Memory {
    /// Machine code the transactions wrote (`Stats::code_bytes_written`).
    pub code_bytes_written_per_round: f64,
    /// Old machine code freed (once no frame ran it).
    pub code_bytes_reclaimed_per_round: f64,
    /// Growth of the code memory's live bytes (trampolines, tier-ups and
    /// code not yet reclaimed included).
    pub code_live_growth_per_round: f64,
    /// Growth of the heap's footprint (blocks held from the OS).
    pub heap_footprint_growth_per_round: f64,
    /// Growth of the process's resident set (`VmRSS`); `None` where
    /// `/proc/self/status` does not exist.
    pub rss_growth_per_round: Option<f64>,
}

/// Resident set size in bytes (`VmRSS` of `/proc/self/status`).
pub fn rss() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let kb: u64 = status
        .lines()
        .find(|l| l.starts_with("VmRSS:"))?
        .split_whitespace()
        .nth(1)?
        .parse()
        .ok()?;
    Some(kb * 1024)
}

/// The 1, 5 and 15 minute load averages (`/proc/loadavg`).
pub fn load_average() -> Option<[f64; 3]> {
    let text = std::fs::read_to_string("/proc/loadavg").ok()?;
    let mut it = text.split_whitespace().map(|s| s.parse::<f64>().ok());
    Some([it.next()??, it.next()??, it.next()??])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearest_rank_quantiles() {
        let v: Vec<u64> = (1..=100).collect();
        assert_eq!(nearest_rank(&v, 0.5), 50);
        assert_eq!(nearest_rank(&v, 0.99), 99);
        assert_eq!(nearest_rank(&[7], 0.99), 7);
        assert_eq!(nearest_rank(&[1, 2, 3], 0.5), 2);
        assert_eq!(nearest_rank(&[1, 2, 3], 0.99), 3);
        assert_eq!(nearest_rank(&[], 0.5), 0);
    }
}
