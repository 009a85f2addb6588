#!/usr/bin/env python3
"""Redefinition through the REPL (issue 4, performance): the `ember` binary
fed N alternating one-line redefinitions on standard input.

Builds nothing: run after `cargo build --release -p ember-repl`, from the
repository root:

    python3 benches/repl_redefine.py                 # N = 1,000, 5,000, 100,000
    python3 benches/repl_redefine.py --sizes 1000,100000 --rounds 5

For every N, three kinds of session are run as whole processes
(`target/release/ember`, standard input from a file, standard output to a
file, standard error — one definition notice per entry — discarded):

- `redefine`: N entries alternating `fn f(x: int) -> int { x + 1 }` and
  `... x + 2 }`, then `f(40)`, whose echo is checked (41 or 42, the last
  definition);
- `comment`: N entries `// i` (each a whole REPL entry: read, scanned,
  added to the engine's sources, parsed, an empty transaction; nothing
  compiled, no notice), then `40`; the REPL's floor per entry;
- `empty`: no input at all (start-up, exit), timed once per round.

Reported per N (median over the rounds, the kinds interleaved in every
round): wall time of the session; per entry `(session - empty) / N`; the
same minus the comment session's per-entry time (what a definition costs
on top of being an entry); peak RSS of the session (GNU time's `%M`:
`/usr/bin/time` wraps every run of every kind, so subtracting the empty
session's time takes it out of the per-entry figures). Goals (issue 4):
5,000 alternating redefinitions cost <= 30 us each; 100,000 leave peak
memory within 16 MB of what 1,000 leave. Figures and their discussion:
BENCHMARKS.md, "Redefinition".

Python 3 standard library only.
"""

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def redefine_input(n):
    lines = [f"fn f(x: int) -> int {{ x + {1 + i % 2} }}" for i in range(n)]
    lines.append("f(40)")
    expected = f"{40 + 1 + (n - 1) % 2}\n" if n > 0 else None
    return "\n".join(lines) + "\n", expected


def comment_input(n):
    lines = [f"// {i}" for i in range(n)]
    lines.append("40")
    return "\n".join(lines) + "\n", "40\n"


TIME = "/usr/bin/time"


def run(ember, input_path):
    """Run one session; (wall seconds, peak RSS KiB, stdout, exit status).

    The peak RSS is the child's own: GNU time's `%M` (time forks the
    session from its own small image). Without /usr/bin/time it falls back
    to `ru_maxrss` from `os.wait4`, which Linux takes as at least the RSS
    of this Python process at the fork (inherited through exec): then only
    the large N figures mean anything.
    """
    use_time = os.access(TIME, os.X_OK)
    with open(input_path, "rb") as stdin, tempfile.TemporaryFile() as out, \
            tempfile.NamedTemporaryFile(mode="r") as rss_file:
        cmd = [ember]
        if use_time:
            cmd = [TIME, "-q", "-f", "%M", "-o", rss_file.name] + cmd
        start = time.perf_counter()
        p = subprocess.Popen(cmd, stdin=stdin, stdout=out, stderr=subprocess.DEVNULL)
        _, status, usage = os.wait4(p.pid, 0)
        wall = time.perf_counter() - start
        p.returncode = os.waitstatus_to_exitcode(status)
        peak = usage.ru_maxrss
        if use_time:
            peak = int(rss_file.read().split()[-1])
        out.seek(0)
        return wall, peak, out.read().decode(), p.returncode


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument(
        "--ember", default=os.path.join(ROOT, "target", "release", "ember")
    )
    ap.add_argument("--sizes", default="1000,5000,100000")
    ap.add_argument("--rounds", type=int, default=3)
    args = ap.parse_args()
    if not os.access(args.ember, os.X_OK):
        sys.exit(
            f"{args.ember}: not found; run `cargo build --release -p ember-repl` first"
        )
    sizes = [int(s) for s in args.sizes.split(",")]

    tmp = tempfile.mkdtemp(prefix="repl_redefine.")
    inputs = {}
    empty = os.path.join(tmp, "empty.txt")
    open(empty, "w").close()
    for n in sizes:
        for kind, make in (("redefine", redefine_input), ("comment", comment_input)):
            text, expected = make(n)
            path = os.path.join(tmp, f"{kind}_{n}.txt")
            with open(path, "w") as f:
                f.write(text)
            inputs[(kind, n)] = (path, expected)

    times = {key: [] for key in inputs}
    rss = {key: [] for key in inputs}
    empty_times, empty_rss = [], []
    for r in range(args.rounds):
        wall, peak, _, status = run(args.ember, empty)
        assert status == 0, f"empty session: exit status {status}"
        empty_times.append(wall)
        empty_rss.append(peak)
        for key, (path, expected) in inputs.items():
            wall, peak, out, status = run(args.ember, path)
            if status != 0 or out != expected:
                sys.exit(
                    f"{key}: exit status {status}, output {out!r}, expected {expected!r}"
                )
            times[key].append(wall)
            rss[key].append(peak)
            print(
                f"round {r + 1}: {key[0]:>8} N={key[1]:>6}: {wall * 1e3:9.1f} ms, peak RSS {peak / 1024:6.1f} MiB",
                file=sys.stderr,
            )

    med = statistics.median
    t_empty = med(empty_times)
    try:
        load = open("/proc/loadavg").read().split()[:3]
    except OSError:
        load = ["?"]
    print(f"ember: {args.ember}")
    print(f"rounds: {args.rounds} (medians); load average at the end: {' '.join(load)}")
    print(
        f"empty session: {t_empty * 1e3:.2f} ms (min {min(empty_times) * 1e3:.2f}), peak RSS {med(empty_rss) / 1024:.1f} MiB"
    )
    print()
    print("| N | session, redefine | per redefinition (- empty) | session, comments | per comment entry (- empty) | redefinition - comment | peak RSS, redefine | peak RSS, comments |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|")
    per = {}
    for n in sizes:
        t_def = med(times[("redefine", n)])
        t_com = med(times[("comment", n)])
        per_def = (t_def - t_empty) / n
        per_com = (t_com - t_empty) / n
        per[n] = per_def
        print(
            f"| {n:,} | {t_def * 1e3:.1f} ms | {per_def * 1e6:.1f} µs | {t_com * 1e3:.1f} ms | {per_com * 1e6:.1f} µs | {(per_def - per_com) * 1e6:.1f} µs | {med(rss[('redefine', n)]) / 1024:.1f} MiB | {med(rss[('comment', n)]) / 1024:.1f} MiB |"
        )
    print()
    if 5000 in per:
        v = per[5000] * 1e6
        print(f"goal: 5,000 redefinitions <= 30 µs each: {v:.1f} µs — {'met' if v <= 30 else 'MISSED'}")
    if 1000 in per and 100000 in per:
        d = (med(rss[("redefine", 100000)]) - med(rss[("redefine", 1000)])) / 1024
        print(
            f"goal: peak RSS of 100,000 within 16 MB of 1,000: +{d:.1f} MiB ({d * 1024 * 1024 / 1e6:.1f} MB) — {'met' if d * 1024 * 1024 <= 16e6 else 'MISSED'}"
        )


if __name__ == "__main__":
    main()
