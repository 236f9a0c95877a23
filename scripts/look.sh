#!/usr/bin/env bash
# Render briefs and turn their PDFs into PNGs to look at (needs poppler-utils).
#
#   scripts/look.sh                      # the test suite's small and huge briefs, A4 and Letter
#   scripts/look.sh output/2025-08-19/white-house-talks.json   # re-render a built brief
#
# PNGs land in ${LOOK_DIR:-/tmp/look}; nothing is written inside the project.
set -euo pipefail

here="$(cd "$(dirname "$0")/.." && pwd)"
out="${LOOK_DIR:-/tmp/look}"
python="${PYTHON:-$here/.venv/bin/python}"
mkdir -p "$out"

"$python" - "$out" "$@" <<'PY'
import json
import logging
import sys
import time
from pathlib import Path

logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
for noisy in ("weasyprint", "fontTools"):
    logging.getLogger(noisy).setLevel(logging.ERROR)

from briefing.models import brief_from_json
from briefing.render import render_brief

out, args = Path(sys.argv[1]), sys.argv[2:]
if args:
    briefs = [brief_from_json(json.loads(Path(a).read_text(encoding="utf-8"))) for a in args]
else:
    sys.path.insert(0, str(Path.cwd() / "tests"))
    from test_render import huge_brief, small_brief
    briefs = [small_brief(), huge_brief()]
for brief in briefs:
    for paper in ("A4", "Letter"):
        started = time.perf_counter()
        paths = render_brief(brief, out / "briefs" / paper, paper=paper)
        logging.info("%s %s: %.2fs -> %s", brief.topic, paper, time.perf_counter() - started, paths[1])
PY

for pdf in "$out"/briefs/*/*/*.pdf; do
    paper="$(basename "$(dirname "$(dirname "$pdf")")")"
    png="$out/$(basename "$pdf" .pdf)-$paper"
    pdftoppm -png -r 70 -singlefile "$pdf" "$png"
    echo "$png.png"
done
