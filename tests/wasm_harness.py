"""Runs the WebAssembly kernels (``js_runtime/wasm/*.wasm``) from Python through wasmtime.

``Kernels`` instantiates one build and moves numpy arrays in and out of its linear memory;
``run_op`` runs an op-set op the way the JS executor will: it derives the kernel's sizes and params
struct from the op's attributes and input shapes, calls ``wg_<Op>`` and returns the output array. It is
the reference for the JS glue. Params structs are packed by field name from the one declaration of
the layouts, ``wasm_kernels/params.json`` (read through ``wasm_kernels/params_decl.py``).

>>> k = Kernels(WASM_DIR / "webgrad-simd.wasm")          # doctest: +SKIP
>>> run_op(k, "Relu", [np.array([-1.0, 2.0], np.float32)], {})   # doctest: +SKIP
array([0., 2.], dtype=float32)
"""

from __future__ import annotations

import importlib.util
import json
import math
import struct
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np
import wasmtime

from webgrad.exporter.opset import normalize_attrs
from webgrad.raw_ops import REGISTRY
from webgrad.raw_ops._window import pool_window, window

ROOT = Path(__file__).resolve().parent.parent
WASM_DIR = ROOT / "js_runtime" / "wasm"
VARIANTS = ("webgrad-simd.wasm", "webgrad-relaxed.wasm")


def _load_params_decl():
    """wasm_kernels/params_decl.py by path (wasm_kernels/ is not a package)."""
    if "wasm_params_decl" not in sys.modules:
        spec = importlib.util.spec_from_file_location("wasm_params_decl", ROOT / "wasm_kernels" / "params_decl.py")
        mod = importlib.util.module_from_spec(spec)
        sys.modules["wasm_params_decl"] = mod
        spec.loader.exec_module(mod)
    return sys.modules["wasm_params_decl"]


params_decl = _load_params_decl()
DECL = params_decl.load()
ACTIVATIONS = DECL.activations
DTYPES = {d: i for i, d in enumerate(DECL.dtypes)}
MAX_RANK = DECL.constants["MAX_RANK"][0]


class KernelError(RuntimeError):
    """A kernel returned a non-zero status."""


class Kernels:
    """One instantiated .wasm build: calls exports, copies arrays, packs params structs."""

    def __init__(self, path: Path | str):
        config = wasmtime.Config()
        config.wasm_simd = True
        config.wasm_relaxed_simd = True
        self.path = Path(path)
        self.engine = wasmtime.Engine(config)
        self.store = wasmtime.Store(self.engine)
        self.module = wasmtime.Module.from_file(self.engine, str(self.path))
        self.instance = wasmtime.Instance(self.store, self.module, [])
        exports = self.instance.exports(self.store)
        self.memory: wasmtime.Memory = exports["memory"]
        self.exports = {e.name: exports[e.name] for e in self.module.exports if e.name != "memory"}

    def __call__(self, name: str, *args: Any) -> Any:
        return self.exports[name](self.store, *args)

    def check(self, name: str, *args: Any) -> None:
        """Calls a kernel and raises KernelError unless it returns WG_OK (0)."""
        rc = self(name, *args)
        if rc != 0:
            raise KernelError(f"{name} returned {rc}")

    def alloc(self, nbytes: int) -> int:
        ptr = self("wg_alloc", max(int(nbytes), 0)) & 0xFFFFFFFF
        if ptr == 0:
            raise MemoryError(f"wg_alloc({nbytes}) failed")
        return ptr

    def put(self, a: np.ndarray | None) -> int:
        """Copies ``a`` into fresh memory; returns its address (0 for None)."""
        if a is None:
            return 0
        data = np.ascontiguousarray(a).tobytes()
        ptr = self.alloc(max(len(data), 4))
        if data:
            self.memory.write(self.store, data, ptr)
        return ptr

    def empty(self, shape: Sequence[int], dtype: Any = np.float32) -> int:
        return self.alloc(max(math.prod(shape) * np.dtype(dtype).itemsize, 4))

    def get(self, ptr: int, shape: Sequence[int], dtype: Any = np.float32) -> np.ndarray:
        dt = np.dtype(dtype)
        n = math.prod(shape) * dt.itemsize
        raw = self.memory.read(self.store, ptr, ptr + n) if n else b""
        return np.frombuffer(bytes(raw), dtype=dt).reshape(tuple(shape)).copy()

    def params(self, name: str, decl: Any = DECL, **fields: Any) -> int:
        """Params struct ``wg_<name>_params`` packed from named fields (C names) by :func:`pack_params`."""
        return self.put(np.frombuffer(pack_params(name, fields, decl), np.uint8))

    def layout(self) -> dict[str, int]:
        """What this build's ``wg_params_layout`` export reports: ``{"matmul": 84, "matmul.M": 0, ...,
        "act.relu": 1, "dtype.int8": 3}`` (sizes and offsets as the compiler laid the structs out)."""
        base = self("wg_params_layout") & 0xFFFFFFFF
        count = int.from_bytes(bytes(self.memory.read(self.store, base, base + 4)), "little")
        values = self.get(base + 4, (count,), np.int32)
        names, at = [], base + 4 + 4 * count
        for _ in range(count):
            end = at
            while bytes(self.memory.read(self.store, end, end + 1)) != b"\0":
                end += 1
            names.append(bytes(self.memory.read(self.store, at, end)).decode())
            at = end + 1
        return dict(zip(names, (int(v) for v in values), strict=True))

    @contextmanager
    def scope(self) -> Iterator[None]:
        """Frees everything allocated inside (wg_mark / wg_reset)."""
        mark = self("wg_mark") & 0xFFFFFFFF
        try:
            yield
        finally:
            self("wg_reset", mark)


# ---------------------------------------------------------------- params structs (wasm_kernels/params.json)


def pack_params(name: str, fields: dict[str, Any], decl: Any = DECL) -> bytes:
    """The bytes of ``wg_<name>_params`` from named fields (C names; flags as bools or ints), laid out as
    ``decl`` (default: wasm_kernels/params.json) says. Array fields get their unused slots set to the
    declared fill; a missing or unknown field raises KeyError.

    >>> pack_params("reduce", {"rank": 1, "shape": [5], "axes_mask": 1}).hex()[:16]
    '0100000005000000'
    """
    s = decl.structs[name]
    unknown = set(fields) - {f.name for f in s.fields}
    if unknown:
        raise KeyError(f"{s.c_name} has no field(s) {sorted(unknown)}")
    out = bytearray(s.size)
    for f in s.fields:
        v, off = fields[f.name], s.offsets[f.name]
        if f.length:
            if len(v) > f.length:
                raise ValueError(f"{s.c_name}.{f.name}: {len(v)} values, the field holds {f.length}")
            struct.pack_into(f"<{f.length}i", out, off, *(list(v) + [int(f.fill)] * (f.length - len(v))))
        elif f.type == "float32":
            struct.pack_into("<f", out, off, float(v))
        else:
            struct.pack_into("<i", out, off, int(v))
    return bytes(out)


def _right_align(shape: Sequence[int], rank: int) -> list[int]:
    return [1] * (rank - len(shape)) + list(shape)


def broadcast_params(k: Kernels, out: Sequence[int], a: Sequence[int], b: Sequence[int]) -> int:
    rank = len(out)
    return k.params("broadcast", rank=rank, out_shape=out, a_shape=_right_align(a, rank),
                    b_shape=_right_align(b, rank))


def matmul_params(k: Kernels, M: int, N: int, K: int, *, transpose_a: bool = False, transpose_b: bool = False,
                  b_packed: bool = False, activation: str = "none", alpha: float = 0.2,
                  batch: Sequence[int] = (), a_batch: Sequence[int] = (), b_batch: Sequence[int] = ()) -> int:
    r = len(batch)
    return k.params("matmul", M=M, N=N, K=K, transpose_a=transpose_a, transpose_b=transpose_b, b_packed=b_packed,
                    activation=ACTIVATIONS.index(activation), alpha=alpha, batch_rank=r, batch_shape=batch,
                    a_batch_shape=_right_align(a_batch, r), b_batch_shape=_right_align(b_batch, r))


def conv2d_fields(x_shape: Sequence[int], w_shape: Sequence[int], attrs: dict[str, Any],
                  w_packed: bool = False) -> dict[str, Any]:
    """The named fields of wg_conv2d_params (``k.params("conv2d", **fields)``)."""
    n, h, w, c = x_shape
    kh, kw, _, o = w_shape
    win = window("Conv2D", (h, w), (kh, kw), attrs["strides"], attrs["padding"], attrs["dilations"])
    (sh, sw), (dh, dw), (oh, ow) = win.strides, win.dilations, win.out
    return dict(N=n, H=h, W=w, C=c, OH=oh, OW=ow, O=o, KH=kh, KW=kw, stride_h=sh, stride_w=sw, dilation_h=dh,
                dilation_w=dw, pad_top=win.pads[0], pad_left=win.pads[2], groups=attrs["groups"],
                activation=ACTIVATIONS.index(attrs["activation"]), alpha=attrs["alpha"], w_packed=w_packed)


def pool_params(k: Kernels, x_shape: Sequence[int], attrs: dict[str, Any]) -> tuple[int, tuple[int, ...]]:
    n, h, w, c = x_shape
    win = pool_window("Pool", tuple(x_shape), attrs)
    (kh, kw), (sh, sw), (oh, ow) = win.kernel, win.strides, win.out
    ptr = k.params("pool2d", N=n, H=h, W=w, C=c, OH=oh, OW=ow, KH=kh, KW=kw, stride_h=sh, stride_w=sw,
                   pad_top=win.pads[0], pad_left=win.pads[2])
    return ptr, (n, oh, ow, c)


def _axis_split(shape: Sequence[int], axis: int) -> tuple[int, int, int]:
    """``[outer, n, inner]`` around ``axis``."""
    return math.prod(shape[:axis]), shape[axis], math.prod(shape[axis + 1 :])


# ---------------------------------------------------------------- ops


def out_shape(op: str, inputs: Sequence[np.ndarray | None], attrs: dict[str, Any]) -> tuple[tuple[int, ...], str]:
    shapes = [None if x is None else tuple(x.shape) for x in inputs]
    dtypes = [None if x is None else str(x.dtype) for x in inputs]
    shape, dtype = REGISTRY[op].shape(shapes, dtypes, attrs)
    return tuple(int(d) for d in shape), dtype


UNARY = ("Relu", "Relu6", "Sigmoid", "Tanh", "Exp", "Log", "Sqrt", "Floor")
BINARY = ("Add", "Sub", "Mul", "Div", "Maximum", "Minimum")
COMPARE = ("Greater", "GreaterEqual", "Less", "LessEqual", "Equal", "NotEqual")


def run_op(k: Kernels, op: str, inputs: Sequence[np.ndarray | None], attrs: dict[str, Any] | None = None, *,
           packed: bool = False) -> np.ndarray:
    """Runs op-set op ``op`` on the kernels of ``k``; ``packed`` pre-packs MatMul/Conv2D weights first."""
    attrs = normalize_attrs(op, dict(attrs or {}))
    shape, dtype = out_shape(op, inputs, attrs)
    with k.scope():
        ptrs = [k.put(x) for x in inputs] if op != "Concat" else []
        y = k.empty(shape, dtype)
        _dispatch(k, op, inputs, ptrs, y, shape, attrs, packed)
        return k.get(y, shape, dtype)


def _dispatch(k: Kernels, op: str, inputs: Sequence[np.ndarray | None], ptrs: list[int], y: int,
              shape: tuple[int, ...], attrs: dict[str, Any], packed: bool) -> None:
    x = inputs[0]
    name = f"wg_{op}"
    if op in UNARY:
        k.check(name, ptrs[0], y, x.size)
    elif op == "LeakyRelu":
        k.check(name, ptrs[0], y, x.size, attrs["alpha"])
    elif op == "Gelu":
        k.check(name, ptrs[0], y, x.size, int(attrs["approximate"]))
    elif op in BINARY:
        k.check(name, ptrs[0], ptrs[1], y, broadcast_params(k, shape, inputs[0].shape, inputs[1].shape))
    elif op in COMPARE:
        p = broadcast_params(k, shape, inputs[0].shape, inputs[1].shape)
        k.check(name, ptrs[0], ptrs[1], y, p, int(x.dtype == np.int32))
    elif op in ("Abs", "Sign"):
        k.check(name, ptrs[0], y, x.size, int(x.dtype == np.int32))
    elif op == "Where":
        rank = len(shape)
        aligned = {f"{n}_shape": _right_align(v.shape, rank) for n, v in zip(("cond", "x", "y"), inputs, strict=True)}
        p = k.params("where", rank=rank, out_shape=shape, **aligned)
        k.check(name, *ptrs, y, p)
    elif op == "MatMul":
        _matmul(k, inputs, ptrs, y, attrs, packed)
    elif op == "Conv2D":
        fields = conv2d_fields(x.shape, inputs[1].shape, attrs, w_packed=False)
        p = k.params("conv2d", **fields)
        w = ptrs[1]
        if packed:
            size = k("wg_conv2d_packed_size", p)
            if size:
                w = k.alloc(size * 4)
                k.check("wg_pack_conv2d", ptrs[1], w, p)
                p = k.params("conv2d", **{**fields, "w_packed": True})
        k.check(name, ptrs[0], w, ptrs[2], y, p)
    elif op == "Conv2DTranspose":  # the params of the Conv2D it transposes: from y's shape back to x's
        conv = {**attrs, "groups": 1}
        k.check(name, ptrs[0], ptrs[1], ptrs[2], y, k.params("conv2d", **conv2d_fields(shape, inputs[1].shape, conv)))
    elif op in ("MaxPool2D", "AvgPool2D"):
        p, _ = pool_params(k, x.shape, attrs)
        k.check(name, ptrs[0], y, p)
    elif op == "GlobalAvgPool":
        n, h, w, c = x.shape
        k.check(name, ptrs[0], y, n, h * w, c)
    elif op == "BatchNorm":
        c = x.shape[-1]
        k.check(name, *ptrs, y, x.size // c, c, attrs["epsilon"])
    elif op == "LayerNorm":
        axis = attrs["axis"] % x.ndim
        g = math.prod(x.shape[axis:])
        k.check(name, *ptrs, y, x.size // g, g, attrs["epsilon"])
    elif op in ("Softmax", "LogSoftmax"):
        k.check(name, ptrs[0], y, *_axis_split(x.shape, attrs["axis"] % x.ndim))
    elif op in ("Reshape", "Flatten"):
        k.check(name, ptrs[0], y, x.size)
    elif op == "Transpose":
        k.check(name, ptrs[0], y, k.params("transpose", rank=x.ndim, shape=x.shape, perm=attrs["perm"]))
    elif op == "Concat":
        _concat(k, inputs, y, attrs)
    elif op == "Slice":
        k.check(name, ptrs[0], y, _slice_params(k, x.shape, attrs))
    elif op == "Pad":
        before = list(attrs["pads"][0::2])
        p = k.params("slice", rank=x.ndim, in_shape=shape, out_shape=x.shape, starts=before, steps=[1] * x.ndim)
        bits = np.array(attrs["value"], x.dtype).view(np.uint32)
        k.check(name, ptrs[0], y, p, int(bits))
    elif op == "Gather":
        axis = attrs["axis"] % x.ndim
        outer, n, inner = _axis_split(x.shape, axis)
        k.check(name, ptrs[0], ptrs[1], y, outer, n, inner, inputs[1].size)
    elif op in ("ReduceSum", "ReduceMean", "ReduceMax"):
        axes = range(x.ndim) if attrs["axes"] is None else [a % x.ndim for a in attrs["axes"]]
        mask = sum(1 << a for a in set(axes))
        k.check(name, ptrs[0], y, k.params("reduce", rank=x.ndim, shape=x.shape, axes_mask=mask))
    elif op == "ArgMax":
        k.check(name, ptrs[0], y, *_axis_split(x.shape, attrs["axis"] % x.ndim))
    elif op == "Cast":
        k.check(name, ptrs[0], y, x.size, DTYPES[str(x.dtype)], DTYPES[attrs["to"]])
    elif op == "Dequantize":
        axis = attrs["axis"]
        outer, channels, inner = (1, 1, x.size) if axis is None else _axis_split(x.shape, axis % x.ndim)
        k.check(name, ptrs[0], ptrs[1], ptrs[2], y, DTYPES[str(x.dtype)], outer, channels, inner)
    else:
        raise NotImplementedError(op)


def _matmul(k: Kernels, inputs: Sequence[np.ndarray | None], ptrs: list[int], y: int, attrs: dict[str, Any],
            packed: bool) -> None:
    a, b, _ = inputs
    ta, tb = attrs["transpose_a"], attrs["transpose_b"]
    M, K = (a.shape[-1], a.shape[-2]) if ta else (a.shape[-2], a.shape[-1])
    N = b.shape[-2] if tb else b.shape[-1]
    a_batch, b_batch = a.shape[:-2], b.shape[:-2]
    batch = np.broadcast_shapes(a_batch, b_batch)
    bp = ptrs[1]
    if packed:  # what the JS loader does once per weight: pack every batch matrix of b
        size = k("wg_packed_b_size", K, N)
        count = math.prod(b_batch)
        bp = k.alloc(max(size * count, 1) * 4)
        for i in range(count):
            k.check("wg_pack_b", ptrs[1] + i * K * N * 4, bp + i * size * 4, K, N, int(tb))
    p = matmul_params(k, M, N, K, transpose_a=ta, transpose_b=tb and not packed, b_packed=packed,
                      activation=attrs["activation"], alpha=attrs["alpha"], batch=batch, a_batch=a_batch,
                      b_batch=b_batch)
    k.check("wg_MatMul", ptrs[0], bp, ptrs[2], y, p)


def _concat(k: Kernels, inputs: Sequence[np.ndarray], y: int, attrs: dict[str, Any]) -> None:
    axis = attrs["axis"] % inputs[0].ndim
    outer = math.prod(inputs[0].shape[:axis])
    sizes = [math.prod(x.shape[axis:]) for x in inputs]
    ptrs = [k.put(x) for x in inputs]
    xs = k.put(np.array(ptrs, np.uint32))
    k.check("wg_Concat", xs, k.put(np.array(sizes, np.int32)), len(inputs), outer, y)


def _slice_params(k: Kernels, shape: Sequence[int], attrs: dict[str, Any]) -> int:
    """Resolves numpy slice semantics per axis (as the reference does) into starts/steps/out."""
    rank = len(shape)
    starts, steps, out = [0] * rank, [1] * rank, list(shape)
    axes = attrs["axes"] or list(range(len(attrs["starts"])))
    step_list = attrs["steps"] or [1] * len(attrs["starts"])
    for a, s, e, st in zip(axes, attrs["starts"], attrs["ends"], step_list, strict=True):
        a %= rank
        r = range(*slice(s, e, st).indices(shape[a]))
        starts[a], steps[a], out[a] = (r.start if len(r) else 0), st, len(r)
    return k.params("slice", rank=rank, in_shape=shape, out_shape=out, starts=starts, steps=steps)


# ---------------------------------------------------------------- gradient ops (exporter/opset.json "gradOps")

GRAD_OPS = (
    "SumTo", "BroadcastLike", "ActivationGrad", "MaxMinGrad", "SoftmaxGrad", "LogSoftmaxGrad", "Conv2DBackpropInput",
    "Conv2DBackpropFilter", "MaxPool2DGrad", "AvgPool2DGrad", "LayerNormGrad", "BatchNormGrad", "SliceGrad",
    "GatherGrad", "ReduceMaxGrad", "ReshapeLike",
)
WRT = {"x": 0, "gamma": 1, "scale": 1, "beta": 2, "bias": 2}


def _grad_defaults(op: str) -> dict[str, Any]:
    """The declared attribute defaults of gradient op ``op`` (exporter/opset.json ``gradOps``)."""
    spec = json.loads((ROOT / "exporter" / "opset.json").read_text())["gradOps"][op]
    return {name: a["default"] for name, a in spec.get("attrs", {}).items() if "default" in a}


def grad_out_shape(op: str, inputs: Sequence[np.ndarray], attrs: dict[str, Any]) -> tuple[int, ...]:
    """The output shape of gradient op ``op``: decided by its ``like``/shape-giving input."""
    if op in ("SumTo", "BroadcastLike", "ReshapeLike", "Conv2DBackpropInput", "Conv2DBackpropFilter",
              "AvgPool2DGrad", "SliceGrad", "GatherGrad"):
        return tuple(inputs[-1].shape)
    if op in ("MaxPool2DGrad", "ReduceMaxGrad"):
        return tuple(inputs[1].shape)
    if op == "LayerNormGrad":
        return tuple(inputs[1 if attrs["wrt"] == "x" else 2].shape)
    if op == "BatchNormGrad":
        return tuple(inputs[1 if attrs["wrt"] == "x" else 2].shape)
    return tuple(inputs[0].shape)  # ActivationGrad, MaxMinGrad, SoftmaxGrad, LogSoftmaxGrad


def _conv_grad_params(k: Kernels, x_shape: Sequence[int], w_shape: Sequence[int], attrs: dict[str, Any]) -> int:
    fields = conv2d_fields(x_shape, w_shape, {**attrs, "activation": "none", "alpha": 0.0})
    return k.params("conv2d", **fields)


def run_grad(k: Kernels, op: str, inputs: Sequence[np.ndarray], attrs: dict[str, Any] | None = None) -> np.ndarray:
    """Runs gradient op ``op`` (TRAIN.md's table) on the kernels of ``k``, deriving sizes and params structs
    from the attributes and input shapes as the JS glue does (``like`` inputs are read for their shape only:
    they are never copied in)."""
    attrs = {**_grad_defaults(op), **(attrs or {})}
    shape = grad_out_shape(op, inputs, attrs)
    reads_data = {"SumTo": 1, "BroadcastLike": 1, "ReshapeLike": 1, "Conv2DBackpropInput": 2,
                  "Conv2DBackpropFilter": 2, "AvgPool2DGrad": 1, "SliceGrad": 1, "GatherGrad": 2}
    used = reads_data.get(op, len(inputs))
    with k.scope():
        ptrs = [k.put(np.ascontiguousarray(x)) for x in inputs[:used]]
        y = k.empty(shape)
        _grad_dispatch(k, op, inputs, ptrs, y, shape, attrs)
        return k.get(y, shape)


def _reduced_mask(full: Sequence[int], axes: Sequence[int] | None) -> int:
    axes = range(len(full)) if axes is None else [a % len(full) for a in axes]
    return sum(1 << a for a in set(axes))


def _grad_dispatch(k: Kernels, op: str, inputs: Sequence[np.ndarray], ptrs: list[int], y: int,
                   shape: tuple[int, ...], attrs: dict[str, Any]) -> None:
    name = f"wg_{op}"
    g = inputs[0]
    if op == "SumTo":
        like = _right_align(inputs[1].shape, g.ndim)
        mask = sum(1 << d for d in range(g.ndim) if d < g.ndim - inputs[1].ndim or (like[d] == 1 and g.shape[d] != 1))
        k.check(name, ptrs[0], y, k.params("reduce", rank=g.ndim, shape=g.shape, axes_mask=mask))
    elif op == "BroadcastLike":
        like = inputs[1].shape
        mask = _reduced_mask(like, attrs["axes"])
        count = math.prod(n for d, n in enumerate(like) if mask >> d & 1)
        divisor = float(count) if attrs["mean"] and count else 1.0
        k.check(name, ptrs[0], y, k.params("reduce", rank=len(like), shape=like, axes_mask=mask), divisor)
    elif op == "ReduceMaxGrad":
        x = inputs[1]
        mask = _reduced_mask(x.shape, attrs["axes"])
        k.check(name, *ptrs, y, k.params("reduce", rank=x.ndim, shape=x.shape, axes_mask=mask))
    elif op == "ActivationGrad":
        act = ACTIVATIONS.index(attrs["activation"])
        k.check(name, *ptrs, y, g.size, act, attrs["alpha"], int(attrs["approximate"]))
    elif op == "MaxMinGrad":
        a, b = inputs[1], inputs[2]
        k.check(name, *ptrs, y, broadcast_params(k, shape, a.shape, b.shape), int(attrs["op"] == "min"),
                int(attrs["side"] == "b"))
    elif op in ("SoftmaxGrad", "LogSoftmaxGrad"):
        k.check(name, *ptrs, y, *_axis_split(g.shape, attrs["axis"] % g.ndim))
    elif op == "Conv2DBackpropInput":
        k.check(name, *ptrs, y, _conv_grad_params(k, inputs[2].shape, inputs[1].shape, attrs))
    elif op == "Conv2DBackpropFilter":
        k.check(name, *ptrs, y, _conv_grad_params(k, inputs[0].shape, inputs[2].shape, attrs))
    elif op in ("MaxPool2DGrad", "AvgPool2DGrad"):
        p, _ = pool_params(k, inputs[1].shape, attrs)
        k.check(name, *ptrs, y, p)
    elif op == "LayerNormGrad":
        x = inputs[1]
        axis = attrs["axis"] % x.ndim
        G = math.prod(x.shape[axis:])
        k.check(name, *ptrs, y, x.size // G if G else 0, G, attrs["epsilon"], WRT[attrs["wrt"]])
    elif op == "BatchNormGrad":
        x = inputs[1]
        c = x.shape[-1]  # the channels: scale/mean/var are [C]
        k.check(name, *ptrs, y, x.size // c if c else 0, c, attrs["epsilon"], WRT[attrs["wrt"]])
    elif op == "SliceGrad":
        like = inputs[1].shape
        sp = _slice_params(k, like, attrs)
        k.check(name, ptrs[0], y, sp)
    elif op == "GatherGrad":
        data = inputs[2]
        axis = attrs["axis"] % data.ndim
        outer, n, inner = _axis_split(data.shape, axis)
        idx = ptrs[1] if inputs[1].dtype == np.int32 else k.put(inputs[1].astype(np.int32))
        k.check(name, ptrs[0], idx, y, outer, n, inner, inputs[1].size)
    elif op == "ReshapeLike":
        k.check(name, ptrs[0], y, g.size)
    else:
        raise NotImplementedError(op)
