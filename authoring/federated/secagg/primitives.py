"""The cryptographic building blocks of secure aggregation, each one standard and each one mirrored
byte for byte by the npm package (js_runtime/src/federated/secagg/crypto.js):

- X25519 key agreement (RFC 7748), raw 32-byte public and private keys;
- HKDF-SHA256 (RFC 5869) with an empty salt and an ``info`` string that binds the purpose, the round
  and both client ids, so a key never serves two purposes, two rounds or two pairs;
- the mask generator: the AES-128-CTR keystream (counter block starts at zero) read as uint32
  little-endian — the same PRG in Python (``cryptography``) and in WebCrypto;
- AES-128-GCM for the key shares sent through the server (96-bit random nonce, prepended).
"""

from __future__ import annotations

import os

import numpy as np
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from webgrad.federated.secagg.errors import SecAggError

PROTOCOL = "webgrad-secagg/1"  # in every HKDF info and AES-GCM associated data: a version bump changes all keys
KEY_BYTES = 32  # X25519 keys
SEED_BYTES = 16  # AES-128 keys: the pairwise mask seeds, the self-mask seed b, the share keys
NONCE_BYTES = 12


def private_key_bytes(key: X25519PrivateKey) -> bytes:
    """The raw 32 bytes of an X25519 private key."""
    return key.private_bytes(serialization.Encoding.Raw, serialization.PrivateFormat.Raw,
                             serialization.NoEncryption())


def public_key_bytes(private: bytes) -> bytes:
    """The raw 32-byte X25519 public key of a raw private key.

    >>> public_key_bytes(bytes(range(32))).hex()[:16]
    '8f40c5adb68f2562'
    """
    key = X25519PrivateKey.from_private_bytes(private)
    return key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def new_private_key() -> bytes:
    """A fresh random X25519 private key (32 raw bytes)."""
    return private_key_bytes(X25519PrivateKey.generate())


def agree(private: bytes, peer_public: bytes) -> bytes:
    """X25519(private, peer_public): the 32-byte shared secret both ends compute."""
    if len(peer_public) != KEY_BYTES:
        raise SecAggError("EMALFORMED", f"an X25519 public key has {KEY_BYTES} bytes, got {len(peer_public)}")
    try:
        return X25519PrivateKey.from_private_bytes(private).exchange(X25519PublicKey.from_public_bytes(peer_public))
    except ValueError as exc:  # an all-zero shared secret: a low-order public key
        raise SecAggError("EMALFORMED", f"X25519 with a degenerate public key: {exc}") from exc


def pair_info(purpose: str, round_: int, a: str, b: str) -> bytes:
    """The HKDF ``info`` for a pair of clients: purpose, round and both ids, in string order.

    >>> pair_info("mask", 3, "b", "a")
    b'webgrad-secagg/1|mask|3|a|b'
    """
    lo, hi = sorted((a, b))
    return f"{PROTOCOL}|{purpose}|{round_}|{lo}|{hi}".encode()


def hkdf(secret: bytes, info: bytes, length: int = SEED_BYTES) -> bytes:
    """HKDF-SHA256 with an empty salt (RFC 5869).

    >>> hkdf(b"\\x00" * 32, b"x").hex()
    '37b8c973bded0783b649c2129de3a70e'
    """
    return HKDF(algorithm=hashes.SHA256(), length=length, salt=None, info=info).derive(secret)


def prg_uint32(seed: bytes, count: int) -> np.ndarray:
    """``count`` uint32 words of the AES-128-CTR keystream under ``seed`` (counter block starting at zero),
    read little-endian: the mask expansion.

    >>> prg_uint32(bytes(16), 2).tolist()
    [3561744742, 992774895]
    """
    if len(seed) != SEED_BYTES:
        raise SecAggError("EMALFORMED", f"a mask seed has {SEED_BYTES} bytes, got {len(seed)}")
    encryptor = Cipher(algorithms.AES(seed), modes.CTR(bytes(16))).encryptor()
    stream = encryptor.update(bytes(4 * count)) + encryptor.finalize()
    return np.frombuffer(stream, dtype="<u4").astype(np.uint32)


def seal(key: bytes, plaintext: bytes, associated: bytes, nonce: bytes | None = None) -> bytes:
    """AES-GCM: nonce (12 bytes) || ciphertext || tag. ``nonce`` is random unless given (test vectors)."""
    nonce = os.urandom(NONCE_BYTES) if nonce is None else nonce
    return nonce + AESGCM(key).encrypt(nonce, plaintext, associated)


def open_sealed(key: bytes, blob: bytes, associated: bytes, what: str) -> bytes:
    """Decrypts a :func:`seal` blob; a garbled, truncated or misrouted one raises ``SecAggError``."""
    if len(blob) < NONCE_BYTES + 16:
        raise SecAggError("EMALFORMED", f"{what}: ciphertext of {len(blob)} bytes is too short")
    try:
        return AESGCM(key).decrypt(blob[:NONCE_BYTES], blob[NONCE_BYTES:], associated)
    except InvalidTag as exc:
        raise SecAggError("EMALFORMED", f"{what}: ciphertext does not authenticate (garbled, tampered "
                                        "with or not meant for this client and round)") from exc
