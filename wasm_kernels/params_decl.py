"""Reads ``wasm_kernels/params.json``, the one declaration of the kernels' params structs and codes.

Everything that speaks the binary contract derives from it: ``gen_params.py`` writes the C header, the
``wg_params_layout`` table and the JS writers; ``tests/wasm_harness.py`` packs structs from it directly.
Activation codes are not repeated there: they are the op set's ``activations.values`` in order.

>>> d = load()
>>> d.structs["matmul"].offsets["alpha"], d.structs["matmul"].size
(28, 84)
>>> d.activations[:2]
('none', 'relu')
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
PARAMS_JSON = HERE / "params.json"
OPSET_JSON = ROOT / "exporter" / "opset.json"
TYPES = ("int32", "float32")


@dataclass(frozen=True)
class Field:
    """One field: ``length`` 0 is a scalar, otherwise a fixed-length array of ``length`` 4-byte slots."""

    name: str
    type: str
    length: int
    fill: float
    flag: bool
    doc: str


@dataclass(frozen=True)
class Struct:
    """One params struct (C name ``wg_<name>_params``) with its fields in memory order."""

    name: str
    ops: tuple[str, ...]
    doc: str
    fields: tuple[Field, ...]

    @property
    def c_name(self) -> str:
        return f"wg_{self.name}_params"

    @property
    def offsets(self) -> dict[str, int]:
        """Field name -> byte offset (every slot is 4 bytes, no padding)."""
        out, at = {}, 0
        for f in self.fields:
            out[f.name] = at
            at += 4 * max(f.length, 1)
        return out

    @property
    def size(self) -> int:
        return 4 * sum(max(f.length, 1) for f in self.fields)


@dataclass(frozen=True)
class Declaration:
    abi_version: int
    constants: dict[str, tuple[int, str]]  # name -> (value, doc)
    activations: tuple[str, ...]
    dtypes: tuple[str, ...]
    structs: dict[str, Struct]


def load(path: Path = PARAMS_JSON, opset: Path = OPSET_JSON) -> Declaration:
    """Reads and checks a declaration; raises ValueError naming the struct and field at fault."""
    raw = json.loads(Path(path).read_text())
    constants = {k: (int(v["value"]), str(v["doc"])) for k, v in raw["constants"].items()}
    structs: dict[str, Struct] = {}
    for s in raw["structs"]:
        fields, seen = [], set()
        for f in s["fields"]:
            where = f"{path}: wg_{s['name']}_params.{f.get('name')}"
            if f["type"] not in TYPES:
                raise ValueError(f"{where}: type {f['type']!r}, expected one of {TYPES}")
            if f["name"] in seen:
                raise ValueError(f"{where}: declared twice")
            seen.add(f["name"])
            length = f.get("length", 0)
            if isinstance(length, str):
                if length not in constants:
                    raise ValueError(f"{where}: length {length!r} is not one of the constants {sorted(constants)}")
                length = constants[length][0]
            fields.append(Field(f["name"], f["type"], int(length), f.get("fill", 0), bool(f.get("flag", False)),
                                f["doc"]))
        structs[s["name"]] = Struct(s["name"], tuple(s["ops"]), s["doc"], tuple(fields))
    activations = tuple(json.loads(Path(opset).read_text())["activations"]["values"])
    return Declaration(int(raw["abi_version"]), constants, activations, tuple(raw["dtypes"]), structs)


def length_name(decl: Declaration, length: int) -> str | None:
    """The constant whose value is ``length`` (C array bounds read better as WG_MAX_RANK than 6)."""
    return next((k for k, (v, _) in decl.constants.items() if v == length), None)


def dtype_c_name(dtype: str) -> str:
    """``float32`` -> ``WG_F32``, ``uint8`` -> ``WG_U8`` (the names the kernels use)."""
    for prefix, letter in (("uint", "U"), ("int", "I"), ("float", "F")):
        if dtype.startswith(prefix):
            return f"WG_{letter}{dtype[len(prefix):]}"
    raise ValueError(f"dtype {dtype!r}: expected float*, int* or uint*")


def camel(name: str) -> str:
    """``transpose_a`` -> ``transposeA``; ``M``, ``KH`` stay as they are (the JS writers' field names)."""
    head, *rest = name.split("_")
    return head + "".join(p[:1].upper() + p[1:] for p in rest)
