//! What survives compilation besides the code bytes: the PC → source
//! location table and the stack maps of call sites. Source locations are
//! the byte offset (`Span::lo`) of the TIR node that produced the
//! instruction; the function's file is recorded once per function.

use cranelift_codegen::ir::{self, SourceLoc};
use cranelift_codegen::CompiledCode;

/// Heap references live in a frame at one call site.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StackMapEntry {
    /// Offset of the return address from the function start.
    pub ret_offset: u32,
    /// Size of the frame below FP (caller SP side), as Cranelift reports it.
    pub frame_size: u32,
    /// Offsets from the SP at the call of the words holding references.
    pub offsets: Vec<u32>,
}

/// Machine code plus metadata of one compiled function.
#[derive(Clone, Debug, Default)]
pub struct CompiledFunction {
    pub code: Vec<u8>,
    /// Sorted, half-open `(start, end, byte offset in source)`.
    pub srclocs: Vec<(u32, u32, u32)>,
    /// Sorted by `ret_offset`.
    pub stack_maps: Vec<StackMapEntry>,
}

impl CompiledFunction {
    pub(crate) fn from_compiled(c: &CompiledCode) -> CompiledFunction {
        let srclocs = c
            .buffer
            .get_srclocs_sorted()
            .iter()
            .filter(|s| !s.loc.is_default() && s.loc.bits() != RETURN_LOC)
            .map(|s| (s.start, s.end, s.loc.bits()))
            .collect();
        let mut stack_maps: Vec<StackMapEntry> = c
            .buffer
            .user_stack_maps()
            .iter()
            .map(|(off, span, map)| StackMapEntry {
                ret_offset: *off,
                frame_size: *span,
                offsets: map
                    .entries()
                    .filter(|(ty, _)| *ty == ir::types::I64)
                    .map(|(_, o)| o)
                    .collect(),
            })
            .collect();
        stack_maps.sort_by_key(|m| m.ret_offset);
        CompiledFunction {
            code: c.code_buffer().to_vec(),
            srclocs,
            stack_maps,
        }
    }

    /// Source offset of the instruction at `offset` (for a return address,
    /// pass `ret - 1`).
    pub fn srcloc_at(&self, offset: u32) -> Option<u32> {
        lookup_srcloc(&self.srclocs, offset)
    }
}

/// Binary search in a sorted half-open srcloc table.
pub fn lookup_srcloc(table: &[(u32, u32, u32)], offset: u32) -> Option<u32> {
    let i = table.partition_point(|&(start, _, _)| start <= offset);
    if i == 0 {
        return None;
    }
    let (start, end, loc) = table[i - 1];
    (offset >= start && offset < end).then_some(loc)
}

/// Stack map for the call whose return address is at `ret_offset`.
pub fn lookup_stack_map(maps: &[StackMapEntry], ret_offset: u32) -> Option<&StackMapEntry> {
    maps.binary_search_by_key(&ret_offset, |m| m.ret_offset)
        .ok()
        .map(|i| &maps[i])
}

/// The source location for a TIR span start.
pub(crate) fn loc(lo: u32) -> SourceLoc {
    // `!0` is the reserved "no location" and `!1` is [`RETURN_LOC`]; a
    // file that large cannot be parsed anyway.
    SourceLoc::new(lo.min(u32::MAX - 2))
}

/// The location of every `return`: `compile` finds the machine code of
/// epilogues by it (see `codegen::use_leave`). It maps to no source (a
/// return makes no call and cannot fault).
pub(crate) const RETURN_LOC: u32 = u32::MAX - 1;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn srcloc_lookup_is_half_open() {
        let t = [(0, 4, 10), (4, 9, 20), (12, 16, 30)];
        assert_eq!(lookup_srcloc(&t, 0), Some(10));
        assert_eq!(lookup_srcloc(&t, 4), Some(20));
        assert_eq!(lookup_srcloc(&t, 8), Some(20));
        assert_eq!(lookup_srcloc(&t, 10), None);
        assert_eq!(lookup_srcloc(&t, 15), Some(30));
        assert_eq!(lookup_srcloc(&t, 16), None);
    }
}

/// What the runtime knows about one installed function body.
#[derive(Debug)]
pub struct FuncInfo {
    /// Ember name (`<main>` for top-level code).
    pub name: String,
    pub file: ember_lang::FileId,
    /// Entry address and code length.
    pub start: usize,
    pub len: usize,
    pub srclocs: Vec<(u32, u32, u32)>,
    pub stack_maps: Vec<StackMapEntry>,
    /// The structs this code mentions (its field offsets and layouts are
    /// baked in): a struct cannot change while a frame runs it.
    pub uses_structs: Box<[String]>,
}

impl FuncInfo {
    /// Source byte offset of the instruction at `offset` from the start.
    pub fn srcloc(&self, offset: u32) -> Option<u32> {
        lookup_srcloc(&self.srclocs, offset)
    }

    /// Stack map of the call returning to `start + ret_offset`.
    pub fn stack_map(&self, ret_offset: u32) -> Option<&StackMapEntry> {
        lookup_stack_map(&self.stack_maps, ret_offset)
    }
}

/// Code address range → function, for stack traces and root scanning.
#[derive(Debug, Default)]
pub struct Registry {
    by_start: std::collections::BTreeMap<usize, std::sync::Arc<FuncInfo>>,
}

impl Registry {
    pub fn insert(&mut self, info: FuncInfo) -> std::sync::Arc<FuncInfo> {
        let info = std::sync::Arc::new(info);
        self.by_start.insert(info.start, info.clone());
        info
    }

    pub fn remove(&mut self, start: usize) -> Option<std::sync::Arc<FuncInfo>> {
        self.by_start.remove(&start)
    }

    /// The function containing `pc` and the offset of `pc` in it. For a
    /// return address, the call is at `offset - 1`.
    pub fn lookup(&self, pc: usize) -> Option<(&std::sync::Arc<FuncInfo>, u32)> {
        let (_, info) = self.by_start.range(..=pc).next_back()?;
        // A return address may equal the end of a body ending in a call.
        (pc <= info.start + info.len).then(|| (info, (pc - info.start) as u32))
    }

    /// Every registered body, by address.
    pub fn functions(&self) -> impl Iterator<Item = &FuncInfo> {
        self.by_start.values().map(|i| &**i)
    }

    pub fn len(&self) -> usize {
        self.by_start.len()
    }

    pub fn is_empty(&self) -> bool {
        self.by_start.is_empty()
    }
}
