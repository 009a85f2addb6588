#!/usr/bin/env python3
"""Run benches/programs in Ember and its peers; print a Markdown table.

Each program runs as a whole process (wall time, start to exit) in C
(`gcc -O2`), Ember (`ember run`), LuaJIT, Lua 5.4, Python 3 and Node,
whichever are installed. Every run's standard output must equal NAME.out:
a wrong output or a failed run is reported in the table, never timed.

The figure per cell is the median of --rounds runs (after --warmup untimed
runs that also check the output). Rounds are interleaved: each round runs
every program in every language once, in an order rotated from round to
round, so that machine noise falls on all languages alike. Ratios are to C
measured in the same invocation; the last row is the geometric mean of the
ratios per language (over the programs where both ran correctly).

Also measures `ember run` of an empty file (goal: <= 5 ms).

    python3 benches/compare.py                       # everything, 5 rounds
    python3 benches/compare.py --rounds 11 --programs fib,loop --langs c,ember,luajit
    python3 benches/compare.py --json > results.json

Standard library only. Progress goes to standard error, the table to
standard output.
"""

import argparse
import datetime
import json
import math
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PROGRAMS_DIR = os.path.join(ROOT, "benches", "programs")
PROGRAMS = ["fib", "loop", "calls", "mandelbrot", "nbody", "binary_trees", "strings"]
LANGS = ["c", "ember", "luajit", "lua", "python", "node"]
# Not a language: `calls` in C with its call through a slot (c/calls_slot.c),
# timed beside C when both `calls` and `c` are chosen, to show what the slot
# call costs by itself. Keyed like a program so that it runs interleaved.
SLOT_CALLS = "calls_slot"
C_SOURCES = {SLOT_CALLS: "calls_slot"}
LANG_TITLES = {
    "c": "C -O2",
    "ember": "Ember",
    "luajit": "LuaJIT",
    "lua": "Lua 5.4",
    "python": "Python 3",
    "node": "Node",
    SLOT_CALLS: "C -O2, slot call",
}


def log(msg):
    print(msg, file=sys.stderr, flush=True)


def die(msg):
    log("compare.py: " + msg)
    sys.exit(2)


def parse_list(text, allowed, what):
    items = [x.strip() for x in text.split(",") if x.strip()]
    for x in items:
        if x not in allowed:
            die(f"unknown {what} {x!r} (known: {', '.join(allowed)})")
    return items


def cargo_target_dir():
    out = subprocess.run(
        ["cargo", "metadata", "--format-version", "1", "--no-deps"],
        cwd=ROOT,
        check=True,
        stdout=subprocess.PIPE,
    ).stdout
    return json.loads(out)["target_directory"]


def build_ember():
    log("building ember (cargo build --release -p ember-repl) ...")
    r = subprocess.run(["cargo", "build", "--release", "-p", "ember-repl"], cwd=ROOT)
    if r.returncode != 0:
        die("cargo build failed")
    return os.path.join(cargo_target_dir(), "release", "ember")


def compile_c(programs, outdir):
    exes = {}
    for p in programs:
        src = os.path.join(PROGRAMS_DIR, "c", C_SOURCES.get(p, p) + ".c")
        exe = os.path.join(outdir, p)
        cmd = ["gcc", "-O2", "-o", exe, src, "-lm"]
        r = subprocess.run(cmd, stderr=subprocess.PIPE, text=True)
        if r.returncode != 0:
            log(f"gcc failed for {p}:\n{r.stderr}")
            continue
        exes[p] = exe
    return exes


def commands(args, programs, langs, tmp):
    """{(program, lang): argv} for every pair that can run here."""
    cmds = {}
    if "c" in langs:
        if shutil.which("gcc"):
            extra = [SLOT_CALLS] if "calls" in programs else []
            for p, exe in compile_c(programs + extra, tmp).items():
                # The slot-call version runs as part of `calls`.
                cmds[("calls", SLOT_CALLS) if p == SLOT_CALLS else (p, "c")] = [exe]
        else:
            log("gcc not found: no C column")
    interp = {
        "luajit": (args.luajit, "lua", ".lua"),
        "lua": (args.lua, "lua", ".lua"),
        "python": (args.python, "py", ".py"),
        "node": (args.node, "js", ".js"),
    }
    for lang in langs:
        if lang == "c":
            continue
        if lang == "ember":
            exe = args.ember
        else:
            exe, sub, ext = interp[lang]
        path = shutil.which(exe) if exe else None
        if not path:
            log(f"{LANG_TITLES[lang]} not found ({exe}): column skipped")
            continue
        for p in programs:
            if lang == "ember":
                src = os.path.join(PROGRAMS_DIR, p + ".em")
                cmds[(p, lang)] = [path, "run", src]
            else:
                src = os.path.join(PROGRAMS_DIR, sub, p + ext)
                if os.path.exists(src):
                    cmds[(p, lang)] = [path, src]
    return cmds


def run_once(argv, timeout):
    """(seconds, stdout, returncode or None on timeout, stderr)."""
    t0 = time.perf_counter()
    try:
        r = subprocess.run(
            argv,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            timeout=timeout,
        )
    except subprocess.TimeoutExpired:
        return time.perf_counter() - t0, b"", None, b""
    dt = time.perf_counter() - t0
    return dt, r.stdout, r.returncode, r.stderr


def check(argv, expected, timeout):
    """Run once; return (seconds, None) if the run is good, else (None, why)."""
    dt, out, rc, err = run_once(argv, timeout)
    if rc is None:
        return None, f"timeout (> {timeout:g} s)"
    if rc != 0:
        tail = err.decode(errors="replace").strip().splitlines()[-1:] or [""]
        return None, f"exit {rc}: {tail[0][:120]}"
    if out != expected:
        got = out.decode(errors="replace")[:200]
        want = expected.decode(errors="replace")[:200]
        return None, f"wrong output: got {got!r}, expected {want!r}"
    return dt, None


def loadavg():
    try:
        return os.getloadavg()
    except OSError:
        return None


def git_state():
    def git(*a):
        r = subprocess.run(
            ["git", *a], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True
        )
        return r.stdout.strip() if r.returncode == 0 else None

    commit = git("rev-parse", "--short", "HEAD")
    dirty = git("status", "--porcelain", "--untracked-files=no")
    return commit, bool(dirty)


def geomean(xs):
    return math.exp(sum(math.log(x) for x in xs) / len(xs)) if xs else None


def fmt_ms(s):
    ms = s * 1e3
    return f"{ms:.0f}" if ms >= 100 else f"{ms:.1f}"


def main():
    ap = argparse.ArgumentParser(
        description="Run benches/programs in C, Ember, LuaJIT, Lua 5.4, Python 3 and Node."
    )
    ap.add_argument("--rounds", type=int, default=5, help="timed runs per cell (default 5)")
    ap.add_argument("--warmup", type=int, default=1, help="untimed checking runs per cell (default 1)")
    ap.add_argument("--programs", default=",".join(PROGRAMS), help="comma-separated (default: all)")
    ap.add_argument("--langs", default=",".join(LANGS), help="comma-separated of " + ",".join(LANGS))
    ap.add_argument("--json", action="store_true", help="print JSON instead of Markdown")
    ap.add_argument("--json-file", help="also write the JSON (every sample) to this file")
    ap.add_argument("--no-build", action="store_true", help="do not run cargo build (use --ember or the built one)")
    ap.add_argument("--ember", help="ember binary (default: target/release/ember, built first)")
    ap.add_argument("--luajit", default="luajit")
    ap.add_argument("--lua", default="lua5.4")
    ap.add_argument("--python", default=sys.executable or "python3",
                    help="Python 3 interpreter (default: the one running this script)")
    ap.add_argument("--node", default="node")
    ap.add_argument("--timeout", type=float, default=300.0, help="seconds per run (default 300)")
    ap.add_argument("--empty-runs", type=int, default=31, help="runs of `ember run` on an empty file (default 31)")
    args = ap.parse_args()
    if args.rounds < 1:
        die("--rounds must be at least 1")

    programs = parse_list(args.programs, PROGRAMS, "program")
    langs = parse_list(args.langs, LANGS, "language")

    if "ember" not in langs:
        args.empty_runs = 0
    if "ember" in langs:
        if args.ember:
            pass
        elif args.no_build:
            args.ember = os.path.join(cargo_target_dir(), "release", "ember")
        else:
            args.ember = build_ember()

    expected = {}
    for p in programs:
        with open(os.path.join(PROGRAMS_DIR, p + ".out"), "rb") as f:
            expected[p] = f.read()

    load_before = loadavg()
    started = datetime.datetime.now().astimezone()
    with tempfile.TemporaryDirectory(prefix="ember-compare-") as tmp:
        cmds = commands(args, programs, langs, tmp)
        langs = [lang for lang in langs if any((p, lang) in cmds for p in programs)]
        failed = {}  # (p, lang) -> why
        samples = {k: [] for k in cmds}

        for w in range(args.warmup):
            for p in programs:
                for lang in langs + [SLOT_CALLS]:
                    key = (p, lang)
                    if key not in cmds or key in failed:
                        continue
                    log(f"warm-up {w + 1}/{args.warmup}: {p} / {lang}")
                    _, why = check(cmds[key], expected[p], args.timeout)
                    if why:
                        failed[key] = why
                        log(f"  {p} / {lang}: {why}")

        for r in range(args.rounds):
            log(f"round {r + 1}/{args.rounds}")
            for i, p in enumerate(programs):
                shift = (r + i) % len(langs)
                order = langs[shift:] + langs[:shift]
                if (p, SLOT_CALLS) in cmds:
                    order = order + [SLOT_CALLS] if r % 2 else [SLOT_CALLS] + order
                for lang in order:
                    key = (p, lang)
                    if key not in cmds or key in failed:
                        continue
                    dt, why = check(cmds[key], expected[p], args.timeout)
                    if why:
                        failed[key] = why
                        log(f"  {p} / {lang}: {why}")
                    else:
                        samples[key].append(dt)

        empty = None
        if args.ember and args.empty_runs > 0:
            # Interleaved with `true`, whose time is what starting a process
            # from here costs (fork, exec, wait): the floor under every figure.
            log(f"empty file: {args.empty_runs} runs")
            path = os.path.join(tmp, "empty.em")
            open(path, "w").close()
            true = shutil.which("true") or "/bin/true"
            ts, base = [], []
            for _ in range(args.empty_runs):
                dt, why = check([args.ember, "run", path], b"", args.timeout)
                if why:
                    empty = {"error": why}
                    break
                ts.append(dt)
                dt, why = check([true], b"", args.timeout)
                if not why:
                    base.append(dt)
            else:
                empty = {"median_ms": statistics.median(ts) * 1e3,
                         "min_ms": min(ts) * 1e3, "runs": len(ts),
                         "spawn_baseline_median_ms": statistics.median(base) * 1e3 if base else None}
    load_after = loadavg()

    # Results.
    def cell(key):
        """The result of one (program, language) pair."""
        if key not in cmds:
            return {"status": "missing"}
        if key in failed:
            return {"status": "error", "error": failed[key]}
        s = samples[key]
        return {"status": "ok", "median_ms": statistics.median(s) * 1e3,
                "min_ms": min(s) * 1e3, "max_ms": max(s) * 1e3,
                "samples_ms": [x * 1e3 for x in s]}

    def add_ratio(cell, c):
        if cell["status"] == "ok" and c.get("status") == "ok":
            cell["ratio_to_c"] = cell["median_ms"] / c["median_ms"]

    results = {}
    for p in programs:
        results[p] = {lang: cell((p, lang)) for lang in langs}
        for lang in langs:
            add_ratio(results[p][lang], results[p].get("c", {}))
    slot = None
    if ("calls", SLOT_CALLS) in cmds:
        slot = cell(("calls", SLOT_CALLS))
        add_ratio(slot, results["calls"].get("c", {}))
    geo = {}
    for lang in langs:
        rs = [results[p][lang]["ratio_to_c"] for p in programs if "ratio_to_c" in results[p][lang]]
        geo[lang] = {"geomean_ratio_to_c": geomean(rs), "programs": len(rs)}

    commit, dirty = git_state()
    meta = {
        "date": started.isoformat(timespec="seconds"),
        "command": " ".join(["python3", "benches/compare.py", *sys.argv[1:]]),
        "rounds": args.rounds,
        "warmup": args.warmup,
        "commit": commit,
        "ember": args.ember,
        "dirty_worktree": dirty,
        "host": platform.node(),
        "kernel": platform.release(),
        "cpus": os.cpu_count(),
        "loadavg_before": load_before,
        "loadavg_after": load_after,
        "interpreters": {lang: next((cmds[(p, lang)][0] for p in programs if (p, lang) in cmds), None)
                         for lang in langs},
    }

    report = {"meta": meta, "results": results, "geomean": geo, "empty_file": empty,
              "calls_slot_c": slot}
    if args.json_file:
        with open(args.json_file, "w") as f:
            json.dump(report, f, indent=2)
            f.write("\n")
    if args.json:
        json.dump(report, sys.stdout, indent=2)
        print()
        return 0 if not failed else 1

    print(f"Median wall time of {args.rounds} runs (ms), and the ratio to C of the same run.\n")
    print("| program | " + " | ".join(LANG_TITLES[lang] for lang in langs) + " |")
    print("|---|" + "---:|" * len(langs))
    for p in programs:
        cells = []
        for lang in langs:
            cell = results[p][lang]
            if cell["status"] == "missing":
                cells.append("–")
            elif cell["status"] == "error":
                cells.append("**" + cell["error"].split(":")[0] + "**")
            else:
                t = fmt_ms(cell["median_ms"] / 1e3)
                if "ratio_to_c" in cell and lang != "c":
                    t += f" ({cell['ratio_to_c']:.2f}×)"
                cells.append(t)
        print(f"| {p} | " + " | ".join(cells) + " |")
    gm = []
    for lang in langs:
        g = geo[lang]["geomean_ratio_to_c"]
        gm.append("1.00×" if lang == "c" and g else (f"**{g:.2f}×**" if g else "–"))
    print("| geometric mean vs C | " + " | ".join(gm) + " |")
    print()
    if slot:
        if slot["status"] == "error":
            print(f"`calls` in C through a slot (c/calls_slot.c): **{slot['error']}**\n")
        else:
            ratio = f" ({slot['ratio_to_c']:.2f}× C)" if "ratio_to_c" in slot else ""
            print(f"`calls` in C with `add1` called through a function-pointer slot, as every "
                  f"Ember call is (c/calls_slot.c): median {fmt_ms(slot['median_ms'] / 1e3)} ms"
                  f"{ratio}.\n")
    if empty:
        if "error" in empty:
            print(f"`ember run` of an empty file: **{empty['error']}**")
        else:
            base = empty["spawn_baseline_median_ms"]
            print(f"`ember run` of an empty file: median {empty['median_ms']:.2f} ms "
                  f"(min {empty['min_ms']:.2f} ms, {empty['runs']} runs)"
                  + (f"; `true` from the same script: median {base:.2f} ms" if base else ""))
    if failed:
        print("\nFailures (not timed):")
        for (p, lang), why in sorted(failed.items()):
            print(f"- {p} / {LANG_TITLES[lang]}: {why}")

    # The goals of issue 3, where the needed columns exist.
    goals = []
    g = geo.get("ember", {}).get("geomean_ratio_to_c")
    if g:
        goals.append(("geometric mean <= 1.5x C", g <= 1.5, f"{g:.2f}x"))
    if "ember" in langs and "luajit" in langs:
        slower = [p for p in programs if p != "calls"
                  and results[p]["ember"].get("status") == "ok"
                  and results[p]["luajit"].get("status") == "ok"
                  and results[p]["ember"]["median_ms"] >= results[p]["luajit"]["median_ms"]]
        goals.append(("faster than LuaJIT on every program but calls", not slower,
                      "slower on " + ", ".join(slower) if slower else "yes"))
    if "calls" in programs and "ratio_to_c" in results["calls"].get("ember", {}):
        r = results["calls"]["ember"]["ratio_to_c"]
        val = f"{r:.2f}x"
        if slot and "ratio_to_c" in slot:
            val += f"; C through a slot: {slot['ratio_to_c']:.2f}x"
        goals.append(("calls <= 1.2x C", r <= 1.2, val))
    if empty and "median_ms" in empty:
        goals.append(("empty file <= 5 ms", empty["median_ms"] <= 5.0, f"{empty['median_ms']:.2f} ms"))
    if goals:
        print("\nGoals (issue 3):\n")
        for name, ok, val in goals:
            print(f"- {'met' if ok else '**missed**'}: {name} ({val})")

    la = lambda x: " / ".join(f"{v:.2f}" for v in x) if x else "n/a"  # noqa: E731
    where = f"commit {commit}{' (uncommitted changes in tree)' if dirty else ''}" if commit else "not a git checkout"
    if args.ember:
        where += f"; ember = {args.ember}"
    print(f"\n{meta['date']}; {where}; "
          f"{meta['cpus']} CPUs, kernel {meta['kernel']}; load average (1/5/15 min) "
          f"{la(load_before)} before, {la(load_after)} after.")
    print(f"Command: `{meta['command']}`")
    return 0 if not failed else 1


if __name__ == "__main__":
    sys.exit(main())
