"""Stripping Markdown for search snippets stays linear on hostile text
(``search.text.strip_markdown``; issue 21: a body of 50,000 "[" took 40 s).

Run from the project root::

    .venv/bin/python benchmarks/bench_strip_markdown.py

Prints one JSON line per input: the fastest of several runs on 5 KB and on 50 KB of it, and
their ratio (goal: at most 15; linear work gives about 10, quadratic about 100). The last line is
the worst ratio over all inputs. Always exits 0; a missed goal shows as ``"ok": false``.
"""

from __future__ import annotations

import gc
import json
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from search.text import strip_markdown  # noqa: E402

SMALL, LARGE = 5_000, 50_000
RUNS = 15
GOAL_RATIO = 15.0
ORDINARY = (
    "## Reporting\n\nIf you see **harassment**, tell the [moderators](https://x.example/mods) "
    'or write to `conduct@x.example`; see _our_ [appeals page](/appeals "Appeals").\n\n'
    "- Be kind.\n- Assume good faith.\n\n> Quoted text.\n\n![logo](logo.png)\n\n"
)
INPUTS = {
    "open_brackets": "[",
    "image_openers": "![",
    "unclosed_links": "[a](",
    "asterisks": "*",
    "underscores": "_",
    "fences": "```",
    "bracket_lines": "[\n",
    "ordinary_markdown": ORDINARY,
}


def timed_ms(text: str, calls: int) -> float:
    """Milliseconds per call over `calls` calls in a row."""
    start = time.perf_counter()
    for _ in range(calls):
        strip_markdown(text)
    return (time.perf_counter() - start) / calls * 1000


def fastest_pair_ms(small: str, large: str) -> tuple[float, float]:
    """The fastest per-call time of each text over RUNS alternating timings. The 5 KB text is
    timed over ten calls, so both timings last about as long; alternating them, a busy machine
    slows both alike."""
    timed_ms(small, LARGE // SMALL), timed_ms(large, 1)  # warm-up
    small_ms = large_ms = float("inf")
    for _ in range(RUNS):
        gc.collect()
        small_ms = min(small_ms, timed_ms(small, LARGE // SMALL))
        large_ms = min(large_ms, timed_ms(large, 1))
    return small_ms, large_ms


def sized(unit: str, n: int) -> str:
    return (unit * (n // len(unit) + 1))[:n]


def main() -> int:
    rng = random.Random(21)
    inputs = dict(INPUTS)
    inputs["random_markup"] = "".join(rng.choice("[]()!*_`~#>:-. a\n") for _ in range(LARGE))
    worst = 0.0
    for name, unit in inputs.items():
        small_ms, large_ms = fastest_pair_ms(sized(unit, SMALL), sized(unit, LARGE))
        ratio = large_ms / small_ms
        worst = max(worst, ratio)
        line = {
            "measure": f"strip_markdown_50kb_over_5kb_{name}",
            "small_ms": round(small_ms, 3),
            "large_ms": round(large_ms, 3),
            "ratio": round(ratio, 1),
            "goal_ratio": GOAL_RATIO,
            "ok": ratio <= GOAL_RATIO,
        }
        print(json.dumps(line), flush=True)
    print(
        json.dumps(
            {
                "measure": "strip_markdown_50kb_over_5kb_worst",
                "ratio": round(worst, 1),
                "goal_ratio": GOAL_RATIO,
                "ok": worst <= GOAL_RATIO,
            }
        ),
        flush=True,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
