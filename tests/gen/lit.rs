//! Literals and leaves: the expressions that need no further choices, so
//! every type can always be produced when the budgets run out.

use super::{Gen, Ty};

/// Integers where arithmetic, shifts, casts and indexing get interesting.
const SPECIAL_INTS: &[i64] = &[
    i64::MAX,
    i64::MIN,
    -1,
    2,
    63,
    64,
    65,
    1 << 31,
    1 << 32,
    -(1 << 53),
    1_000_000,
    100_000_000,
];

const SPECIAL_FLOATS: &[f64] = &[
    0.0,
    -0.0,
    0.1,
    0.5,
    1e300,
    1e-300,
    5e-324,
    f64::MAX,
    9.2e18,
    -9.3e18,
    9223372036854775807.0,
    2.5e-3,
];

/// Texts `parse_int` / `parse_float` accept or reject in interesting ways.
const NUMERIC_TEXTS: &[&str] = &[
    "0",
    "42",
    "-7",
    "+3",
    "1.5",
    "1e5",
    "NaN",
    "inf",
    "-0.0",
    "9223372036854775807",
    "9223372036854775808",
    "-9223372036854775808",
    " 1",
    "",
    "0x10",
];

/// Characters strings are made of: ASCII, separators, multi-byte
/// characters (substr on a non-boundary fails), escapes.
const CHARS: &[char] = &[
    'a', 'b', 'c', 'x', ' ', ',', '-', '0', '7', 'é', '🔥', '\n', '"', '\\', '\t', '\0', 'ß',
];

impl Gen<'_, '_> {
    pub(crate) fn int_lit(&mut self) -> String {
        let v: i64 = match self.weighted(&[6, 3, 2, 1, 1]) {
            0 => self.below(10) as i64,
            1 => -(self.below(20) as i64) + self.below(100) as i64,
            2 => *self.pick(SPECIAL_INTS),
            3 => self.arbitrary_i64(),
            _ => self.below(1 << 16) as i64,
        };
        self.render_int(v)
    }

    /// `v` as source text: decimal, hex, binary or with underscores; a
    /// negative value as a parenthesised minus applied to its literal.
    pub(crate) fn render_int(&mut self, v: i64) -> String {
        if v == i64::MIN {
            return "(-9223372036854775808)".to_string();
        }
        if v < 0 {
            return format!("(-{})", self.render_int(-v));
        }
        match self.weighted(&[8, 1, 1, 1]) {
            0 => v.to_string(),
            1 => format!("0x{v:x}"),
            2 => format!("0b{v:b}"),
            _ => {
                let digits = v.to_string();
                let mut out = String::new();
                for (i, c) in digits.chars().enumerate() {
                    if i > 0 && (digits.len() - i).is_multiple_of(3) {
                        out.push('_');
                    }
                    out.push(c);
                }
                out
            }
        }
    }

    pub(crate) fn float_lit(&mut self) -> String {
        let v: f64 = match self.weighted(&[5, 3, 1]) {
            0 => self.below(100) as f64 / 4.0,
            1 => *self.pick(SPECIAL_FLOATS),
            _ => {
                let f = f64::from_bits(self.arbitrary_u64());
                if f.is_finite() {
                    f
                } else {
                    1.5
                }
            }
        };
        let v = if self.chance(20) { -v } else { v };
        // `{:?}` always has a `.` or an exponent, as float literals need.
        if v.is_sign_negative() {
            format!("(-{:?})", -v)
        } else {
            format!("{v:?}")
        }
    }

    pub(crate) fn str_lit(&mut self) -> String {
        let text: String = if self.chance(20) {
            self.pick(NUMERIC_TEXTS).to_string()
        } else {
            let n = self.below(7);
            (0..n).map(|_| *self.pick(CHARS)).collect()
        };
        quote(&text, self.chance(10))
    }

    /// A string literal from [`NUMERIC_TEXTS`].
    pub(crate) fn numeric_lit(&mut self) -> String {
        let text = *self.pick(NUMERIC_TEXTS);
        quote(text, false)
    }

    /// An expression of type `ty` that makes no further recursive choices
    /// except for containers' elements (bounded by `depth`). `typed`: an
    /// expected type is known where it appears, so `[]`, `none`, `map()`,
    /// `[:]` and `chan()` may be used; otherwise the expression has
    /// exactly type `ty` on its own.
    pub(crate) fn leaf(&mut self, ty: &Ty, typed: bool, depth: u32) -> String {
        match ty {
            Ty::Int => self.int_lit(),
            Ty::Float => self.float_lit(),
            Ty::Bool => self.pick(&["true", "false"]).to_string(),
            Ty::Str => self.str_lit(),
            Ty::Array(t) => {
                if typed && (depth == 0 || self.chance(40)) {
                    return "[]".to_string();
                }
                let n = if typed {
                    self.below(3)
                } else {
                    1 + self.below(2)
                };
                let items: Vec<String> = (0..n)
                    .map(|_| self.leaf(t, typed, depth.saturating_sub(1)))
                    .collect();
                format!("[{}]", items.join(", "))
            }
            Ty::Map(k, v) => {
                if typed && (depth == 0 || self.chance(40)) {
                    return self.pick(&["map()", "[:]"]).to_string();
                }
                let key = self.leaf(k, typed, 0);
                let value = self.leaf(v, typed, depth.saturating_sub(1));
                format!("[{key}: {value}]")
            }
            Ty::Opt(t) => {
                if typed {
                    if depth == 0 || self.chance(30) {
                        "none".to_string()
                    } else {
                        self.leaf(t, true, depth - 1)
                    }
                } else {
                    let inner = self.leaf(ty, true, depth);
                    self.annotated(ty, &inner)
                }
            }
            Ty::Struct(i) => {
                self.struct_lit(*i, |g, fty| g.leaf(fty, true, depth.saturating_sub(1)))
            }
            Ty::Func(..) => {
                let names = self.fns_of_type(ty);
                self.pick(&names).clone()
            }
            Ty::Chan(_) => {
                if typed {
                    "chan()".to_string()
                } else {
                    self.annotated(ty, "chan()")
                }
            }
            Ty::Task => unreachable!("tasks are made by spawn statements only"),
        }
    }

    /// `{ let v: TY = inner; v }`: an expression of exactly type `ty`
    /// from one that needs the expected type.
    pub(crate) fn annotated(&mut self, ty: &Ty, inner: &str) -> String {
        let v = self.fresh();
        format!("{{ let {v}: {ty} = {inner}; {v} }}")
    }

    /// `(S { a: .., b: .. })` with every field once, in a random order;
    /// `field` makes each value (with the field's type expected).
    pub(crate) fn struct_lit(
        &mut self,
        i: usize,
        mut field: impl FnMut(&mut Self, &Ty) -> String,
    ) -> String {
        let mut fields = self.structs[i].fields.clone();
        // A random order: field order in a literal is free.
        for k in (1..fields.len()).rev() {
            let j = self.below(k + 1);
            fields.swap(k, j);
        }
        let parts: Vec<String> = fields
            .iter()
            .map(|(name, ty)| format!("{name}: {}", field(self, ty)))
            .collect();
        // Parenthesised: a struct literal in an `if`/`while`/`for` head
        // must be.
        format!("(S{i} {{ {} }})", parts.join(", "))
    }

    /// Names of the functions whose value has type `ty`.
    pub(crate) fn fns_of_type(&self, ty: &Ty) -> Vec<String> {
        self.sigs
            .iter()
            .enumerate()
            .filter(|(_, s)| s.fn_type().as_ref() == Some(ty))
            .map(|(i, _)| format!("f{i}"))
            .collect()
    }
}

/// `text` as an Ember string literal (`unicode`: non-ASCII characters as
/// `\u{..}` escapes rather than raw).
pub fn quote(text: &str, unicode: bool) -> String {
    let mut out = String::from("\"");
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            '\0' => out.push_str("\\0"),
            c if unicode && !c.is_ascii() => out.push_str(&format!("\\u{{{:X}}}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}
