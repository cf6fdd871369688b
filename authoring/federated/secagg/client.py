"""The client side of secure aggregation (Bonawitz et al. 2017, semi-honest server, with dropouts).

A client walks four steps, each one message to or from the server (docs/secure_aggregation.md):
``advertise`` its two fresh public keys → ``share_keys`` (Shamir shares of its mask key and self-mask
seed, encrypted for each peer) → ``masked_input`` (its fixed-point update plus pairwise masks and a
self-mask) → ``unmask`` (the shares the server needs to remove the masks, never both shares of a peer).
"""

from __future__ import annotations

import os
from typing import Any

import numpy as np

import webgrad.federated.secagg.shamir as shamir
from webgrad.federated.secagg.config import check_config
from webgrad.federated.secagg.encoding import add_mod, b64decode, b64encode, encode_update, sub_mod
from webgrad.federated.secagg.errors import SecAggError
from webgrad.federated.secagg.messages import check_round, field, id_list, mask_seed, share_aad, share_key, share_point
from webgrad.federated.secagg.primitives import (
    SEED_BYTES,
    agree,
    new_private_key,
    open_sealed,
    prg_uint32,
    public_key_bytes,
    seal,
)


def pair_masks(words: np.ndarray, client_id: str, s_private: bytes, peers: dict[str, bytes], round_: int,
               self_seed: bytes) -> np.ndarray:
    """``words`` plus the self-mask PRG(b) and, for each peer j, +PRG(seed_ij) if ``client_id < j`` else
    -PRG(seed_ij) (ids compared as strings), all mod 2^32. ``peers``: id -> s public key."""
    out = add_mod(words, prg_uint32(self_seed, words.size))
    for peer, public in sorted(peers.items()):
        mask = prg_uint32(mask_seed(agree(s_private, public), round_, client_id, peer), words.size)
        out = add_mod(out, mask) if client_id < peer else sub_mod(out, mask)
    return out


class SecAggClient:
    """One client's state for one secure-aggregation round.

    ``config`` is the server's :func:`round_config`. ``_test_secrets`` (test vectors only, never in
    production) fixes the c and s private keys (32 bytes each) and the self-mask seed b (16 bytes).

    >>> from webgrad.federated.secagg import SecAggServer, round_config
    >>> cfg = round_config(0, ["a", "b", "c"], 3, 8.0)
    >>> server, clients = SecAggServer(cfg), {c: SecAggClient(c, cfg) for c in "abc"}
    >>> for c, cl in clients.items(): server.receive_advertise(c, cl.advertise())
    >>> for c, cl in clients.items(): server.receive_shares(c, cl.share_keys(server.roster()))
    >>> for c, cl in clients.items():
    ...     server.receive_masked(c, cl.masked_input(np.full(3, 0.5, np.float32), 2, server.inbox(c)))
    >>> ask = server.unmask_request()
    >>> for c, cl in clients.items(): server.receive_unmask(c, cl.unmask(ask["survivors"], ask["dropped"]))
    >>> total, weight = server.result()
    >>> total.tolist(), weight
    ([3.0, 3.0, 3.0], 6.0)
    """

    def __init__(self, client_id: str, config: dict[str, Any], *, _test_secrets: dict[str, bytes] | None = None):
        self.config = check_config(config)
        if client_id not in self.config["clientIds"]:
            raise ValueError(f"client_id: {client_id!r} is not a participant of round {self.config['round']}")
        self.client_id = client_id
        secrets_ = _test_secrets or {}
        self._c_private = secrets_.get("c") or new_private_key()
        self._s_private = secrets_.get("s") or new_private_key()
        self._b_seed = secrets_.get("b") or os.urandom(SEED_BYTES)
        self._roster: dict[str, dict[str, bytes]] | None = None
        self._held: dict[str, tuple[int, int]] = {}  # sender -> (share of its s key, share of its b seed)
        self._group: list[str] | None = None  # U2: the clients whose masks are in this client's input
        self._revealed_b: set[str] = set()
        self._revealed_s: set[str] = set()
        self.clipped = 0  # how many coordinates of weight * update the clip range changed

    @property
    def _round(self) -> int:
        return self.config["round"]

    def advertise(self) -> dict[str, Any]:
        """Step 1: this client's two public keys (c: share encryption, s: pairwise masks)."""
        return {"clientId": self.client_id, "round": self._round,
                "cPublicKey": b64encode(public_key_bytes(self._c_private)),
                "sPublicKey": b64encode(public_key_bytes(self._s_private))}

    def share_keys(self, roster: dict[str, Any]) -> dict[str, str]:
        """Step 2: from the server's roster, the encrypted shares of this client's s key and b seed, one
        base64 blob per other client in the roster."""
        self._roster = self._read_roster(roster)
        ids = sorted(self._roster)
        t = self.config["threshold"]
        xs = [share_point(self.config, c) for c in ids]
        s_shares = shamir.split(int.from_bytes(self._s_private, "big"), t, xs)
        b_shares = shamir.split(int.from_bytes(self._b_seed, "big"), t, xs)
        out = {}
        for peer, s_share, b_share in zip(ids, s_shares, b_shares, strict=True):
            if peer == self.client_id:
                self._held[peer] = (s_share, b_share)
                continue
            key = share_key(agree(self._c_private, self._roster[peer]["c"]), self._round, self.client_id, peer)
            plain = shamir.to_bytes(s_share) + shamir.to_bytes(b_share)
            out[peer] = b64encode(seal(key, plain, share_aad(self._round, self.client_id, peer)))
        return out

    def masked_input(self, update_f32: np.ndarray, weight: float, inbox: dict[str, Any]) -> str:
        """Step 3: decrypts the shares in ``inbox`` (the server's ``inbox(client_id)``), then returns the
        masked fixed-point vector (length + 1 uint32 little-endian words) in base64."""
        if self._roster is None:
            raise SecAggError("ESTATE", "masked_input: call share_keys(roster) first")
        if self._group is not None:
            raise SecAggError("EDUPLICATE", "masked_input: this client already sent its masked input")
        check_round(inbox, self.config, "inbox")
        shares = field(inbox, "shares", dict, "inbox")
        for sender, blob in shares.items():
            if sender == self.client_id or sender not in self._roster:
                raise SecAggError("EMALFORMED", f"inbox: a share from {sender!r}, who is not a peer in the roster")
            key = share_key(agree(self._c_private, self._roster[sender]["c"]), self._round, sender, self.client_id)
            what = f"share from {sender!r} to {self.client_id!r}"
            plain = open_sealed(key, b64decode(blob, what), share_aad(self._round, sender, self.client_id), what)
            if len(plain) != 2 * shamir.ELEMENT_BYTES:
                raise SecAggError("EMALFORMED", f"{what}: {len(plain)} bytes of shares")
            half = shamir.ELEMENT_BYTES
            self._held[sender] = (shamir.from_bytes(plain[:half], what), shamir.from_bytes(plain[half:], what))
        group = sorted({*shares, self.client_id})
        if len(group) < self.config["threshold"]:
            raise SecAggError("ESTATE", f"masked_input: {len(group)} clients shared keys in round {self._round}, "
                                        f"fewer than the threshold {self.config['threshold']}")
        update = np.asarray(update_f32)
        if update.shape != (self.config["length"],):
            raise SecAggError("ESHAPE", f"update: expected shape ({self.config['length']},), got {update.shape}")
        words, self.clipped = encode_update(update, weight, self.config["clipRange"], self.config["fracBits"],
                                            self.config["maxWeight"])
        peers = {c: self._roster[c]["s"] for c in group if c != self.client_id}
        masked = pair_masks(words, self.client_id, self._s_private, peers, self._round, self._b_seed)
        self._group = group
        return b64encode(masked.astype("<u4").tobytes())

    def unmask(self, survivors: list[str], dropped: list[str]) -> dict[str, Any]:
        """Step 4: shares of the self-mask seed b of each survivor and of the mask key s of each dropped
        client. Refuses (``SecAggError`` ESTATE) to give both shares of one client, now or across calls,
        and a request with fewer survivors than the threshold."""
        if self._group is None:
            raise SecAggError("ESTATE", "unmask: call masked_input first")
        ask = {"survivors": survivors, "dropped": dropped}
        survivors, dropped = id_list(ask, "survivors", "unmask"), id_list(ask, "dropped", "unmask")
        both = (set(survivors) & set(dropped)) | (set(survivors) & self._revealed_s) | (set(dropped) & self._revealed_b)
        if both:
            raise SecAggError("ESTATE", f"unmask: refused, asked for both the self-mask share and the mask-key share "
                                        f"of {sorted(both)} (that would reveal their update)")
        unknown = (set(survivors) | set(dropped)) - set(self._group)
        if unknown:
            raise SecAggError("ESTATE", f"unmask: {sorted(unknown)} did not share keys with this client")
        if self.client_id not in survivors:
            raise SecAggError("ESTATE", f"unmask: this client ({self.client_id!r}) is not among the survivors")
        if len(survivors) < self.config["threshold"]:
            raise SecAggError("ESTATE", f"unmask: {len(survivors)} survivors, fewer than the threshold "
                                        f"{self.config['threshold']}")
        self._revealed_b |= set(survivors)
        self._revealed_s |= set(dropped)
        return {"clientId": self.client_id, "round": self._round,
                "bShares": {c: b64encode(shamir.to_bytes(self._held[c][1])) for c in survivors},
                "sShares": {c: b64encode(shamir.to_bytes(self._held[c][0])) for c in dropped}}

    def _read_roster(self, roster: Any) -> dict[str, dict[str, bytes]]:
        check_round(roster, self.config, "roster")
        clients = field(roster, "clients", dict, "roster")
        out = {}
        for cid, keys in clients.items():
            if cid not in self.config["clientIds"]:
                raise SecAggError("EAUTH", f"roster: {cid!r} is not a participant of round {self._round}")
            out[cid] = {k[0]: _public_key(keys, k, cid) for k in ("cPublicKey", "sPublicKey")}
        if self.client_id not in out or out[self.client_id]["s"] != public_key_bytes(self._s_private) \
                or out[self.client_id]["c"] != public_key_bytes(self._c_private):
            raise SecAggError("EMALFORMED", f"roster: does not hold this client's ({self.client_id!r}) keys")
        if len(out) < self.config["threshold"]:
            raise SecAggError("ESTATE", f"roster: {len(out)} clients, fewer than the threshold "
                                        f"{self.config['threshold']}")
        return out


def _public_key(keys: Any, name: str, cid: str) -> bytes:
    what = f"roster entry of {cid!r}"
    raw = b64decode(field(keys, name, str, what), f"{what} {name}")
    if len(raw) != 32:
        raise SecAggError("EMALFORMED", f"{what}: {name} has {len(raw)} bytes, expected 32")
    return raw

