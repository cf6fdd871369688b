"""What client and server share about messages: the participants' share points, the associated data of
a share ciphertext, field checks that raise ``SecAggError`` instead of ``KeyError``/``TypeError``."""

from __future__ import annotations

from typing import Any

from webgrad.federated.secagg.errors import SecAggError
from webgrad.federated.secagg.primitives import PROTOCOL, hkdf, pair_info


def share_point(config: dict[str, Any], client_id: str) -> int:
    """The x-coordinate of ``client_id``'s Shamir shares: its position in the config's sorted ids, plus one."""
    return config["clientIds"].index(client_id) + 1


def share_aad(round_: int, sender: str, recipient: str) -> bytes:
    """AES-GCM associated data of a share ciphertext: the server cannot re-route it to another recipient
    or replay it in another round without the decryption failing."""
    return f"{PROTOCOL}|share|{round_}|{sender}|{recipient}".encode()


def share_key(shared_secret: bytes, round_: int, a: str, b: str) -> bytes:
    """The AES-128-GCM key of the shares between ``a`` and ``b``: HKDF of their c-keys' X25519 secret."""
    return hkdf(shared_secret, pair_info("share", round_, a, b))


def mask_seed(shared_secret: bytes, round_: int, a: str, b: str) -> bytes:
    """The AES-128-CTR seed of the pairwise mask of ``a`` and ``b``: HKDF of their s-keys' X25519 secret."""
    return hkdf(shared_secret, pair_info("mask", round_, a, b))


def field(msg: Any, name: str, kind: type | tuple[type, ...], what: str) -> Any:
    """``msg[name]``, which must be of ``kind``; else ``SecAggError`` (EMALFORMED) naming ``what``."""
    if not isinstance(msg, dict) or name not in msg or not isinstance(msg[name], kind):
        raise SecAggError("EMALFORMED", f"{what}: expected a field {name!r} of type {kind}")
    return msg[name]


def check_round(msg: dict[str, Any], config: dict[str, Any], what: str) -> None:
    """Refuses a message whose ``round`` is not the config's (EROUND)."""
    got = field(msg, "round", int, what)
    if got != config["round"]:
        raise SecAggError("EROUND", f"{what}: round {got}, expected {config['round']}")


def id_list(msg: dict[str, Any], name: str, what: str) -> list[str]:
    """A list of client ids from ``msg[name]``."""
    ids = field(msg, name, list, what)
    if not all(isinstance(c, str) for c in ids) or len(set(ids)) != len(ids):
        raise SecAggError("EMALFORMED", f"{what}: {name!r} must be a list of distinct client ids")
    return ids
