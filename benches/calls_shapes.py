#!/usr/bin/env python3
"""What a call costs on this machine, by the shape of the code (x86-64 only).

The loop of benches/programs/calls.em, written out in assembly in several
shapes, each timed over 10,000,000 calls in its own process (the median of
--processes runs, each the best of 5 loops):

- callee: `full` is Ember's `add1` byte for byte (frame, entry stack/poll
  check, `leave; ret`); `bare` is `lea rax,[rsi+1]; ret`;
- call: `direct` (`call add1`) or `slot` (`call [slot]`, the callee's
  address loaded from memory at every call, as every Ember call is);
- loop: `top` tests at the top and jumps back (Cranelift's layout, with
  Ember's back-edge poll) or `bottom` tests at the end (gcc's layout).

    python3 benches/calls_shapes.py                 # 9 processes per shape
    python3 benches/calls_shapes.py --processes 15

Needs gcc. Prints nanoseconds per call. Standard library only.
"""

import argparse
import os
import platform
import statistics
import subprocess
import sys
import tempfile

CALLEES = {
    "full": """push rbp
mov rbp,rsp
mov r8,[rdi]
mov r9,rsp
cmp r9,r8
jb 1f
lea rax,[rsi+1]
leave
ret
1: ud2""",
    "bare": """lea rax,[rsi+1]
ret""",
}

CALLS = {"direct": "call add1_{n}", "slot": "call [rbx]"}

LOOPS = {
    # Cranelift's shape: test at the top, poll on the back edge, jump back.
    "top": """2:  cmp r14,r12
    jge 3f
    mov rsi,rax
    {call}
    cmp qword ptr [r13+8],-1
    je 4f
    add r14,1
    jmp 2b""",
    # gcc's shape: the test is the back edge.
    "bottom": """2:  mov rsi,rax
    {call}
    add r14,1
    cmp r14,r12
    jl 2b""",
}

CALLS_PER_LOOP = 10_000_000


def shapes():
    for callee in CALLEES:
        for call in CALLS:
            for loop in LOOPS:
                yield f"{callee}_{call}_{loop}", callee, call, loop


def assembly():
    out = ["    .intel_syntax noprefix", "    .text"]
    for n, callee, call, loop in shapes():
        body = LOOPS[loop].format(call=CALLS[call].format(n=n))
        out.append(f"""    .p2align 6
add1_{n}:
{CALLEES[callee]}
    .p2align 6
    .globl loop_{n}
loop_{n}:
    push rbp
    mov rbp,rsp
    push rbx
    push r12
    push r13
    push r14
    xor r14,r14
    mov r12,rsi
    mov r13,rdi
    lea rbx,[rip+slot_{n}]
    xor rax,rax
    jmp 2f
    .p2align 6
{body}
3:  pop r14
    pop r13
    pop r12
    pop rbx
    leave
    ret
4:  ud2
    .data
slot_{n}: .quad add1_{n}
    .text""")
    out.append('    .section .note.GNU-stack,"",@progbits')
    return "\n".join(out) + "\n"


def driver():
    names = [n for n, *_ in shapes()]
    decls = "\n".join(f"int64_t loop_{n}(void *, int64_t);" for n in names)
    table = ", ".join(f'{{"{n}", loop_{n}}}' for n in names)
    return f"""#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
{decls}
static double now(void) {{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1e9 + t.tv_nsec;
}}
static struct {{ const char *name; int64_t (*f)(void *, int64_t); }} shapes[] = {{ {table} }};
int main(int argc, char **argv) {{
    uint64_t *ctx = calloc(64, 8); /* [0]: stack limit 0; [1]: poll word 0 */
    for (size_t i = 0; i < sizeof shapes / sizeof shapes[0]; i++) {{
        if (strcmp(shapes[i].name, argv[1])) continue;
        double best = 1e30;
        for (int r = 0; r < 5; r++) {{
            double t = now();
            int64_t x = shapes[i].f(ctx, {CALLS_PER_LOOP});
            t = now() - t;
            if (x != {CALLS_PER_LOOP}) {{ fprintf(stderr, "wrong result %lld\\n", (long long)x); return 1; }}
            if (t < best) best = t;
        }}
        printf("%.4f\\n", best / {CALLS_PER_LOOP});
        return 0;
    }}
    return 2;
}}
"""


def main():
    ap = argparse.ArgumentParser(description="Time call shapes in assembly (x86-64).")
    ap.add_argument("--processes", type=int, default=9, help="processes per shape (default 9)")
    args = ap.parse_args()
    if platform.machine() not in ("x86_64", "AMD64"):
        sys.exit("calls_shapes.py: x86-64 only")
    with tempfile.TemporaryDirectory(prefix="ember-calls-shapes-") as tmp:
        asm, c, exe = (os.path.join(tmp, f) for f in ("shapes.S", "driver.c", "shapes"))
        with open(asm, "w") as f:
            f.write(assembly())
        with open(c, "w") as f:
            f.write(driver())
        subprocess.run(["gcc", "-O2", "-o", exe, c, asm], check=True)
        times = {n: [] for n, *_ in shapes()}
        for _ in range(args.processes):
            for n in times:  # interleaved: machine noise falls on every shape
                out = subprocess.run([exe, n], check=True, stdout=subprocess.PIPE, text=True)
                times[n].append(float(out.stdout))
    print(f"ns per call, median of {args.processes} processes (each the best of 5 loops)\n")
    print("| callee | call | loop | ns per call |")
    print("|---|---|---|---:|")
    for n, callee, call, loop in shapes():
        print(f"| {callee} | {call} | {loop} | {statistics.median(times[n]):.3f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
