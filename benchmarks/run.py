"""Runs every benchmark script in this folder; each prints one JSON line per measure."""

import subprocess
import sys
from pathlib import Path

here = Path(__file__).resolve().parent
failed = False
for script in sorted(here.glob("bench_*.py")):
    result = subprocess.run([sys.executable, str(script)], cwd=here.parent, check=False)
    failed |= result.returncode != 0
sys.exit(1 if failed else 0)
