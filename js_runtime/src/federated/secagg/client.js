/**
 * The client side of secure aggregation (Bonawitz et al. 2017, semi-honest server, with dropouts), the
 * same protocol and messages as Python's `webgrad.federated.secagg.SecAggClient`
 * (docs/secure_aggregation.md): `advertise` two fresh X25519 public keys → `shareKeys` (Shamir shares of
 * the mask key and of the self-mask seed, encrypted for each peer) → `maskedInput` (the fixed-point
 * update plus pairwise masks and the self-mask) → `unmask` (the shares the server needs, never both of
 * one peer).
 * @module
 */

import { WebgradError } from '../../errors.js';
import { concatBytes, equalBytes, fromBase64, toBase64, utf8 } from './bytes.js';
import { checkConfig } from './config.js';
import { PROTOCOL, SEED_BYTES, agree, hkdf, openSealed, pairInfo, prgUint32, seal, x25519KeyPair } from './crypto.js';
import { addInPlace, encodeUpdate } from './encoding.js';
import { secaggError } from './errors.js';
import * as shamir from './shamir.js';

/**
 * @typedef {{c: Uint8Array, s: Uint8Array}} PeerKeys raw X25519 public keys of a peer
 * @typedef {{c?: Uint8Array, s?: Uint8Array, b?: Uint8Array}} TestSecrets fixed private keys (32 bytes)
 *   and self-mask seed (16 bytes), for test vectors only
 */

/**
 * Adds the self-mask PRG(b) and, for each peer j, +PRG(seed_ij) if `clientId < j` else -PRG(seed_ij),
 * to `words` (in place, mod 2^32). Exported for the test vectors.
 * @param {Uint32Array} words
 * @param {string} clientId
 * @param {CryptoKey} sPrivate
 * @param {Record<string, Uint8Array>} peers id -> s public key
 * @param {number} round
 * @param {Uint8Array} selfSeed
 */
export async function addMasks(words, clientId, sPrivate, peers, round, selfSeed) {
  addInPlace(words, await prgUint32(selfSeed, words.length), 1);
  for (const peer of Object.keys(peers).sort()) {
    const seed = await hkdf(await agree(sPrivate, peers[peer]), pairInfo('mask', round, clientId, peer));
    addInPlace(words, await prgUint32(seed, words.length), clientId < peer ? 1 : -1);
  }
  return words;
}

/**
 * @param {number} round
 * @param {string} sender
 * @param {string} recipient
 */
const shareAad = (round, sender, recipient) => utf8(`${PROTOCOL}|share|${round}|${sender}|${recipient}`);

/**
 * @param {any} msg
 * @param {string} name
 * @param {string} type 'object', 'string', 'number' or 'array'
 * @param {string} what
 */
function field(msg, name, type, what) {
  const v = msg && typeof msg === 'object' ? msg[name] : undefined;
  const ok = type === 'array' ? Array.isArray(v) : typeof v === type && v !== null && !Array.isArray(v);
  if (!ok) throw secaggError('EMALFORMED', `${what}: expected a field '${name}' of type ${type}`);
  return v;
}

/**
 * One client's state for one secure-aggregation round.
 *
 * ```js
 * const client = new SecAggClient(clientId, task.secagg);
 * post('advertise', await client.advertise());
 * post('shares', await client.shareKeys(await get('roster')));
 * const masked = await client.maskedInput(update, numExamples, await get('inbox')); // base64
 * const { survivors, dropped } = await get('unmask');
 * post('unmask', await client.unmask(survivors, dropped));
 * ```
 */
export class SecAggClient {
  /**
   * @param {string} clientId
   * @param {import('./config.js').RoundConfig} config the server's round config
   * @param {{testSecrets?: TestSecrets}} [options] `testSecrets`: test vectors only, never in production
   */
  constructor(clientId, config, options = {}) {
    this.config = checkConfig(config);
    if (!this.config.clientIds.includes(clientId)) {
      throw new WebgradError('EARG', `clientId: '${clientId}' is not a participant of round ${this.config.round}`);
    }
    this.clientId = clientId;
    /** how many coordinates of weight * update the clip range changed */
    this.clipped = 0;
    /** @private */
    this.testSecrets = options.testSecrets ?? {};
    /** @private @type {{c: import('./crypto.js').KeyPair, s: import('./crypto.js').KeyPair, b: Uint8Array} | null} */
    this.secrets = null;
    /** @private @type {Record<string, PeerKeys> | null} */
    this.roster = null;
    /** @private @type {Map<string, {s: bigint, b: bigint}>} sender -> the shares of its secrets held here */
    this.held = new Map();
    /** @private @type {string[] | null} the clients whose masks are in this client's input */
    this.group = null;
    /** @private */
    this.revealedB = new Set();
    /** @private */
    this.revealedS = new Set();
  }

  /** @private */
  async keys() {
    if (!this.secrets) {
      const t = this.testSecrets;
      this.secrets = {
        c: await x25519KeyPair(t.c),
        s: await x25519KeyPair(t.s),
        b: t.b ?? globalThis.crypto.getRandomValues(new Uint8Array(SEED_BYTES)),
      };
    }
    return this.secrets;
  }

  /**
   * Step 1: this client's two public keys (c: share encryption, s: pairwise masks).
   * @returns {Promise<{clientId: string, round: number, cPublicKey: string, sPublicKey: string}>}
   */
  async advertise() {
    const { c, s } = await this.keys();
    return {
      clientId: this.clientId,
      round: this.config.round,
      cPublicKey: toBase64(c.publicRaw),
      sPublicKey: toBase64(s.publicRaw),
    };
  }

  /**
   * Step 2: from the server's roster, the encrypted shares of this client's s key and b seed, one
   * base64 blob per other client in the roster.
   * @param {any} roster `{round, clients: {id: {cPublicKey, sPublicKey}}}`
   * @returns {Promise<Record<string, string>>}
   */
  async shareKeys(roster) {
    const secrets = await this.keys();
    const peers = this.readRoster(roster, secrets);
    this.roster = peers;
    const ids = Object.keys(peers).sort();
    const { threshold, round, clientIds } = this.config;
    const xs = ids.map((id) => clientIds.indexOf(id) + 1);
    const sShares = shamir.split(shamir.fromBytes(secrets.s.privateRaw), threshold, xs);
    const bShares = shamir.split(shamir.fromBytes(secrets.b), threshold, xs);
    /** @type {Record<string, string>} */
    const out = {};
    for (const [k, peer] of ids.entries()) {
      if (peer === this.clientId) {
        this.held.set(peer, { s: sShares[k], b: bShares[k] });
        continue;
      }
      const key = await hkdf(
        await agree(secrets.c.privateKey, peers[peer].c),
        pairInfo('share', round, this.clientId, peer),
      );
      const plain = concatBytes(shamir.toBytes(sShares[k]), shamir.toBytes(bShares[k]));
      out[peer] = toBase64(await seal(key, plain, shareAad(round, this.clientId, peer)));
    }
    return out;
  }

  /**
   * Step 3: decrypts the shares in `inbox` (the server's inbox for this client), then returns the
   * masked fixed-point vector (`length + 1` uint32 little-endian words) in base64.
   * @param {Float32Array} update
   * @param {number} weight the example count, an integer in [0, config.maxWeight]
   * @param {any} inbox `{round, shares: {senderId: blob}}`
   * @returns {Promise<string>}
   */
  async maskedInput(update, weight, inbox) {
    const secrets = await this.keys();
    if (!this.roster) throw secaggError('ESTATE', 'maskedInput: call shareKeys(roster) first');
    if (this.group) throw secaggError('EDUPLICATE', 'maskedInput: this client already sent its masked input');
    const { round, threshold, length, maxWeight } = this.config;
    this.checkRound(inbox, 'inbox');
    const shares = field(inbox, 'shares', 'object', 'inbox');
    const half = shamir.ELEMENT_BYTES;
    for (const [sender, blob] of Object.entries(shares)) {
      if (sender === this.clientId || !(sender in this.roster)) {
        throw secaggError('EMALFORMED', `inbox: a share from '${sender}', who is not a peer in the roster`);
      }
      const what = `share from '${sender}' to '${this.clientId}'`;
      const key = await hkdf(
        await agree(secrets.c.privateKey, this.roster[sender].c),
        pairInfo('share', round, sender, this.clientId),
      );
      const plain = await openSealed(key, fromBase64(blob, what), shareAad(round, sender, this.clientId), what);
      const s = shamir.fromBytes(plain.subarray(0, half));
      const b = shamir.fromBytes(plain.subarray(half));
      if (plain.length !== 2 * half || s >= shamir.PRIME || b >= shamir.PRIME) {
        throw secaggError('EMALFORMED', `${what}: not a pair of field elements`);
      }
      this.held.set(sender, { s, b });
    }
    const group = [...new Set([...Object.keys(shares), this.clientId])].sort();
    if (group.length < threshold) {
      throw secaggError(
        'ESTATE',
        `maskedInput: ${group.length} clients shared keys in round ${round}, fewer than the threshold ${threshold}`,
      );
    }
    if (!(update instanceof Float32Array) || update.length !== length) {
      throw secaggError('ESHAPE', `update: expected a Float32Array of length ${length}`);
    }
    if (!update.every(Number.isFinite)) throw new WebgradError('ENONFINITE', 'update: contains NaN or Inf');
    if (!Number.isInteger(weight) || weight < 0 || weight > maxWeight) {
      throw new WebgradError('EARG', `weight: expected an integer example count in [0, ${maxWeight}], got ${weight}`);
    }
    const { words, clipped } = encodeUpdate(update, weight, this.config);
    this.clipped = clipped;
    /** @type {Record<string, Uint8Array>} */
    const peers = {};
    for (const id of group) if (id !== this.clientId) peers[id] = this.roster[id].s;
    await addMasks(words, this.clientId, secrets.s.privateKey, peers, round, secrets.b);
    this.group = group;
    const bytes = new Uint8Array(4 * words.length);
    const view = new DataView(bytes.buffer);
    for (let i = 0; i < words.length; i++) view.setUint32(4 * i, words[i], true);
    return toBase64(bytes);
  }

  /**
   * Step 4: shares of the self-mask seed of each survivor and of the mask key of each dropped client.
   * Refuses (`ESECAGG`, kind `ESTATE`) to give both shares of one client, now or across calls, and a
   * request with fewer survivors than the threshold.
   * @param {string[]} survivors
   * @param {string[]} dropped
   */
  async unmask(survivors, dropped) {
    if (!this.group) throw secaggError('ESTATE', 'unmask: call maskedInput first');
    for (const [name, list] of Object.entries({ survivors, dropped })) {
      if (!Array.isArray(list) || !list.every((c) => typeof c === 'string') || new Set(list).size !== list.length) {
        throw secaggError('EMALFORMED', `unmask: '${name}' must be a list of distinct client ids`);
      }
    }
    const both = [
      ...survivors.filter((c) => dropped.includes(c) || this.revealedS.has(c)),
      ...dropped.filter((c) => this.revealedB.has(c)),
    ];
    if (both.length) {
      throw secaggError(
        'ESTATE',
        `unmask: refused, asked for both the self-mask share and the mask-key share of ${JSON.stringify([...new Set(both)].sort())} (that would reveal their update)`,
      );
    }
    const group = this.group;
    const unknown = [...survivors, ...dropped].filter((c) => !group.includes(c));
    if (unknown.length)
      throw secaggError('ESTATE', `unmask: ${JSON.stringify(unknown)} did not share keys with this client`);
    if (!survivors.includes(this.clientId)) {
      throw secaggError('ESTATE', `unmask: this client ('${this.clientId}') is not among the survivors`);
    }
    if (survivors.length < this.config.threshold) {
      throw secaggError(
        'ESTATE',
        `unmask: ${survivors.length} survivors, fewer than the threshold ${this.config.threshold}`,
      );
    }
    for (const c of survivors) this.revealedB.add(c);
    for (const c of dropped) this.revealedS.add(c);
    const pick = (/** @type {string[]} */ ids, /** @type {'s' | 'b'} */ which) =>
      Object.fromEntries(
        ids.map((c) => [c, toBase64(shamir.toBytes(/** @type {{s: bigint, b: bigint}} */ (this.held.get(c))[which]))]),
      );
    return {
      clientId: this.clientId,
      round: this.config.round,
      bShares: pick(survivors, 'b'),
      sShares: pick(dropped, 's'),
    };
  }

  /**
   * @private
   * @param {any} msg
   * @param {string} what
   */
  checkRound(msg, what) {
    const got = field(msg, 'round', 'number', what);
    if (got !== this.config.round) throw secaggError('EROUND', `${what}: round ${got}, expected ${this.config.round}`);
  }

  /**
   * @private
   * @param {any} roster
   * @param {{c: import('./crypto.js').KeyPair, s: import('./crypto.js').KeyPair}} own
   * @returns {Record<string, PeerKeys>}
   */
  readRoster(roster, own) {
    this.checkRound(roster, 'roster');
    const clients = field(roster, 'clients', 'object', 'roster');
    /** @type {Record<string, PeerKeys>} */
    const out = {};
    for (const [id, keys] of Object.entries(clients)) {
      if (!this.config.clientIds.includes(id)) {
        throw secaggError('EAUTH', `roster: '${id}' is not a participant of round ${this.config.round}`);
      }
      const key = (/** @type {string} */ name) => {
        const raw = fromBase64(
          field(keys, name, 'string', `roster entry of '${id}'`),
          `roster entry of '${id}' ${name}`,
        );
        if (raw.length !== 32)
          throw secaggError('EMALFORMED', `roster entry of '${id}': ${name} has ${raw.length} bytes, expected 32`);
        return raw;
      };
      out[id] = { c: key('cPublicKey'), s: key('sPublicKey') };
    }
    const mine = out[this.clientId];
    if (!mine || !equalBytes(mine.c, own.c.publicRaw) || !equalBytes(mine.s, own.s.publicRaw)) {
      throw secaggError('EMALFORMED', `roster: does not hold this client's ('${this.clientId}') keys`);
    }
    const n = Object.keys(out).length;
    if (n < this.config.threshold) {
      throw secaggError('ESTATE', `roster: ${n} clients, fewer than the threshold ${this.config.threshold}`);
    }
    return out;
  }
}
