"""The inference graph: the in-memory form of a bundle's ``graph`` plus its weights.

Tensors are named; ``constants`` holds every weight as a float32 (or int32) numpy array; ``nodes``
are in topological order, each one op-set op with single output. ``run`` executes it on the numpy
reference, which is what the Python bundle runner, the exporter's passes and the self-test use.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from webgrad import raw_ops as ops


class UniqueNames:
    """One namespace: ``take("conv")`` gives ``conv``, then ``conv_1``, ``conv_2``…"""

    def __init__(self, reserved: set[str] | None = None) -> None:
        self.used: set[str] = set(reserved or ())

    def take(self, base: str) -> str:
        name, k = base, 0
        while name in self.used:
            k += 1
            name = f"{base}_{k}"
        self.used.add(name)
        return name


class GraphError(ValueError):
    """A graph that is malformed: an undefined tensor, a cycle, a duplicate name."""


@dataclass
class TensorSpec:
    """A graph input or output: name, dtype and shape (``None`` for a dynamic dim, e.g. the batch)."""

    name: str
    dtype: str
    shape: tuple

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "dtype": self.dtype, "shape": list(self.shape)}


@dataclass
class Node:
    """One op application: ``outputs[0] = op(*inputs, **attrs)``; an empty input name is an absent
    optional input."""

    name: str
    op: str
    inputs: list[str]
    outputs: list[str]
    attrs: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "op": self.op, "inputs": list(self.inputs), "outputs": list(self.outputs),
                "attrs": dict(sorted(self.attrs.items()))}


@dataclass
class Graph:
    inputs: list[TensorSpec]
    outputs: list[TensorSpec]
    nodes: list[Node]
    constants: dict[str, np.ndarray]

    def producers(self) -> dict[str, Node]:
        """Tensor name -> the node that makes it."""
        return {out: n for n in self.nodes for out in n.outputs}

    def consumers(self) -> dict[str, list[Node]]:
        """Tensor name -> the nodes that read it."""
        users: dict[str, list[Node]] = {}
        for n in self.nodes:
            for i in n.inputs:
                if i:
                    users.setdefault(i, []).append(n)
        return users

    def validate(self) -> None:
        """Raises GraphError unless every tensor is defined before use, exactly once, with no cycle."""
        defined = {s.name for s in self.inputs} | set(self.constants)
        if len(defined) != len(self.inputs) + len(self.constants):
            raise GraphError("a graph input has the same name as a weight")
        later = {out: n.name for n in self.nodes for out in n.outputs}
        for n in self.nodes:
            for i in n.inputs:
                if not i or i in defined:
                    continue
                if i in later:
                    raise GraphError(f"node {n.name!r} reads {i!r} before node {later[i]!r} makes it "
                                     "(a cycle, or nodes out of topological order)")
                raise GraphError(f"node {n.name!r} ({n.op}) reads undefined tensor {i!r}")
            for out in n.outputs:
                if out in defined:
                    raise GraphError(f"node {n.name!r} redefines tensor {out!r}")
                defined.add(out)
        for o in self.outputs:
            if o.name not in defined:
                raise GraphError(f"graph output {o.name!r} is not made by any node")

    def run(self, feeds: Mapping[str, np.ndarray]) -> list[np.ndarray]:
        """Runs the graph on the numpy reference; ``feeds`` maps input names to arrays."""
        values: dict[str, Any] = dict(self.constants)
        for spec in self.inputs:
            if spec.name not in feeds:
                raise KeyError(f"missing graph input {spec.name!r}")
            values[spec.name] = np.asarray(feeds[spec.name])
        # Each intermediate is dropped after its last reader, so a run holds what the arena limit
        # (bundle_shapes.planned_bytes) counts, not every tensor of the graph at once.
        last: dict[str, int] = {}
        for i, n in enumerate(self.nodes):
            for name in n.inputs:
                last[name] = i
        keep = {o.name for o in self.outputs} | set(self.constants)
        with ops.no_grad():
            for i, n in enumerate(self.nodes):
                args = [values[name] if name else None for name in n.inputs]
                while args and args[-1] is None:
                    args.pop()  # trailing absent optional inputs
                values[n.outputs[0]] = ops.apply(n.op, *args, **n.attrs).data
                for name in (*n.inputs, n.outputs[0]):
                    if name and last.get(name, i) == i and name not in keep:
                        values.pop(name, None)
        return [values[o.name] for o in self.outputs]
