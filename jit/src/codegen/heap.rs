//! Heap values: optionals (boxes), arrays (inline length / index / store
//! with bounds checks), maps, structs (fields at layout offsets), the
//! generic standard functions, printing.
//!
//! Offsets come from `runtime::heap::object`; operations that allocate or
//! grow go through runtime functions.

use cranelift_codegen::ir::{condcodes::IntCC, types, InstBuilder, MemFlagsData, Value};
use ember_lang::ast::BinOp;
use ember_lang::span::Span;
use ember_lang::tir::{Builtin, Callee, TExpr};
use ember_lang::types::Type;

use super::function::{trusted, FnTranslator};
use super::{clif_type, err, is_gc_ref, optional_is_boxed, Result};
use crate::runtime::builtins::{RaiseCode, RtFn};
use crate::runtime::ctx::OFFSET_ALLOC_CACHE;
use crate::runtime::heap::alloc::{
    size_class, CACHE_CURSOR_OFFSET, CACHE_LIMIT_OFFSET, CLASS_SIZES, MAX_SMALL,
};
use crate::runtime::heap::object::{
    struct_size, ARRAY_BUF_OFFSET, BOX_SIZE, BOX_VALUE_OFFSET, BUFFER_CAP_OFFSET,
    BUFFER_DATA_OFFSET, BUFFER_LEN_OFFSET, HDR_REFS, KIND_BOX, KIND_STRUCT, STRUCT_LAYOUT_OFFSET,
};

/// Key kinds passed to `map_new`.
pub const MAP_KEY_INT: i64 = 0;
pub const MAP_KEY_STR: i64 = 1;
pub const MAP_KEY_BOOL: i64 = 2;

impl<'a, 'f> FnTranslator<'a, 'f> {
    /// A value as a raw 64-bit word (floats by bits, bools zero-extended).
    pub fn as_word(&mut self, v: Value) -> Value {
        match self.b.func.dfg.value_type(v) {
            types::F64 => self.b.ins().bitcast(types::I64, MemFlagsData::new(), v),
            types::I8 => self.b.ins().uextend(types::I64, v),
            _ => v,
        }
    }

    /// A raw word back to a value of Ember type `ty`.
    pub fn word_as(&mut self, w: Value, ty: &Type) -> Option<Value> {
        let v = match clif_type(ty)? {
            types::F64 => self.b.ins().bitcast(types::F64, MemFlagsData::new(), w),
            types::I8 => self.b.ins().ireduce(types::I8, w),
            _ => w,
        };
        Some(self.root(v, ty))
    }

    /// Allocate a small object of `size` bytes with `header` inline: bump
    /// the thread cache's cursor for the size class (RUNTIME heap contract),
    /// or call `slow` (a runtime allocation) when the run is exhausted.
    /// The caller initialises every word before the next safe point.
    fn inline_alloc(
        &mut self,
        size: usize,
        header: u64,
        ty: &Type,
        slow: impl FnOnce(&mut Self) -> Value,
    ) -> Value {
        debug_assert!(size <= MAX_SMALL);
        let class = size_class(size);
        let cursor_off = CACHE_CURSOR_OFFSET + 8 * class as i32;
        let limit_off = CACHE_LIMIT_OFFSET + 8 * class as i32;
        let cache = self
            .b
            .ins()
            .load(types::I64, trusted(), self.ctx, OFFSET_ALLOC_CACHE);
        let cur = self.b.ins().load(types::I64, trusted(), cache, cursor_off);
        let next = self.b.ins().iadd_imm_s(cur, CLASS_SIZES[class] as i64);
        let limit = self.b.ins().load(types::I64, trusted(), cache, limit_off);
        let over = self.b.ins().icmp(IntCC::UnsignedGreaterThan, next, limit);
        let fast = self.b.create_block();
        let slow_b = self.b.create_block();
        let merge = self.b.create_block();
        let obj = self.b.append_block_param(merge, types::I64);
        self.b.ins().brif(over, slow_b, &[], fast, &[]);
        self.b.switch_to_block(fast);
        self.b.seal_block(fast);
        self.b.ins().store(trusted(), next, cache, cursor_off);
        let h = self.b.ins().iconst(types::I64, header as i64);
        self.b.ins().store(trusted(), h, cur, 0);
        self.b.ins().jump(merge, &[cur.into()]);
        self.b.set_cold_block(slow_b);
        self.b.switch_to_block(slow_b);
        self.b.seal_block(slow_b);
        let v = slow(self);
        self.b.ins().jump(merge, &[v.into()]);
        self.b.switch_to_block(merge);
        self.b.seal_block(merge);
        self.root(obj, ty)
    }

    /// `Some(x)`: the value itself, or a box holding it.
    pub fn translate_some(&mut self, inner: &TExpr, span: Span) -> Result<Option<Value>> {
        let v = self.expr(inner)?;
        if !optional_is_boxed(&inner.ty) {
            return Ok(v);
        }
        let v = self.value_or_zero(v, &inner.ty);
        self.at(span);
        let w = self.as_word(v);
        let refs = is_gc_ref(&inner.ty);
        let header = KIND_BOX | if refs { HDR_REFS } else { 0 };
        let ty = Type::optional(inner.ty.clone());
        let obj = self.inline_alloc(BOX_SIZE, header, &ty, |t| {
            let r = t.b.ins().iconst(types::I8, i64::from(refs));
            t.call_rt(RtFn::BoxNew, &[w, r]).expect("returns")
        });
        // (The slow path already stored it; storing again is harmless.)
        self.b.ins().store(trusted(), w, obj, BOX_VALUE_OFFSET);
        Ok(Some(obj))
    }

    /// The `T` inside a present `T?` (`opt != 0`).
    pub fn optional_payload(&mut self, opt: Value, inner: &Type) -> Option<Value> {
        if optional_is_boxed(inner) {
            let t = clif_type(inner)?;
            let v = self.b.ins().load(t, trusted(), opt, BOX_VALUE_OFFSET);
            Some(v)
        } else {
            Some(self.root(opt, inner))
        }
    }

    pub fn translate_unwrap(&mut self, e: &TExpr, ty: &Type, span: Span) -> Result<Option<Value>> {
        let opt = self.expr_value(e)?;
        self.at(span);
        let none = self.b.ins().icmp_imm_s(IntCC::Equal, opt, 0);
        self.check0(none, RaiseCode::UnwrapNone);
        Ok(self.optional_payload(opt, ty))
    }

    pub fn translate_coalesce(
        &mut self,
        opt: &TExpr,
        default: &TExpr,
        ty: &Type,
        span: Span,
    ) -> Result<Option<Value>> {
        let o = self.expr_value(opt)?;
        let Type::Optional(inner) = &opt.ty else {
            return err("internal error: `??` on a non-optional");
        };
        let inner = (**inner).clone();
        self.at(span);
        let some_b = self.b.create_block();
        let none_b = self.b.create_block();
        let merge = self.b.create_block();
        let res = clif_type(ty).map(|t| self.b.append_block_param(merge, t));
        self.b.ins().brif(o, some_b, &[], none_b, &[]);
        self.b.switch_to_block(some_b);
        self.b.seal_block(some_b);
        let p = self.optional_payload(o, &inner);
        match res {
            Some(_) => {
                let p = self.value_or_zero(p, ty);
                self.b.ins().jump(merge, &[p.into()]);
            }
            None => {
                self.b.ins().jump(merge, &[]);
            }
        }
        self.b.switch_to_block(none_b);
        self.b.seal_block(none_b);
        let d = self.expr(default)?;
        match res {
            Some(_) => {
                let d = self.value_or_zero(d, ty);
                self.b.ins().jump(merge, &[d.into()]);
            }
            None => {
                self.b.ins().jump(merge, &[]);
            }
        }
        self.b.switch_to_block(merge);
        self.b.seal_block(merge);
        Ok(res.map(|r| self.root(r, ty)))
    }

    // ---- arrays ------------------------------------------------------------

    /// Current length of array `a`.
    pub fn array_len(&mut self, a: Value) -> Value {
        let buf = self
            .b
            .ins()
            .load(types::I64, trusted(), a, ARRAY_BUF_OFFSET);
        self.b
            .ins()
            .load(types::I64, trusted(), buf, BUFFER_LEN_OFFSET)
    }

    /// Address of element `i` of the buffer `buf` (no check).
    fn element_addr(&mut self, buf: Value, i: Value) -> Value {
        let off = self.b.ins().ishl_imm_s(i, 3);
        self.b.ins().iadd(buf, off)
    }

    /// `a[i]` where `0 <= i < len` is known.
    pub fn array_get_unchecked(&mut self, a: Value, i: Value, elem: &Type) -> Option<Value> {
        let buf = self
            .b
            .ins()
            .load(types::I64, trusted(), a, ARRAY_BUF_OFFSET);
        let addr = self.element_addr(buf, i);
        let t = clif_type(elem)?;
        let v = self.b.ins().load(t, trusted(), addr, BUFFER_DATA_OFFSET);
        Some(self.root(v, elem))
    }

    /// `push(a, w)`: while the buffer has room, store the element and then
    /// publish the new length (a release store; plain on x86-64, whose
    /// stores are ordered); otherwise the runtime grows the buffer.
    fn array_push(&mut self, a: Value, w: Value) {
        let buf = self
            .b
            .ins()
            .load(types::I64, trusted(), a, ARRAY_BUF_OFFSET);
        let n = self
            .b
            .ins()
            .load(types::I64, trusted(), buf, BUFFER_LEN_OFFSET);
        let cap = self
            .b
            .ins()
            .load(types::I64, trusted(), buf, BUFFER_CAP_OFFSET);
        let room = self.b.ins().icmp(IntCC::UnsignedLessThan, n, cap);
        let fast = self.b.create_block();
        let slow = self.b.create_block();
        let done = self.b.create_block();
        self.b.ins().brif(room, fast, &[], slow, &[]);
        self.b.switch_to_block(fast);
        self.b.seal_block(fast);
        let addr = self.element_addr(buf, n);
        self.b.ins().store(trusted(), w, addr, BUFFER_DATA_OFFSET);
        let n1 = self.b.ins().iadd_imm_s(n, 1);
        if self.ordered_stores {
            self.b.ins().store(trusted(), n1, buf, BUFFER_LEN_OFFSET);
        } else {
            let len_addr = self.b.ins().iadd_imm_s(buf, i64::from(BUFFER_LEN_OFFSET));
            self.b.ins().atomic_store(trusted(), n1, len_addr);
        }
        self.b.ins().jump(done, &[]);
        self.b.set_cold_block(slow);
        self.b.switch_to_block(slow);
        self.b.seal_block(slow);
        self.call_rt(RtFn::ArrayPush, &[a, w]);
        self.b.ins().jump(done, &[]);
        self.b.switch_to_block(done);
        self.b.seal_block(done);
    }

    /// Bounds-checked element address of `a[i]`.
    fn array_checked_addr(&mut self, a: Value, i: Value) -> Value {
        let buf = self
            .b
            .ins()
            .load(types::I64, trusted(), a, ARRAY_BUF_OFFSET);
        let len = self
            .b
            .ins()
            .load(types::I64, trusted(), buf, BUFFER_LEN_OFFSET);
        let out = self.b.ins().icmp(IntCC::UnsignedGreaterThanOrEqual, i, len);
        self.check(out, RaiseCode::IndexOutOfBounds, |_| (i, len));
        self.element_addr(buf, i)
    }

    pub fn translate_array(&mut self, elems: &[TExpr], ty: &Type, span: Span) -> Result<Value> {
        let Type::Array(elem) = ty else {
            return err("internal error: array literal of non-array type");
        };
        let elem = (**elem).clone();
        let vals = self.args(elems)?;
        self.at(span);
        let n = self.b.ins().iconst(types::I64, vals.len() as i64);
        let refs = self.b.ins().iconst(types::I8, i64::from(is_gc_ref(&elem)));
        let arr = self.call_rt_ty(RtFn::ArrayWithLen, &[n, refs], ty);
        if !vals.is_empty() {
            let buf = self
                .b
                .ins()
                .load(types::I64, trusted(), arr, ARRAY_BUF_OFFSET);
            for (i, v) in vals.into_iter().enumerate() {
                if clif_type(&elem).is_some() {
                    let w = self.as_word(v);
                    self.b
                        .ins()
                        .store(trusted(), w, buf, BUFFER_DATA_OFFSET + 8 * i as i32);
                }
            }
        }
        Ok(arr)
    }

    pub fn translate_array_repeat(
        &mut self,
        value: &TExpr,
        count: &TExpr,
        ty: &Type,
        span: Span,
    ) -> Result<Value> {
        let v = self.expr_value(value)?;
        let n = self.expr_value(count)?;
        self.at(span);
        let w = self.as_word(v);
        let refs = self
            .b
            .ins()
            .iconst(types::I8, i64::from(is_gc_ref(&value.ty)));
        Ok(self.call_rt_ty(RtFn::ArrayRepeat, &[w, n, refs], ty))
    }

    pub fn translate_index(
        &mut self,
        base: &TExpr,
        index: &TExpr,
        ty: &Type,
        span: Span,
    ) -> Result<Option<Value>> {
        let b = self.expr_value(base)?;
        let i = self.expr_value(index)?;
        self.at(span);
        match &base.ty {
            Type::Array(_) => {
                let addr = self.array_checked_addr(b, i);
                let Some(t) = clif_type(ty) else {
                    return Ok(None);
                };
                let v = self.b.ins().load(t, trusted(), addr, BUFFER_DATA_OFFSET);
                Ok(Some(self.root(v, ty)))
            }
            Type::Map(..) => {
                let k = self.as_word(i);
                let w = self.call_rt(RtFn::MapGet, &[b, k]).expect("returns");
                Ok(self.word_as(w, ty))
            }
            other => err(format!("internal error: indexing {other}")),
        }
    }

    pub fn translate_index_assign(
        &mut self,
        base: &TExpr,
        index: &TExpr,
        op: Option<BinOp>,
        value: &TExpr,
        span: Span,
    ) -> Result<()> {
        let b = self.expr_value(base)?;
        let i = self.expr_value(index)?;
        let v = self.expr_value(value)?;
        self.at(span);
        match &base.ty {
            Type::Array(elem) => {
                let elem = (**elem).clone();
                let addr = self.array_checked_addr(b, i);
                let Some(t) = clif_type(&elem) else {
                    return Ok(());
                };
                let v = match op {
                    None => v,
                    Some(op) => {
                        let cur = self.b.ins().load(t, trusted(), addr, BUFFER_DATA_OFFSET);
                        let cur = self.root(cur, &elem);
                        self.binary_values(op, &elem, cur, v, Some(value), span)?
                    }
                };
                let w = self.as_word(v);
                self.b.ins().store(trusted(), w, addr, BUFFER_DATA_OFFSET);
            }
            Type::Map(_, vt) => {
                let vt = (**vt).clone();
                let k = self.as_word(i);
                let v = match op {
                    None => v,
                    Some(op) => {
                        let w = self.call_rt(RtFn::MapGet, &[b, k]).expect("returns");
                        let cur = self.word_as(w, &vt);
                        let cur = self.value_or_zero(cur, &vt);
                        self.binary_values(op, &vt, cur, v, Some(value), span)?
                    }
                };
                let w = self.as_word(v);
                self.call_rt(RtFn::MapSet, &[b, k, w]);
            }
            other => return err(format!("internal error: index assignment on {other}")),
        }
        Ok(())
    }

    pub fn translate_map_lit(
        &mut self,
        entries: &[(TExpr, TExpr)],
        ty: &Type,
        span: Span,
    ) -> Result<Value> {
        let Type::Map(kt, vt) = ty else {
            return err("internal error: map literal of non-map type");
        };
        let (kt, vt) = ((**kt).clone(), (**vt).clone());
        let mut vals = Vec::with_capacity(entries.len());
        for (k, v) in entries {
            let k = self.expr_value(k)?;
            let v = self.expr_value(v)?;
            vals.push((k, v));
        }
        self.at(span);
        let m = self.map_new(&kt, &vt, ty);
        for (k, v) in vals {
            let k = self.as_word(k);
            let v = self.as_word(v);
            self.call_rt(RtFn::MapSet, &[m, k, v]);
        }
        Ok(m)
    }

    fn map_new(&mut self, kt: &Type, vt: &Type, ty: &Type) -> Value {
        let kind = match kt {
            Type::Str => MAP_KEY_STR,
            Type::Bool => MAP_KEY_BOOL,
            _ => MAP_KEY_INT,
        };
        let kind = self.b.ins().iconst(types::I64, kind);
        let refs = self.b.ins().iconst(types::I8, i64::from(is_gc_ref(vt)));
        self.call_rt_ty(RtFn::MapNew, &[kind, refs], ty)
    }

    // ---- structs -----------------------------------------------------------

    pub fn translate_struct_lit(
        &mut self,
        name: &str,
        fields: &[(String, TExpr)],
        span: Span,
    ) -> Result<Value> {
        let Some(layout) = self.r.struct_layout(name) else {
            return err(format!("internal error: unknown struct `{name}`"));
        };
        let mut vals = Vec::with_capacity(fields.len());
        for (f, e) in fields {
            let v = self.expr(e)?;
            vals.push((f, v, &e.ty));
        }
        self.at(span);
        let ty = Type::strukt(name);
        let size = struct_size(layout.fields.len());
        let desc = layout.desc;
        let obj = if size <= MAX_SMALL {
            let obj = self.inline_alloc(size, KIND_STRUCT, &ty, |t| {
                let d = t.b.ins().iconst(types::I64, desc as i64);
                t.call_rt(RtFn::StructNew, &[d]).expect("returns")
            });
            let lp = self.b.ins().iconst(types::I64, layout.layout_ptr as i64);
            self.b.ins().store(trusted(), lp, obj, STRUCT_LAYOUT_OFFSET);
            // Words of `()` fields (no value) must still be initialised.
            let zero = self.b.ins().iconst(types::I64, 0);
            for (_, t, off) in &layout.fields {
                if clif_type(t).is_none() {
                    self.b.ins().store(trusted(), zero, obj, *off);
                }
            }
            obj
        } else {
            let d = self.b.ins().iconst(types::I64, desc as i64);
            self.call_rt_ty(RtFn::StructNew, &[d], &ty)
        };
        for (f, v, _) in vals {
            let Some((_, off)) = layout.field(f) else {
                return err(format!("internal error: no field {name}.{f}"));
            };
            if let Some(v) = v {
                let w = self.as_word(v);
                self.b.ins().store(trusted(), w, obj, off);
            }
        }
        Ok(obj)
    }

    fn field_offset(&mut self, struct_name: &str, field: &str) -> Result<(Type, i32)> {
        let Some(layout) = self.r.struct_layout(struct_name) else {
            return err(format!("internal error: unknown struct `{struct_name}`"));
        };
        match layout.field(field) {
            Some((t, o)) => Ok((t.clone(), o)),
            None => err(format!("internal error: no field {struct_name}.{field}")),
        }
    }

    pub fn translate_field(
        &mut self,
        base: &TExpr,
        struct_name: &str,
        field: &str,
        span: Span,
    ) -> Result<Option<Value>> {
        let obj = self.expr_value(base)?;
        self.at(span);
        let (ty, off) = self.field_offset(struct_name, field)?;
        if clif_type(&ty).is_none() {
            return Ok(None);
        }
        Ok(Some(self.load_word(&ty, obj, off)))
    }

    pub fn translate_field_assign(
        &mut self,
        base: &TExpr,
        struct_name: &str,
        field: &str,
        op: Option<BinOp>,
        value: &TExpr,
        span: Span,
    ) -> Result<()> {
        let obj = self.expr_value(base)?;
        let v = self.expr_value(value)?;
        self.at(span);
        let (ty, off) = self.field_offset(struct_name, field)?;
        if clif_type(&ty).is_none() {
            return Ok(());
        }
        let v = match op {
            None => v,
            Some(op) => {
                let cur = self.load_word(&ty, obj, off);
                self.binary_values(op, &ty, cur, v, Some(value), span)?
            }
        };
        self.store_word(v, obj, off);
        Ok(())
    }

    // ---- generic standard functions ---------------------------------------

    /// Standard functions implemented by runtime calls.
    pub fn translate_rt_builtin(
        &mut self,
        b: Builtin,
        args: &[TExpr],
        argv: &[Value],
        ty: &Type,
    ) -> Result<Option<Value>> {
        use Builtin::*;
        let v = match b {
            MapNew => {
                let Type::Map(kt, vt) = ty else {
                    return err("internal error: map() of non-map type");
                };
                let (kt, vt) = ((**kt).clone(), (**vt).clone());
                return Ok(Some(self.map_new(&kt, &vt, ty)));
            }
            ChanNew => {
                let Type::Chan(et) = ty else {
                    return err("internal error: chan() of non-chan type");
                };
                let refs = self.b.ins().iconst(types::I8, i64::from(is_gc_ref(et)));
                return Ok(Some(self.call_rt_ty(RtFn::ChanNew, &[refs], ty)));
            }
            Push => {
                let w = self.as_word(argv[1]);
                self.array_push(argv[0], w);
                return Ok(None);
            }
            Send => {
                let w = self.as_word(argv[1]);
                self.call_rt(RtFn::ChanSend, &[argv[0], w]);
                return Ok(None);
            }
            Pop | Recv => {
                let f = if b == Pop {
                    RtFn::ArrayPop
                } else {
                    RtFn::ChanRecv
                };
                let w = self.call_rt(f, &[argv[0]]).expect("returns");
                return Ok(self.word_as(w, ty));
            }
            Get => {
                let Type::Optional(inner) = ty else {
                    return err("internal error: get() not optional");
                };
                let boxed = self
                    .b
                    .ins()
                    .iconst(types::I8, i64::from(optional_is_boxed(inner)));
                let k = self.as_word(argv[1]);
                return Ok(Some(self.call_rt_ty(
                    RtFn::MapGetOpt,
                    &[argv[0], k, boxed],
                    ty,
                )));
            }
            Has | Remove => {
                let k = self.as_word(argv[1]);
                let f = if b == Has {
                    RtFn::MapHas
                } else {
                    RtFn::MapRemove
                };
                return Ok(self.call_rt(f, &[argv[0], k]));
            }
            _ => {
                let _ = args;
                let Some(f) = super::calls::rt_for_builtin(b) else {
                    return err(format!("internal error: standard function {b:?}"));
                };
                self.call_rt(f, argv)
            }
        };
        Ok(v.map(|v| self.root(v, ty)))
    }

    /// `print(x)`, `println(x)`, `str(x)`: library functions taking the
    /// value's word and its type descriptor.
    pub fn translate_print(
        &mut self,
        b: Builtin,
        arg: &TExpr,
        ty: &Type,
        span: Span,
    ) -> Result<Option<Value>> {
        let v = self.expr(arg)?;
        self.at(span);
        let w = match v {
            Some(v) => self.as_word(v),
            None => self.b.ins().iconst(types::I64, 0),
        };
        let desc = self.r.type_desc(&arg.ty);
        let desc = self.b.ins().iconst(types::I64, desc as i64);
        self.call_library(b, &[w, desc], ty)
    }

    /// `spawn f(args)`: the arguments are packed into a heap array of words
    /// (with a mask of which are references) and handed to the runtime
    /// with the callee's slot and an entry wrapper for its signature.
    pub fn translate_spawn(
        &mut self,
        callee: &Callee,
        args: &[TExpr],
        span: Span,
    ) -> Result<Value> {
        let (slot, ft) = match callee {
            Callee::Function(name) => match self.r.function(name) {
                Some((slot, ft)) => {
                    let s = self.b.ins().iconst(types::I64, slot as i64);
                    (s, ft)
                }
                None => return err(format!("internal error: unknown function `{name}`")),
            },
            Callee::Host(name) => match self.r.host(name) {
                Some((slot, ft)) => {
                    let s = self.b.ins().iconst(types::I64, slot as i64);
                    (s, ft)
                }
                None => return err(format!("internal error: unknown host function `{name}`")),
            },
            Callee::Value(f) => {
                let Type::Fn(ft) = &f.ty else {
                    return err("internal error: spawn of a non-function");
                };
                let ft = ft.clone();
                (self.expr_value(f)?, ft)
            }
            Callee::Builtin(_) => return err("internal error: spawn of a standard function"),
        };
        let argv = self.args(args)?;
        self.at(span);
        let n = self.b.ins().iconst(types::I64, argv.len() as i64);
        let arr = self.call_rt_ty(RtFn::SpawnArgs, &[n], &Type::array(Type::Int));
        let buf = self
            .b
            .ins()
            .load(types::I64, trusted(), arr, ARRAY_BUF_OFFSET);
        for (i, v) in argv.into_iter().enumerate() {
            let w = self.as_word(v);
            self.b
                .ins()
                .store(trusted(), w, buf, BUFFER_DATA_OFFSET + 8 * i as i32);
        }
        let wrapper = self.r.entry_wrapper(&ft);
        let wrapper = self.b.ins().iconst(types::I64, wrapper as i64);
        // The runtime pins the reference arguments (by the callee's
        // parameter types) until the thread has finished.
        let sig_desc = self.r.type_desc(&Type::Fn(ft.clone()));
        let sig_desc = self.b.ins().iconst(types::I64, sig_desc as i64);
        let ret_ref = self
            .b
            .ins()
            .iconst(types::I8, i64::from(is_gc_ref(&ft.ret)));
        Ok(self.call_rt_ty(
            RtFn::Spawn,
            &[slot, wrapper, arr, sig_desc, ret_ref],
            &Type::Task,
        ))
    }
}
