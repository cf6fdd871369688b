"""The federated server: rounds over HTTP (docs/federated_protocol.md), aggregation with a strategy and
optional DP-FedAvg or secure aggregation, a published bundle per round, atomic checkpoints.

``Server`` holds the state and answers the protocol's calls as plain methods (``join``, ``task``,
``update``, ``secagg_*``, ``status``); ``Server.app`` is the Flask app that maps HTTP onto them
(``webgrad.federated.app``), ``serve``/``run_in_thread`` run it.

>>> import tempfile, webgrad as wg
>>> m = wg.Sequential([wg.Input((4,), name="x"), wg.layers.Dense(3, activation="softmax", name="p")])
>>> m.compile(optimizer=wg.optimizers.SGD(0.1), loss="sparse_categorical_crossentropy")
>>> bundle = tempfile.mkdtemp() + "/b"
>>> _ = wg.export(m, bundle, trainable=True, verbose=0)
>>> server = Server(bundle, rounds=2, clients_per_round=2, tokens=["t1", "t2"])
>>> server.status()["version"], server.update_length
(0, 15)
"""

from __future__ import annotations

import logging
import math
import tempfile
import threading
import time
import uuid
import weakref
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from webgrad.exporter.bundle_reader import read_bundle
from webgrad.federated import strategies as strategies_mod
from webgrad.federated.bundle_weights import (
    split_vector,
    trainable_layout,
    trainable_vector,
    update_length,
    write_with_trainable,
)
from webgrad.federated.rounds import Accepted, RoundState, client_seed, round_rng, select, task_id
from webgrad.federated.store import StateStore
from webgrad.federated.tokens import TokenStore
from webgrad.federated.validate import (
    ProtocolError,
    base64_bytes,
    field,
    finite_metric,
    json_object,
    positive_int,
    update_vector,
)

__all__ = ["DEFAULT_SETTINGS", "Server", "client_id_for"]

log = logging.getLogger("webgrad.federated")

DEFAULT_SETTINGS = {"epochs": 1, "batchSize": 32, "learningRate": 0.05}
RUNTIMES = ("node", "browser", "python")
NOISE = -1  # round_rng purpose of the aggregation's noise


def client_id_for(digest: str) -> str:
    """The client id of the token whose sha256 is ``digest`` (stable across restarts).

    >>> client_id_for("ab" * 32)
    'c-abababababababab'
    """
    return f"c-{digest[:16]}"


class Server:
    """A federated run over the trainable bundle ``model`` (see the module doc and docs/federated.md).

    ``rounds``: how many rounds; ``clients_per_round`` (K): how many waiting clients a round selects;
    ``min_clients`` (M, default K): the fewest accepted updates that close a round at its deadline;
    ``strategy``: a strategy of ``webgrad.federated.strategies`` (object, name or config; FedAvg);
    ``dp``: a ``webgrad.federated.dp.DPFedAvg`` (clients clip to its clip norm, the server adds noise);
    ``secure_aggregation``: the server sees only the sum of the round's updates; ``secagg_range``: the
    bound on each coordinate of ``weight · update`` under secure aggregation without DP (with DP it is
    the clip norm); ``settings``: the clients' ``epochs``, ``batchSize``, ``learningRate``;
    ``round_timeout``: seconds a round (or a secure-aggregation phase) waits; ``checkpoint_dir``: the
    state directory (a temporary one when None: no resumption); ``tokens``: raw tokens enrolled in code,
    besides those issued into ``checkpoint_dir``; ``eval_data``: ``(x, y)`` to evaluate each version on;
    ``seed``: every random choice of the server derives from it; ``poll_after_ms``: the clients' poll period;
    ``on_round``: called with each round report once the round's version is published and checkpointed.
    """

    def __init__(self, model: str | Path, rounds: int, clients_per_round: int, min_clients: int | None = None, *,
                 strategy: Any = None, dp: Any = None, secure_aggregation: bool = False,
                 secagg_range: float = 1000.0, settings: dict[str, Any] | None = None,
                 round_timeout: float = 60.0, checkpoint_dir: str | Path | None = None,
                 tokens: Sequence[str] = (), eval_data: tuple[Any, Any] | None = None, seed: int = 0,
                 poll_after_ms: int = 500, on_round: Callable[[dict[str, Any]], Any] | None = None):
        for name, value in (("rounds", rounds), ("clients_per_round", clients_per_round)):
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ValueError(f"{name} must be an int >= 1, got {value!r}")
        min_clients = clients_per_round if min_clients is None else min_clients
        if isinstance(min_clients, bool) or not isinstance(min_clients, int) \
                or not 1 <= min_clients <= clients_per_round:
            raise ValueError(f"min_clients must be an int in [1, clients_per_round={clients_per_round}], "
                             f"got {min_clients!r}")
        if not (isinstance(round_timeout, int | float) and round_timeout > 0):
            raise ValueError(f"round_timeout must be a number of seconds > 0, got {round_timeout!r}")
        if secure_aggregation and min_clients < 2:
            raise ValueError("min_clients must be >= 2 with secure_aggregation (a sum of one update is that update)")
        if dp is not None and dp.expected_clients_per_round != clients_per_round:
            raise ValueError(f"dp: expected_clients_per_round={dp.expected_clients_per_round} must equal "
                             f"clients_per_round={clients_per_round} (DP-FedAvg divides by it)")
        self.rounds, self.k, self.m = rounds, clients_per_round, min_clients
        self.strategy = strategies_mod.get(strategy)
        self.dp, self.secure_aggregation, self.secagg_range = dp, bool(secure_aggregation), float(secagg_range)
        self.settings = self._settings(settings)
        self.round_timeout, self.seed, self.poll_after_ms = float(round_timeout), int(seed), int(poll_after_ms)
        self.eval_data, self.on_round = eval_data, on_round
        self._tmp = tempfile.TemporaryDirectory(prefix="webgrad-fl-") if checkpoint_dir is None else None
        self.store = StateStore(checkpoint_dir if checkpoint_dir is not None else self._tmp.name)  # type: ignore[union-attr]
        self.tokens = TokenStore(self.store.root, list(tokens))
        self.base = read_bundle(model)
        self.layout = trainable_layout(self.base.manifest)
        self.update_length = update_length(self.layout)
        self.lock = threading.RLock()
        self.clients: dict[str, dict[str, Any]] = {}
        self._seen: dict[str, float] = {}  # client id -> last /task poll (monotonic)
        self._waiting_since: dict[str, float] = {}
        self.current: RoundState | None = None
        self._restore()
        self._http: Any = None
        self._stopping = threading.Event()
        self._ticking: threading.Thread | None = None

    # -- configuration and state -----------------------------------------------------------------------
    def _settings(self, settings: dict[str, Any] | None) -> dict[str, Any]:
        out = {**DEFAULT_SETTINGS, "proxMu": 0.0, **self.strategy.client_settings(), **(settings or {})}
        unknown = set(out) - {"epochs", "batchSize", "learningRate", "proxMu"}
        if unknown:
            raise ValueError(f"settings: unknown keys {sorted(unknown)}; expected epochs, batchSize, learningRate")
        if not all(isinstance(out[k], int) and not isinstance(out[k], bool) and out[k] >= 1
                   for k in ("epochs", "batchSize")) or not float(out["learningRate"]) > 0:
            raise ValueError(f"settings: epochs and batchSize must be ints >= 1 and learningRate > 0, got {out}")
        return out

    def _restore(self) -> None:
        """Loads the last checkpoint (or starts at version 0) and the journal of a round it had open."""
        saved = self.store.load_checkpoint()
        if saved is None:
            self.round_done, self.run_id, self.reports = 0, uuid.uuid4().hex, []
            self.weights = trainable_vector(self.base)
            write_with_trainable(self.base, self.weights, self.store.version_dir(0))
            self._checkpoint()
            return
        meta, self.weights = saved
        if meta["updateLength"] != self.update_length:
            raise ValueError(f"checkpoint_dir {self.store.root} holds a run of another model "
                             f"({meta['updateLength']} trainable values, this bundle has {self.update_length})")
        for what, saved_config, config in (
                ("strategy", meta["strategyConfig"], self.strategy.get_config()),
                ("dp", meta.get("dpConfig"), None if self.dp is None else self.dp.get_config())):
            if saved_config != config:
                raise ValueError(f"{what}: checkpoint_dir {self.store.root} holds a run with {what} {saved_config}, "
                                 f"not {config}; resume with the same settings or use a new directory")
        self.round_done, self.run_id, self.reports = meta["round"], meta["runId"], meta["reports"]
        self.clients = meta["clients"]
        self.strategy.load_state_dict(meta["strategy"])
        if self.dp is not None and meta.get("dp") is not None:
            self.dp.load_state_dict(meta["dp"])
        self.store.drop_rounds(self.round_done)
        journal = self.store.load_round(self.round_done + 1)
        if journal is not None and not self.secure_aggregation:
            doc, updates = journal
            state = RoundState(doc["round"], doc["tasks"], time.monotonic() + self.round_timeout, doc["clipNorm"],
                               extensions=doc["extensions"])
            for cid, (vector, m) in updates.items():
                state.accepted[cid] = Accepted(vector, m["numExamples"], m["clipped"], m["loss"], m["accuracy"])
            self.current = state
        log.info("federated: resumed at round %d (version %d)", self.round_done + 1, self.round_done)

    def _checkpoint(self) -> None:
        meta = {"round": self.round_done, "version": self.round_done, "runId": self.run_id,
                "updateLength": self.update_length, "clients": self.clients, "reports": self.reports,
                "strategy": self.strategy.state_dict(), "strategyConfig": self.strategy.get_config(),
                "dp": None if self.dp is None else self.dp.state_dict(),
                "dpConfig": None if self.dp is None else self.dp.get_config()}
        self.store.save_checkpoint(meta, self.weights)

    @property
    def version(self) -> int:
        """The latest published version (= rounds completed)."""
        return self.round_done

    @property
    def done(self) -> bool:
        return self.round_done >= self.rounds

    # -- authentication --------------------------------------------------------------------------------
    def authenticate(self, authorization: str | None, client_id: str | None = None) -> str:
        """The client id of the bearer token (EAUTH 401 when absent/unknown); with ``client_id``, also
        checks it is that token's client (EAUTH 403)."""
        if not authorization or not authorization.startswith("Bearer ") or not authorization[7:].strip():
            raise ProtocolError("EAUTH", "missing 'Authorization: Bearer <token>' header")
        digest = self.tokens.verify(authorization[7:].strip())
        if digest is None:
            raise ProtocolError("EAUTH", "token is not enrolled (or was revoked)")
        own = client_id_for(digest)
        if client_id is not None and client_id != own:
            raise ProtocolError("EAUTH", f"clientId {client_id!r} does not belong to this token", status=403)
        return own

    # -- the protocol's calls --------------------------------------------------------------------------
    def join(self, authorization: str | None, body: Any) -> dict[str, Any]:
        """``POST /fl/v1/join``."""
        cid = self.authenticate(authorization)
        body = json_object(body)
        runtime = field(body, "runtime", str)
        if runtime not in RUNTIMES:
            raise ProtocolError("EMALFORMED", f"body.runtime must be one of {list(RUNTIMES)}, got {runtime!r}")
        with self.lock:
            self.clients[cid] = {"runtime": runtime, "numExamples": positive_int(body, "numExamples")}
        log.info("federated: %s joined (%s)", cid, runtime)
        return {"clientId": cid, "pollAfterMs": self.poll_after_ms}

    def task(self, authorization: str | None, client_id: str | None) -> dict[str, Any]:
        """``GET /fl/v1/task``."""
        if not client_id:
            self.authenticate(authorization)
            raise ProtocolError("EMALFORMED", "query parameter clientId is missing")
        cid = self.authenticate(authorization, client_id)
        with self.lock:
            now = time.monotonic()
            self.clients.setdefault(cid, {"runtime": None, "numExamples": None})  # joined before a restart
            if now - self._seen.get(cid, -math.inf) > self._alive_s():
                self._waiting_since[cid] = now
            self._seen[cid] = now
            self.tick(now)
            if self.done:
                return {"status": "done", "version": self.version}
            r = self.current
            if r is not None and cid in r.tasks and cid not in r.accepted and not self._secagg_past_masked(r):
                return self._train_task(r, cid, now)
            return {"status": "wait", "pollAfterMs": self.poll_after_ms}

    def _train_task(self, r: RoundState, cid: str, now: float) -> dict[str, Any]:
        version = r.number - 1
        return {"status": "train", "round": r.number, "taskId": r.tasks[cid], "version": version,
                "bundleUrl": f"/fl/v1/model/{version}/",
                "settings": {**self.settings, "seed": client_seed(self.seed, r.number, cid)},
                "clipNorm": r.clip_norm, "secagg": None if r.secagg is None else r.secagg.config,
                "deadlineMs": max(0, int((r.deadline - now) * 1000))}

    def update(self, authorization: str | None, body: Any) -> dict[str, Any]:
        """``POST /fl/v1/update``: checks in the protocol's order; a rejection is logged and reported and
        changes nothing."""
        cid = _claimed_id(body)
        try:
            cid, body, task, round_ = self._client_message(authorization, body)
            num_examples = positive_int(body, "numExamples")
            encoding, text = field(body, "encoding", str), field(body, "update", str)
            if encoding not in ("float32", "secagg"):
                raise ProtocolError("EMALFORMED", f"body.encoding must be 'float32' or 'secagg', got {encoding!r}")
            raw = base64_bytes(text)
            with self.lock:
                r = self._task_round(cid, task, round_)
                clipped = bool(field(body, "clipped", bool)) if r.clip_norm is not None else False
                wanted = "secagg" if r.secagg is not None else "float32"
                if encoding != wanted:
                    raise ProtocolError("EMALFORMED", f"body.encoding is {encoding!r}; this round takes {wanted!r}")
                if cid in r.accepted:
                    raise ProtocolError("EDUPLICATE", f"task {task} of round {round_} was already answered")
                metrics = body.get("metrics")
                loss, accuracy = finite_metric(metrics, "loss"), finite_metric(metrics, "accuracy")
                if r.secagg is not None:
                    self._secagg_call(lambda: r.secagg.receive_masked(cid, text))
                    vector = None
                else:
                    vector = update_vector(raw, self.update_length, r.clip_norm)
                accepted = Accepted(vector, num_examples, clipped, loss, accuracy)
                if vector is not None:
                    self.store.save_update(r.number, cid, vector, accepted.meta())
                r.accepted[cid] = accepted
                self._seen.pop(cid, None)  # waiting for the next round again once it polls again
                log.info("federated: round %d: accepted the update of %s (%d examples)", r.number, cid, num_examples)
                self.tick()
            return {"accepted": True}
        except ProtocolError as e:
            self._reject(cid, e)
            raise

    def _client_message(self, authorization: str | None, body: Any) -> tuple[str, dict[str, Any], str, int]:
        """(sender, body, taskId, round) of a client's POST in a round: token, JSON object, fields."""
        self.authenticate(authorization)
        body = json_object(body)
        cid = self.authenticate(authorization, field(body, "clientId", str))
        return cid, body, field(body, "taskId", str), field(body, "round", int)

    def _task_round(self, cid: str, task: str, round_: int) -> RoundState:
        """The open round when ``task`` is ``cid``'s task in it; else EROUND."""
        r = self.current
        if self.done or r is None:
            raise ProtocolError("EROUND", f"no round is open (round {round_} is over)")
        if round_ != r.number:
            raise ProtocolError("EROUND", f"message for round {round_}, but round {r.number} is running")
        if r.tasks.get(cid) != task:
            raise ProtocolError("EROUND", f"taskId {task!r} is not {cid}'s task in round {r.number}")
        return r

    def _reject(self, cid: str | None, error: ProtocolError) -> None:
        with self.lock:
            log.warning("federated: rejected a request of %s: %s", cid, error)
            if self.current is not None:
                self.current.rejected.append({"clientId": cid, "code": error.code, "message": error.message})

    def status(self) -> dict[str, Any]:
        """``GET /fl/v1/status``."""
        with self.lock:
            running = self.current.number if self.current is not None else min(self.round_done + 1, self.rounds)
            return {"round": running, "rounds": self.rounds, "version": self.version, "done": self.done,
                    "clients": len(self.clients), "reports": list(self.reports)}

    # -- rounds ----------------------------------------------------------------------------------------
    def _alive_s(self) -> float:
        return 3 * self.poll_after_ms / 1000

    def tick(self, now: float | None = None) -> None:
        """Opens, extends or closes the round as the protocol's "Rounds" says (called on each request and
        by the ticker thread)."""
        now = time.monotonic() if now is None else now
        with self.lock:
            if self.done:
                return
            if self.current is None:
                self._maybe_open(now)
            elif self.current.secagg is not None:
                self._secagg_tick(self.current, now)
            elif not self.current.pending() or (now >= self.current.deadline and len(self.current.accepted) >= self.m):
                self._close(self.current)
            elif now >= self.current.deadline:
                self._extend(self.current, now)

    def _waiting(self, now: float, exclude: Any = ()) -> list[str]:
        return sorted(c for c, seen in self._seen.items() if now - seen <= self._alive_s() and c not in exclude)

    def _maybe_open(self, now: float) -> None:
        waiting = self._waiting(now)
        first = min((self._waiting_since.get(c, now) for c in waiting), default=now)
        if not (len(waiting) >= self.k or (len(waiting) >= self.m and now - first >= self.round_timeout)):
            return
        number = self.round_done + 1
        chosen = select(waiting, self.k, self.seed, number, draw=0)
        clip = None if self.dp is None else float(self.dp.clip_norm)
        r = RoundState(number, {c: task_id(self.run_id, number, c) for c in chosen}, now + self.round_timeout, clip)
        if self.secure_aggregation:
            self._secagg_open(r, now)
        self.current = r
        self._journal(r)
        log.info("federated: round %d opened with %d clients: %s", number, len(chosen), ", ".join(chosen))

    def _journal(self, r: RoundState) -> None:
        self.store.save_round(r.number, {"round": r.number, "tasks": r.tasks, "clipNorm": r.clip_norm,
                                         "extensions": r.extensions})

    def _extend(self, r: RoundState, now: float) -> None:
        """The deadline passed with fewer than M updates: move it on and select more waiting clients."""
        r.extensions += 1
        r.deadline = now + self.round_timeout
        extra = select(self._waiting(now, exclude=r.tasks), self.k, self.seed, r.number, draw=r.extensions)
        r.tasks.update({c: task_id(self.run_id, r.number, c) for c in extra})
        self._journal(r)
        log.warning("federated: round %d: %d of at least %d updates at the deadline; extended (%d more clients)",
                    r.number, len(r.accepted), self.m, len(extra))

    def _close(self, r: RoundState, secagg_sum: tuple[np.ndarray, float] | None = None) -> None:
        """Aggregates, publishes version r, reports, checkpoints."""
        ids = sorted(r.accepted)
        rng = round_rng(self.seed, r.number, NOISE)
        if self.dp is not None:
            total = secagg_sum[0] if secagg_sum else np.sum([r.accepted[c].vector for c in ids], axis=0,
                                                            dtype=np.float64)
            bits = sum(r.accepted[c].clipped for c in ids)
            mean = np.asarray(self.dp.aggregate(np.asarray(total, np.float64), bits, len(ids), rng))
        elif secagg_sum is not None:
            mean = secagg_sum[0] / secagg_sum[1]
        else:
            deltas = [[r.accepted[c].vector.astype(np.float64)] for c in ids]  # type: ignore[union-attr]
            mean = strategies_mod.weighted_mean(deltas, [float(r.accepted[c].num_examples) for c in ids])[0]
        new = self.strategy.apply(split_vector(self.weights, self.layout),
                                  split_vector(mean, self.layout, dtype=np.float64))
        self.weights = np.concatenate([np.asarray(a, np.float32).reshape(-1) for a in new]).astype(np.float32)
        write_with_trainable(self.base, self.weights, self.store.version_dir(r.number))
        epsilon = None if self.dp is None else float(self.dp.epsilon(r.number))
        report = r.report(r.number, r.opened, epsilon, self._evaluate(r.number))
        self.reports.append(report)
        self.round_done, self.current = r.number, None
        self._checkpoint()
        self.store.drop_rounds(r.number)
        self._waiting_since = {c: time.monotonic() for c in self._waiting_since}
        log.info("federated: round %d done: %d participants, loss %s, eval %s, epsilon %s", r.number,
                 report["participants"], report["loss"], report["eval"], epsilon)
        if self.on_round is not None:
            self.on_round(report)

    def _evaluate(self, version: int) -> dict[str, float] | None:
        """Accuracy (and cross-entropy) of the published bundle on ``eval_data``, run by the bundle runner
        (no model is built: clients may be training in this process)."""
        if self.eval_data is None:
            return None
        from webgrad.exporter.runner import load_bundle

        x, y = self.eval_data
        out = np.asarray(load_bundle(self.store.version_dir(version)).predict(np.asarray(x, np.float32)), np.float64)
        labels = np.asarray(y)
        labels = labels.argmax(-1) if labels.ndim == out.ndim else labels.reshape(-1).astype(np.int64)
        result = {"accuracy": float(np.mean(out.argmax(-1) == labels))}
        loss = self.base.manifest["training"]["loss"]
        if loss["name"] in ("sparse_categorical_crossentropy", "categorical_crossentropy"):
            if loss.get("from_logits"):
                out = np.exp(out - out.max(-1, keepdims=True))
                out /= out.sum(-1, keepdims=True)
            picked = np.clip(out[np.arange(len(labels)), labels], 1e-7, 1.0)
            result["loss"] = float(-np.log(picked).mean())
        return result

    # -- secure aggregation ----------------------------------------------------------------------------
    def _secagg_open(self, r: RoundState, now: float) -> None:
        from webgrad.federated.secagg import SecAggServer, round_config

        ids = sorted(r.tasks)
        if len(ids) < 2:
            return
        clip_range = r.clip_norm if r.clip_norm is not None else self.secagg_range
        threshold = min(len(ids), max(self.m, len(ids) // 2 + 1))
        r.secagg = SecAggServer(round_config(r.number, ids, self.update_length, clip_range, threshold))
        r.phase_started = now

    def _secagg_past_masked(self, r: RoundState) -> bool:
        return r.secagg is not None and r.secagg.phase == "unmask"

    def _secagg_call(self, call: Any) -> Any:
        from webgrad.federated.secagg import SecAggError

        try:
            return call()
        except SecAggError as e:
            raise ProtocolError(e.code if e.code != "EAUTH" else "EROUND", str(e)) from e

    def _secagg_tick(self, r: RoundState, now: float) -> None:
        """Closes a secure-aggregation phase once everyone still in it has answered, or ``round_timeout``
        after it began with at least the threshold; below the threshold at that point, the round starts
        over with a new selection."""
        sa = r.secagg
        expected = {"advertise": sorted(r.tasks), "share": sa.advertised, "masked": sa.shared,
                    "unmask": sa.masked}[sa.phase]
        have = {"advertise": sa.advertised, "share": sa.shared, "masked": sa.masked, "unmask": sa.unmasked}[sa.phase]
        late = now - r.phase_started >= self.round_timeout
        if len(have) < len(expected) and not late:
            return
        if len(have) < sa.config["threshold"]:
            log.warning("federated: round %d: secure aggregation phase %r has %d of %d needed; starting over",
                        r.number, sa.phase, len(have), sa.config["threshold"])
            self.current = None
            r.extensions += 1
            self._maybe_open(now)
            return
        r.phase_started = now
        if sa.phase == "advertise":
            sa.roster()
        elif sa.phase == "share":
            sa.inbox(sa.shared[0])
        elif sa.phase == "masked":
            sa.unmask_request()  # who sent no masked vector is dropped (its masks are recovered)
        else:
            self._close(r, secagg_sum=sa.result())

    def secagg_post(self, authorization: str | None, kind: str, body: Any) -> dict[str, Any]:
        """``POST /fl/v1/secagg/advertise|shares|unmask``."""
        cid = _claimed_id(body)
        try:
            cid, body, task, round_ = self._client_message(authorization, body)
            message = field(body, "message", dict)
            with self.lock:
                r = self._task_round(cid, task, round_)
                if r.secagg is None:
                    raise ProtocolError("ESTATE", f"round {r.number} runs without secure aggregation")
                receive = {"advertise": r.secagg.receive_advertise, "shares": r.secagg.receive_shares,
                           "unmask": r.secagg.receive_unmask}[kind]
                self._secagg_call(lambda: receive(cid, message))
                self.tick()
            return {"accepted": True}
        except ProtocolError as e:
            self._reject(cid, e)
            raise

    def secagg_get(self, authorization: str | None, kind: str, client_id: str | None, round_: str | None,
                   ) -> dict[str, Any]:
        """``GET /fl/v1/secagg/roster|inbox|unmask``: wait until the phase is ready, then its message."""
        if not client_id or round_ is None or not round_.isdigit():
            raise ProtocolError("EMALFORMED", "query parameters clientId and round (an integer) are required")
        cid = self.authenticate(authorization, client_id)
        with self.lock:
            self.tick()
            r = self.current
            if r is None or r.number != int(round_) or cid not in r.tasks:
                raise ProtocolError("EROUND", f"round {round_} is not running with {cid} in it")
            if r.secagg is None:
                raise ProtocolError("ESTATE", f"round {r.number} runs without secure aggregation")
            sa = r.secagg
            ready = {"roster": sa.phase != "advertise", "inbox": sa.phase in ("masked", "unmask"),
                     "unmask": sa.phase == "unmask"}[kind]
            if not ready:
                return {"status": "wait", "pollAfterMs": self.poll_after_ms}
            call = {"roster": sa.roster, "inbox": lambda: sa.inbox(cid), "unmask": sa.unmask_request}[kind]
            return {"status": "ready", "message": self._secagg_call(call)}

    # -- model files -----------------------------------------------------------------------------------
    def version_dir(self, version: int) -> Path:
        """The folder of a published version; ESTATE 404 for one that is not published."""
        if not 0 <= version <= self.version:
            raise ProtocolError("ESTATE", f"version {version} is not published (latest: {self.version})", status=404)
        return self.store.version_dir(version)

    # -- running ---------------------------------------------------------------------------------------
    @property
    def app(self) -> Any:
        """The Flask app serving the protocol under ``/fl/v1`` (a WSGI app another app can mount; its first
        request starts the thread that closes rounds at their deadlines)."""
        if not hasattr(self, "_app"):
            from webgrad.federated.app import create_app

            self._app = create_app(self)
        return self._app

    def start_ticker(self) -> None:
        """Starts (once) the background thread that opens, extends and closes rounds on time even when
        no request comes in; ``stop`` ends it."""
        with self.lock:
            if self._ticking is None:
                self._stopping = threading.Event()
                self._ticking = threading.Thread(target=_tick_forever, args=(weakref.ref(self), self._stopping),
                                                 name="webgrad-fl-ticker", daemon=True)
                self._ticking.start()

    def run_in_thread(self, port: int = 0, host: str = "127.0.0.1") -> str:
        """Serves in a background thread; returns the base URL (``port=0``: a free port)."""
        from werkzeug.serving import make_server

        self._http = make_server(host, port, self.app, threaded=True)
        threading.Thread(target=self._http.serve_forever, name="webgrad-fl-http", daemon=True).start()
        self.start_ticker()
        return f"http://{host}:{self._http.server_port}"

    def serve(self, host: str = "127.0.0.1", port: int = 8080) -> None:
        """Serves until interrupted (or ``stop``)."""
        url = self.run_in_thread(port, host)
        log.info("federated: serving %s/fl/v1 (round %d of %d)", url, self.round_done + 1, self.rounds)
        try:
            while not self._stopping.wait(0.5):
                pass
        except KeyboardInterrupt:
            pass
        finally:
            self.stop()

    def stop(self) -> None:
        """Stops serving and ticking (the state stays in ``checkpoint_dir``)."""
        self._stopping.set()
        self._ticking = None
        if self._http is not None:
            self._http.shutdown()
            self._http = None



def _claimed_id(body: Any) -> str | None:
    """The clientId a body claims (for the log of a refused request), before anything is checked."""
    return body.get("clientId") if isinstance(body, dict) and isinstance(body.get("clientId"), str) else None


def _tick_forever(server_ref: Any, stopping: threading.Event) -> None:
    """The ticker thread: ``tick`` every 50 ms until stopped (or the server is garbage: the thread holds
    it only weakly)."""
    while not stopping.wait(0.05):
        server = server_ref()
        if server is None:
            return
        try:
            server.tick()
        except Exception:  # keep serving; the failure is in the log
            log.exception("federated: round step failed")
        del server
