//! Entering Ember code and unwinding out of it (RUNTIME.md, "Entry and
//! unwinding").
//!
//! Two assembly functions, x86-64 SysV and aarch64 AAPCS64 side by side:
//!
//! * `ember_enter(ctx, jmpbuf, wrapper, args, ret) -> u32` pushes a frame
//!   (FP, return address), saves the callee-saved registers and its SP into
//!   `*jmpbuf`, calls `wrapper(ctx, args, ret)`, restores the callee-saved
//!   registers and returns 0.
//! * `ember_unwind(jmpbuf) -> !` restores the callee-saved registers and the
//!   SP saved in `*jmpbuf` and returns 1 from the matching `ember_enter`,
//!   discarding every frame in between.
//!
//! Callee-saved registers are restored from the buffer on **both** paths, so
//! code that does not preserve one (Cranelift's pinned register, r15 / x21)
//! cannot leak a changed value into the host.
//!
//! `ember_enter` is a real frame with a frame pointer; its FP (equal to its
//! SP after the frame push) is stored as the buffer's first word,
//! [`JmpBuf::entry_fp`]: the outermost Ember frame (the entry wrapper) saves
//! it as its caller's FP, so a frame-pointer walk of Ember frames stops when
//! `fp == entry_fp` (see `runtime::stack`).
//!
//! The buffer may live anywhere (8-byte aligned, [`JMP_BUF_SIZE`] bytes),
//! e.g. inside the thread context at a fixed offset, so an exit trampoline
//! can pass `ctx + OFFSET_JMP_BUF` to `ember_unwind`. [`enter`] saves the
//! previous contents of the buffer and puts them back when the entry ends,
//! so nested entries (host → Ember → host → Ember) can share one buffer.
//!
//! Unwinding discards frames without running anything in them: only frames
//! of compiled Ember code (and frames of the trampolines) may lie between
//! `ember_enter` and the call of `ember_unwind` — never a Rust frame that
//! owns something with a destructor or holds a lock.

use std::arch::global_asm;
use std::fmt;

/// Words in a [`JmpBuf`].
pub const JMP_BUF_WORDS: usize = 20;
/// Bytes in a [`JmpBuf`].
pub const JMP_BUF_SIZE: usize = JMP_BUF_WORDS * 8;
/// Offset of [`JmpBuf::entry_fp`] in the buffer (the first word).
pub const JMP_BUF_ENTRY_FP: usize = 0;

// Layout (byte offsets), fixed by the assembly below:
//
// | offset | x86-64 | aarch64 |
// |---|---|---|
// | 0 | entry FP = SP to restore (`rbp` after `push rbp; mov rbp, rsp`) | same (`x29` after `stp x29, x30; mov x29, sp`) |
// | 8..48 | rbx r12 r13 r14 r15 | x19 x20 |
// | 24..88 | | x21 .. x28 |
// | 88..152 | | d8 .. d15 |
//
// The caller's FP and the return address are in ember_enter's own frame on
// the stack (`[entry_fp]`, `[entry_fp + 8]`), restored by its epilogue; the
// frame also holds the buffer's address (x86-64 `[entry_fp - 16]`, aarch64
// `[entry_fp + 16]`), so the wrapper need only preserve SP.

/// Register save area of one [`enter`]. `#[repr(C)]`, 8-byte aligned,
/// [`JMP_BUF_SIZE`] bytes; any buffer of that size and alignment may be
/// used in its place (e.g. a word array inside the thread context).
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct JmpBuf {
    words: [usize; JMP_BUF_WORDS],
}

impl JmpBuf {
    /// An empty buffer.
    pub const fn new() -> JmpBuf {
        JmpBuf {
            words: [0; JMP_BUF_WORDS],
        }
    }

    /// FP of the `ember_enter` frame of the entry that last used this
    /// buffer (valid while that entry runs): Ember stack walks end when
    /// they reach it.
    pub fn entry_fp(&self) -> usize {
        self.words[JMP_BUF_ENTRY_FP / 8]
    }

    /// The raw words (for tests and diagnostics).
    pub fn words(&self) -> &[usize; JMP_BUF_WORDS] {
        &self.words
    }
}

const _: () = {
    assert!(std::mem::size_of::<JmpBuf>() == JMP_BUF_SIZE);
    assert!(std::mem::align_of::<JmpBuf>() == 8);
    // The thread context reserves room for one buffer.
    assert!(JMP_BUF_SIZE <= super::ctx::JMP_BUF_WORDS * 8);
};

/// The signature of an entry wrapper (generated per Ember function): load
/// the arguments from `args`, call the function, store its result in
/// `ret`.
pub type EntryWrapper = unsafe extern "C" fn(ctx: *mut u8, args: *const u64, ret: *mut u64);

extern "C" {
    /// See the module documentation. Returns 0 when `wrapper` returned, 1
    /// when `ember_unwind(jmpbuf)` was called during it.
    pub fn ember_enter(
        ctx: *mut u8,
        jmpbuf: *mut JmpBuf,
        wrapper: usize,
        args: *const u64,
        ret: *mut u64,
    ) -> u32;

    /// Return 1 from the `ember_enter` that filled `jmpbuf`. Callable from
    /// compiled code through its address ([`ember_unwind_addr`]).
    pub fn ember_unwind(jmpbuf: *const JmpBuf) -> !;
}

/// Address of `ember_unwind`, for exit trampolines (an `iconst` in the
/// code; signature `(i64) -> ()`, default call convention, never returns).
pub fn ember_unwind_addr() -> usize {
    ember_unwind as *const () as usize
}

/// Address of `ember_enter`.
pub fn ember_enter_addr() -> usize {
    ember_enter as *const () as usize
}

/// Ember code ended by `ember_unwind` (the reason is recorded elsewhere,
/// e.g. the thread context's pending error).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Unwound;

impl fmt::Display for Unwound {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Ember code unwound")
    }
}

impl std::error::Error for Unwound {}

/// Run `wrapper(ctx, args, ret)` inside an entry whose registers are saved
/// in `*jmpbuf`; `Err(Unwound)` if it was left through
/// `ember_unwind(jmpbuf)`. The previous contents of `*jmpbuf` (an outer
/// entry's registers, when entries nest on one buffer) are restored before
/// returning.
///
/// # Safety
///
/// * `wrapper` is the address of code with the [`EntryWrapper`] signature
///   and the platform's default C call convention, which keeps the stack
///   and the callee-saved registers as that convention requires (except
///   that callee-saved registers need not be preserved: they are restored
///   from the buffer anyway);
/// * `jmpbuf` is valid for reads and writes of [`JMP_BUF_SIZE`] bytes,
///   8-byte aligned, and is not used by anything else during the call
///   except nested entries through this function and `ember_unwind`;
/// * `ember_unwind(jmpbuf)` is only called on this thread, while this entry
///   (and no entry nested inside it on the same buffer) runs, and only with
///   frames between that discard nothing that needs dropping or unlocking;
/// * `ctx`, `args` and `ret` are what `wrapper` expects.
pub unsafe fn enter(
    ctx: *mut u8,
    jmpbuf: *mut JmpBuf,
    wrapper: usize,
    args: *const u64,
    ret: *mut u64,
) -> Result<(), Unwound> {
    // SAFETY: the caller guarantees `jmpbuf` is valid for reads.
    let saved = unsafe { jmpbuf.read() };
    // SAFETY: forwarded contract of this function.
    let r = unsafe { ember_enter(ctx, jmpbuf, wrapper, args, ret) };
    // SAFETY: as above, for writes; the entry has ended.
    unsafe { jmpbuf.write(saved) };
    if r == 0 {
        Ok(())
    } else {
        Err(Unwound)
    }
}

#[cfg(target_arch = "x86_64")]
global_asm!(
    // ember_enter(rdi = ctx, rsi = jmpbuf, rdx = wrapper, rcx = args, r8 = ret)
    ".text",
    ".p2align 4",
    ".globl ember_enter",
    ".type ember_enter, @function",
    "ember_enter:",
    ".cfi_startproc",
    "push rbp",
    ".cfi_def_cfa_offset 16",
    ".cfi_offset rbp, -16",
    "mov rbp, rsp",
    ".cfi_def_cfa_register rbp",
    "mov [rsi + 0], rbp",
    "mov [rsi + 8], rbx",
    "mov [rsi + 16], r12",
    "mov [rsi + 24], r13",
    "mov [rsi + 32], r14",
    "mov [rsi + 40], r15",
    // Keep the buffer in our frame: the wrapper need not preserve any
    // callee-saved register, only rsp.
    "sub rsp, 16",
    "mov [rsp], rsi",
    "mov rax, rdx",
    "mov rsi, rcx",
    "mov rdx, r8",
    // rsp is 16-byte aligned here (return address + rbp + 16).
    "call rax",
    "mov rdi, [rsp]",
    "xor eax, eax",
    "mov r12, [rdi + 16]",
    "mov r13, [rdi + 24]",
    "mov r14, [rdi + 32]",
    "mov r15, [rdi + 40]",
    "mov rbx, [rdi + 8]",
    "mov rsp, [rdi + 0]",
    "pop rbp",
    ".cfi_def_cfa rsp, 8",
    "ret",
    ".cfi_endproc",
    ".size ember_enter, . - ember_enter",
    "",
    // ember_unwind(rdi = jmpbuf) -> !
    ".p2align 4",
    ".globl ember_unwind",
    ".type ember_unwind, @function",
    "ember_unwind:",
    ".cfi_startproc",
    "mov eax, 1",
    "mov r12, [rdi + 16]",
    "mov r13, [rdi + 24]",
    "mov r14, [rdi + 32]",
    "mov r15, [rdi + 40]",
    "mov rbx, [rdi + 8]",
    "mov rsp, [rdi + 0]",
    "pop rbp",
    "ret",
    ".cfi_endproc",
    ".size ember_unwind, . - ember_unwind",
);

#[cfg(target_arch = "aarch64")]
global_asm!(
    // ember_enter(x0 = ctx, x1 = jmpbuf, x2 = wrapper, x3 = args, x4 = ret)
    ".text",
    ".p2align 2",
    ".globl ember_enter",
    ".type ember_enter, %function",
    "ember_enter:",
    ".cfi_startproc",
    "stp x29, x30, [sp, #-32]!",
    ".cfi_def_cfa_offset 32",
    ".cfi_offset x30, -24",
    ".cfi_offset x29, -32",
    "mov x29, sp",
    ".cfi_def_cfa w29, 32",
    "mov x9, sp",
    "str x9, [x1, #0]",
    "stp x19, x20, [x1, #8]",
    "stp x21, x22, [x1, #24]",
    "stp x23, x24, [x1, #40]",
    "stp x25, x26, [x1, #56]",
    "stp x27, x28, [x1, #72]",
    "stp d8, d9, [x1, #88]",
    "stp d10, d11, [x1, #104]",
    "stp d12, d13, [x1, #120]",
    "stp d14, d15, [x1, #136]",
    // Keep the buffer in our frame: the wrapper need not preserve any
    // callee-saved register, only sp.
    "str x1, [sp, #16]",
    "mov x9, x2",
    "mov x1, x3",
    "mov x2, x4",
    "blr x9",
    "ldr x0, [sp, #16]",
    "mov w1, #0",
    "ldp x19, x20, [x0, #8]",
    "ldp x21, x22, [x0, #24]",
    "ldp x23, x24, [x0, #40]",
    "ldp x25, x26, [x0, #56]",
    "ldp x27, x28, [x0, #72]",
    "ldp d8, d9, [x0, #88]",
    "ldp d10, d11, [x0, #104]",
    "ldp d12, d13, [x0, #120]",
    "ldp d14, d15, [x0, #136]",
    "ldr x9, [x0, #0]",
    "mov sp, x9",
    "ldp x29, x30, [sp], #32",
    ".cfi_def_cfa sp, 0",
    ".cfi_restore x30",
    ".cfi_restore x29",
    "mov w0, w1",
    "ret",
    ".cfi_endproc",
    ".size ember_enter, . - ember_enter",
    "",
    // ember_unwind(x0 = jmpbuf) -> !
    ".p2align 2",
    ".globl ember_unwind",
    ".type ember_unwind, %function",
    "ember_unwind:",
    ".cfi_startproc",
    "mov w1, #1",
    "ldp x19, x20, [x0, #8]",
    "ldp x21, x22, [x0, #24]",
    "ldp x23, x24, [x0, #40]",
    "ldp x25, x26, [x0, #56]",
    "ldp x27, x28, [x0, #72]",
    "ldp d8, d9, [x0, #88]",
    "ldp d10, d11, [x0, #104]",
    "ldp d12, d13, [x0, #120]",
    "ldp d14, d15, [x0, #136]",
    "ldr x9, [x0, #0]",
    "mov sp, x9",
    "ldp x29, x30, [sp], #32",
    "mov w0, w1",
    "ret",
    ".cfi_endproc",
    ".size ember_unwind, . - ember_unwind",
);

#[cfg(test)]
mod tests {
    use super::*;

    unsafe extern "C" fn store_sum(_ctx: *mut u8, args: *const u64, ret: *mut u64) {
        // SAFETY: the test passes two readable args and one writable ret.
        unsafe { ret.write(args.read() + args.add(1).read()) };
    }

    /// `ctx` is the jump buffer itself in this test.
    unsafe extern "C" fn unwind_now(ctx: *mut u8, _args: *const u64, ret: *mut u64) {
        // SAFETY: `ret` is writable; `ctx` is the buffer of the running
        // entry and this frame owns nothing to drop.
        unsafe {
            ret.write(7);
            ember_unwind(ctx as *const JmpBuf)
        }
    }

    #[test]
    fn enter_returns_and_unwind_lands() {
        let mut jb = JmpBuf::new();
        let args = [40u64, 2];
        let mut ret = [0u64];
        // SAFETY: `store_sum` has the wrapper signature; buffers are valid.
        let r = unsafe {
            enter(
                std::ptr::null_mut(),
                &mut jb,
                store_sum as *const () as usize,
                args.as_ptr(),
                ret.as_mut_ptr(),
            )
        };
        assert_eq!(r, Ok(()));
        assert_eq!(ret[0], 42);
        assert_eq!(jb, JmpBuf::new(), "previous contents restored");

        let jbp: *mut JmpBuf = &mut jb;
        // SAFETY: `unwind_now` unwinds to this entry's buffer from a frame
        // with nothing to drop.
        let r = unsafe {
            enter(
                jbp.cast(),
                jbp,
                unwind_now as *const () as usize,
                args.as_ptr(),
                ret.as_mut_ptr(),
            )
        };
        assert_eq!(r, Err(Unwound));
        assert_eq!(ret[0], 7);
        // And again, to see the stack and registers are intact.
        for i in 0..1000u64 {
            let args = [i, i];
            // SAFETY: as above.
            let r = unsafe {
                enter(
                    std::ptr::null_mut(),
                    &mut jb,
                    store_sum as *const () as usize,
                    args.as_ptr(),
                    ret.as_mut_ptr(),
                )
            };
            assert_eq!(r, Ok(()));
            assert_eq!(ret[0], 2 * i);
        }
    }
}
