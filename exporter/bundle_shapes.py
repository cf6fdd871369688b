"""Static checks of a graph from the shape rules alone, before any tensor exists: every node's input
count and dtypes against the op set (EGRAPH / EDTYPE), its shape rule (ESHAPE), the signature's
outputs, and the memory a run on given input shapes needs (``planned_bytes``, for the arena limit).

The JS twin is ``inferNode`` in ``js_runtime/src/shape_rules.js``; both give the same codes.

>>> infer_node("Add", [(None, 3), (3,)], ["float32", "float32"], {})
((None, 3), 'float32')
>>> infer_node("Add", [(2,), (2,)], ["int32", "float32"], {})
Traceback (most recent call last):
...
webgrad.exporter.bundle_errors.BundleError: Add: input 0 (a) must be float32, got int32
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import lru_cache
from typing import Any

from webgrad.exporter.bundle_errors import BundleError, short_repr
from webgrad.exporter.bundle_json import MAX_SAFE_INTEGER
from webgrad.exporter.graph import Graph
from webgrad.exporter.opset import OpAttributeError, normalize_attrs, op_names, op_since, op_spec, opset_version
from webgrad.raw_ops import REGISTRY

ITEMSIZE = {"float32": 4, "int32": 4, "float16": 2, "int8": 1, "uint8": 1}
Shape = tuple  # of int | None
Value = tuple[Shape, str]  # (shape, dtype)


def infer_node(op: str, shapes: Sequence[Shape | None], dtypes: Sequence[str | None],
               attrs: Mapping[str, Any]) -> Value:
    """The output (shape, dtype) of op-set op ``op`` on inputs of ``shapes``/``dtypes`` (None for an
    absent optional input) with checked ``attrs``; BundleError EGRAPH for a wrong input count or a
    missing required input, EDTYPE for a dtype the op does not take, ESHAPE when the rule refuses."""
    slots = op_spec(op)["inputs"]
    variadic = len(slots) == 1 and bool(slots[0].get("variadic"))
    if len(shapes) < 1 if variadic else len(shapes) > len(slots):
        raise BundleError("EGRAPH", f"{op}: takes {'at least 1' if variadic else f'at most {len(slots)}'} inputs, "
                                    f"got {len(shapes)}")
    count = len(shapes) if variadic else len(slots)
    padded_shapes = [shapes[i] if i < len(shapes) else None for i in range(count)]
    padded_dtypes = [dtypes[i] if i < len(dtypes) else None for i in range(count)]
    for i in range(count):
        slot = slots[0 if variadic else i]
        if padded_dtypes[i] is None or padded_shapes[i] is None:
            if not slot.get("optional"):
                raise BundleError("EGRAPH", f"{op}: input {i} ({slot['name']}) is required")
            continue
        if padded_dtypes[i] not in slot["dtypes"]:
            raise BundleError("EDTYPE", f"{op}: input {i} ({slot['name']}) must be {' or '.join(slot['dtypes'])}, "
                                        f"got {padded_dtypes[i]}")
    if variadic and len(set(padded_dtypes)) > 1:
        raise BundleError("EDTYPE", f"{op}: inputs have different dtypes {padded_dtypes}")
    try:
        attrs = normalize_attrs(op, attrs)  # the reader's are already; a graph being written may not be
    except OpAttributeError as e:
        raise BundleError("EATTR", str(e)) from e
    try:
        shape, dtype = REGISTRY[op].shape(padded_shapes, padded_dtypes, attrs)
    except Exception as e:  # any refusal of a shape rule (ShapeError, or an index/arith error on odd attrs)
        raise BundleError("ESHAPE", str(e) if str(e).startswith(op) else f"{op}: {e}") from e
    shape = tuple(shape)
    if not all(d is None or (isinstance(d, int) and 0 <= d <= MAX_SAFE_INTEGER) for d in shape):
        raise BundleError("ESHAPE", f"{op}: the shape rule gives {list(shape)}, beyond what a tensor can have")
    return shape, dtype


def infer_graph(graph: Graph, inputs: Mapping[str, Shape], where: str) -> dict[str, Value]:
    """(shape, dtype) of every tensor of a structurally valid ``graph`` whose inputs have ``inputs``
    shapes (None dims unknown); errors are prefixed with ``where`` and the node."""
    values: dict[str, Value] = {s.name: (tuple(inputs[s.name]), s.dtype) for s in graph.inputs}
    for k, v in graph.constants.items():
        if str(v.dtype) not in ITEMSIZE:  # e.g. a float64 array in a graph about to be written
            raise BundleError("ETENSOR", f"{where}: weight {k!r} is {v.dtype}; a bundle's weights are "
                                         f"{', '.join(ITEMSIZE)}")
        values[k] = (tuple(int(d) for d in v.shape), str(v.dtype))
    for n in graph.nodes:
        args = [values[i] if i else None for i in n.inputs]
        while args and args[-1] is None:
            args.pop()  # trailing absent optional inputs
        try:
            values[n.outputs[0]] = infer_node(n.op, [a and a[0] for a in args], [a and a[1] for a in args], n.attrs)
        except BundleError as e:
            raise BundleError(e.code, f"{where}: node {n.name!r} ({n.op}): {e}") from e
    return values


def _compatible(declared: Shape, inferred: Shape) -> bool:
    return len(declared) == len(inferred) and all(
        a is None or b is None or a == b for a, b in zip(declared, inferred, strict=True))


def check_shapes(graph: Graph, where: str) -> None:
    """Shape and dtype inference over ``graph`` (a valid one) with dynamic dims unknown: every node's
    inputs fit its op and the outputs match the signature; raises BundleError naming the node,
    prefixed with ``where``."""
    values = infer_graph(graph, {s.name: s.shape for s in graph.inputs}, where)
    for spec in graph.outputs:
        shape, dtype = values[spec.name]
        if dtype != spec.dtype or not _compatible(tuple(spec.shape), shape):
            raise BundleError("ESHAPE", f"{where}: signature output {spec.name!r} is declared {spec.dtype} "
                                        f"{list(spec.shape)}, but the graph makes {dtype} {list(shape)}")


def last_uses(graph: Graph) -> dict[str, int]:
    """Tensor name -> the index of the last node that reads it (``len(nodes)`` for graph outputs);
    a node output nobody reads dies at its own step. Weights are not listed (they live throughout)."""
    last: dict[str, int] = {s.name: -1 for s in graph.inputs}
    for i, n in enumerate(graph.nodes):
        for name in n.inputs:
            if name and name not in graph.constants:
                last[name] = i
        for name in n.outputs:
            last.setdefault(name, i)
    for s in graph.outputs:
        last[s.name] = len(graph.nodes)
    return last


def planned_bytes(graph: Graph, inputs: Mapping[str, Shape], where: str) -> int:
    """The most bytes of inputs and intermediate tensors alive at once when ``graph`` runs on inputs of
    these (concrete) shapes, each tensor freed after its last use: what a run needs beyond the weights,
    from the shape rules alone."""
    values = infer_graph(graph, inputs, where)

    def size(name: str) -> int:
        shape, dtype = values[name]
        count = 1
        for d in shape:
            count *= d or 0
        return count * ITEMSIZE.get(dtype, 4)

    last = last_uses(graph)
    live = sum(size(s.name) for s in graph.inputs)
    peak = live
    for i, n in enumerate(graph.nodes):
        live += sum(size(o) for o in n.outputs)
        peak = max(peak, live)
        dying = {name for name in (*n.inputs, *n.outputs) if name and last.get(name) == i}
        live -= sum(size(name) for name in dying)
    for s in graph.inputs:  # an input no node reads is freed at the end, not before
        if last[s.name] == -1:
            live -= size(s.name)
    return peak


def check_arena(graph: Graph, inputs: Mapping[str, Shape], limit: float, where: str, what: str) -> None:
    """ELIMIT if running ``graph`` on ``inputs`` shapes needs more than ``limit`` bytes (``what`` says
    which inputs, e.g. 'the self-test input')."""
    need = planned_bytes(graph, inputs, where)
    if need > limit:
        shown = ", ".join(f"{k} {list(v)}" for k, v in inputs.items())
        raise BundleError("ELIMIT", f"{where}: running the graph on {what} ({shown}) needs {need} bytes of "
                                    f"inputs and intermediate tensors, over max_arena_bytes ({limit} bytes)")


@lru_cache(maxsize=1)
def _bundle_ops() -> frozenset[str]:
    return frozenset(op_names())


def checked_attrs(n: dict[str, Any], where: str, named: str | None = None,
                  declared: int | None = None) -> dict[str, Any]:
    """A bundle node's attributes checked against its op and defaulted, for the forward graph and the
    loss graph alike: EUNKNOWN_OP for an op outside the op set (gradient ops are not bundle ops),
    EVERSION for an op newer than the bundle's ``declared`` opsetVersion (a writer must declare the
    version that has every op it uses, or older runtimes would misreport it), EATTR for attributes the
    op does not take. ``named`` says how messages name the node (default ``node '<name>'``).

    >>> checked_attrs({"name": "r", "op": "Relu", "attrs": {}}, "model.json")
    {}
    """
    node = named or f"node {n['name']!r}"
    if n["op"] not in _bundle_ops():
        raise BundleError("EUNKNOWN_OP", f"{where}: unknown op {short_repr(n['op'])} in {node}; op set "
                                         f"v{opset_version()} has: {', '.join(sorted(_bundle_ops()))}")
    if declared is not None and op_since(n["op"]) > declared:
        raise BundleError("EVERSION", f"{where}: {node} uses op {n['op']}, which op set v{op_since(n['op'])} added, "
                                      f"but the bundle declares opsetVersion {declared}")
    try:
        return normalize_attrs(n["op"], n["attrs"])
    except OpAttributeError as e:
        raise BundleError("EATTR", f"{where}: {node}: {e}") from e
