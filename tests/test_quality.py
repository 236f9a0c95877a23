"""Quality gate: the seed brief must keep scoring at least 95% on the pinned gold file."""
import subprocess
import sys
from pathlib import Path

from conftest import SEEDS

HERE = Path(__file__).resolve().parent / "quality"
MIN_SCORE = 95.0


def test_seed_brief_scores_at_least_95_percent(seed_build):
    proc = subprocess.run([sys.executable, str(HERE / "score.py"), str(seed_build["json_path"]),
                           str(HERE / "seeds.yaml"), "--inputs", str(SEEDS), "--min", str(MIN_SCORE)],
                          capture_output=True, text=True)
    misses = [line for line in proc.stdout.splitlines() if line.startswith("MISS")]
    assert proc.returncode == 0, "\n".join(misses + proc.stdout.splitlines()[-1:])


def test_no_sample_names_in_the_code():
    """The methods must be general: no people or places of the samples in briefing/."""
    words = ("zelensk", "putin", "kremlin", "crimea", "kyiv", "rutte", "starmer", "macron", "merz",
             "witkoff", "lavrov", "ukrain")
    root = Path(__file__).resolve().parent.parent / "briefing"
    for path in root.rglob("*.py"):
        text = path.read_text().lower()
        assert not [w for w in words if w in text], path
