"""Fuzz the readers for a while: the properties of tests/test_fuzz.py with many examples.

    .venv/bin/python scripts/fuzz.py [--minutes 5] [--examples 2000] [-k PATTERN]

Runs the property tests again and again with fresh random seeds (each round
``--examples`` examples per property) until the time is up, and stops at the first
failure, printing hypothesis's smallest failing example. Keep any crash found as a
``test_found_*`` test in tests/test_fuzz.py.
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--minutes", type=float, default=5.0, help="how long to fuzz (default 5)")
    parser.add_argument("--examples", type=int, default=2000, help="examples per property per round")
    parser.add_argument("-k", default="not test_found", help="which properties (pytest -k)")
    args = parser.parse_args()
    env = {**os.environ, "BRIEFING_FUZZ_EXAMPLES": str(args.examples)}
    deadline = time.monotonic() + args.minutes * 60
    rounds = 0
    started = time.monotonic()
    while time.monotonic() < deadline:
        rounds += 1
        proc = subprocess.run([sys.executable, "-m", "pytest", "-q", "-x", "-p", "no:cacheprovider",
                               "tests/test_fuzz.py", "-k", args.k], cwd=ROOT, env=env,
                              capture_output=True, text=True)
        last = (proc.stdout.strip().splitlines() or [""])[-1]
        print(f"round {rounds}: {last} ({time.monotonic() - started:.0f}s)", flush=True)
        if proc.returncode != 0:
            print(proc.stdout[-6000:], proc.stderr[-2000:], sep="\n")
            return 1
    print(f"no failure in {rounds} round(s) of {args.examples} examples per property "
          f"({time.monotonic() - started:.0f}s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
