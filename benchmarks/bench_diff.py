"""Benchmark the word-level policy diff (``policies.diffing.diff_words``).

Run from the project root::

    .venv/bin/python benchmarks/bench_diff.py

Prints one JSON line per measure.  Texts are generated deterministically: ~20 sections of
~500 pseudo-words each (10,000 words), separated by blank lines, with soft line breaks inside
paragraphs like wrapped Markdown.  The edited copy gets N word edits (substitutions,
insertions and deletions) scattered at random positions.  Each measure times ``diff_words``
on the whole text and, separately, the sum of per-section diffs.  Always exits 0; a missed
goal shows as ``"ok": false``.
"""

from __future__ import annotations

import gc
import json
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from policies.diffing import diff_stats, diff_words  # noqa: E402

SECTIONS = 20
WORDS_PER_SECTION = 500
VOCABULARY_SIZE = 3000
RUNS = 21
WARMUP = 3
MEASURES = [  # (edits, goal for the median in ms)
    (500, 15.0),
    (2500, 40.0),
]


def make_vocabulary(rng: random.Random, size: int) -> list[str]:
    syllables = [c + v for c in "bcdfghjklmnprstvwz" for v in ("a", "e", "i", "o", "u", "ou", "ai")]
    words: set[str] = set()
    while len(words) < size:
        words.add("".join(rng.choice(syllables) for _ in range(rng.randint(1, 4))))
    return sorted(words)


def make_sections(rng: random.Random, vocabulary: list[str]) -> list[list[str]]:
    """Return sections as lists of words (punctuation attached to some words)."""
    sections = []
    for _ in range(SECTIONS):
        words = [rng.choice(vocabulary) for _ in range(WORDS_PER_SECTION)]
        for k in range(len(words)):
            roll = rng.random()
            if roll < 0.06:
                words[k] += "."
            elif roll < 0.10:
                words[k] += ","
        sections.append(words)
    return sections


def render(sections: list[list[str]]) -> str:
    paragraphs = []
    for words in sections:
        lines = [" ".join(words[k : k + 12]) for k in range(0, len(words), 12)]
        paragraphs.append("\n".join(lines))
    return "\n\n".join(paragraphs)


def edit(
    rng: random.Random, sections: list[list[str]], vocabulary: list[str], n: int
) -> list[list[str]]:
    edited = [list(words) for words in sections]
    for _ in range(n):
        words = rng.choice(edited)
        pos = rng.randrange(len(words))
        roll = rng.random()
        if roll < 0.6:
            words[pos] = rng.choice(vocabulary)
        elif roll < 0.8:
            words.insert(pos, rng.choice(vocabulary))
        elif len(words) > 1:
            del words[pos]
    return edited


def split_sections(text: str) -> list[str]:
    return text.split("\n\n")


def time_ms(func, runs: int) -> list[float]:
    """Wall-clock milliseconds of ``runs`` calls (after warm-up; garbage collected between)."""
    for _ in range(WARMUP):
        func()
    samples = []
    for _ in range(runs):
        gc.collect()
        start = time.perf_counter()
        func()
        samples.append((time.perf_counter() - start) * 1000)
    return samples


def report(measure: str, samples: list[float], goal_ms: float, ops: int, edits: int) -> None:
    median = statistics.median(samples)
    p95 = sorted(samples)[max(0, round(0.95 * len(samples)) - 1)]
    line = {
        "measure": measure,
        "median_ms": round(median, 2),
        "min_ms": round(min(samples), 2),
        "p95_ms": round(p95, 2),
        "runs": len(samples),
        "goal_ms": goal_ms,
        "ok": median <= goal_ms,
        "ops": ops,
        "edits": edits,
    }
    print(json.dumps(line), flush=True)


def main() -> int:
    rng = random.Random(20240611)
    vocabulary = make_vocabulary(rng, VOCABULARY_SIZE)
    sections = make_sections(rng, vocabulary)
    old = render(sections)
    for n_edits, goal in MEASURES:
        new = render(edit(random.Random(n_edits), sections, vocabulary, n_edits))
        name = f"diff_10k_words_{n_edits}_edits"

        ops = diff_words(old, new)
        stats = diff_stats(ops)
        report(
            name, time_ms(lambda o=old, n=new: diff_words(o, n), RUNS), goal, len(ops), stats.edits
        )

        pairs = list(zip(split_sections(old), split_sections(new), strict=True))

        def per_section(pairs=pairs):
            for a, b in pairs:
                diff_words(a, b)

        section_ops = [diff_words(a, b) for a, b in pairs]
        report(
            f"{name}_per_section",
            time_ms(per_section, RUNS),
            goal,
            sum(len(o) for o in section_ops),
            sum(diff_stats(o).edits for o in section_ops),
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
