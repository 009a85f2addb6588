//! "Did you mean ...?" suggestions by edit distance.

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
/// edit per three characters (at least one), or the same name up to case.
pub(crate) fn suggest<'s>(
    name: &str,
    candidates: impl Iterator<Item = &'s str>,
) -> Option<&'s str> {
    let limit = (name.chars().count() / 3).max(1);
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
    }
}
