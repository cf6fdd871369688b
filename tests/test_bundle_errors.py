"""Every way a bundle can be broken gets a BundleError naming the file/node/tensor and what was expected."""

from __future__ import annotations

import base64
import hashlib
import json
import re

import numpy as np
import pytest

from webgrad.exporter.bundle_errors import CODES
from webgrad.exporter.bundle_reader import BundleError, read_bundle
from webgrad.exporter.bundle_writer import write_bundle
from webgrad.exporter.opset import opset_version
from webgrad.exporter.runner import load_bundle


@pytest.fixture
def bundle(tmp_path, bundle_graph):
    """A valid MLP bundle in three shards (so shard errors can hit a middle one)."""
    path = write_bundle(bundle_graph("mlp"), tmp_path / "mlp", shard_bytes=700).path
    assert len(list(path.glob("weights-*.bin"))) == 3
    read_bundle(path)  # valid before each corruption
    return path


def _edit(path, change):
    """Applies ``change`` to the parsed model.json and writes it back."""
    doc = json.loads((path / "model.json").read_text())
    change(doc)
    (path / "model.json").write_text(json.dumps(doc, indent=1))


def _fails(path, pattern):
    with pytest.raises(BundleError, match=pattern) as info:
        read_bundle(path)
    assert isinstance(info.value, ValueError)
    assert info.value.code in CODES, info.value  # every failure is typed (issue 12, item 7)
    return str(info.value)


def test_missing_directory_and_model_json(tmp_path, bundle):
    _fails(tmp_path / "nowhere", r"nowhere: no such bundle directory")
    (bundle / "model.json").unlink()
    _fails(bundle, r"mlp/model\.json: missing model\.json")


def test_invalid_json(bundle):
    text = (bundle / "model.json").read_text()
    (bundle / "model.json").write_text(text[:-20])
    _fails(bundle, r"model\.json: invalid JSON at line \d+ column \d+")
    (bundle / "model.json").write_text(text.replace('"formatVersion": 1', '"formatVersion": NaN'))
    _fails(bundle, r"model\.json: invalid JSON: NaN is not valid JSON")
    (bundle / "model.json").write_text("[1, 2]")
    _fails(bundle, r"model\.json: expected a JSON object, got list")


def test_wrong_format(bundle):
    _edit(bundle, lambda d: d.update(format="onnx"))
    _fails(bundle, r"model\.json: 'format' is 'onnx', expected 'webgrad-bundle' \(not a webgrad bundle\)")


def test_newer_format_version(bundle):
    _edit(bundle, lambda d: d.update(formatVersion=4, graph="a future layout"))  # checked before the schema
    msg = _fails(bundle, r"model\.json: formatVersion 4 is newer than this webgrad \(.+\) supports \(formatVersion "
                         r"3\); upgrade webgrad")
    assert "pip install -U webgrad" in msg


def test_newer_opset_version(bundle):
    newer = opset_version() + 1
    _edit(bundle, lambda d: d.update(opsetVersion=newer))
    _fails(bundle, rf"opsetVersion {newer} is newer than this webgrad \(.+\) supports \(opsetVersion "
                   rf"{opset_version()}\); upgrade webgrad")


@pytest.mark.parametrize(("change", "pattern"), [
    (lambda d: d.pop("signature"), r"schema violation at \$: 'signature' is a required property"),
    (lambda d: d["weights"]["tensors"][1].update(offset="16"),
     r"schema violation at \$\.weights\.tensors\[1\]\.offset \('dense_1/b'\): '16' is not of type 'integer'"),
    (lambda d: d["weights"]["tensors"][1].update(offset=20),
     r"schema violation at \$\.weights\.tensors\[1\]\.offset \('dense_1/b'\): 20 is not a multiple of 16"),
    (lambda d: d["graph"]["nodes"][0].update(outputs=["a", "b"]),
     r"schema violation at \$\.graph\.nodes\[0\]\.outputs \('dense_1'\): \['a', 'b'\] is too long"),
    (lambda d: d["weights"]["shards"][0].update(file="../../etc/passwd"),
     r"schema violation at \$\.weights\.shards\[0\]\.file: '\.\./\.\./etc/passwd' does not match"),
    (lambda d: d["weights"]["tensors"][0].update(quantization={"scheme": "int4"}),
     r"schema violation at \$\.weights\.tensors\[0\]\.quantization\.scheme \('dense_1/w'\): 'int4' is not one of"),
    (lambda d: d.update(extra=1),
     r"schema violation at \$: Additional properties are not allowed \('extra' was unexpected\)"),
])
def test_schema_violations_name_the_json_path(bundle, change, pattern):
    _edit(bundle, change)
    _fails(bundle, r"model\.json: " + pattern)


def test_unknown_dtype(bundle):
    _edit(bundle, lambda d: d["weights"]["tensors"][0].update(dtype="float64"))
    _fails(bundle, r"at \$\.weights\.tensors\[0\]\.dtype \('dense_1/w'\): 'float64' is not one of \['float32'")
    _edit(bundle, lambda d: d["weights"]["tensors"][0].update(dtype="uint8"))  # an op-set dtype, not a weight one
    _fails(bundle, r"tensor 'dense_1/w': unknown dtype 'uint8' for a weight; expected one of float32, int32")


def test_missing_shard(bundle):
    (bundle / "weights-001.bin").unlink()
    _fails(bundle, r"mlp/weights-001\.bin: missing shard \(model\.json lists it with 700 bytes\)")


def test_truncated_and_overlong_shard(bundle):
    shard = bundle / "weights-002.bin"
    data = shard.read_bytes()
    shard.write_bytes(data[:-10])
    _fails(bundle, rf"weights-002\.bin: truncated shard: model\.json says {len(data)} bytes, the file has "
                   rf"{len(data) - 10}")
    shard.write_bytes(data + b"\0")
    _fails(bundle, r"weights-002\.bin: shard too long")


def test_checksum_mismatch(bundle):
    shard = bundle / "weights-001.bin"
    data = bytearray(shard.read_bytes())
    data[123] ^= 0x01
    shard.write_bytes(bytes(data))
    _fails(bundle, r"weights-001\.bin: sha256 mismatch: model\.json says [0-9a-f]{64}, the file hashes to "
                   r"[0-9a-f]{64} \(corrupted or replaced\)")


def test_tensor_past_the_end_of_the_data(bundle):
    total = sum(p.stat().st_size for p in bundle.glob("weights-*.bin"))
    end = -(-total // 16) * 16
    _edit(bundle, lambda d: d["weights"]["tensors"][3].update(offset=end))
    _fails(bundle, rf"tensor 'dense_2/b': bytes \[{end}, {end + 20}\) run past the end of the weight data "
                   rf"\({total} bytes in all shards\)")


def test_tensor_byte_length_must_match_its_shape(bundle):
    _edit(bundle, lambda d: d["weights"]["tensors"][3].update(shape=[6]))
    _fails(bundle, r"tensor 'dense_2/b': byteLength 20, but shape \[6\] of float32 takes 24 bytes")


def test_duplicate_tensor(bundle):
    _edit(bundle, lambda d: d["weights"]["tensors"].append(dict(d["weights"]["tensors"][3])))
    _fails(bundle, r"tensor 'dense_2/b' is listed twice")


def test_unknown_op(bundle):
    _edit(bundle, lambda d: d["graph"]["nodes"][2].update(op="Foo"))
    _fails(bundle, rf"model\.json: unknown op 'Foo' in node 'softmax'; op set v{opset_version()} has: .*Conv2D")


def test_bad_attribute(bundle):
    _edit(bundle, lambda d: d["graph"]["nodes"][0]["attrs"].update(activation="swish"))
    _fails(bundle, r"node 'dense_1': MatMul\.activation must be one of \[.*\], got 'swish'")


def test_undefined_input(bundle):
    _edit(bundle, lambda d: d["graph"]["nodes"][1]["inputs"].__setitem__(0, "hidden"))
    _fails(bundle, r"model\.json: graph: node 'dense_2' \(MatMul\) reads undefined tensor 'hidden'")


def test_cycle(bundle):
    def cycle(d):
        first, second = d["graph"]["nodes"][:2]
        first["inputs"][0] = second["outputs"][0]  # dense_1 reads dense_2's output, dense_2 reads dense_1's

    _edit(bundle, cycle)
    _fails(bundle, r"graph: node 'dense_1' reads 'logits' before node 'dense_2' makes it \(a cycle")


def test_duplicate_node_name(bundle):
    _edit(bundle, lambda d: d["graph"]["nodes"][1].update(name="dense_1"))
    _fails(bundle, r"two nodes are named 'dense_1'")


def test_shapes_are_checked_against_the_ops_and_signature(bundle):
    _edit(bundle, lambda d: d["signature"]["outputs"][0].update(shape=[None, 6]))
    _fails(bundle, r"signature output 'probs' is declared float32 \[None, 6\], but the graph makes float32 "
                   r"\[None, 5\]")
    _edit(bundle, lambda d: d["signature"]["inputs"][0].update(shape=[None, 21]))
    _fails(bundle, r"node 'dense_1' \(MatMul\): .*inner dims 21 and 20 differ")


def _rewrite_weight(path, name, change):
    """Changes tensor ``name``'s stored values in the shards AND fixes the checksums, so only the value
    checks can notice."""
    doc = json.loads((path / "model.json").read_text())
    shards = doc["weights"]["shards"]
    data = bytearray(b"".join((path / s["file"]).read_bytes() for s in shards))
    t = next(t for t in doc["weights"]["tensors"] if t["name"] == name)
    dtype = np.dtype(t["dtype"]).newbyteorder("<")
    values = np.frombuffer(data, dtype, t["byteLength"] // dtype.itemsize, t["offset"]).copy()
    change(values)
    data[t["offset"]:t["offset"] + t["byteLength"]] = values.tobytes()
    start = 0
    for s in shards:
        chunk = bytes(data[start:start + s["byteLength"]])
        (path / s["file"]).write_bytes(chunk)
        s["sha256"] = hashlib.sha256(chunk).hexdigest()
        start += s["byteLength"]
    (path / "model.json").write_text(json.dumps(doc))


def test_nan_and_inf_in_weights(bundle):
    _rewrite_weight(bundle, "dense_2/w", lambda v: v.__setitem__(17, np.nan))  # flat index 17 of [16, 5]
    _fails(bundle, r"tensor 'dense_2/w' has NaN at index \(3, 2\) \(1 non-finite values\); weights must be finite")
    _rewrite_weight(bundle, "dense_2/w", lambda v: v.__setitem__(17, -np.inf))
    _fails(bundle, r"tensor 'dense_2/w' has Inf at index \(3, 2\)")


def test_inf_in_float16_weights(tmp_path, bundle_graph):
    path = write_bundle(bundle_graph("mlp"), tmp_path / "f16", quantize="float16").path
    _rewrite_weight(path, "dense_1/b", lambda v: v.__setitem__(0, np.inf))
    _fails(path, r"tensor 'dense_1/b' has Inf at index \(0,\)")


def test_quantization_must_match_the_stored_dtype(tmp_path, bundle_graph):
    path = write_bundle(bundle_graph("mlp"), tmp_path / "q", quantize="int8").path
    read_bundle(path)
    doc = json.loads((path / "model.json").read_text())
    _edit(path, lambda d: d["weights"]["tensors"][0]["quantization"]["scales"].pop())
    _fails(path, r"tensor 'dense_1/w' of shape \[20, 16\]: int8 axis 1 needs one scale per channel along an "
                 r"existing axis; got 15 scales")
    _edit(path, lambda d: d["weights"]["tensors"][0].update(doc["weights"]["tensors"][0], dtype="int32",
                                                             byteLength=20 * 16 * 4))
    _fails(path, r"tensor 'dense_1/w': stored dtype int32 with scheme 'int8_symmetric'; expected no quantization")
    _edit(path, lambda d: d["weights"]["tensors"][0].update(dtype="int8", byteLength=320, quantization=None))
    _fails(path, r"quantization \('dense_1/w'\): None is not of type 'object'")
    _edit(path, lambda d: d["weights"]["tensors"][0].pop("quantization"))
    _fails(path, r"tensor 'dense_1/w': stored dtype int8 with no quantization; expected quantization scheme "
                 r"'int8_symmetric'")


def test_selftest_must_match_the_signature(bundle):
    _edit(bundle, lambda d: d["selftest"]["inputs"][0].update(name="image"))
    _fails(bundle, r"selftest inputs \['image'\] do not match the signature's \['x'\]")
    _edit(bundle, lambda d: d["selftest"]["inputs"][0].update(name="x", shape=[2, 21]))
    _fails(bundle, r"selftest input 'x' is float32 \[2, 21\]; the signature says float32 \[None, 20\]")
    _edit(bundle, lambda d: d["selftest"]["inputs"][0].update(shape=[3, 20]))
    _fails(bundle, r"selftest input 'x': data has 160 bytes, shape \[3, 20\] of float32 needs 240")


def test_selftest_failure_is_reported(bundle):
    def wrong(d):
        out = d["selftest"]["outputs"][0]
        values = np.frombuffer(base64.b64decode(out["data"]), "<f4").copy()
        values[7] += 0.01
        out["data"] = base64.b64encode(values.tobytes()).decode()

    _edit(bundle, wrong)
    runner = load_bundle(bundle)  # the bundle itself is well-formed
    with pytest.raises(BundleError, match=re.escape("selftest failed: output 'probs' at index (1, 2) is ")
                       + r".*\(\|error\| <= 0\.0001 \+ 0\.001 \* \|expected\| allowed; 1 elements over\)"):
        runner.selftest()
