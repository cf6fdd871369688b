/**
 * The cryptographic building blocks of secure aggregation through WebCrypto (`crypto.subtle`, in Node
 * 20's `globalThis.crypto` and in browsers), each byte for byte the same as Python's
 * `webgrad.federated.secagg.primitives`: X25519 (raw 32-byte keys), HKDF-SHA256 with an empty salt,
 * the mask generator (AES-128-CTR keystream from a zero counter block, read as uint32 little-endian),
 * and AES-128-GCM (12-byte nonce prepended) for the key shares.
 * @module
 */

import { concatBytes, utf8 } from './bytes.js';
import { secaggError } from './errors.js';

export const PROTOCOL = 'webgrad-secagg/1';
export const SEED_BYTES = 16;
const NONCE_BYTES = 12;
// PKCS#8 wrapping of a raw X25519 private key (RFC 8410): WebCrypto imports private keys only this way
const PKCS8_X25519 = Uint8Array.from([
  0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x6e, 0x04, 0x22, 0x04, 0x20,
]);

/**
 * The same bytes typed as WebCrypto's BufferSource (TypeScript's DOM types refuse a Uint8Array that
 * might view a SharedArrayBuffer; ours never do).
 * @param {Uint8Array} bytes
 * @returns {BufferSource}
 */
const bs = (bytes) => /** @type {BufferSource} */ (bytes);

function subtle() {
  const s = globalThis.crypto?.subtle;
  if (!s) {
    throw secaggError(
      'ESTATE',
      'WebCrypto (crypto.subtle) is not available: browsers offer it only to secure contexts (https or localhost), Node from version 20',
    );
  }
  return s;
}

/**
 * An X25519 key pair with the raw bytes of both halves (the private one is secret-shared).
 * @typedef {{privateKey: CryptoKey, privateRaw: Uint8Array, publicRaw: Uint8Array}} KeyPair
 */

/**
 * A key pair from a raw private key, or a fresh random one.
 * @param {Uint8Array} [privateRaw] 32 bytes (test vectors only)
 * @returns {Promise<KeyPair>}
 */
export async function x25519KeyPair(privateRaw) {
  let privateKey;
  try {
    if (privateRaw) {
      privateKey = await subtle().importKey(
        'pkcs8',
        bs(concatBytes(PKCS8_X25519, privateRaw)),
        { name: 'X25519' },
        true,
        ['deriveBits'],
      );
    } else {
      const pair = /** @type {CryptoKeyPair} */ (await subtle().generateKey({ name: 'X25519' }, true, ['deriveBits']));
      privateKey = pair.privateKey;
    }
  } catch (err) {
    throw secaggError('ESTATE', `this runtime's WebCrypto has no X25519 (${String(err)})`, { cause: err });
  }
  const jwk = await subtle().exportKey('jwk', privateKey);
  const b64url = (/** @type {string} */ s) =>
    Uint8Array.from(atob(s.replace(/-/g, '+').replace(/_/g, '/')), (c) => c.charCodeAt(0));
  return {
    privateKey,
    privateRaw: b64url(/** @type {string} */ (jwk.d)),
    publicRaw: b64url(/** @type {string} */ (jwk.x)),
  };
}

/**
 * X25519(private, peerPublic): the 32-byte shared secret.
 * @param {CryptoKey} privateKey
 * @param {Uint8Array} peerPublic raw 32 bytes
 * @returns {Promise<Uint8Array>}
 */
export async function agree(privateKey, peerPublic) {
  if (peerPublic.length !== 32)
    throw secaggError('EMALFORMED', `an X25519 public key has 32 bytes, got ${peerPublic.length}`);
  const pub = await subtle().importKey('raw', bs(peerPublic), { name: 'X25519' }, true, []);
  try {
    return new Uint8Array(await subtle().deriveBits({ name: 'X25519', public: pub }, privateKey, 256));
  } catch (err) {
    throw secaggError('EMALFORMED', `X25519 with a degenerate public key (${String(err)})`, { cause: err });
  }
}

/**
 * The HKDF `info` of a pair of clients: purpose, round and both ids in string order.
 * @param {string} purpose 'mask' or 'share'
 * @param {number} round
 * @param {string} a
 * @param {string} b
 */
export function pairInfo(purpose, round, a, b) {
  const [lo, hi] = a < b ? [a, b] : [b, a];
  return utf8(`${PROTOCOL}|${purpose}|${round}|${lo}|${hi}`);
}

/**
 * HKDF-SHA256 with an empty salt.
 * @param {Uint8Array} secret
 * @param {Uint8Array} info
 * @param {number} [length] bytes
 * @returns {Promise<Uint8Array>}
 */
export async function hkdf(secret, info, length = SEED_BYTES) {
  const key = await subtle().importKey('raw', bs(secret), 'HKDF', false, ['deriveBits']);
  const params = { name: 'HKDF', hash: 'SHA-256', salt: new Uint8Array(0), info: bs(info) };
  return new Uint8Array(await subtle().deriveBits(params, key, 8 * length));
}

/**
 * `count` uint32 words of the AES-128-CTR keystream under `seed` (zero counter block), little-endian.
 * @param {Uint8Array} seed 16 bytes
 * @param {number} count
 * @returns {Promise<Uint32Array>}
 */
export async function prgUint32(seed, count) {
  if (seed.length !== SEED_BYTES) throw secaggError('EMALFORMED', `a mask seed has 16 bytes, got ${seed.length}`);
  const key = await subtle().importKey('raw', bs(seed), 'AES-CTR', false, ['encrypt']);
  const params = { name: 'AES-CTR', counter: new Uint8Array(16), length: 128 };
  const stream = new Uint8Array(await subtle().encrypt(params, key, new Uint8Array(4 * count)));
  const view = new DataView(stream.buffer);
  const out = new Uint32Array(count);
  for (let i = 0; i < count; i++) out[i] = view.getUint32(4 * i, true);
  return out;
}

/**
 * AES-GCM: nonce (12 bytes) || ciphertext || tag. The nonce is random unless given (test vectors).
 * @param {Uint8Array} key
 * @param {Uint8Array} plaintext
 * @param {Uint8Array} associated
 * @param {Uint8Array} [nonce]
 */
export async function seal(key, plaintext, associated, nonce) {
  const iv = nonce ?? globalThis.crypto.getRandomValues(new Uint8Array(NONCE_BYTES));
  const k = await subtle().importKey('raw', bs(key), 'AES-GCM', false, ['encrypt']);
  const ct = await subtle().encrypt({ name: 'AES-GCM', iv: bs(iv), additionalData: bs(associated) }, k, bs(plaintext));
  return concatBytes(iv, new Uint8Array(ct));
}

/**
 * Opens a {@link seal} blob; a garbled, truncated or misrouted one throws `ESECAGG` (`EMALFORMED`).
 * @param {Uint8Array} key
 * @param {Uint8Array} blob
 * @param {Uint8Array} associated
 * @param {string} what
 */
export async function openSealed(key, blob, associated, what) {
  if (blob.length < NONCE_BYTES + 16)
    throw secaggError('EMALFORMED', `${what}: ciphertext of ${blob.length} bytes is too short`);
  const k = await subtle().importKey('raw', bs(key), 'AES-GCM', false, ['decrypt']);
  try {
    const iv = blob.subarray(0, NONCE_BYTES);
    return new Uint8Array(
      await subtle().decrypt(
        { name: 'AES-GCM', iv: bs(iv), additionalData: bs(associated) },
        k,
        bs(blob.subarray(NONCE_BYTES)),
      ),
    );
  } catch (err) {
    throw secaggError(
      'EMALFORMED',
      `${what}: ciphertext does not authenticate (garbled, tampered with or not meant for this client and round)`,
      { cause: err },
    );
  }
}
