"""Cross-language test vectors of secure aggregation, made by the Python implementation.

``python -m webgrad.federated.secagg.vectors`` writes ``tests/vectors/secagg/vectors.json``; ``--check``
regenerates it in memory and exits 1 if the file differs (tests/test_secagg_vectors.py does the same).
The npm package's test (tests/node/secagg.test.mjs) recomputes every case with WebCrypto and BigInt and
must get the same bytes: key agreement, HKDF, the mask PRG, Shamir shares, a sealed share, the round
config, the fixed-point words and whole masked vectors. Known-answer cases from the RFCs and FIPS-197
come first, so both implementations are also checked against the standards, not only against each other.
Everything is deterministic: private keys, seeds and Shamir coefficients come from ``sha256`` of a label.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import json
import sys
from pathlib import Path
from typing import Any

import numpy as np

import webgrad.federated.secagg.shamir as shamir
from webgrad.federated.secagg.client import pair_masks
from webgrad.federated.secagg.config import round_config
from webgrad.federated.secagg.encoding import encode_update
from webgrad.federated.secagg.messages import mask_seed, share_aad, share_key
from webgrad.federated.secagg.primitives import agree, hkdf, pair_info, prg_uint32, public_key_bytes, seal

DEFAULT_PATH = Path(__file__).resolve().parents[3] / "tests" / "vectors" / "secagg" / "vectors.json"

# Known answers from the standards (checked here when generating, and again in JS)
RFC7748_X25519 = {  # RFC 7748 section 6.1
    "alicePrivate": "77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a",
    "alicePublic": "8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a",
    "bobPrivate": "5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb",
    "bobPublic": "de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f",
    "shared": "4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742",
}
RFC5869_CASE3 = {  # RFC 5869 appendix A.3: SHA-256, empty salt and info
    "secret": "0b" * 22, "info": "", "length": 42,
    "out": "8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d9d201395faa4b61a96c8",
}
AES128_ZERO = "66e94bd4ef8a2c3b884cfa59ca342b2e"  # AES-128 of the zero block under the zero key: CTR block 0


def _bytes(label: str, n: int) -> bytes:
    return hashlib.sha256(label.encode()).digest()[:n]


def _words(a: np.ndarray) -> list[int]:
    return [int(v) for v in a]


def _secrets(cid: str) -> dict[str, bytes]:
    return {"c": _bytes(f"c-{cid}", 32), "s": _bytes(f"s-{cid}", 32), "b": _bytes(f"b-{cid}", 16)}


def _masked_case(name: str, ids: list[str], length: int, weights: dict[str, int], clip_range: float) -> dict[str, Any]:
    """Every client's masked vector for a round in which all ``ids`` shared keys (fixed secrets)."""
    cfg = round_config(7, ids, length, clip_range)
    rng = np.random.default_rng(len(name) * 1000 + length)
    secrets = {c: _secrets(c) for c in ids}
    publics = {c: {k: base64.b64encode(public_key_bytes(secrets[c][k])).decode() for k in ("c", "s")} for c in ids}
    clients = {}
    for cid in ids:
        update = rng.normal(0, clip_range / 4 / max(weights[cid], 1), length).astype(np.float32)
        words, _ = encode_update(update, weights[cid], clip_range, cfg["fracBits"], cfg["maxWeight"])
        peers = {p: public_key_bytes(secrets[p]["s"]) for p in ids if p != cid}
        masked = pair_masks(words, cid, secrets[cid]["s"], peers, cfg["round"], secrets[cid]["b"])
        masked = masked.astype("<u4").tobytes()
        entry = {"secrets": {k: v.hex() for k, v in secrets[cid].items()}, "publicKeys": publics[cid],
                 "weight": weights[cid], "update": base64.b64encode(update.astype("<f4").tobytes()).decode(),
                 "maskedSha256": hashlib.sha256(masked).hexdigest()}
        if length <= 16:
            entry["masked"] = _words(np.frombuffer(masked, "<u4"))
        clients[cid] = entry
    return {"name": name, "config": cfg, "clients": clients}


def _check_standards() -> None:
    a = RFC7748_X25519
    assert public_key_bytes(bytes.fromhex(a["alicePrivate"])).hex() == a["alicePublic"]
    assert agree(bytes.fromhex(a["alicePrivate"]), bytes.fromhex(a["bobPublic"])).hex() == a["shared"]
    r = RFC5869_CASE3
    assert hkdf(bytes.fromhex(r["secret"]), b"", r["length"]).hex() == r["out"]
    assert prg_uint32(bytes(16), 4).astype("<u4").tobytes().hex() == AES128_ZERO


def _hkdf_cases() -> list[dict[str, Any]]:
    cases: list[dict[str, Any]] = [RFC5869_CASE3]
    for purpose, rnd, x, y in (("mask", 0, "a", "b"), ("share", 12, "node-7", "py-1")):
        info = pair_info(purpose, rnd, x, y)
        secret = _bytes(f"hkdf-{purpose}", 32)
        cases.append({"secret": secret.hex(), "info": info.decode(), "length": 16, "out": hkdf(secret, info).hex()})
    return cases


def _prg_cases() -> list[dict[str, Any]]:
    cases = []
    for n in (1, 5, 10001):
        seed = _bytes(f"prg-{n}", 16)
        words = prg_uint32(seed, n)
        cases.append({"seed": seed.hex(), "count": n, "head": _words(words[:8]),
                      "sha256": hashlib.sha256(words.astype("<u4").tobytes()).hexdigest()})
    return cases


def _pair_cases() -> list[dict[str, Any]]:
    cases = []
    for x, y in (("a", "b"), ("node-7", "py-1")):
        sx, sy = _bytes(f"s-{x}", 32), _bytes(f"s-{y}", 32)
        shared = agree(sx, public_key_bytes(sy))
        cases.append({"a": x, "b": y, "aPrivate": sx.hex(), "bPublic": public_key_bytes(sy).hex(),
                      "shared": shared.hex(), "maskSeed": mask_seed(shared, 3, x, y).hex(),
                      "shareKey": share_key(shared, 3, y, x).hex()})
    return cases


def _element(label: str) -> int:
    return int.from_bytes(_bytes(label, 32) * 3, "big") % shamir.PRIME


def _shamir_cases() -> list[dict[str, Any]]:
    cases = []
    for label, secret, t, xs in (("s", int.from_bytes(_bytes("s", 32), "big"), 3, [1, 2, 3, 4, 5]),
                                 ("b", int.from_bytes(_bytes("b", 16), "big"), 2, [2, 3, 4]),
                                 ("big", _element("big"), 4, [1, 3, 5, 7, 9])):
        coeffs = [_element(f"{label}-coef-{k}") for k in range(t - 1)]
        shares = shamir.split(secret, t, xs, coeffs)
        assert shamir.combine(list(zip(xs, shares, strict=True))[::-1], t, "check") == secret
        cases.append({"secret": shamir.to_bytes(secret).hex(), "threshold": t, "xs": xs,
                      "coefficients": [shamir.to_bytes(c).hex() for c in coeffs],
                      "shares": [shamir.to_bytes(s).hex() for s in shares]})
    return cases


def _seal_case() -> dict[str, Any]:
    key, nonce = _bytes("seal-key", 16), _bytes("seal-nonce", 12)
    plain = shamir.to_bytes(5) + shamir.to_bytes(6)
    aad = share_aad(3, "a", "b")
    return {"key": key.hex(), "nonce": nonce.hex(), "plaintext": plain.hex(), "aad": aad.decode(),
            "blob": seal(key, plain, aad, nonce).hex()}


def _config_cases() -> list[dict[str, Any]]:
    args = ((0, ["b", "a"], 10, 1.0, None), (3, ["c1", "c2", "c3", "c4", "c5"], 100, 0.01, 4),
            (9, [f"n{i}" for i in range(10)], 5, 1000.0, None), (1, ["x", "y", "z"], 1, 1e-9, 3),
            (2, ["p", "q", "r", "s"], 3, 0.3, None))
    return [{"args": list(a), "config": round_config(*a)} for a in args]


def _encoding_case() -> dict[str, Any]:
    # ties at .5 after scaling (round half up), clipping on both sides, values below the resolution
    update = np.array([0.5, -0.25, 1e-3, 3.0, -3.0, 0.1234567, -1e-7, 2.5 / 2**20, -2.5 / 2**20, -1.5 / 2**20],
                      np.float32)
    words, clipped = encode_update(update, 2, 4.0, 20, 1000)
    return {"update": [float(v) for v in update], "weight": 2, "clipRange": 4.0, "fracBits": 20,
            "words": _words(words), "clipped": clipped}


def build() -> dict[str, Any]:
    """The whole vectors document."""
    _check_standards()
    return {
        "generated": "GENERATED by python -m webgrad.federated.secagg.vectors; do not edit (checked current by "
                     "tests/test_secagg_vectors.py)",
        "x25519": RFC7748_X25519, "aes128ZeroBlock": AES128_ZERO, "hkdf": _hkdf_cases(), "prg": _prg_cases(),
        "pairs": _pair_cases(), "shamir": _shamir_cases(), "seal": _seal_case(), "configs": _config_cases(),
        "encoding": _encoding_case(),
        "masked": [_masked_case("small", ["a", "b", "c"], 8, {"a": 1, "b": 3, "c": 2}, 2.0),
                   _masked_case("large", ["node-1", "node-2", "py-1", "py-2", "py-3"], 1500,
                                {"node-1": 10, "node-2": 1, "py-1": 600, "py-2": 7, "py-3": 0}, 8.0)],
    }


def render(doc: dict[str, Any]) -> str:
    """The file's text: sorted keys, one-space indentation, trailing newline (byte-stable)."""
    return json.dumps(doc, indent=1, sort_keys=True) + "\n"


def main(argv: list[str] | None = None) -> int:
    """CLI: write the vectors, or with ``--check`` exit 1 if the file is stale."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if the file differs from a fresh build")
    parser.add_argument("--path", type=Path, default=DEFAULT_PATH)
    args = parser.parse_args(argv)
    text = render(build())
    if args.check:
        current = args.path.read_text(encoding="utf-8") if args.path.exists() else None
        if current != text:
            print(f"stale: {args.path} (run python -m webgrad.federated.secagg.vectors)", file=sys.stderr)
            return 1
        return 0
    args.path.parent.mkdir(parents=True, exist_ok=True)
    args.path.write_text(text, encoding="utf-8")
    print(f"wrote {args.path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
