"""The server side of secure aggregation: routes keys and encrypted shares, adds up masked vectors, and
removes the masks with the shares the survivors return. It never holds a single client's update in the
clear: only public keys, ciphertexts it cannot open, the running sum of masked vectors and, at the end,
the shares needed to unmask the sum.
"""

from __future__ import annotations

from typing import Any

import numpy as np

import webgrad.federated.secagg.shamir as shamir
from webgrad.federated.secagg.config import check_config
from webgrad.federated.secagg.encoding import add_mod, b64decode, decode_sum, sub_mod
from webgrad.federated.secagg.errors import SecAggError
from webgrad.federated.secagg.messages import check_round, field, mask_seed, share_point
from webgrad.federated.secagg.primitives import KEY_BYTES, SEED_BYTES, agree, prg_uint32, public_key_bytes

PHASES = ("advertise", "share", "masked", "unmask")


class SecAggServer:
    """The server's state for one round (see :class:`SecAggClient` for a whole round).

    The phases advance when the server reads their outcome: ``roster()`` closes the advertising,
    ``inbox()`` the key sharing, ``unmask_request()`` the masked inputs; a message for a closed phase
    raises ``SecAggError`` (ESTATE). ``advertised``, ``shared``, ``masked`` and ``unmasked`` list who
    has sent what so far, for the caller to decide when to move on.
    """

    def __init__(self, config: dict[str, Any]):
        self.config = check_config(config)
        self.phase = "advertise"
        self._keys: dict[str, dict[str, str]] = {}  # id -> {"cPublicKey", "sPublicKey"} (base64)
        self._roster: dict[str, Any] | None = None
        self._outbox: dict[str, dict[str, str]] = {}  # sender -> recipient -> encrypted shares
        self._masked_sum = np.zeros(self.config["length"] + 1, np.uint32)
        self._masked: list[str] = []
        self._request: dict[str, Any] | None = None
        self._unmask: dict[str, dict[str, dict[str, str]]] = {}  # responder -> {"bShares", "sShares"}

    @property
    def advertised(self) -> list[str]:
        return sorted(self._keys)

    @property
    def shared(self) -> list[str]:
        return sorted(self._outbox)

    @property
    def masked(self) -> list[str]:
        return sorted(self._masked)

    @property
    def unmasked(self) -> list[str]:
        return sorted(self._unmask)

    def receive_advertise(self, cid: str, msg: dict[str, Any]) -> None:
        """Step 1: a client's public keys."""
        self._expect("advertise", cid, "advertise")
        check_round(msg, self.config, "advertise")
        if msg.get("clientId", cid) != cid:
            raise SecAggError("EMALFORMED", f"advertise: clientId {msg.get('clientId')!r} sent by {cid!r}")
        if cid in self._keys:
            raise SecAggError("EDUPLICATE", f"advertise: {cid!r} already advertised its keys")
        keys = {}
        for name in ("cPublicKey", "sPublicKey"):
            raw = b64decode(field(msg, name, str, "advertise"), f"advertise {name} of {cid!r}")
            if len(raw) != KEY_BYTES:
                raise SecAggError("EMALFORMED", f"advertise: {name} of {cid!r} has {len(raw)} bytes, expected 32")
            keys[name] = msg[name]
        if keys["cPublicKey"] == keys["sPublicKey"]:
            raise SecAggError("EMALFORMED", f"advertise: {cid!r} sent the same key twice")
        self._keys[cid] = keys

    def roster(self) -> dict[str, Any]:
        """Closes the advertising (on the first call) and returns who takes part, with their keys."""
        if self._roster is None:
            self._need(len(self._keys), "advertised their keys")
            self._roster = {"round": self.config["round"], "clients": {c: dict(k) for c, k in self._keys.items()}}
            self.phase = "share"
        return self._roster

    def receive_shares(self, cid: str, shares: dict[str, str]) -> None:
        """Step 2: a client's encrypted shares, one per other roster member."""
        self._expect("share", cid, "shares")
        if cid not in self._roster_ids():
            raise SecAggError("ESTATE", f"shares: {cid!r} is not in the roster (it did not advertise in time)")
        if cid in self._outbox:
            raise SecAggError("EDUPLICATE", f"shares: {cid!r} already sent its shares")
        expected = set(self._roster_ids()) - {cid}
        if not isinstance(shares, dict) or set(shares) != expected:
            raise SecAggError("EMALFORMED", f"shares: {cid!r} must send one base64 string for each of "
                                            f"{sorted(expected)}")
        for peer, blob in shares.items():
            b64decode(blob, f"shares from {cid!r} to {peer!r}")
        self._outbox[cid] = dict(shares)

    def inbox(self, cid: str) -> dict[str, Any]:
        """Closes the key sharing (on the first call); the shares addressed to ``cid`` by every client that
        sent its shares. The senders are the clients whose masks ``cid`` must add."""
        if self.phase == "share":
            self._need(len(self._outbox), "sent their shares")
            self.phase = "masked"
        if cid not in self._outbox:
            raise SecAggError("ESTATE", f"inbox: {cid!r} did not send its shares in time and cannot take part")
        return {"round": self.config["round"],
                "shares": {s: out[cid] for s, out in sorted(self._outbox.items()) if s != cid}}

    def receive_masked(self, cid: str, masked_b64: str) -> None:
        """Step 3: a client's masked vector, added into the running sum (the only vector kept)."""
        self._expect("masked", cid, "masked input")
        if cid not in self._outbox:
            raise SecAggError("ESTATE", f"masked input: {cid!r} did not share keys in this round")
        if cid in self._masked:
            raise SecAggError("EDUPLICATE", f"masked input: {cid!r} already sent its masked input")
        raw = b64decode(masked_b64, f"masked input of {cid!r}")
        expected = 4 * (self.config["length"] + 1)
        if len(raw) != expected:
            raise SecAggError("ESHAPE", f"masked input of {cid!r}: {len(raw)} bytes, expected {expected} "
                                        f"({self.config['length']} + 1 uint32 words)")
        self._masked_sum = add_mod(self._masked_sum, np.frombuffer(raw, "<u4"))
        self._masked.append(cid)

    def unmask_request(self) -> dict[str, Any]:
        """Closes the masked inputs (on the first call): the survivors (who sent one) and the dropped
        (who shared keys but sent none). Fewer survivors than the threshold raise ESTATE."""
        if self._request is None:
            if self.phase != "masked":
                raise SecAggError("ESTATE", f"unmask request: the round is in phase {self.phase!r}")
            self._need(len(self._masked), "sent masked inputs")
            self._request = {"round": self.config["round"], "survivors": sorted(self._masked),
                             "dropped": sorted(set(self._outbox) - set(self._masked))}
            self.phase = "unmask"
        return self._request

    def receive_unmask(self, cid: str, msg: dict[str, Any]) -> None:
        """Step 4: a survivor's shares (of each survivor's b seed, of each dropped client's s key)."""
        self._expect("unmask", cid, "unmask")
        assert self._request is not None
        if cid not in self._request["survivors"]:
            raise SecAggError("ESTATE", f"unmask: {cid!r} is not a survivor of this round")
        if cid in self._unmask:
            raise SecAggError("EDUPLICATE", f"unmask: {cid!r} already sent its shares")
        check_round(msg, self.config, "unmask")
        b, s = field(msg, "bShares", dict, "unmask"), field(msg, "sShares", dict, "unmask")
        if set(b) != set(self._request["survivors"]) or set(s) != set(self._request["dropped"]):
            raise SecAggError("EMALFORMED", f"unmask: {cid!r} must send bShares for the survivors and sShares "
                                            "for the dropped clients")
        for kind, shares in (("bShares", b), ("sShares", s)):
            for owner, share in shares.items():
                shamir.from_bytes(b64decode(share, f"unmask {kind} of {owner!r}"), f"unmask {kind} of {owner!r}")
        self._unmask[cid] = {"bShares": dict(b), "sShares": dict(s)}

    def result(self) -> tuple[np.ndarray, float]:
        """The unmasked sum: (float64 vector of sum(weight * update), total weight). Needs unmask messages
        from at least ``threshold`` survivors, else ESTATE."""
        if self._request is None:
            raise SecAggError("ESTATE", "result: the round has not reached the unmask step")
        self._need(len(self._unmask), "returned their unmask shares")
        total = self._masked_sum
        count = total.size
        for owner in self._request["survivors"]:
            seed = self._reconstruct(owner, "bShares")
            total = sub_mod(total, prg_uint32(seed, count))
        for dropped in self._request["dropped"]:
            s_private = self._reconstruct(dropped, "sShares")
            for survivor in self._request["survivors"]:
                public = b64decode(self._keys[survivor]["sPublicKey"], "key")
                mask = prg_uint32(mask_seed(agree(s_private, public), self.config["round"], survivor, dropped), count)
                # the survivor added +mask if its id sorts first, else -mask: undo that
                total = sub_mod(total, mask) if survivor < dropped else add_mod(total, mask)
        return decode_sum(total, self.config["fracBits"])

    def _reconstruct(self, owner: str, kind: str) -> bytes:
        """The secret (b seed or s private key) of ``owner`` from the survivors' shares; shares that do not
        rebuild a secret of the right size (or, for s, the key ``owner`` advertised) raise EMALFORMED."""
        what, size = ("self-mask seed", SEED_BYTES) if kind == "bShares" else ("mask key", KEY_BYTES)
        points = [(share_point(self.config, r), shamir.from_bytes(b64decode(m[kind][owner], kind), kind))
                  for r, m in sorted(self._unmask.items())]
        secret = shamir.combine(points, self.config["threshold"], f"{kind} of {owner!r}")
        bad = SecAggError("EMALFORMED", f"result: the shares of the {what} of {owner!r} do not rebuild the {what} "
                                        "it committed to (a survivor sent a bad share)")
        if secret >= 256**size:
            raise bad
        raw = secret.to_bytes(size, "big")
        if kind == "sShares" and public_key_bytes(raw) != b64decode(self._keys[owner]["sPublicKey"], "key"):
            raise bad
        return raw

    def _roster_ids(self) -> list[str]:
        return sorted(self._roster["clients"]) if self._roster else []

    def _expect(self, phase: str, cid: str, what: str) -> None:
        if not isinstance(cid, str) or cid not in self.config["clientIds"]:
            raise SecAggError("EAUTH", f"{what}: {cid!r} is not a participant of round {self.config['round']}")
        if self.phase != phase:
            raise SecAggError("ESTATE", f"{what} from {cid!r}: the round is in phase {self.phase!r}, "
                                        f"not {phase!r}")

    def _need(self, count: int, what: str) -> None:
        t = self.config["threshold"]
        if count < t:
            raise SecAggError("ESTATE", f"secure aggregation round {self.config['round']} cannot complete: "
                                        f"{count} clients {what}, fewer than the threshold {t}")
