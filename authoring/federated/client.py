"""The Python client of the federated protocol (docs/federated_protocol.md): joins a server, polls for
tasks, downloads the global bundle once (then only the trainable weights of each new version), trains
locally with the server's settings, clips, optionally masks the update (secure aggregation), uploads.

    client = wg.federated.Client("http://127.0.0.1:8080", token="...")
    client.run(x, y, on_round=lambda info: print(info))

Transient failures (the server restarting, a connection reset) are retried until ``retry_for`` seconds
pass without an answer; ``cancel()`` (from another thread, or ``on_round``) stops at the next step.
"""

from __future__ import annotations

import json
import logging
import math
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from webgrad.federated.dp import clip_to_norm
from webgrad.federated.validate import encode_update

__all__ = ["CancelledError", "Client", "ServerError"]

log = logging.getLogger("webgrad.federated")
# building and running models shares process-wide state (layer naming, the tracing context): clients in
# one process (threads) load and train one at a time
_MODEL_LOCK = threading.RLock()


class ServerError(Exception):
    """A request the server refused: ``code`` (EAUTH, EROUND...), ``message``, HTTP ``status``."""

    def __init__(self, code: str, message: str, status: int):
        super().__init__(f"{code} ({status}): {message}")
        self.code, self.message, self.status = code, message, status


class CancelledError(Exception):
    """``Client.cancel()`` was called."""


class Client:
    """A participant of the federated run at ``url`` with the enrollment ``token``.

    ``cache_dir``: where downloaded bundles go (a temporary folder when None); ``retry_for``: seconds of
    failed connections tolerated before giving up; ``runtime``: what ``join`` reports.

    >>> Client("http://127.0.0.1:1", token="")
    Traceback (most recent call last):
    ...
    ValueError: token must be a non-empty string
    """

    def __init__(self, url: str, token: str, *, cache_dir: str | Path | None = None, retry_for: float = 60.0,
                 runtime: str = "python"):
        if not isinstance(token, str) or not token:
            raise ValueError("token must be a non-empty string")
        if not isinstance(url, str) or not url.startswith(("http://", "https://")):
            raise ValueError(f"url must be an http(s) URL, got {url!r}")
        self.url, self.token, self.retry_for, self.runtime = url.rstrip("/"), token, float(retry_for), runtime
        self._tmp = tempfile.TemporaryDirectory(prefix="webgrad-flc-") if cache_dir is None else None
        self.cache_dir = Path(cache_dir if cache_dir is not None else self._tmp.name)  # type: ignore[union-attr]
        self.client_id: str | None = None
        self.model: Any = None
        self.version: int | None = None
        self._cancel = threading.Event()

    # -- HTTP ------------------------------------------------------------------------------------------
    def _request(self, method: str, path: str, body: Any = None, *, auth: bool = True,
                 raw: bool = False) -> Any:
        data = None if body is None else json.dumps(body).encode("utf-8")
        headers = {"Content-Type": "application/json"} if data is not None else {}
        if auth:
            headers["Authorization"] = f"Bearer {self.token}"
        give_up = time.monotonic() + self.retry_for
        delay = 0.05
        while True:
            self._check_cancel()
            request = urllib.request.Request(self.url + path, data=data, method=method, headers=headers)
            try:
                with urllib.request.urlopen(request, timeout=60) as response:
                    content = response.read()
                return content if raw else json.loads(content)
            except urllib.error.HTTPError as e:
                try:
                    error = json.loads(e.read())["error"]
                except (ValueError, KeyError, TypeError):
                    error = {"code": "EHTTP", "message": str(e)}
                raise ServerError(error["code"], error["message"], e.code) from None
            except (urllib.error.URLError, ConnectionError, TimeoutError, OSError) as e:
                if time.monotonic() > give_up:
                    raise ConnectionError(f"{self.url}: no answer for {self.retry_for:g} s ({e})") from e
                self._cancel.wait(delay)
                delay = min(1.0, delay * 2)

    def _check_cancel(self) -> None:
        if self._cancel.is_set():
            raise CancelledError("the federated client was cancelled")

    def cancel(self) -> None:
        """Stops ``run`` at its next step (safe from any thread)."""
        self._cancel.set()

    # -- protocol steps --------------------------------------------------------------------------------
    def join(self, num_examples: int) -> str:
        """``POST /fl/v1/join``; returns the client id."""
        answer = self._request("POST", "/fl/v1/join", {"runtime": self.runtime, "numExamples": int(num_examples)})
        self.client_id = answer["clientId"]
        return self.client_id

    def task(self) -> dict[str, Any]:
        """``GET /fl/v1/task``."""
        return self._request("GET", f"/fl/v1/task?clientId={self.client_id}")

    def status(self) -> dict[str, Any]:
        """``GET /fl/v1/status``."""
        return self._request("GET", "/fl/v1/status", auth=False)

    def load_version(self, version: int, bundle_url: str) -> Any:
        """The model at ``version``: the first time the whole bundle (loaded with ``wg.load_model``), then
        only ``trainable.bin`` set into it."""
        from webgrad.load import load_model

        if self.model is None:
            folder = self.cache_dir / str(version)
            folder.mkdir(parents=True, exist_ok=True)
            manifest = self._request("GET", f"{bundle_url}model.json", auth=False, raw=True)
            for shard in json.loads(manifest)["weights"]["shards"]:
                (folder / shard["file"]).write_bytes(self._request("GET", bundle_url + shard["file"], auth=False,
                                                                   raw=True))
            (folder / "model.json").write_bytes(manifest)
            with _MODEL_LOCK:
                self.model = load_model(folder)
            self.layout = _layout(self.model, json.loads(manifest))
        elif version != self.version:
            raw = self._request("GET", f"{bundle_url}trainable.bin", auth=False, raw=True)
            set_trainable(self.model, np.frombuffer(raw, "<f4"))
        self.version = version
        return self.model

    def train(self, task: dict[str, Any], x: Any, y: Any) -> tuple[np.ndarray, dict[str, Any]]:
        """Trains the task's version on ``(x, y)`` (``webgrad.federated.local.train_local``: minibatch SGD
        with the task's settings, FedProx's term when ``proxMu`` > 0); returns (update vector, metrics)."""
        from webgrad.federated.local import train_local

        model = self.load_version(task["version"], task["bundleUrl"])
        s = task["settings"]
        with _MODEL_LOCK:
            result = train_local(model, x, y, epochs=s["epochs"], batch_size=s["batchSize"],
                                 learning_rate=s["learningRate"], prox_mu=s.get("proxMu", 0.0), seed=s["seed"])
        update = np.concatenate([np.asarray(d, np.float32).reshape(-1) for d in result.delta])
        return update, dict(result.metrics)

    def run(self, x: Any, y: Any, rounds: int | None = None,
            on_round: Callable[[dict[str, Any]], Any] | None = None) -> list[dict[str, Any]]:
        """Joins and takes part until the run is done, ``rounds`` updates were accepted, or ``cancel()``;
        returns one ``{"round", "version", "loss", "accuracy", "clipped"}`` per accepted update (also
        given to ``on_round``)."""
        x, y = np.asarray(x), np.asarray(y)
        self.join(len(x))
        history: list[dict[str, Any]] = []
        try:
            while rounds is None or len(history) < rounds:
                task = self.task()
                if task["status"] == "done":
                    break
                if task["status"] == "wait":
                    self._cancel.wait(task["pollAfterMs"] / 1000)
                    continue
                info = self._answer(task, x, y)
                if info is not None:
                    history.append(info)
                    if on_round is not None:
                        on_round(info)
        except CancelledError:
            pass
        return history

    def _answer(self, task: dict[str, Any], x: np.ndarray, y: np.ndarray) -> dict[str, Any] | None:
        update, metrics = self.train(task, x, y)
        clipped = False
        if task["clipNorm"] is not None:
            update, clipped = clip_to_norm(update, float(task["clipNorm"]))
        body = {"clientId": self.client_id, "taskId": task["taskId"], "round": task["round"],
                "numExamples": len(x), "encoding": "float32", "clipped": clipped,
                "metrics": {k: v for k, v in metrics.items() if k in ("loss", "accuracy")}}
        try:
            if task["secagg"] is not None:
                body.update(encoding="secagg", update=self._secagg(task, update, len(x)))
                self._request("POST", "/fl/v1/update", body)
                self._secagg_unmask(task)
            else:
                body["update"] = encode_update(update)
                self._request("POST", "/fl/v1/update", body)
        except ServerError as e:
            if e.code not in ("EROUND", "EDUPLICATE", "ESTATE"):
                raise
            log.info("federated client %s: round %d: %s", self.client_id, task["round"], e)
            if e.code != "EDUPLICATE":
                return None
        return {"round": task["round"], "version": task["version"], "loss": metrics.get("loss"),
                "accuracy": metrics.get("accuracy"), "clipped": clipped}

    # -- secure aggregation ----------------------------------------------------------------------------
    def _post_secagg(self, task: dict[str, Any], kind: str, message: Any) -> None:
        self._request("POST", f"/fl/v1/secagg/{kind}", {"clientId": self.client_id, "taskId": task["taskId"],
                                                        "round": task["round"], "message": message})

    def _wait_secagg(self, task: dict[str, Any], kind: str) -> Any:
        while True:
            answer = self._request("GET", f"/fl/v1/secagg/{kind}?clientId={self.client_id}&round={task['round']}")
            if answer["status"] == "ready":
                return answer["message"]
            self._cancel.wait(answer["pollAfterMs"] / 1000)

    def _secagg(self, task: dict[str, Any], update: np.ndarray, num_examples: int) -> str:
        from webgrad.federated.secagg import SecAggClient

        self._secagg_client = SecAggClient(self.client_id, task["secagg"])
        self._post_secagg(task, "advertise", self._secagg_client.advertise())
        roster = self._wait_secagg(task, "roster")
        self._post_secagg(task, "shares", self._secagg_client.share_keys(roster))
        inbox = self._wait_secagg(task, "inbox")
        weight = 1 if task["clipNorm"] is not None else num_examples
        return self._secagg_client.masked_input(update, weight, inbox)

    def _secagg_unmask(self, task: dict[str, Any]) -> None:
        request = self._wait_secagg(task, "unmask")
        self._post_secagg(task, "unmask", self._secagg_client.unmask(request["survivors"], request["dropped"]))


def _layout(model: Any, manifest: dict[str, Any]) -> list[tuple[int, ...]]:
    """Checks that the model's trainable weights are the bundle's ``training.trainable`` in order."""
    shapes = {t["name"]: tuple(t["shape"]) for t in manifest["weights"]["tensors"]}
    expected = [shapes[n] for n in manifest["training"]["trainable"]]
    got = [tuple(w.shape) for w in model.trainable_weights]
    if got != expected:
        raise ValueError(f"the loaded model's trainable weights {got} are not the bundle's training.trainable "
                         f"{expected}")
    return expected


def get_trainable(model: Any) -> np.ndarray:
    """The model's trainable weights as one float32 vector (the protocol's update layout)."""
    return np.concatenate([np.asarray(w.numpy(), np.float32).reshape(-1) for w in model.trainable_weights])


def set_trainable(model: Any, vector: np.ndarray) -> None:
    """Sets the model's trainable weights from one vector (the protocol's layout)."""
    start = 0
    for w in model.trainable_weights:
        size = math.prod(w.shape)
        w.assign(np.asarray(vector[start:start + size], np.float32).reshape(w.shape))
        start += size
    if start != len(vector):
        raise ValueError(f"weights: got {len(vector)} values, the model has {start} trainable values")

