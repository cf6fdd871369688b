"""Checks the ``tokenizer`` section of a text bundle (formatVersion 3) and reads its tokenizer.json.

model.json's section (its structure is the JSON Schema's) names a file in the bundle directory with
its ``byteLength`` and ``sha256``, the signature input the ids feed, the ``sequenceLength``, the vocabulary
model and the pad and unknown ids. ``check_tokenizer`` raises ``BundleError``:

- ESCHEMA: the section disagrees with the signature: ``input`` is not a signature input, or that input
  is not int32 ``[null, sequenceLength]``;
- ELIMIT: the declared size is over the reader's ``max_model_json_bytes``;
- ETOKENIZER, the message naming the file and what was expected: the file is missing, of another size,
  with another checksum, not UTF-8 JSON, outside the supported subset of tokenizer.json (the
  component named: a ``BPE`` model, a ``Precompiled`` normalizer...), or disagreeing with the section
  (model type, padding length, pad id, unknown id).

The JS loader (``js_runtime/src/loader/tokenizer_section.js``) gives the same codes
(tests/bundle_cases/tokenizer.json).
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import Any

from webgrad.exporter.bundle_errors import BundleError
from webgrad.exporter.bundle_files import file_size, open_regular, read_fd
from webgrad.exporter.bundle_json import parse_model_json
from webgrad.text import Tokenizer, UnsupportedTokenizerError

__all__ = ["TOKENIZER_FILE", "check_section", "check_tokenizer", "tokenizer_section"]

TOKENIZER_FILE = "tokenizer.json"


def tokenizer_section(tokenizer: Tokenizer, data: bytes, input_name: str) -> dict[str, Any]:
    """model.json's ``tokenizer`` section for ``tokenizer`` stored as the bytes ``data``, feeding the
    signature input ``input_name``.

    >>> from webgrad.text.models import WordLevel
    >>> tok = Tokenizer(WordLevel({"[PAD]": 0, "[UNK]": 1}), sequence_length=8)
    >>> tokenizer_section(tok, b"{}", "text")["sequenceLength"]
    8
    """
    return {"file": TOKENIZER_FILE, "byteLength": len(data), "sha256": hashlib.sha256(data).hexdigest(),
            "input": input_name, "sequenceLength": tokenizer.sequence_length, "model": type(tokenizer.model).__name__,
            "padId": tokenizer.pad_id, "unkId": tokenizer.model.unk_id}


def check_tokenizer(manifest: dict[str, Any], path: Path, where: str, max_bytes: float) -> Tokenizer | None:
    """Validates ``manifest["tokenizer"]`` and its file in the bundle directory ``path`` (see the module
    doc); returns the tokenizer, or None when the bundle has none."""
    t = manifest.get("tokenizer")
    if t is None:
        return None
    check_section(manifest, where)
    file, want = path / t["file"], int(t["byteLength"])
    if want > max_bytes:
        raise BundleError("ELIMIT", f"{file}: {TOKENIZER_FILE} declares {want} bytes, over max_model_json_bytes "
                                    f"({max_bytes} bytes)")
    fd = open_regular(file, "ETOKENIZER", f"{file}: missing {TOKENIZER_FILE} (model.json lists it with {want} "
                                          "bytes)")
    try:
        size = file_size(fd)
        data = read_fd(fd, file, want + 1) if size == want else b""
    finally:
        os.close(fd)
    if size != want or len(data) != want:
        got = size if size != want else len(data)
        raise BundleError("ETOKENIZER", f"{file}: {TOKENIZER_FILE} has {'more' if got > want else got} bytes; "
                                        f"model.json says {want}")
    digest = hashlib.sha256(data).hexdigest()
    if digest != t["sha256"]:
        raise BundleError("ETOKENIZER", f"{file}: sha256 mismatch: model.json says {t['sha256']}, "
                                        f"{TOKENIZER_FILE} hashes to {digest} (corrupted or replaced)")
    try:
        doc, _ = parse_model_json(data, str(file))
        tokenizer = Tokenizer.from_json(doc)
    except BundleError as e:
        raise BundleError("ETOKENIZER", f"{TOKENIZER_FILE} is not a tokenizer: {e}") from e
    except UnsupportedTokenizerError as e:
        raise BundleError("ETOKENIZER", f"{file}: {e}") from e
    _check_agrees(tokenizer, t, file)
    return tokenizer


def check_section(manifest: dict[str, Any], where: str) -> None:
    """The section's ``input`` is a signature input, int32 ``[null, sequenceLength]`` (ESCHEMA)."""
    t, field = manifest["tokenizer"], f"{where}: tokenizer"
    specs = {s["name"]: s for s in manifest["signature"]["inputs"]}
    spec = specs.get(t["input"])
    if spec is None:
        raise BundleError("ESCHEMA", f"{field}.input {t['input']!r} is not a signature input ({sorted(specs)})")
    length = int(t["sequenceLength"])
    if spec["dtype"] != "int32" or list(spec["shape"]) != [None, length]:
        raise BundleError("ESCHEMA", f"{field}.input {t['input']!r} is {spec['dtype']} {spec['shape']}; the ids of "
                                     f"a tokenizer are int32 [null, {length}] (sequenceLength)")


def _check_agrees(tokenizer: Tokenizer, t: dict[str, Any], file: Path) -> None:
    """The file says what the section says: model type, sequence length, pad and unknown ids."""
    facts = [("model", type(tokenizer.model).__name__, t["model"]),
             ("sequenceLength (padding and truncation length)", tokenizer.sequence_length, int(t["sequenceLength"])),
             ("padId", tokenizer.pad_id, int(t["padId"])), ("unkId", tokenizer.model.unk_id, int(t["unkId"]))]
    for what, got, want in facts:
        if got != want:
            raise BundleError("ETOKENIZER", f"{file}: {TOKENIZER_FILE} has {what} {got!r}; model.json's tokenizer "
                                            f"section says {want!r}")
