"""Builds the inference-benchmark models once and writes each in three forms with the SAME weights.

    python benchmarks/make_peer_models.py OUTDIR [--models mlp,cnn,mobilenet] [--matmul 256,512,1024]
        [--quantized int8,float16]

For each model (fixed seeds, float32, untrained: speed does not depend on the weight values):

- ``OUTDIR/<name>/webgrad/``: the web bundle, ``wg.export(model, ..., verbose=0)`` (graph optimized:
  BatchNorm folded into the preceding conv, activations fused);
- ``OUTDIR/<name>/model.onnx``: the same optimized graph as ONNX (opset 17), built NCHW: the NHWC input
  is transposed once at the graph start, HWIO kernels become OIHW, a Flatten after a conv stage gets the
  tensor back to NHWC first so the dense weights see the same element order, fused activations become
  Relu / Clip(0, 6) nodes after the Conv / Gemm (ONNX Runtime fuses them again);
- ``OUTDIR/<name>/tfjs/``: raw float32 weights (``weights.bin``) and a manifest (``manifest.json``:
  the graph's nodes, tensor names, shapes and byte offsets) that ``infer_speed.mjs`` rebuilds with
  tfjs-core ops (``tf.fused.conv2d`` NHWC, ``tf.fused.depthwiseConv2d``, ``tf.fused.matMul``...).

All three forms come from the exported bundle's own graph and weight bytes, so they hold bit-identical
weights; ``infer_speed.mjs`` checks that their outputs agree and prints the max abs difference.

- ``OUTDIR/<name>/webgrad-int8/``, ``OUTDIR/<name>/webgrad-float16/``: the same model exported with
  ``quantize="int8"`` / ``"float16"`` (``--quantized``, default ``int8,float16``; not for the MatMul models),
  for ``threads_quant.mjs``'s quantized-execution figures.

Plus one-node square MatMul models ``matmul<n>`` (``x[n, n] @ W[n, n]``, W a constant) for the GFLOP/s
figures: a bundle (a bias-free Dense layer) and a one-node ONNX MatMul. ``OUTDIR/models.json`` lists
everything. Needs ``onnx`` (``pip install -e ".[bench]"``).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

import numpy as np

import webgrad as wg
from webgrad import layers, zoo
from webgrad.model import Sequential

SEED = 1234
OPSET = 17


def build(name: str) -> Any:
    wg.set_seed(SEED)
    if name == "mlp":
        return zoo.mlp_784_512_256_10()
    if name == "cnn":
        return zoo.mnist_cnn()
    if name == "mobilenet":
        model = zoo.mobilenet_v2((224, 224, 3), classes=1000, alpha=1.0)
        # Fresh BatchNorm layers are identities (gamma 1, beta 0, mean 0, var 1); give them random
        # statistics so the folded weights are not a special case and the cross-check means something.
        rng = np.random.default_rng(SEED)
        for layer in model.layers:
            if type(layer).__name__ == "BatchNormalization":
                c = layer.get_weights()[0].shape[0]  # gamma, beta, moving_mean, moving_variance
                layer.set_weights([rng.uniform(lo, hi, c).astype(np.float32)
                                   for lo, hi in ((0.5, 1.5), (-0.2, 0.2), (-0.2, 0.2), (0.5, 1.5))])
        return model
    if name.startswith("matmul"):
        n = int(name[len("matmul"):])
        return Sequential([layers.Input((n,)), layers.Dense(n, use_bias=False)], name=name)
    raise SystemExit(f"unknown model {name!r}")


def read_bundle_raw(path: Path) -> tuple[dict[str, Any], dict[str, np.ndarray], bytes]:
    """model.json, its float32 tensors by name, and the concatenated shard bytes."""
    manifest = json.loads((path / "model.json").read_text())
    data = b"".join((path / s["file"]).read_bytes() for s in manifest["weights"]["shards"])
    tensors = {}
    for t in manifest["weights"]["tensors"]:
        if t["dtype"] != "float32":
            raise SystemExit(f"{path}: tensor {t['name']} is {t['dtype']}; export float32")
        arr = np.frombuffer(data, np.float32, count=int(np.prod(t["shape"], dtype=np.int64)), offset=t["offset"])
        tensors[t["name"]] = arr.reshape(t["shape"])
    return manifest, tensors, data


def to_onnx(manifest: dict[str, Any], tensors: dict[str, np.ndarray], name: str) -> Any:
    """The bundle graph as an NCHW ONNX model (see the module doc)."""
    from onnx import TensorProto, checker, helper, numpy_helper

    nodes: list[Any] = []
    inits: list[Any] = []
    layout: dict[str, str] = {}  # tensor name -> "nchw" for 4-D activations held channels-first
    counter = [0]

    def fresh(base: str) -> str:
        counter[0] += 1
        return f"{base}__{counter[0]}"

    def init(tname: str, arr: np.ndarray) -> str:
        inits.append(numpy_helper.from_array(np.ascontiguousarray(arr, dtype=np.float32), tname))
        return tname

    def activation(x: str, act: str, out: str) -> None:
        if act == "none":
            nodes.append(helper.make_node("Identity", [x], [out]))
        elif act == "relu":
            nodes.append(helper.make_node("Relu", [x], [out]))
        elif act == "relu6":
            lo = init(fresh("zero"), np.array(0, np.float32))
            hi = init(fresh("six"), np.array(6, np.float32))
            nodes.append(helper.make_node("Clip", [x, lo, hi], [out]))
        elif act == "sigmoid":
            nodes.append(helper.make_node("Sigmoid", [x], [out]))
        elif act == "tanh":
            nodes.append(helper.make_node("Tanh", [x], [out]))
        else:
            raise SystemExit(f"activation {act!r} not mapped to ONNX")

    sig_in = manifest["signature"]["inputs"][0]
    sig_out = manifest["signature"]["outputs"][0]
    in_shape = ["N", *sig_in["shape"][1:]]
    graph_in = helper.make_tensor_value_info(sig_in["name"], TensorProto.FLOAT, in_shape)
    cur = sig_in["name"]
    if len(in_shape) == 4:
        cur = fresh("input_nchw")
        nodes.append(helper.make_node("Transpose", [sig_in["name"]], [cur], perm=[0, 3, 1, 2]))
        layout[sig_in["name"]] = "nchw"
    alias = {sig_in["name"]: cur}

    def src(t: str) -> str:
        return alias.get(t, t)

    for n in manifest["graph"]["nodes"]:
        op, a, ins, out = n["op"], n["attrs"], n["inputs"], n["outputs"][0]
        if op == "Conv2D":
            w = tensors[ins[1]]  # HWIO, I = C / groups
            kh, kw = w.shape[:2]
            conv_out = fresh(out + "_conv")
            conv_in = [src(ins[0]), init(ins[1], w.transpose(3, 2, 0, 1))]
            if len(ins) > 2 and ins[2]:
                conv_in.append(init(ins[2], tensors[ins[2]]))
            kw_ = {"kernel_shape": [kh, kw], "strides": a["strides"], "dilations": a["dilations"], "group": a["groups"]}
            kw_["auto_pad"] = "SAME_UPPER" if a["padding"] == "SAME" else "VALID"
            nodes.append(helper.make_node("Conv", conv_in, [conv_out], **kw_))
            activation(conv_out, a.get("activation", "none"), out)
            layout[out] = "nchw"
        elif op == "MatMul":
            if a.get("transpose_a") or a.get("transpose_b"):
                raise SystemExit("transposed MatMul not mapped")
            mm_out = fresh(out + "_mm")
            gin = [src(ins[0]), init(ins[1], tensors[ins[1]])]
            if len(ins) > 2 and ins[2]:
                gin.append(init(ins[2], tensors[ins[2]]))
                nodes.append(helper.make_node("Gemm", gin, [mm_out]))
            else:
                nodes.append(helper.make_node("MatMul", gin, [mm_out]))
            activation(mm_out, a.get("activation", "none"), out)
        elif op == "Add":
            nodes.append(helper.make_node("Add", [src(ins[0]), src(ins[1])], [out]))
            if layout.get(ins[0]) == "nchw":
                layout[out] = "nchw"
        elif op == "MaxPool2D":
            pad = "SAME_UPPER" if a["padding"] == "SAME" else "VALID"
            nodes.append(helper.make_node("MaxPool", [src(ins[0])], [out], kernel_shape=a["pool_size"],
                                          strides=a["strides"], auto_pad=pad))
            layout[out] = "nchw"
        elif op == "GlobalAvgPool":
            gp = fresh(out + "_gap")
            nodes.append(helper.make_node("GlobalAveragePool", [src(ins[0])], [gp]))
            nodes.append(helper.make_node("Flatten", [gp], [out], axis=1))
        elif op == "Flatten":
            x = src(ins[0])
            if layout.get(ins[0]) == "nchw":
                nhwc = fresh(out + "_nhwc")
                nodes.append(helper.make_node("Transpose", [x], [nhwc], perm=[0, 2, 3, 1]))
                x = nhwc
            nodes.append(helper.make_node("Flatten", [x], [out], axis=a.get("axis", 1)))
        elif op in ("Softmax", "Relu", "Relu6"):
            if op == "Softmax":
                nodes.append(helper.make_node("Softmax", [src(ins[0])], [out], axis=a.get("axis", -1)))
            else:
                activation(src(ins[0]), op.lower(), out)
            if layout.get(ins[0]) == "nchw":
                layout[out] = "nchw"
        else:
            raise SystemExit(f"op {op} not mapped to ONNX")
    out_name = sig_out["name"]
    graph_out = helper.make_tensor_value_info(out_name, TensorProto.FLOAT, ["N", *sig_out["shape"][1:]])
    g = helper.make_graph(nodes, name, [graph_in], [graph_out], initializer=inits)
    model = helper.make_model(g, producer_name="webgrad-benchmarks", opset_imports=[helper.make_opsetid("", OPSET)])
    model.ir_version = 8
    checker.check_model(model)
    return model


def write_tfjs(manifest: dict[str, Any], data: bytes, outdir: Path) -> None:
    """Raw weights + manifest for the tfjs-core rebuild (float32 bytes exactly as in the bundle)."""
    outdir.mkdir(parents=True, exist_ok=True)
    (outdir / "weights.bin").write_bytes(data)
    spec = {
        "inputs": manifest["signature"]["inputs"],
        "outputs": manifest["signature"]["outputs"],
        "tensors": [{k: t[k] for k in ("name", "shape", "offset", "byteLength")}
                    for t in manifest["weights"]["tensors"]],
        "nodes": [{k: n[k] for k in ("op", "name", "inputs", "outputs", "attrs")} for n in manifest["graph"]["nodes"]],
    }
    (outdir / "manifest.json").write_text(json.dumps(spec, indent=1))


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("outdir", type=Path)
    p.add_argument("--models", default="mlp,cnn,mobilenet")
    p.add_argument("--matmul", default="256,512,1024", help="square sizes of the one-node MatMul models")
    p.add_argument("--quantized", default="int8,float16", help="quantized bundles to write next to each model's")
    args = p.parse_args(argv)
    try:
        import onnx
    except ImportError:
        print('make_peer_models.py needs onnx: pip install onnx  (or pip install -e ".[bench]")', file=sys.stderr)
        return 2
    out: Path = args.outdir
    out.mkdir(parents=True, exist_ok=True)
    names = [m for m in args.models.split(",") if m] + [f"matmul{n}" for n in args.matmul.split(",") if n]
    index: dict[str, Any] = {"seed": SEED, "onnx_opset": OPSET, "onnx_version": onnx.__version__,
                             "webgrad_version": getattr(wg, "__version__", "?"), "models": {}}
    for name in names:
        model = build(name)
        d = out / name
        wg.export(model, d / "webgrad", verbose=0)
        quantized = [] if name.startswith("matmul") else [q for q in args.quantized.split(",") if q]
        for q in quantized:
            wg.export(model, d / f"webgrad-{q}", quantize=q, verbose=0)
        manifest, tensors, data = read_bundle_raw(d / "webgrad")
        onnx.save(to_onnx(manifest, tensors, name), str(d / "model.onnx"))
        write_tfjs(manifest, data, d / "tfjs")
        index["models"][name] = {
            "params": int(model.count_params()),
            "input": manifest["signature"]["inputs"][0],
            "output": manifest["signature"]["outputs"][0],
            "nodes": len(manifest["graph"]["nodes"]),
            "ops": sorted({n["op"] for n in manifest["graph"]["nodes"]}),
            "quantized": quantized,
        }
        print(f"{name}: {model.count_params():,} params, {len(manifest['graph']['nodes'])} bundle nodes -> {d}")
    (out / "models.json").write_text(json.dumps(index, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
