"""Client partitioners: every example assigned once, label shards, Dirichlet skew and its IID limit."""

from __future__ import annotations

import numpy as np
import pytest

from webgrad.federated import partition

Y = np.repeat(np.arange(10), 120)  # 1,200 labels, 120 of each


def _assigned_once(parts: list[np.ndarray], n: int) -> None:
    every = np.concatenate(parts)
    assert len(every) == n
    assert np.array_equal(np.sort(every), np.arange(n))


@pytest.mark.parametrize("split", [
    lambda y, k: partition.iid(y, k, seed=3),
    lambda y, k: partition.pathological_non_iid(y, k, seed=3),
    lambda y, k: partition.dirichlet(y, k, alpha=0.3, seed=3),
])
def test_every_example_is_assigned_exactly_once(split) -> None:
    parts = split(Y, 30)
    assert len(parts) == 30
    _assigned_once(parts, len(Y))
    assert all(p.dtype.kind == "i" for p in parts)


def test_iid_parts_are_equal_sized_and_mixed() -> None:
    parts = partition.iid(Y, 12, seed=0)
    assert {len(p) for p in parts} == {100}
    assert min(len(np.unique(Y[p])) for p in parts) >= 8
    assert [p.tolist() for p in partition.iid(Y, 12, seed=0)] == [p.tolist() for p in parts]
    assert any(not np.array_equal(a, b) for a, b in zip(partition.iid(Y, 12, seed=1), parts, strict=True))


def test_pathological_clients_see_only_their_shards_labels() -> None:
    # 10 labels x 120 = 40 shards of 30: no shard straddles two labels, so each client sees <= 2 labels
    parts = partition.pathological_non_iid(Y, 20, shards_per_client=2, seed=0)
    assert {len(p) for p in parts} == {60}
    labels_per_client = [len(np.unique(Y[p])) for p in parts]
    assert max(labels_per_client) <= 2
    assert np.mean(labels_per_client) > 1.5  # most get two different labels
    one = partition.pathological_non_iid(Y, 40, shards_per_client=1, seed=0)
    assert all(len(np.unique(Y[p])) == 1 for p in one)
    # one-hot labels split the same way
    onehot = np.eye(10)[Y]
    assert all(np.array_equal(a, b) for a, b in zip(
        partition.pathological_non_iid(onehot, 20, seed=0), parts, strict=True))


def test_dirichlet_small_alpha_is_skewed_and_large_alpha_is_iid() -> None:
    def skew(parts: list[np.ndarray]) -> float:
        # mean total-variation distance between a client's label distribution and the global one
        dists = [np.bincount(Y[p], minlength=10) / max(len(p), 1) for p in parts if len(p)]
        return float(np.mean([0.5 * np.abs(d - 0.1).sum() for d in dists]))

    skewed = partition.dirichlet(Y, 10, alpha=0.1, seed=0)
    flat = partition.dirichlet(Y, 10, alpha=1e5, seed=0)
    assert skew(skewed) > 0.4
    assert skew(flat) < 0.03
    assert skew(flat) < skew(partition.dirichlet(Y, 10, alpha=1.0, seed=0)) < skew(skewed)
    assert all(abs(len(p) - 120) <= 10 for p in flat)


@pytest.mark.parametrize(("call", "match"), [
    (lambda: partition.iid(Y, 0), "num_clients must be an int >= 1"),
    (lambda: partition.iid(Y, 2.5), "num_clients must be an int"),
    (lambda: partition.iid(Y[:3], 4), "exceeds the number of examples"),
    (lambda: partition.pathological_non_iid(Y, 10, shards_per_client=0), "shards_per_client must be"),
    (lambda: partition.pathological_non_iid(Y[:30], 10, shards_per_client=4), "40 shards exceeds"),
    (lambda: partition.dirichlet(Y, 10, alpha=0), "alpha must be a finite number > 0"),
])
def test_bad_arguments_raise(call, match) -> None:
    with pytest.raises(ValueError, match=match):
        call()


def test_partition_is_reachable_from_the_package_facade():
    import webgrad as wg

    assert wg.federated.partition is partition
    assert "partition" in dir(wg.federated)
