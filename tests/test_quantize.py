"""Quantization: float16 storage and int8 symmetric per-channel — rules, error bounds, model accuracy, sizes."""

from __future__ import annotations

import numpy as np
import pytest

from webgrad import raw_ops as ops
from webgrad.exporter.bundle_writer import write_bundle
from webgrad.exporter.quantize import dequantize_tensor, quantize_tensor
from webgrad.exporter.runner import load_bundle


def _w(*shape, scale=1.0, seed=0):
    return (np.random.default_rng(seed).standard_normal(shape) * scale).astype(np.float32)


def test_float16_round_trip():
    w = _w(64, 32)
    stored, q = quantize_tensor(w, "float16")
    assert stored.dtype == np.float16 and q == {"scheme": "float16"}
    back = dequantize_tensor(stored, q)
    assert back.dtype == np.float32 and back.shape == w.shape
    np.testing.assert_allclose(back, w, rtol=2.0**-11, atol=2.0**-24)  # float16 rounding, subnormals
    exact = np.array([0.5, -2.0, 65504.0, 6e-8], np.float32).astype(np.float16).astype(np.float32)
    np.testing.assert_array_equal(dequantize_tensor(*quantize_tensor(exact, "float16")), exact)


def test_float16_rules_keep_scalars_overflow_and_ints():
    for arr in (np.float32(3.0), np.array([1.0], np.float32), np.array([1.0, 7e4], np.float32),
                np.arange(6, dtype=np.int32).reshape(2, 3)):
        stored, q = quantize_tensor(arr, "float16")
        assert q is None and stored.dtype == arr.dtype
        np.testing.assert_array_equal(stored, arr)
    assert quantize_tensor(np.array([1.0, 65504.0], np.float32), "float16")[1] == {"scheme": "float16"}


@pytest.mark.parametrize("shape", [(20, 16), (3, 3, 4, 8), (2, 5, 7)])
def test_int8_per_channel_on_the_last_axis_within_half_a_step(shape):
    w = _w(*shape) * np.linspace(0.01, 3, shape[-1], dtype=np.float32)  # channels of very different ranges
    stored, q = quantize_tensor(w, "int8")
    assert stored.dtype == np.int8 and stored.shape == w.shape
    assert q["scheme"] == "int8_symmetric" and q["axis"] == len(shape) - 1 and len(q["scales"]) == shape[-1]
    scales = np.array(q["scales"], np.float32)
    peak = np.abs(w).reshape(-1, shape[-1]).max(axis=0)
    np.testing.assert_allclose(scales, peak / 127, rtol=1e-6)
    assert stored.min() >= -127 and stored.max() <= 127 and np.abs(stored).max() == 127
    back = dequantize_tensor(stored, q)
    assert back.dtype == np.float32
    err = np.abs(back.astype(np.float64) - w)
    assert np.all(err <= scales / 2 * (1 + 1e-5) + 1e-7)  # per channel: half a quantization step


def test_int8_rounds_half_to_even_and_handles_zero_channels():
    w = np.array([[127.0, 0.0], [2.5, 0.0], [3.5, 0.0], [-2.5, 0.0], [-127.0, 0.0]], np.float32)  # scale 1, 1
    stored, q = quantize_tensor(w, "int8")
    assert q["scales"] == [1.0, 1.0]  # an all-zero channel gets scale 1
    np.testing.assert_array_equal(stored[:, 0], [127, 2, 4, -2, -127])
    np.testing.assert_array_equal(stored[:, 1], 0)


def test_int8_keeps_vectors_scalars_and_ints():
    for arr in (np.array(2.0, np.float32), _w(16), np.arange(6, dtype=np.int32).reshape(2, 3)):
        stored, q = quantize_tensor(arr, "int8")
        assert q is None and stored is arr


def test_dequantize_is_the_dequantize_op():
    w = _w(6, 4)
    stored, q = quantize_tensor(w, "int8")
    with ops.no_grad():
        op = ops.apply("Dequantize", stored, np.array(q["scales"], np.float32), axis=1).data
    np.testing.assert_array_equal(dequantize_tensor(stored, q), op)
    np.testing.assert_array_equal(dequantize_tensor(stored, q), stored.astype(np.float32)
                                  * np.array(q["scales"], np.float32))
    assert dequantize_tensor(w, None) is w


def test_unknown_schemes():
    with pytest.raises(ValueError, match=r"unknown quantization 'int4'; valid: None, 'float16', 'int8'"):
        quantize_tensor(_w(2, 2), "int4")
    with pytest.raises(ValueError, match=r"unknown quantization scheme 'int4'"):
        dequantize_tensor(np.zeros(2, np.int8), {"scheme": "int4"})


@pytest.mark.parametrize("kind", ["mlp", "cnn"])
def test_quantized_models_stay_close_to_float32(tmp_path, bundle_graph, kind):
    g = bundle_graph(kind)
    x = np.random.default_rng(7).random((64, *g.inputs[0].shape[1:]), dtype=np.float32)
    want = g.run({g.inputs[0].name: x})[0]
    got = {q: load_bundle(write_bundle(g, tmp_path / str(q), quantize=q).path).predict(x)
           for q in (None, "float16", "int8")}
    np.testing.assert_array_equal(got[None], want)
    np.testing.assert_allclose(got["float16"], want, atol=2e-3)
    np.testing.assert_allclose(got["int8"], want, atol=3e-2)
    err16, err8 = np.abs(got["float16"] - want).max(), np.abs(got["int8"] - want).max()
    assert 0 < err16 < err8
    assert np.mean(got["int8"].argmax(1) == want.argmax(1)) >= 0.9


def test_quantized_sizes(tmp_path, bundle_graph):
    g = bundle_graph("mlp", sizes=(784, 256, 10))
    reports = {q: write_bundle(g, tmp_path / str(q), quantize=q) for q in (None, "float16", "int8")}
    f32 = 4 * (784 * 256 + 256 + 256 * 10 + 10)
    assert all(r.bytes_float32 == f32 for r in reports.values())
    assert reports[None].by_dtype == {"float32": f32}
    assert reports["float16"].by_dtype == {"float16": f32 // 2}
    assert reports["int8"].by_dtype == {"float32": 4 * (256 + 10), "int8": 784 * 256 + 256 * 10}
    assert reports["int8"].bytes_total < 0.3 * reports[None].bytes_total
    assert reports["float16"].bytes_total < 0.52 * reports[None].bytes_total
