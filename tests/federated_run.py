"""Helpers for real federated runs (tests/test_federated_e2e.py, tests/browser/test_federated_panel.py,
benchmarks/federated_real.py): the digits MLP exported as a trainable bundle, client data files, and
Node.js client processes (tests/node/_federated_worker.mjs) whose JSON-line events are collected as they
arrive."""

from __future__ import annotations

import json
import queue
import subprocess
import threading
import time
from pathlib import Path
from typing import Any

import numpy as np

REPO = Path(__file__).resolve().parents[1]
WORKER = REPO / "tests" / "node" / "_federated_worker.mjs"


def digit_mlp_bundle(path: str | Path, seed: int = 0, hidden: int = 32) -> Path:
    """An untrained MLP on the 64 digit features (Dense(hidden, relu), Dense(10, softmax)), SGD, exported
    trainable to ``path``: the global model of a federated run, version 0."""
    import webgrad as wg

    wg.set_seed(seed)
    model = wg.Sequential([wg.Input((64,), name="x"), wg.layers.Dense(hidden, activation="relu"),
                           wg.layers.Dense(10, activation="softmax")])
    model.compile(optimizer=wg.optimizers.SGD(0.1), loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    wg.export(model, str(path), trainable=True, labels=[str(d) for d in range(10)], verbose=0)
    return Path(path)


def write_client_data(path: str | Path, x: np.ndarray, y: np.ndarray) -> Path:
    """One client's examples as the worker reads them: ``{"x": [...], "shape": [...], "y": [...]}``."""
    x = np.asarray(x, np.float32)
    Path(path).write_text(json.dumps({"x": x.ravel().tolist(), "shape": list(x.shape),
                                      "y": np.asarray(y).astype(int).tolist()}), encoding="utf-8")
    return Path(path)


def accuracy(bundle_dir: str | Path, x: np.ndarray, y: np.ndarray) -> float:
    """The accuracy of a bundle loaded by Python's reader."""
    import webgrad as wg

    probs = np.asarray(wg.load_model(bundle_dir).predict(x, verbose=0))
    return float(np.mean(probs.argmax(-1) == np.asarray(y).reshape(-1)))


class NodeClient:
    """A FederatedClient in a Node.js process; its events (one JSON object per line) are collected."""

    def __init__(self, url: str, token: str, data: Path, *, backend: str = "wasm", stall: bool = False):
        args = ["node", str(WORKER), url, token, str(data), "--backend", backend]
        self.proc = subprocess.Popen(args + (["--stall-before-update"] if stall else []), cwd=REPO,
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        self.events: list[dict[str, Any]] = []
        self._new: queue.Queue[dict[str, Any]] = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            try:
                event = json.loads(line)
            except ValueError:
                continue
            self.events.append(event)
            self._new.put(event)

    def wait_for(self, key: str, timeout: float) -> dict[str, Any]:
        """The first event with ``key`` (waiting up to ``timeout`` seconds); TimeoutError naming what came."""
        end = time.monotonic() + timeout
        for event in list(self.events):
            if key in event:
                return event
        while True:
            left = end - time.monotonic()
            if left <= 0:
                err = self.proc.stderr.read() if self.proc.poll() is not None and self.proc.stderr else ""
                raise TimeoutError(f"no {key!r} event from the Node client in {timeout} s; got {self.events}; "
                                   f"stderr: {err}")
            try:
                event = self._new.get(timeout=min(left, 0.5))
            except queue.Empty:
                continue
            if key in event:
                return event

    def rounds(self) -> list[dict[str, Any]]:
        """The round reports received so far."""
        return [e for e in self.events if "round" in e]

    def kill(self) -> None:
        """Kills the process at once (SIGKILL): a client that disappears mid-round."""
        self.proc.kill()
        self.proc.wait()

    def close(self, timeout: float = 10) -> int | None:
        """Waits for the process to exit (killing it past ``timeout``); its exit status."""
        try:
            return self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.kill()
            return None
