//! Frame-pointer stack walking over Ember frames (RUNTIME.md, "Calls into
//! the runtime").
//!
//! Every Ember function keeps a frame pointer. On both targets a frame
//! record is two words at FP: `[fp]` = the caller's FP, `[fp + 8]` = the
//! return address into the caller (x86-64: pushed by `call`, then `push
//! rbp`; aarch64: `stp x29, x30, [sp, #-16]!`). So from a frame `(pc, sp,
//! fp)` the caller's frame is `pc = [fp + 8]`, `sp = fp + 16`, `fp = [fp]`.
//!
//! A walk starts at the innermost Ember frame, e.g. `(ctx.exit_pc,
//! ctx.exit_sp, ctx.exit_fp)` recorded by an exit trampoline, and ends when
//! the next FP is the entry FP ([`crate::runtime::unwind::JmpBuf::entry_fp`],
//! the `ember_enter` frame). It never reads outside `[start fp, entry fp)`:
//! every step must move FP strictly up the stack and stay below the entry
//! FP, else the walk stops as [`WalkEnd::Broken`]; and at most a fixed
//! number of frames is visited ([`MAX_FRAMES`]), so a corrupted chain can't
//! loop forever.

use std::fmt;

/// Offset of the saved return address from FP (x86-64: above the saved
/// `rbp`, pushed by `call`).
#[cfg(target_arch = "x86_64")]
pub const RETURN_ADDRESS_OFFSET: usize = 8;
/// Offset of the saved return address from FP (aarch64: the saved link
/// register `x30`, stored beside `x29` by the prologue's `stp`).
#[cfg(target_arch = "aarch64")]
pub const RETURN_ADDRESS_OFFSET: usize = 8;

/// Offset of the saved caller FP from FP (both targets).
pub const CALLER_FP_OFFSET: usize = 0;

/// The caller's SP at the call is `fp + CALLER_SP_OFFSET` (both targets:
/// the two-word frame record sits right below the caller's SP).
pub const CALLER_SP_OFFSET: usize = 16;

/// Frame pointers are at least this aligned (x86-64 and aarch64 frames are
/// 16-byte aligned; 8 is what a valid record needs).
const FP_ALIGN: usize = 8;

/// Default bound on the frames one walk visits.
pub const MAX_FRAMES: usize = 1 << 22;

/// One frame: a PC inside the function, the SP at that PC (for a caller
/// frame: at its call), and the frame's FP.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct FrameInfo {
    pub pc: usize,
    pub sp: usize,
    pub fp: usize,
}

impl fmt::Display for FrameInfo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "pc={:#x} sp={:#x} fp={:#x}", self.pc, self.sp, self.fp)
    }
}

/// How a walk ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WalkEnd {
    /// Not finished yet.
    Running,
    /// Reached the entry FP: every Ember frame was visited.
    ReachedEntry,
    /// The chain left the range `(previous fp, entry fp]`, or an FP was
    /// misaligned or null: `fp` is the offending value.
    Broken { fp: usize },
    /// The frame bound was hit.
    TooDeep,
}

/// Iterator over Ember frames, innermost first. See the module docs.
#[derive(Debug)]
pub struct StackWalk {
    next: Option<FrameInfo>,
    entry_fp: usize,
    remaining: usize,
    end: WalkEnd,
}

/// Walk from `innermost` (yielded first) to the frame whose caller's FP is
/// `entry_fp`, visiting at most [`MAX_FRAMES`] frames.
///
/// # Safety
///
/// Memory from `innermost.fp` up to `entry_fp` must be readable for the
/// whole walk: it is the stack of the current thread (with those frames
/// live), or of a thread that is parked and cannot pop them meanwhile.
pub unsafe fn walk(innermost: FrameInfo, entry_fp: usize) -> StackWalk {
    // SAFETY: forwarded contract.
    unsafe { walk_with_limit(innermost, entry_fp, MAX_FRAMES) }
}

/// [`walk`] with an explicit frame bound.
///
/// # Safety
///
/// As for [`walk`].
pub unsafe fn walk_with_limit(innermost: FrameInfo, entry_fp: usize, limit: usize) -> StackWalk {
    let mut w = StackWalk {
        next: None,
        entry_fp,
        remaining: limit,
        end: WalkEnd::Running,
    };
    if innermost.fp == entry_fp {
        w.end = WalkEnd::ReachedEntry;
    } else if !valid_fp(innermost.fp, 0, entry_fp) {
        w.end = WalkEnd::Broken { fp: innermost.fp };
    } else {
        w.next = Some(innermost);
    }
    w
}

/// `fp` can be a frame record strictly above `below` and strictly below the
/// entry frame: its two words lie in `(below, entry_fp)`.
fn valid_fp(fp: usize, below: usize, entry_fp: usize) -> bool {
    fp != 0
        && fp.is_multiple_of(FP_ALIGN)
        && fp > below
        && fp
            .checked_add(CALLER_SP_OFFSET)
            .is_some_and(|end| end <= entry_fp)
}

impl StackWalk {
    /// How the walk ended (`Running` until the iterator returned `None`).
    pub fn end(&self) -> WalkEnd {
        self.end
    }

    /// The FP the walk stops at.
    pub fn entry_fp(&self) -> usize {
        self.entry_fp
    }
}

impl Iterator for StackWalk {
    type Item = FrameInfo;

    fn next(&mut self) -> Option<FrameInfo> {
        let cur = self.next.take()?;
        if self.remaining == 0 {
            self.end = WalkEnd::TooDeep;
            return None;
        }
        self.remaining -= 1;
        // `cur.fp` passed `valid_fp`, so its record lies below `entry_fp`,
        // in memory the walk's creator vouched for.
        let rec = cur.fp as *const usize;
        // SAFETY: `cur.fp` is 8-aligned and `cur.fp + 16 <= entry_fp`, inside
        // the stack range the creator of the walk guarantees readable.
        let (caller_fp, ret) = unsafe {
            (
                rec.byte_add(CALLER_FP_OFFSET).read_volatile(),
                rec.byte_add(RETURN_ADDRESS_OFFSET).read_volatile(),
            )
        };
        if caller_fp == self.entry_fp {
            self.end = WalkEnd::ReachedEntry;
        } else if valid_fp(caller_fp, cur.fp, self.entry_fp) {
            self.next = Some(FrameInfo {
                pc: ret,
                sp: cur.fp + CALLER_SP_OFFSET,
                fp: caller_fp,
            });
        } else {
            self.end = WalkEnd::Broken { fp: caller_fp };
        }
        Some(cur)
    }
}

/// The frame pointer register of the calling function: meaningful only in
/// code built with frame pointers (`-C force-frame-pointers=yes`).
#[inline(always)]
pub fn current_fp() -> usize {
    let fp: usize;
    // SAFETY: reads a register; touches no memory.
    #[cfg(target_arch = "x86_64")]
    unsafe {
        std::arch::asm!("mov {}, rbp", out(reg) fp, options(nomem, nostack, preserves_flags))
    };
    // SAFETY: reads a register; touches no memory.
    #[cfg(target_arch = "aarch64")]
    unsafe {
        std::arch::asm!("mov {}, x29", out(reg) fp, options(nomem, nostack, preserves_flags))
    };
    fp
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A fake stack: frame records at increasing addresses.
    struct Fake {
        mem: Vec<usize>,
    }

    impl Fake {
        fn new(words: usize) -> Fake {
            Fake {
                mem: vec![0; words],
            }
        }
        fn addr(&self, word: usize) -> usize {
            self.mem.as_ptr() as usize + word * 8
        }
        /// A record at `word`: caller FP and return address.
        fn record(&mut self, word: usize, caller_fp: usize, ret: usize) {
            self.mem[word] = caller_fp;
            self.mem[word + 1] = ret;
        }
    }

    fn collect(start: FrameInfo, entry: usize, limit: usize) -> (Vec<FrameInfo>, WalkEnd) {
        // SAFETY: tests only walk inside their `Fake` buffers.
        let mut w = unsafe { walk_with_limit(start, entry, limit) };
        let frames: Vec<_> = w.by_ref().collect();
        (frames, w.end())
    }

    #[test]
    fn walks_to_the_entry() {
        let mut s = Fake::new(64);
        let entry = s.addr(40);
        s.record(4, s.addr(10), 0x1000);
        s.record(10, s.addr(20), 0x2000);
        s.record(20, entry, 0x3000);
        let start = FrameInfo {
            pc: 0x500,
            sp: s.addr(2),
            fp: s.addr(4),
        };
        let (frames, end) = collect(start, entry, MAX_FRAMES);
        assert_eq!(end, WalkEnd::ReachedEntry);
        assert_eq!(
            frames,
            vec![
                start,
                FrameInfo {
                    pc: 0x1000,
                    sp: s.addr(6),
                    fp: s.addr(10)
                },
                FrameInfo {
                    pc: 0x2000,
                    sp: s.addr(12),
                    fp: s.addr(20)
                },
            ]
        );
    }

    #[test]
    fn broken_chains_stop() {
        let mut s = Fake::new(64);
        let entry = s.addr(40);
        // A cycle: 10 -> 4 (down the stack).
        s.record(4, s.addr(10), 1);
        s.record(10, s.addr(4), 2);
        let start = FrameInfo {
            pc: 0,
            sp: 0,
            fp: s.addr(4),
        };
        let (frames, end) = collect(start, entry, MAX_FRAMES);
        assert_eq!(frames.len(), 2);
        assert_eq!(end, WalkEnd::Broken { fp: s.addr(4) });
        // Past the entry.
        s.record(10, s.addr(50), 2);
        let (frames, end) = collect(start, entry, MAX_FRAMES);
        assert_eq!(frames.len(), 2);
        assert_eq!(end, WalkEnd::Broken { fp: s.addr(50) });
        // Misaligned, null.
        s.record(10, s.addr(20) + 3, 2);
        assert_eq!(collect(start, entry, MAX_FRAMES).0.len(), 2);
        s.record(10, 0, 2);
        assert_eq!(
            collect(start, entry, MAX_FRAMES).1,
            WalkEnd::Broken { fp: 0 }
        );
        // A bad start yields nothing.
        let bad = FrameInfo {
            fp: entry + 64,
            ..start
        };
        assert_eq!(collect(bad, entry, MAX_FRAMES).0, vec![]);
        let at_entry = FrameInfo { fp: entry, ..start };
        assert_eq!(
            collect(at_entry, entry, MAX_FRAMES),
            (vec![], WalkEnd::ReachedEntry)
        );
    }

    #[test]
    fn frame_bound() {
        let mut s = Fake::new(256);
        let entry = s.addr(250);
        for w in (0..240).step_by(2) {
            s.record(w, s.addr(w + 2), w);
        }
        s.record(240, entry, 0);
        let start = FrameInfo {
            pc: 0,
            sp: 0,
            fp: s.addr(0),
        };
        let (frames, end) = collect(start, entry, 10);
        assert_eq!(frames.len(), 10);
        assert_eq!(end, WalkEnd::TooDeep);
        let (frames, end) = collect(start, entry, MAX_FRAMES);
        assert_eq!(frames.len(), 121);
        assert_eq!(end, WalkEnd::ReachedEntry);
    }
}
