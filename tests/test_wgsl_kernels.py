"""The WGSL kernels (webgpu_shaders/) run through wgpu-py on SwiftShader against the numpy reference.

The passes (shader, uniforms, bindings, dispatch, scratch) come from the JS programs themselves:
``tests/wgsl_passes.mjs`` prints them for every request, once per module, so this file only places
buffers, dispatches and compares. Every shared op vector runs, plus targeted cases: shapes that tile
unevenly, every fused activation, and dispatches folded under a lowered ``maxComputeWorkgroupsPerDimension``.
"""

from __future__ import annotations

import base64
import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import numpy as np
import pytest

# SwiftShader's Vulkan driver (Debian's chromium package); set before wgpu loads Vulkan.
os.environ.setdefault("VK_ICD_FILENAMES", "/usr/lib/chromium/vk_swiftshader_icd.json")
wgpu = pytest.importorskip("wgpu", reason="wgpu-py is not installed (pip install -e '.[dev]')")

from compare import assert_close  # noqa: E402  (one comparison rule for every backend)

from webgrad import raw_ops as ops  # noqa: E402
from webgrad.exporter.opset import op_names  # noqa: E402
from webgrad.exporter.vectors import decode  # noqa: E402

HERE = Path(__file__).parent
VECTOR_DIR = HERE / "vectors"
VIEW_OPS = {"Reshape", "Flatten"}  # views the executor handles: no program (webgpu_shaders/README.md)
# Ops whose program is not written yet: their vectors are skipped with this reason, any other op
# without a program fails.
PENDING: dict[str, str] = {}
GPU_DTYPE = {"float32": np.float32, "float16": np.float32, "int32": np.int32, "int8": np.int32, "uint8": np.int32}


# ---- requests: every vector case plus the targeted ones, sent to node in one batch ------------------


def _vector_cases() -> list[tuple[str, dict[str, Any]]]:
    out = []
    for op in op_names():
        if op in VIEW_OPS:
            continue
        doc = json.loads((VECTOR_DIR / f"{op}.json").read_text())
        out.extend((op, case) for case in doc["cases"])
    return out


VECTOR_CASES = _vector_cases()


def _vector_rejects() -> list[tuple[str, dict[str, Any]]]:
    """Inputs the op set's shape rule refuses (the files' "rejects"): the program refuses them too."""
    out = []
    for op in op_names():
        doc = json.loads((VECTOR_DIR / f"{op}.json").read_text())
        out.extend((op, r) for r in doc.get("rejects", []))
    return out


VECTOR_REJECTS = _vector_rejects()


def _info(a: np.ndarray | None) -> dict[str, Any] | None:
    return None if a is None else {"shape": list(a.shape), "dtype": str(a.dtype)}


def _request(rid: str, op: str, inputs: list[np.ndarray | None], attrs: dict[str, Any], out: np.ndarray,
             limits: dict[str, int] | None = None) -> dict[str, Any]:
    return {"id": rid, "op": op, "inputs": [_info(a) for a in inputs], "attrs": attrs, "output": _info(out),
            "limits": limits or {}}


def ref(op: str, *inputs: np.ndarray | None, **attrs: Any) -> np.ndarray:
    """The numpy reference's output."""
    with np.errstate(all="ignore"):
        return np.asarray(ops.apply(op, *inputs, **attrs).data)


class Extra:
    """A targeted case: inputs, attrs (defaults filled by the reference's normalization), expected."""

    def __init__(self, rid: str, op: str, inputs: list[np.ndarray | None], attrs: dict[str, Any],
                 rtol: float, atol: float, limits: dict[str, int] | None = None) -> None:
        from webgrad.exporter.opset import normalize_attrs

        self.id, self.op, self.inputs = rid, op, inputs
        self.attrs = normalize_attrs(op, attrs)
        self.want = ref(op, *inputs, **self.attrs)
        self.rtol, self.atol, self.limits = rtol, atol, limits

    def request(self) -> dict[str, Any]:
        return _request(self.id, self.op, self.inputs, self.attrs, self.want, self.limits)


def _extras() -> list[Extra]:
    rng = np.random.default_rng(5)
    f = lambda *s: rng.standard_normal(s).astype(np.float32)  # noqa: E731
    low = {"maxComputeWorkgroupsPerDimension": 16}
    out = [
        # 40,000 elements in groups of 256 = 157 groups: folded into 16 x 10 under the lowered limit.
        Extra("fold/Add", "Add", [f(200, 200), f(200)], {}, 1e-6, 1e-7, low),
        Extra("fold/Relu", "Relu", [f(40000)], {}, 0, 0, low),
        # 5 x 5 tiles of 64 x 64: folded under the lowered limit.
        Extra("fold/MatMul", "MatMul", [f(300, 8), f(8, 300), f(300)], {"activation": "relu"}, 1e-4, 1e-5, low),
    ]
    # Gelu's tails, relative: down to x = -13 (x Phi(x) ~ 1e-38; the erf form gives 0 below -5.6) for the
    # exact form; the tanh form while its result is a normal float32 (SwiftShader flushes subnormals).
    tails = np.linspace(-13, 13, 5201).astype(np.float32)
    out.append(Extra("Gelu/tails_relative", "Gelu", [tails], {}, 2e-6, 0))
    tanh_tails = tails[tails >= -10]
    out.append(Extra("Gelu/tails_relative_approximate", "Gelu", [tanh_tails], {"approximate": True}, 3e-5, 0))
    # Both load paths (vec4: contiguous dims multiples of 4; scalar otherwise), every transpose, uneven tiles.
    for (m, k, n), path in (((72, 36, 68), "vec4"), ((70, 35, 66), "scalar")):
        for ta, tb in ((False, False), (True, False), (False, True), (True, True)):
            a = f(k, m) if ta else f(m, k)
            b = f(n, k) if tb else f(k, n)
            out.append(Extra(f"MatMul/{path}_ta{int(ta)}_tb{int(tb)}", "MatMul", [a, b, f(n)],
                             {"transpose_a": ta, "transpose_b": tb}, 1e-4, 1e-5))
    out.append(Extra("MatMul/vec4_batch_broadcast", "MatMul", [f(2, 1, 72, 36), f(3, 36, 68), None], {}, 1e-4, 1e-5))
    out.append(Extra("MatMul/scalar_batch_b_only", "MatMul", [f(5, 7), f(2, 3, 7, 9), f(9)], {}, 1e-4, 1e-5))
    # Conv2D: GEMM tiles crossing 64 in both m (2 x 9 x 9 = 162 pixels) and n (70 channels), groups,
    # depthwise with a multiplier, and folded dispatches.
    out.append(Extra("Conv2D/gemm_tiles", "Conv2D", [f(2, 9, 9, 5), f(3, 3, 5, 70), f(70)],
                     {"padding": "SAME", "activation": "relu6"}, 1e-4, 1e-5))
    out.append(Extra("Conv2D/grouped_strided", "Conv2D", [f(1, 11, 10, 6), f(3, 2, 2, 9), f(9)],
                     {"groups": 3, "strides": [2, 1], "dilations": [1, 2], "padding": [1, 0, 2, 1]}, 1e-4, 1e-5))
    out.append(Extra("Conv2D/depthwise_3x3_gelu", "Conv2D", [f(2, 8, 7, 4), f(3, 3, 1, 8), f(8)],
                     {"groups": 4, "padding": "SAME", "activation": "gelu"}, 1e-4, 1e-5))
    out.append(Extra("fold/Conv2D", "Conv2D", [f(1, 40, 40, 3), f(3, 3, 3, 4), None], {"padding": "SAME"},
                     1e-4, 1e-5, low))
    out.append(Extra("fold/Softmax", "Softmax", [f(40, 5)], {}, 1e-5, 1e-6, low))
    for act in ("relu", "relu6", "leaky_relu", "sigmoid", "tanh", "gelu"):
        out.append(Extra(f"MatMul/vec4_{act}", "MatMul", [f(8, 12) * 3, f(12, 8), f(8)],
                         {"activation": act, "alpha": 0.3}, 1e-4, 1e-5))
    return out


EXTRAS = _extras()
EXTRA_BY_ID = {e.id: e for e in EXTRAS}


@pytest.fixture(scope="module")
def passes() -> dict[str, Any]:
    """Runs tests/wgsl_passes.mjs once for every request of this module."""
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed")
    requests = [
        _request(f"{op}/{case['name']}", op, [None if t is None else decode(t) for t in case["inputs"]],
                 case["attrs"], decode(case["expected"][0]))
        for op, case in VECTOR_CASES
    ] + [e.request() for e in EXTRAS] + [
        # the output is what the shape rule would give with the size-0 axis dropped: any shape will do
        _request(f"reject:{op}/{r['name']}", op, [None if t is None else decode(t) for t in r["inputs"]],
                 r["attrs"], np.zeros(1, np.int32))
        for op, r in VECTOR_REJECTS
    ]
    proc = subprocess.run([node, str(HERE / "wgsl_passes.mjs")], input=json.dumps({"requests": requests}),
                          capture_output=True, text=True, timeout=60, check=False)
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout)
    return {"shaders": doc["shaders"], "results": {r["id"]: r for r in doc["results"]}}


# ---- the GPU side ----------------------------------------------------------------------------------


class Gpu:
    """One wgpu-py device with a pipeline cache keyed by shader and override constants."""

    def __init__(self, device: Any, shaders: dict[str, str]) -> None:
        self.device, self.shaders = device, shaders
        self.modules: dict[str, Any] = {}
        self.pipelines: dict[tuple[str, str], Any] = {}

    def module(self, key: str) -> Any:
        if key not in self.modules:
            self.modules[key] = self.device.create_shader_module(code=self.shaders[key], label=key)
        return self.modules[key]

    def pipeline(self, key: str, constants: dict[str, int]) -> Any:
        ck = (key, json.dumps(constants, sort_keys=True))
        if ck not in self.pipelines:
            self.pipelines[ck] = self.device.create_compute_pipeline(
                layout="auto", compute={"module": self.module(key), "entry_point": "main", "constants": constants})
        return self.pipelines[ck]

    def storage(self, data: bytes | int) -> Any:
        usage = wgpu.BufferUsage.STORAGE | wgpu.BufferUsage.COPY_SRC | wgpu.BufferUsage.COPY_DST
        if isinstance(data, int):
            return self.device.create_buffer(size=max(data, 4), usage=usage)
        return self.device.create_buffer_with_data(data=data, usage=usage)

    def run(self, passes: list[dict[str, Any]], inputs: list[np.ndarray | None], out_size: int) -> np.ndarray:
        """Runs the passes in one submission; returns the raw output bytes as uint8. An empty input binds
        a 4-byte placeholder, as the runtime's compile.js does (WebGPU has no zero-size binding); a
        pass that reads from it is a bug the comparison shows."""
        bufs = [None if a is None else self.storage(4) if a.size == 0 else
                self.storage(np.ascontiguousarray(a.astype(GPU_DTYPE[str(a.dtype)])).tobytes()) for a in inputs]
        out = self.storage(4 * out_size)
        scratch_sizes = next((p["scratch"] for p in passes if p.get("scratch")), [])
        scratch = [self.storage(int(s)) for s in scratch_sizes]
        encoder = self.device.create_command_encoder()
        for p in passes:
            pipe = self.pipeline(p["shader"], p.get("constants") or {})
            uniforms = base64.b64decode(p["uniforms"])
            ubuf = self.device.create_buffer_with_data(data=uniforms, usage=wgpu.BufferUsage.UNIFORM)
            entries = [{"binding": 0, "resource": {"buffer": ubuf, "offset": 0, "size": len(uniforms)}}]
            for i, b in enumerate(p["bindings"], start=1):
                buf = (bufs[b["input"]] if "input" in b else out if "output" in b else scratch[b["scratch"]])
                assert buf is not None, f"{p['shader']}: binding {i} is an absent input"
                entries.append({"binding": i, "resource": {"buffer": buf, "offset": 0, "size": buf.size}})
            group = self.device.create_bind_group(layout=pipe.get_bind_group_layout(0), entries=entries)
            cp = encoder.begin_compute_pass()
            cp.set_pipeline(pipe)
            cp.set_bind_group(0, group)
            cp.dispatch_workgroups(*p["dispatch"])
            cp.end()
        self.device.queue.submit([encoder.finish()])
        return np.frombuffer(self.device.queue.read_buffer(out), dtype=np.uint8)[: 4 * out_size]


@pytest.fixture(scope="module")
def gpu(passes: dict[str, Any]) -> Gpu:
    adapter = wgpu.gpu.request_adapter_sync(power_preference="high-performance")
    if adapter is None:
        pytest.skip(f"no WebGPU adapter (VK_ICD_FILENAMES={os.environ['VK_ICD_FILENAMES']})")
    return Gpu(adapter.request_device_sync(), passes["shaders"])


def _logical(raw: np.ndarray, want: np.ndarray) -> np.ndarray:
    """The GPU's f32/i32 output as the logical dtype, the way the runtime reads it back."""
    gpu = raw.view(GPU_DTYPE[str(want.dtype)]).reshape(want.shape)
    if want.dtype.kind in "iu":
        info = np.iinfo(want.dtype)
        assert ((gpu >= info.min) & (gpu <= info.max)).all(), f"values out of {want.dtype} range: {gpu}"
    return gpu.astype(want.dtype)


def _run(gpu: Gpu, result: dict[str, Any], inputs: list[np.ndarray | None], want: np.ndarray) -> np.ndarray:
    if "error" in result:
        raise AssertionError(f"{result['id']}: program failed: {result['code']} {result['error']}")
    for p in result["passes"]:
        assert all(1 <= d <= 65535 for d in p["dispatch"]), p["dispatch"]
    if want.size == 0:
        assert result["passes"] == [], "an empty output needs no pass"
        return want.copy()
    return _logical(gpu.run(result["passes"], inputs, want.size), want)


# ---- tests -----------------------------------------------------------------------------------------


def test_every_shader_compiles(gpu: Gpu) -> None:
    """Every key of SHADERS (all variants, also those no vector reaches) is valid WGSL with a main()."""
    for key in gpu.shaders:
        gpu.pipeline(key, {})


@pytest.mark.parametrize(("op", "case"), VECTOR_CASES, ids=[f"{op}/{c['name']}" for op, c in VECTOR_CASES])
def test_vector(op: str, case: dict[str, Any], gpu: Gpu, passes: dict[str, Any]) -> None:
    result = passes["results"][f"{op}/{case['name']}"]
    if result.get("code") == "ENOPROGRAM" and op in PENDING:
        pytest.skip(f"{op}: {PENDING[op]}")
    inputs = [None if t is None else decode(t) for t in case["inputs"]]
    want = decode(case["expected"][0])
    got = _run(gpu, result, inputs, want)
    tol = case["tolerance"]
    assert_close(got, want, tol["rtol"], tol["atol"], f"{op}/{case['name']}")


@pytest.mark.parametrize(("op", "reject"), VECTOR_REJECTS, ids=[f"{op}/{r['name']}" for op, r in VECTOR_REJECTS])
def test_vector_reject(op: str, reject: dict[str, Any], passes: dict[str, Any]) -> None:
    """The program refuses what the shape rule refuses (ArgMax over a size-0 axis), never dispatching."""
    result = passes["results"][f"reject:{op}/{reject['name']}"]
    assert result.get("code") == reject["error"], result
    assert result["error"].startswith(f"{op}:"), result["error"]


@pytest.mark.parametrize("rid", list(EXTRA_BY_ID))
def test_targeted(rid: str, gpu: Gpu, passes: dict[str, Any]) -> None:
    e = EXTRA_BY_ID[rid]
    result = passes["results"][rid]
    got = _run(gpu, result, e.inputs, e.want)
    if e.limits:
        cap = e.limits["maxComputeWorkgroupsPerDimension"]
        assert all(d <= cap for p in result["passes"] for d in p["dispatch"]), "dispatch over the lowered limit"
        assert any(p["dispatch"][1] > 1 for p in result["passes"]), "the case was meant to need folding"
    assert_close(got, e.want, e.rtol, e.atol, rid)
