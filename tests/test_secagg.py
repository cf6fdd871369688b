"""Secure aggregation in Python (webgrad.federated.secagg): the unmasked sum equals plain FedAvg's weighted
sum within the fixed-point precision (checked against flwr's aggregate), the server never stores a single
update in the clear, rounds survive dropouts at every step, and each refusal the protocol names raises
SecAggError with its code."""

from __future__ import annotations

import base64
from typing import Any

import numpy as np
import pytest
from scipy import stats

from webgrad.federated.secagg import SecAggClient, SecAggError, SecAggServer, round_config
from webgrad.federated.secagg.encoding import encode_update

LENGTH = 10_000


def _updates(ids: list[str], length: int = LENGTH, seed: int = 0) -> dict[str, tuple[np.ndarray, int]]:
    rng = np.random.default_rng(seed)
    return {c: (rng.normal(0, 0.05, length).astype(np.float32), int(rng.integers(1, 200))) for c in ids}


def run_round(ids: list[str], updates: dict[str, tuple[np.ndarray, int]], *, clip_range: float = 50.0,
              threshold: int | None = None, gone_before_advertise: tuple[str, ...] = (),
              gone_before_shares: tuple[str, ...] = (), gone_before_masked: tuple[str, ...] = (),
              gone_before_unmask: tuple[str, ...] = (), snapshots: list[dict[str, Any]] | None = None):
    """A whole round in memory; a client listed in a ``gone_before_*`` tuple stops at that step."""
    length = len(next(iter(updates.values()))[0])
    cfg = round_config(1, ids, length, clip_range, threshold)
    server = SecAggServer(cfg)
    clients = {c: SecAggClient(c, cfg) for c in ids}
    snap = (lambda: snapshots.append(_stored(server))) if snapshots is not None else (lambda: None)
    alive = [c for c in ids if c not in gone_before_advertise]
    for c in alive:
        server.receive_advertise(c, clients[c].advertise())
    roster = server.roster()
    alive = [c for c in alive if c not in gone_before_shares]
    for c in alive:
        server.receive_shares(c, clients[c].share_keys(roster))
    snap()
    alive = [c for c in alive if c not in gone_before_masked]
    masked = {}
    for c in alive:
        x, w = updates[c]
        masked[c] = clients[c].masked_input(x, w, server.inbox(c))
        server.receive_masked(c, masked[c])
        snap()
    ask = server.unmask_request()
    for c in [c for c in alive if c not in gone_before_unmask]:
        server.receive_unmask(c, clients[c].unmask(ask["survivors"], ask["dropped"]))
        snap()
    return server, clients, masked, ask


def _expected(updates: dict[str, tuple[np.ndarray, int]], included: list[str]) -> tuple[np.ndarray, float]:
    total = sum(updates[c][0].astype(np.float64) * updates[c][1] for c in included)
    return total, float(sum(updates[c][1] for c in included))


def _bound(server: SecAggServer, count: int) -> float:
    return count * 2.0 ** -(server.config["fracBits"] + 1)


def test_sum_equals_fedavg_within_the_fixed_point_precision():
    flwr_aggregate = pytest.importorskip("flwr.server.strategy.aggregate").aggregate
    ids = [f"c{i}" for i in range(8)]
    updates = _updates(ids)
    server, _, _, ask = run_round(ids, updates)
    assert ask == {"round": 1, "survivors": ids, "dropped": []}
    total, weight = server.result()
    want, want_weight = _expected(updates, ids)
    assert weight == want_weight
    assert np.max(np.abs(total - want)) <= _bound(server, len(ids))
    # FedAvg's weighted mean, from Flower's own aggregate()
    fedavg = flwr_aggregate([([updates[c][0]], updates[c][1]) for c in ids])[0]
    assert np.max(np.abs(total / weight - fedavg)) <= _bound(server, len(ids)) / weight + 1e-7
    assert server.config["fracBits"] >= 20  # 8 clients, R = 50: a resolution finer than 1e-6


def test_the_encoding_cannot_overflow_at_the_clip_range():
    ids = [f"c{i}" for i in range(7)]
    cfg = round_config(0, ids, 4, 3.0)
    for sign in (1.0, -1.0):
        # every client at +R (or -R) on every coordinate: the sum must not wrap around
        updates = {c: (np.full(4, sign * 3.0, np.float32), 1) for c in ids}
        server, *_ = run_round(ids, updates, clip_range=3.0)
        total, _ = server.result()
        assert np.allclose(total, sign * 3.0 * len(ids), atol=_bound(server, len(ids)))
    assert round_config(0, ids, 4, 3.0)["fracBits"] == cfg["fracBits"]
    # one more fraction bit would overflow: the chosen scale is the largest that fits
    assert len(ids) * np.floor(3.0 * 2.0 ** (cfg["fracBits"] + 1) + 0.5) > 2**31 - 1


def test_values_beyond_the_clip_range_are_clipped_and_counted():
    ids = ["a", "b", "c"]
    updates = {c: (np.array([0.5, 10.0, -10.0], np.float32), 1) for c in ids}
    server, clients, _, _ = run_round(ids, updates, clip_range=2.0)
    total, _ = server.result()
    assert np.allclose(total, [1.5, 6.0, -6.0], atol=_bound(server, 3))
    assert clients["a"].clipped == 2


def _stored(obj: Any, seen: set[int] | None = None) -> list[Any]:
    """Every value the server object holds, recursively (arrays, bytes, strings, numbers)."""
    seen = set() if seen is None else seen
    if id(obj) in seen:
        return []
    seen.add(id(obj))
    if isinstance(obj, dict):
        return [v for k, x in obj.items() for v in (*_stored(k, seen), *_stored(x, seen))]
    if isinstance(obj, (list, tuple, set)):
        return [v for x in obj for v in _stored(x, seen)]
    if hasattr(obj, "__dict__") and not isinstance(obj, type):
        return _stored(vars(obj), seen)
    return [obj.copy() if isinstance(obj, np.ndarray) else obj]


def _as_vectors(values: list[Any], words: int) -> list[np.ndarray]:
    """Every stored value that could be a vector of ``words`` uint32 words (arrays, raw or base64 bytes)."""
    out = []
    for v in values:
        if isinstance(v, str):
            try:
                v = base64.b64decode(v, validate=True)
            except ValueError:
                continue
        if isinstance(v, bytes) and len(v) >= 4 * words:
            out.append(np.frombuffer(v[: 4 * words], "<u4"))
        elif isinstance(v, np.ndarray) and v.size >= words:
            out.append(v.reshape(-1)[:words].astype(np.uint32))
    return out


def _uniform(words: np.ndarray) -> bool:
    """A chi-square test on the byte values (p > 1e-6) and the mean within 6 standard errors of 2^31."""
    counts = np.bincount(words.astype("<u4").view(np.uint8), minlength=256)
    chi2 = ((counts - counts.mean()) ** 2 / counts.mean()).sum()
    mean_ok = abs(words.astype(np.float64).mean() - 2**31) < 6 * 2**32 / np.sqrt(12 * words.size)
    return bool(chi2 < stats.chi2.ppf(1 - 1e-6, 255) and mean_ok)


def test_the_server_never_stores_a_single_update_in_the_clear():
    ids = [f"c{i}" for i in range(6)]
    updates = _updates(ids, seed=3)
    snapshots: list[list[Any]] = []
    server, _, masked, _ = run_round(ids, updates, gone_before_masked=("c5",), snapshots=snapshots)
    cfg = server.config
    encoded = {c: encode_update(x, w, cfg["clipRange"], cfg["fracBits"], cfg["maxWeight"])[0]
               for c, (x, w) in updates.items()}
    # the test can fail: an encoded update is far from uniform, and correlates with itself
    assert not _uniform(encoded["c0"])
    stored = [v for snap in snapshots for v in _as_vectors(snap, LENGTH)]
    assert len(stored) >= 5  # the running sum after each masked input, at least
    for vec in stored:
        for c, enc in encoded.items():
            assert not np.array_equal(vec, enc[:LENGTH]), f"an update of {c} is stored in the clear"
            if vec.min() == vec.max():
                continue  # a constant vector (the empty sum before any input) correlates with nothing
            signed = enc[:LENGTH].view(np.int32).astype(np.float64)
            r = np.corrcoef(vec.view(np.int32).astype(np.float64), signed)[0, 1]
            assert abs(r) < 0.06, f"a stored vector correlates with {c}'s update (r = {r:.3f})"
    # a single masked vector, as the server receives it, looks uniformly random
    for c, m in masked.items():
        assert _uniform(np.frombuffer(base64.b64decode(m), "<u4")), c
    total, _ = server.result()
    want, _ = _expected(updates, ids[:5])
    assert np.max(np.abs(total - want)) <= _bound(server, 5)


@pytest.mark.parametrize("step", ["gone_before_shares", "gone_before_masked", "gone_before_unmask"])
def test_a_round_with_20_percent_dropping_completes(step):
    ids = [f"c{i}" for i in range(10)]
    updates = _updates(ids, length=2000, seed=5)
    gone = ("c3", "c7")
    server, _, _, ask = run_round(ids, updates, **{step: gone})
    total, weight = server.result()
    # a client gone before sending its masked input is not in the sum; one gone before the unmask step is
    included = ids if step == "gone_before_unmask" else [c for c in ids if c not in gone]
    want, want_weight = _expected(updates, included)
    assert weight == want_weight
    assert np.max(np.abs(total - want)) <= _bound(server, len(included))
    assert ask["dropped"] == (["c3", "c7"] if step == "gone_before_masked" else [])


def test_a_round_with_one_client_gone_before_advertising_completes():
    ids = [f"c{i}" for i in range(5)]
    updates = _updates(ids, length=100, seed=9)
    server, _, _, _ = run_round(ids, updates, gone_before_advertise=("c1",))
    total, _ = server.result()
    want, _ = _expected(updates, ["c0", "c2", "c3", "c4"])
    assert np.max(np.abs(total - want)) <= _bound(server, 4)


def test_too_few_survivors_fail_with_a_clear_error():
    ids = [f"c{i}" for i in range(10)]
    updates = _updates(ids, length=50)
    with pytest.raises(SecAggError, match=r"round 1 cannot complete: 5 clients sent masked inputs, fewer than the "
                                          r"threshold 6") as err:
        run_round(ids, updates, gone_before_masked=("c0", "c1", "c2", "c3", "c4"))
    assert err.value.code == "ESTATE"
    server, *_ = run_round(ids, updates, threshold=8, gone_before_unmask=("c0", "c1", "c2"))
    with pytest.raises(SecAggError, match="7 clients returned their unmask shares, fewer than the threshold 8"):
        server.result()
    with pytest.raises(SecAggError, match="4 clients advertised their keys, fewer than the threshold 6"):
        run_round(ids, updates, gone_before_advertise=tuple(ids[:6]))


def _shared(ids: list[str], length: int = 5, threshold: int | None = None):
    """Config, server and clients of round 2 after every client shared its keys."""
    cfg = round_config(2, ids, length, 1.0, threshold)
    server = SecAggServer(cfg)
    clients = {c: SecAggClient(c, cfg) for c in ids}
    for c in ids:
        server.receive_advertise(c, clients[c].advertise())
    for c in ids:
        server.receive_shares(c, clients[c].share_keys(server.roster()))
    return cfg, server, clients


def test_a_client_refuses_both_shares_of_one_peer():
    ids = ["a", "b", "c", "d"]
    _, server, clients = _shared(ids)
    clients["a"].masked_input(np.zeros(5, np.float32), 1, server.inbox("a"))
    with pytest.raises(SecAggError, match=r"refused.*both.*\['c'\]") as err:
        clients["a"].unmask(["a", "b", "c"], ["c"])
    assert err.value.code == "ESTATE"
    clients["a"].unmask(["a", "b", "c"], ["d"])
    # a server that asks again with the roles swapped gets nothing either
    with pytest.raises(SecAggError, match=r"refused.*both.*\['d'\]"):
        clients["a"].unmask(["a", "b", "d"], [])
    with pytest.raises(SecAggError, match="fewer than the threshold 3"):
        clients["a"].unmask(["a", "b"], [])


def test_tampered_or_misrouted_share_ciphertexts_raise_a_clear_error():
    ids = ["a", "b", "c"]
    _, server, clients = _shared(ids)
    inbox = server.inbox("a")
    blob = bytearray(base64.b64decode(inbox["shares"]["b"]))
    blob[40] ^= 1
    tampered = {"round": 2, "shares": {**inbox["shares"], "b": base64.b64encode(bytes(blob)).decode()}}
    with pytest.raises(SecAggError, match="share from 'b' to 'a': ciphertext does not authenticate") as err:
        clients["a"].masked_input(np.zeros(5, np.float32), 1, tampered)
    assert err.value.code == "EMALFORMED"
    swapped = {"round": 2, "shares": {"b": inbox["shares"]["c"], "c": inbox["shares"]["b"]}}
    with pytest.raises(SecAggError, match="does not authenticate"):
        clients["a"].masked_input(np.zeros(5, np.float32), 1, swapped)
    with pytest.raises(SecAggError, match="not valid base64"):
        clients["a"].masked_input(np.zeros(5, np.float32), 1, {"round": 2, "shares": {"b": "&&&"}})
    with pytest.raises(SecAggError, match="round 3, expected 2") as err:
        clients["a"].masked_input(np.zeros(5, np.float32), 1, {"round": 3, "shares": {}})
    assert err.value.code == "EROUND"


def test_a_bad_share_in_the_unmask_step_is_detected():
    ids = [f"c{i}" for i in range(5)]
    _, server, clients = _shared(ids, threshold=3)
    for c in ids[:4]:
        server.receive_masked(c, clients[c].masked_input(np.ones(5, np.float32), 1, server.inbox(c)))
    ask = server.unmask_request()
    for c in ids[:4]:
        msg = clients[c].unmask(ask["survivors"], ask["dropped"])
        if c == "c0":
            msg["sShares"]["c4"] = base64.b64encode((12345).to_bytes(66, "big")).decode()
        server.receive_unmask(c, msg)
    with pytest.raises(SecAggError, match="shares of the mask key of 'c4' do not rebuild the mask key"):
        server.result()


def test_the_server_refuses_bad_messages_with_their_codes():
    ids = ["a", "b", "c"]
    cfg = round_config(0, ids, 4, 1.0)
    server = SecAggServer(cfg)
    clients = {c: SecAggClient(c, cfg) for c in ids}
    cases = [
        (lambda: server.receive_advertise("zz", clients["a"].advertise()), "EAUTH", "not a participant"),
        (lambda: server.receive_advertise("a", {**clients["a"].advertise(), "round": 5}), "EROUND", "round 5"),
        (lambda: server.receive_advertise("a", {"round": 0, "cPublicKey": "AAAA", "sPublicKey": "AAAA"}),
         "EMALFORMED", "3 bytes, expected 32"),
        (lambda: server.receive_advertise("a", {"round": 0}), "EMALFORMED", "cPublicKey"),
        (lambda: server.receive_shares("a", {}), "ESTATE", "phase 'advertise'"),
    ]
    for call, code, message in cases:
        with pytest.raises(SecAggError, match=message) as err:
            call()
        assert err.value.code == code
    for c in ids:
        server.receive_advertise(c, clients[c].advertise())
    with pytest.raises(SecAggError, match="already advertised") as err:
        server.receive_advertise("a", clients["a"].advertise())
    assert err.value.code == "EDUPLICATE"
    roster = server.roster()
    shares = {c: clients[c].share_keys(roster) for c in ids}
    with pytest.raises(SecAggError, match="one base64 string for each of"):
        server.receive_shares("a", {"b": shares["a"]["b"]})
    for c in ids:
        server.receive_shares(c, shares[c])
    masked = clients["a"].masked_input(np.zeros(4, np.float32), 1, server.inbox("a"))
    with pytest.raises(SecAggError, match=r"16 bytes, expected 20 \(4 \+ 1 uint32 words\)") as err:
        server.receive_masked("a", base64.b64encode(base64.b64decode(masked)[:16]).decode())
    assert err.value.code == "ESHAPE"
    server.receive_masked("a", masked)
    with pytest.raises(SecAggError, match="already sent its masked input") as err:
        server.receive_masked("a", masked)
    assert err.value.code == "EDUPLICATE"
    with pytest.raises(SecAggError, match="has not reached the unmask step"):
        server.result()


def test_round_config_refuses_what_cannot_be_secure_or_encoded():
    with pytest.raises(ValueError, match=r"threshold: expected an int in \(2.0, 4\]"):
        round_config(0, ["a", "b", "c", "d"], 3, 1.0, threshold=2)
    with pytest.raises(ValueError, match=r"clip_range: .* too large for 4 clients"):
        round_config(0, ["a", "b", "c", "d"], 3, 2.0**30)
    with pytest.raises(ValueError, match="printable ASCII"):
        round_config(0, ["a", "b|c"], 3, 1.0)
    with pytest.raises(ValueError, match="at least 2 distinct"):
        round_config(0, ["a", "a"], 3, 1.0)
    cfg = round_config(0, ["a", "b"], 3, 1.0)
    with pytest.raises(SecAggError, match="fracBits"):
        SecAggClient("a", {**cfg, "fracBits": cfg["fracBits"] + 1})
    with pytest.raises(ValueError, match="weight: expected an integer example count"):
        _, server, clients = _shared(["a", "b"], length=3)
        clients["a"].masked_input(np.zeros(3, np.float32), 2.5, server.inbox("a"))


def test_a_masked_input_arriving_after_the_unmask_request_is_refused():
    ids = ["a", "b", "c", "d"]
    _, server, clients = _shared(ids)
    for c in ids[:3]:
        server.receive_masked(c, clients[c].masked_input(np.ones(5, np.float32), 1, server.inbox(c)))
    late = clients["d"].masked_input(np.ones(5, np.float32), 1, server.inbox("d"))
    assert server.unmask_request()["dropped"] == ["d"]
    with pytest.raises(SecAggError, match="phase 'unmask', not 'masked'") as err:
        server.receive_masked("d", late)
    assert err.value.code == "ESTATE"
    for c in ids[:3]:
        server.receive_unmask(c, clients[c].unmask(["a", "b", "c"], ["d"]))
    total, weight = server.result()
    assert weight == 3 and np.allclose(total, 3.0)
