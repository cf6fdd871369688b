/**
 * The global model of a federated run on the client. The first task's version is read whole (model.json
 * and shards) and loaded for training; every later version has the same graph (`docs/federated_protocol.md`:
 * a version only replaces the trainable weights), so only its `trainable.bin` is read — the trainable
 * weights in the update vector's layout — and set into the model already loaded: nothing is rebuilt,
 * and a version the client already holds is not read again. Published versions are immutable, so a
 * browser's HTTP cache (ETag, `immutable`) serves a file read twice.
 * @module
 */

import { WebgradError } from '../errors.js';
import { loadModel } from '../load.js';
import { parseManifest } from '../loader/manifest.js';

/** @typedef {import('../model.js').Model} Model */
/** @typedef {import('./protocol.js').Protocol} Protocol */

/** The global model a client trains, kept across rounds. */
export class GlobalModel {
  /** @param {{backend?: string}} options the backend `loadModel` picks from */
  constructor({ backend }) {
    this.backend = backend;
    /** @type {Model | null} */
    this.model = null;
    /** @type {number | null} the version the model holds */
    this.version = null;
    /** @type {string[]} the bundle's `training.trainable`: the update vector's order */
    this.trainable = [];
    /** Whether the last `use` kept the model already loaded (rather than loading the bundle). */
    this.reused = false;
  }

  /**
   * The model holding `version`, read from `bundleUrl` unless already held.
   * @param {Protocol} proto
   * @param {number} version
   * @param {string} bundleUrl the version's directory, as the task gives it
   * @returns {Promise<Model>}
   */
  async use(proto, version, bundleUrl) {
    const dir = proto.url(bundleUrl.endsWith('/') ? bundleUrl : `${bundleUrl}/`);
    this.reused = Boolean(this.model);
    if (this.model && this.version !== version) {
      const url = new URL('trainable.bin', dir);
      const bytes = await proto.file(url);
      if (!bytes)
        throw new WebgradError('EFETCH', `${url.href}: missing (the trainable weights of version ${version})`);
      this.#setTrainable(bytes, url.href);
    } else if (!this.model) {
      this.model = await this.#load(proto, dir, version);
    }
    this.version = version;
    return /** @type {Model} */ (this.model);
  }

  /**
   * Reads a version's bundle whole and loads it for training.
   * @param {Protocol} proto @param {URL} dir @param {number} version
   */
  async #load(proto, dir, version) {
    const where = new URL('model.json', dir).href;
    const json = await proto.file(new URL('model.json', dir));
    if (!json) throw new WebgradError('EMODEL_MISSING', `${where}: missing model.json of global version ${version}`);
    const manifest = /** @type {any} */ (parseManifest(json, where));
    /** @type {Map<string, Uint8Array>} */
    const files = new Map([['model.json', json]]);
    for (const s of manifest.weights?.shards ?? []) {
      const bytes = await proto.file(new URL(String(s.file), dir));
      if (bytes) files.set(String(s.file), bytes); // a missing shard: the loader says so (ESHARD_MISSING)
    }
    const model = await loadModel(files, { trainable: true, backend: this.backend, signal: proto.signal });
    this.trainable = [...manifest.training.trainable];
    return model;
  }

  /**
   * Sets the trainable weights from a `trainable.bin` (float32 little-endian, `training.trainable` order).
   * @param {Uint8Array} bytes @param {string} where
   */
  #setTrainable(bytes, where) {
    const model = /** @type {Model} */ (this.model);
    const current = model.getWeights();
    const n = this.trainable.reduce((s, name) => s + current[name].length, 0);
    if (bytes.byteLength !== 4 * n)
      throw new WebgradError('ESHAPE', `${where}: ${bytes.byteLength} bytes, expected ${4 * n} (${n} float32 values)`);
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    /** @type {Record<string, Float32Array>} */
    const values = {};
    let at = 0;
    for (const name of this.trainable) {
      const w = new Float32Array(current[name].length);
      for (let i = 0; i < w.length; i++) w[i] = view.getFloat32(4 * (at + i), true);
      for (let i = 0; i < w.length; i++)
        if (!Number.isFinite(w[i]))
          throw new WebgradError('ENONFINITE', `${where}: weight '${name}' holds ${w[i]} at ${i}`);
      values[name] = w;
      at += w.length;
    }
    model.setWeights(values);
  }

  /** Frees the model. */
  dispose() {
    this.model?.dispose();
    this.model = null;
    this.version = null;
  }
}
