"""Random mutations of a valid bundle, driven by a ``random.Random`` (Hypothesis's ``st.randoms()`` in
tests/test_fuzz_reader.py, a seeded one in tests/fuzz/py_reader.py): structured edits of model.json's
JSON, edits of its text, and edits of the shard bytes.

``mutate(rng, files)`` takes ``{"model.json": bytes, "weights-000.bin": bytes, ...}`` and returns a
mutated copy plus a short description of what was done (printed for a finding).
"""

from __future__ import annotations

import hashlib
import json
import random
from typing import Any

# Values that have broken readers: wrong types, integral and non-integral floats, unsafe and huge
# integers, non-finite numbers, names of JS prototype members, deep nesting, odd strings.
SPECIAL: list[Any] = [
    None, True, False, 0, -0.0, 1, -1, 2.0, 1.5, 16, 2**31, 2**53 - 1, 2**53, 2**63, 2**64 + 1, -(2**62), 10**400,
    1e300, 1e-300, float("inf"), float("-inf"), float("nan"), "", "x", "constructor", "__proto__", "toString",
    "SAME", "VALID", "float32", "int32", "int8", "uint8", "float16", "weights-000.bin", "../model.json",
    "\ud800", "\u0000", "AAAA", [], {}, [0], [1, 1], [0, 0, 0, 0], [True, 0, 0, 0], [None], [[[]]], {"a": 1},
    {"scheme": "int8_symmetric", "axis": 0, "scales": [1e300]}, [1e300] * 3, [2**40, 2**40],
]


def _paths(doc: Any, limit: int = 5000) -> list[list]:
    """Every path of ``doc`` (breadth first, at most ``limit``), iteratively."""
    out, queue = [], [(doc, [])]
    while queue and len(out) < limit:
        value, path = queue.pop(0)
        out.append(path)
        items = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else ()
        queue.extend((v, [*path, k]) for k, v in items)
    return out


def _value(rng: random.Random, depth: int = 0) -> Any:
    roll = rng.random()
    if roll < 0.55 or depth > 2:
        return rng.choice(SPECIAL)
    if roll < 0.7:
        return rng.choice([rng.randint(-5, 40), rng.uniform(-10, 10), rng.randint(-(2**70), 2**70)])
    if roll < 0.8:
        return "".join(rng.choice("ab[]{}\"\\/:,0é\n") for _ in range(rng.randint(0, 8)))
    if roll < 0.9:
        return [_value(rng, depth + 1) for _ in range(rng.randint(0, 4))]
    return {rng.choice(["name", "op", "shape", "dtype", "x", "constructor"]): _value(rng, depth + 1)
            for _ in range(rng.randint(0, 3))}


def _get(doc: Any, path: list) -> Any:
    for k in path:
        doc = doc[k]
    return doc


def mutate_json(rng: random.Random, doc: Any) -> str:
    """Changes, deletes or adds one value somewhere in ``doc`` (in place); says what."""
    paths = _paths(doc)
    path = rng.choice(paths[1:] or paths)
    parent, key = (_get(doc, path[:-1]), path[-1]) if path else (None, None)
    action = rng.choice(["set", "set", "set", "delete", "add", "deep", "swap"])
    if parent is None:
        return "nothing"
    if action == "delete":
        del parent[key]
    elif action == "add":
        target = _get(doc, path)
        if isinstance(target, dict):
            target[rng.choice(["extra", "constructor", "__proto__", "axis", "name"])] = _value(rng)
        elif isinstance(target, list):
            target.insert(rng.randint(0, len(target)), _value(rng))
        else:
            parent[key] = _value(rng)
    elif action == "deep":
        parent[key] = _nest(rng.choice([60, 62, 63, 64, 300]))
    elif action == "swap":
        other = _get(doc, rng.choice(paths))
        parent[key] = json.loads(json.dumps(other, allow_nan=True))
    else:
        parent[key] = _value(rng)
    return f"{action} {path[:8]}"


def _nest(depth: int) -> Any:
    value: Any = []
    for _ in range(depth):
        value = [value]
    return value


def mutate_text(rng: random.Random, text: bytes) -> tuple[bytes, str]:
    """A byte-level edit of model.json's text."""
    pos = rng.randint(0, len(text))
    action = rng.choice(["cut", "insert", "flip", "bom", "truncate"])
    if action == "cut":
        return text[:pos] + text[pos + rng.randint(1, 20):], f"cut at {pos}"
    if action == "insert":
        snippet = rng.choice([b"[", b"]", b"{", b"}", b",", b'"', b"\\", b"1e400", b"-", b".5", b"\xef\xbb\xbf",
                              b"\xff", b"\x00", b"NaN", b"true", b"  "])
        return text[:pos] + snippet + text[pos:], f"insert {snippet!r} at {pos}"
    if action == "flip" and text:
        i = min(pos, len(text) - 1)
        return text[:i] + bytes([text[i] ^ (1 << rng.randint(0, 7))]) + text[i + 1:], f"flip at {i}"
    if action == "bom":
        return b"\xef\xbb\xbf" + text, "bom"
    return text[:pos], f"truncate to {pos}"


def rehash(files: dict[str, bytes]) -> None:
    """Rewrites every shard's byteLength and sha256 in model.json from the files (if it still parses)."""
    try:
        doc = json.loads(files["model.json"])
        for s in doc["weights"]["shards"]:
            if isinstance(s, dict) and isinstance(s.get("file"), str) and s["file"] in files:
                data = files[s["file"]]
                s["byteLength"], s["sha256"] = len(data), hashlib.sha256(data).hexdigest()
        files["model.json"] = json.dumps(doc, allow_nan=True).encode("utf-8", "surrogatepass")
    except (ValueError, KeyError, TypeError, AttributeError):
        pass  # nothing to rehash in a model.json that is no longer a bundle


def mutate(rng: random.Random, files: dict[str, bytes]) -> tuple[dict[str, bytes], str]:
    """A mutated copy of the bundle ``files`` (1 to 3 edits) and what was done."""
    files = dict(files)
    done = []
    for _ in range(rng.randint(1, 3)):
        kind = rng.choice(["json", "json", "json", "text", "shard"])
        if kind == "json":
            try:
                doc = json.loads(files["model.json"])
            except (ValueError, RecursionError):
                kind = "text"
            else:
                done.append("json " + mutate_json(rng, doc))
                files["model.json"] = json.dumps(doc, allow_nan=True).encode("utf-8", "surrogatepass")
                if rng.random() < 0.5:
                    rehash(files)
                continue
        if kind == "text":
            files["model.json"], what = mutate_text(rng, files["model.json"])
            done.append("text " + what)
            continue
        shards = sorted(k for k in files if k != "model.json")
        if not shards:
            continue
        name = rng.choice(shards)
        data = files[name]
        action = rng.choice(["truncate", "append", "flip", "nan", "remove"])
        if action == "truncate":
            files[name] = data[:rng.randint(0, len(data))]
        elif action == "append":
            files[name] = data + bytes(rng.randint(1, 64))
        elif action == "flip" and data:
            i = rng.randrange(len(data))
            files[name] = data[:i] + bytes([data[i] ^ 0xFF]) + data[i + 1:]
        elif action == "nan" and len(data) >= 4:
            i = rng.randrange(len(data) // 4) * 4
            files[name] = data[:i] + b"\x00\x00\xc0\x7f" + data[i + 4:]
        else:
            del files[name]
        done.append(f"shard {action} {name}")
        if rng.random() < 0.7:
            rehash(files)
    return files, "; ".join(done)
