"""webgrad.utils against keras.utils (JAX backend): to_categorical and pad_sequences give Keras's
arrays; directory datasets find the same files, labels and class names in the same order; plot_model
draws a real picture; set_random_seed makes runs repeat."""

import importlib.util
import itertools
import os
import random
import shutil

os.environ.setdefault("KERAS_BACKEND", "jax")

import numpy as np
import pytest

import webgrad as wg

keras = pytest.importorskip("keras")
from keras.src.utils import dataset_utils  # noqa: E402  (Keras's own file indexing, without TensorFlow)


@pytest.fixture
def pil_image():
    """Pillow's Image module (the image tests need it; it is in the dev and utils extras)."""
    return pytest.importorskip("PIL.Image")


@pytest.mark.parametrize("labels,num_classes", [
    ([0, 2, 1, 2], None), ([[1], [0], [3]], None), ([[1], [0], [3]], 5), (np.array([[0, 1], [2, 1]]), None),
    (np.arange(6, dtype=np.int32), 8), (np.array([1.0, 0.0]), None),
])
def test_to_categorical_matches_keras(labels, num_classes):
    ours = wg.utils.to_categorical(labels, num_classes)
    theirs = keras.utils.to_categorical(labels, num_classes)
    assert ours.shape == theirs.shape and ours.dtype == theirs.dtype
    np.testing.assert_array_equal(ours, theirs)


def test_to_categorical_names_the_bad_label():
    with pytest.raises(ValueError, match=r"labels must be in \[0, 3\)"):
        wg.utils.to_categorical([0, 3], num_classes=3)


SEQS = [[1, 2, 3, 4], [5], [], [6, 7], [8, 9, 10, 11, 12, 13]]


@pytest.mark.parametrize("padding,truncating,maxlen", list(itertools.product(["pre", "post"], ["pre", "post"],
                                                                            [None, 1, 3, 8])))
def test_pad_sequences_matches_keras(padding, truncating, maxlen):
    for kwargs in ({}, {"value": -1}, {"dtype": "float32", "value": 0.5}):
        ours = wg.utils.pad_sequences(SEQS, maxlen=maxlen, padding=padding, truncating=truncating, **kwargs)
        theirs = keras.utils.pad_sequences(SEQS, maxlen=maxlen, padding=padding, truncating=truncating, **kwargs)
        assert ours.dtype == theirs.dtype
        np.testing.assert_array_equal(ours, theirs)


def test_pad_sequences_of_vectors_and_strings_match_keras():
    vecs = [np.ones((2, 3)), np.zeros((4, 3)), np.full((1, 3), 2.0)]
    np.testing.assert_array_equal(wg.utils.pad_sequences(vecs, maxlen=3, dtype="float32"),
                                  keras.utils.pad_sequences(vecs, maxlen=3, dtype="float32"))
    words = [["a", "b"], ["c"]]
    np.testing.assert_array_equal(wg.utils.pad_sequences(words, dtype=object, value="<pad>"),
                                  keras.utils.pad_sequences(words, dtype=object, value="<pad>"))
    with pytest.raises(ValueError, match="dtype=object"):
        wg.utils.pad_sequences(words, value="<pad>")
    with pytest.raises(ValueError, match="padding must be"):
        wg.utils.pad_sequences(SEQS, padding="middle")


def test_set_random_seed_repeats_runs_and_seeds_numpy_and_python_like_keras():
    def run():
        wg.utils.set_random_seed(42)
        model = wg.Sequential([wg.layers.Input((3,)), wg.layers.Dense(2)])
        return model.get_weights()[0], np.random.rand(), random.random()

    (w1, n1, p1), (w2, n2, p2) = run(), run()
    np.testing.assert_array_equal(w1, w2)
    keras.utils.set_random_seed(42)
    assert (n1, p1) == (n2, p2) == (np.random.rand(), random.random())
    with pytest.raises(ValueError, match="integer"):
        wg.utils.set_random_seed(1.5)


CLASSES = {"cats": [(5, 7), (9, 4), (6, 6)], "dogs": [(8, 8), (3, 5)], "birds": [(4, 4), (7, 3), (5, 5), (6, 2)]}


@pytest.fixture
def image_dir(tmp_path, pil_image):
    """Three class folders of small PNGs (each image one solid colour: its class index and file index)."""
    for c, (name, sizes) in enumerate(sorted(CLASSES.items())):
        os.makedirs(tmp_path / name)
        for i, (h, w) in enumerate(sizes):
            pixels = np.full((h, w, 3), [40 * c, 10 * i, 200], np.uint8)
            pil_image.fromarray(pixels).save(tmp_path / name / f"img{i}.png")
    (tmp_path / "dogs" / "notes.md").write_text("not an image")
    os.makedirs(tmp_path / ".hidden")
    return str(tmp_path)


@pytest.mark.parametrize("shuffle,seed", [(False, None), (True, 3), (True, 11)])
def test_image_dataset_indexes_files_like_keras(image_dir, shuffle, seed):
    ds = wg.utils.image_dataset_from_directory(image_dir, image_size=(4, 5), batch_size=4, shuffle=shuffle,
                                               seed=seed, verbose=False)
    paths, labels, names = dataset_utils.index_directory(image_dir, "inferred", formats=(".png",), shuffle=shuffle,
                                                          seed=seed, verbose=False)
    assert ds.class_names == names == ["birds", "cats", "dogs"]
    assert ds.file_paths == paths
    batches = list(ds)
    assert len(ds) == len(batches) == 3
    np.testing.assert_array_equal(np.concatenate([y for _, y in batches]), labels)
    x, y = batches[0]
    assert x.shape == (4, 4, 5, 3) and x.dtype == np.float32 and y.dtype == np.int32
    assert batches[-1][0].shape == (1, 4, 5, 3)
    # each picture is one colour: the decoded, resized pixels keep it (class index in red)
    np.testing.assert_allclose(x[:, 0, 0, 0], 40 * y)
    np.testing.assert_allclose(x[..., 2], 200)


def test_image_dataset_label_modes_color_modes_and_class_names(image_dir):
    ds = wg.utils.image_dataset_from_directory(image_dir, label_mode="categorical", color_mode="grayscale",
                                               image_size=3, shuffle=False, verbose=False)
    x, y = ds[0]
    assert x.shape == (9, 3, 3, 1) and y.shape == (9, 3) and y.dtype == np.float32
    np.testing.assert_array_equal(y.argmax(1), [0] * 4 + [1] * 3 + [2] * 2)
    two = wg.utils.image_dataset_from_directory(image_dir, label_mode="binary", class_names=["dogs", "cats"],
                                                image_size=(2, 2), shuffle=False, verbose=False)
    x, y = two[0]
    assert two.class_names == ["dogs", "cats"] and y.shape == (5, 1)
    np.testing.assert_array_equal(y[:, 0], [0, 0, 1, 1, 1])
    only_x = wg.utils.image_dataset_from_directory(image_dir, labels=None, image_size=(2, 2), batch_size=None,
                                                   shuffle=False, verbose=False)
    assert only_x.class_names is None and len(only_x) == 9 and only_x[0].shape == (2, 2, 3)
    with pytest.raises(ValueError, match="exactly 2 class_names"):
        wg.utils.image_dataset_from_directory(image_dir, label_mode="binary", verbose=False)
    with pytest.raises(ValueError, match="did not match the names of the subdirectories"):
        wg.utils.image_dataset_from_directory(image_dir, class_names=["cats", "cows"], verbose=False)
    with pytest.raises(NotImplementedError, match=r"crop_to_aspect_ratio=True.*not supported yet"):
        wg.utils.image_dataset_from_directory(image_dir, crop_to_aspect_ratio=True, verbose=False)


def test_image_dataset_validation_split_like_keras(image_dir):
    train, val = wg.utils.image_dataset_from_directory(image_dir, validation_split=0.34, subset="both", seed=5,
                                                       image_size=(2, 2), batch_size=2, verbose=False)
    paths, labels, _ = dataset_utils.index_directory(image_dir, "inferred", formats=(".png",), seed=5,
                                                     verbose=False)
    want_train, _ = dataset_utils.get_training_or_validation_split(paths, labels, 0.34, "training")
    want_val, val_labels = dataset_utils.get_training_or_validation_split(paths, labels, 0.34, "validation")
    assert train.file_paths == want_train and val.file_paths == want_val
    assert len(train.file_paths) + len(val.file_paths) == 9 and not set(train.file_paths) & set(val.file_paths)
    np.testing.assert_array_equal(np.concatenate([y for _, y in val]), val_labels)
    only_val = wg.utils.image_dataset_from_directory(image_dir, validation_split=0.34, subset="validation", seed=5,
                                                     image_size=(2, 2), verbose=False)
    assert only_val.file_paths == want_val
    with pytest.raises(ValueError, match="must provide a `seed`"):
        wg.utils.image_dataset_from_directory(image_dir, validation_split=0.2, subset="training", verbose=False)


def test_shuffled_dataset_reshuffles_each_epoch_from_its_seed(image_dir):
    def orders(seed):
        ds = wg.utils.image_dataset_from_directory(image_dir, image_size=(2, 2), batch_size=9, seed=seed,
                                                   verbose=False)
        return [np.concatenate([x[:, 0, 0, 1] * 100 + x[:, 0, 0, 0] for x, _ in ds]).tolist() for _ in range(3)]

    first, again = orders(1), orders(1)
    assert first == again and first[0] != first[1]
    assert sorted(first[0]) == sorted(first[1])


def test_fit_takes_an_image_dataset(image_dir):
    ds = wg.utils.image_dataset_from_directory(image_dir, image_size=(4, 4), batch_size=4, seed=0, verbose=False)
    model = wg.Sequential([wg.layers.Input((4, 4, 3)), wg.layers.Flatten(), wg.layers.Dense(3, activation="softmax")])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    history = model.fit(ds, epochs=2, verbose=0)
    assert len(history.history["loss"]) == 2 and np.isfinite(history.history["loss"]).all()


def test_text_dataset_like_keras(tmp_path):
    texts = {"neg": ["awful film", "boring"], "pos": ["loved it", "great fun", "superb acting"]}
    for name, items in texts.items():
        os.makedirs(tmp_path / name)
        for i, t in enumerate(items):
            (tmp_path / name / f"{i}.txt").write_text(t)
    ds = wg.utils.text_dataset_from_directory(str(tmp_path), batch_size=2, max_length=6, shuffle=True, seed=2,
                                              verbose=False)
    paths, labels, names = dataset_utils.index_directory(str(tmp_path), "inferred", formats=(".txt",), seed=2,
                                                          verbose=False)
    assert ds.class_names == names == ["neg", "pos"] and ds.file_paths == paths
    xs, ys = zip(*list(ds), strict=True)
    got = np.concatenate(xs).tolist()
    want = []
    for p in paths:
        with open(p) as f:
            want.append(f.read()[:6])
    assert got == want
    np.testing.assert_array_equal(np.concatenate(ys), labels)


def _two_branch_model():
    x = wg.layers.Input((6,), name="features")
    a = wg.layers.Dense(4, activation="relu", name="left_branch")(x)
    b = wg.layers.Dense(4, name="right_branch")(x)
    merged = wg.layers.Concatenate(name="joined")([a, b])
    return wg.Model(x, wg.layers.Dense(2, activation="softmax", name="scores")(merged))


needs_graphviz = pytest.mark.skipif(shutil.which("dot") is None or not importlib.util.find_spec("pydot"),
                                    reason="plot_model needs pydot and Graphviz's dot (scripts/setup.sh installs them)")


@needs_graphviz
def test_plot_model_draws_the_graph(tmp_path, pil_image):
    model = _two_branch_model()
    svg = tmp_path / "model.svg"
    wg.utils.plot_model(model, to_file=svg, show_shapes=True, show_layer_names=True, show_layer_activations=True)
    text = svg.read_text()
    assert text.lstrip().startswith("<?xml") and "<svg" in text
    for name in ("features", "left_branch", "right_branch", "joined", "scores", "Dense", "Concatenate", "(None, 8)"):
        assert name in text, name
    assert text.count("class=\"edge\"") == 5
    png = tmp_path / "model"
    wg.utils.plot_model(model, to_file=png, rankdir="LR", dpi=50)
    data = png.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert pil_image.open(png).size[0] > pil_image.open(png).size[1]  # left to right: wider than tall
    no_names = tmp_path / "classes.svg"
    wg.utils.plot_model(model, to_file=no_names)  # Keras 3's default: classes, no names
    assert "left_branch" not in no_names.read_text() and "Dense" in no_names.read_text()


def test_utils_namespace_says_what_is_not_supported():
    for name in ("to_categorical", "pad_sequences", "set_random_seed", "PyDataset", "plot_model",
                 "image_dataset_from_directory", "text_dataset_from_directory", "get_custom_objects", "normalize"):
        assert hasattr(wg.utils, name), name
    assert wg.utils.Sequence is wg.utils.PyDataset
    with pytest.raises(NotImplementedError, match=r"keras\.utils\.get_file"):
        wg.utils.get_file  # noqa: B018
    np.testing.assert_allclose(wg.utils.normalize(np.array([[3.0, 4.0], [0.0, 0.0]])),
                               keras.utils.normalize(np.array([[3.0, 4.0], [0.0, 0.0]])))
