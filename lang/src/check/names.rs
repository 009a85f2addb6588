//! Names: "did you mean ...?" suggestions by edit distance, and the fast
//! hash map the checker uses for name lookups.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

/// The Fx hash (as in rustc): much faster than SipHash on short keys such as
/// identifiers; HashDoS resistance does not matter for a compiler's tables.
#[derive(Clone, Copy, Default)]
pub(crate) struct FxHasher {
    hash: u64,
}

const SEED: u64 = 0x51_7c_c1_b7_27_22_0a_95;

impl FxHasher {
    #[inline]
    fn add(&mut self, word: u64) {
        self.hash = (self.hash.rotate_left(5) ^ word).wrapping_mul(SEED);
    }
}

impl Hasher for FxHasher {
    #[inline]
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            let mut w = [0u8; 8];
            w.copy_from_slice(c);
            self.add(u64::from_le_bytes(w));
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut w = [0u8; 8];
            w[..rest.len()].copy_from_slice(rest);
            self.add(u64::from_le_bytes(w));
        }
    }

    #[inline]
    fn write_u8(&mut self, i: u8) {
        self.add(u64::from(i));
    }

    #[inline]
    fn write_usize(&mut self, i: usize) {
        self.add(i as u64);
    }

    #[inline]
    fn finish(&self) -> u64 {
        self.hash
    }
}

/// A `HashMap` with the Fx hash.
pub(crate) type FxMap<K, V> = HashMap<K, V, BuildHasherDefault<FxHasher>>;

/// Levenshtein distance between two strings (by chars), bounded by the
/// lengths; O(len(a) · len(b)) time, O(len(b)) space.
pub(crate) fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur = vec![0; b.len() + 1];
    for (i, ca) in a.chars().enumerate() {
        cur[0] = i + 1;
        for (j, &cb) in b.iter().enumerate() {
            let cost = usize::from(ca != cb);
            cur[j + 1] = (prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()]
}

/// The candidate closest to `name`, if it is close enough: at most one
/// edit per three characters, or the same name up to case. Names shorter
/// than three characters only match up to case (`p` is not "close" to `d`).
pub(crate) fn suggest<'s>(
    name: &str,
    candidates: impl Iterator<Item = &'s str>,
) -> Option<&'s str> {
    let limit = name.chars().count() / 3;
    let mut best: Option<(usize, &'s str)> = None;
    for c in candidates {
        if c == name {
            continue;
        }
        // Cheap length filter before the quadratic distance.
        if c.len().abs_diff(name.len()) > limit {
            continue;
        }
        let d = if c.eq_ignore_ascii_case(name) {
            0
        } else {
            edit_distance(name, c)
        };
        if d <= limit && best.is_none_or(|(bd, bc)| d < bd || (d == bd && c < bc)) {
            best = Some((d, c));
        }
    }
    best.map(|(_, c)| c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distances() {
        assert_eq!(edit_distance("count", "count"), 0);
        assert_eq!(edit_distance("cout", "count"), 1);
        assert_eq!(edit_distance("", "abc"), 3);
        assert_eq!(edit_distance("kitten", "sitting"), 3);
    }

    #[test]
    fn suggestions() {
        let c = ["count", "counter", "total"];
        assert_eq!(suggest("cout", c.iter().copied()), Some("count"));
        assert_eq!(suggest("Total", c.iter().copied()), Some("total"));
        assert_eq!(suggest("xyz", c.iter().copied()), None);
        assert_eq!(suggest("count", c.iter().copied()), None);
        assert_eq!(suggest("p", ["d", "P"].iter().copied()), Some("P"));
        assert_eq!(suggest("ln", ["len"].iter().copied()), None);
    }
}
