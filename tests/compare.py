"""The one comparison rule every backend's kernel tests use (wasm through wasmtime, WGSL through wgpu-py)."""

from __future__ import annotations

import numpy as np


def assert_close(got: np.ndarray, want: np.ndarray, rtol: float, atol: float, what: str = "") -> None:
    """|got - want| <= atol + rtol |want|; NaN must be NaN, +-Inf the same Inf; integers exact."""
    assert got.shape == want.shape and got.dtype == want.dtype, (what, got.shape, want.shape, got.dtype, want.dtype)
    if want.dtype.kind in "iu":
        np.testing.assert_array_equal(got, want, err_msg=what)
        return
    g, w = got.astype(np.float64), want.astype(np.float64)
    finite = np.isfinite(w)
    with np.errstate(invalid="ignore"):
        ok = np.where(finite, np.abs(g - w) <= atol + rtol * np.abs(w), (g == w) | (np.isnan(g) & np.isnan(w)))
    if not ok.all():
        i = np.flatnonzero(~ok.ravel())[:5]
        bad = f"{(~ok).sum()} of {ok.size} differ; at {i}: got {g.ravel()[i]}, want {w.ravel()[i]}"
        raise AssertionError(f"{what}: {bad}")
