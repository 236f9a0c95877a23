"""Shared fixtures: the real sample brief, built once per test session."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
SEED_DATE = "2025-08-19"


def run_briefing(*args: str, cwd: Path | None = None, env: dict | None = None,
                 timeout: float = 300) -> subprocess.CompletedProcess:
    """Run the real `briefing` command line as a user would (python -m briefing)."""
    full_env = {**os.environ, **(env or {})}
    return subprocess.run([sys.executable, "-m", "briefing", *args], cwd=cwd or ROOT, env=full_env,
                          capture_output=True, text=True, timeout=timeout)


@pytest.fixture(scope="session")
def seed_build(tmp_path_factory) -> dict:
    """`briefing build --input seeds --date 2025-08-19` into a temp folder, once."""
    out = tmp_path_factory.mktemp("seed-build")
    proc = run_briefing("build", "--input", str(SEEDS), "--date", SEED_DATE, "--output", str(out))
    assert proc.returncode == 0, proc.stderr
    paths = [Path(p) for p in proc.stdout.split()]
    json_path = next(p for p in paths if p.suffix == ".json")
    return {"out": out, "paths": paths, "stdout": proc.stdout, "stderr": proc.stderr,
            "json": json.loads(json_path.read_text()), "json_path": json_path}


@pytest.fixture(scope="session")
def nlp():
    from briefing.nlp.model import load_model

    return load_model()
