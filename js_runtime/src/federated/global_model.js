/**
 * The global model of a federated run on the client: each round's version is read from the server (its
 * model.json and shards, immutable per version) and loaded for training once; a later version with the
 * same graph (same ops, signature, loss graph, trainable list and weight table: only the values differ)
 * does not rebuild anything — its shards are read, checksummed, and its trainable weights set into the
 * model already loaded. A version the client already holds is not read again.
 * @module
 */

import { WebgradError } from '../errors.js';
import { loadModel } from '../load.js';
import { resolveSource } from '../loader/source.js';
import { checkStructure, checkVersions, parseManifest } from '../loader/manifest.js';
import { readShards, readTensors } from '../loader/weights.js';

/** @typedef {import('../model.js').Model} Model */
/** @typedef {import('./protocol.js').Protocol} Protocol */

/**
 * What must be equal for a new version's weights to be set into the model already loaded.
 * @param {Record<string, any>} m a parsed model.json
 */
function graphKey(m) {
  const t = m.training ?? {};
  return JSON.stringify([
    m.formatVersion,
    m.opsetVersion,
    m.signature,
    m.graph,
    t.trainable,
    t.lossGraph,
    t.labels,
    t.loss,
    t.dropout,
    t.batchNorm,
    (m.weights?.tensors ?? []).map((/** @type {any} */ w) => [w.name, w.dtype, w.shape, w.quantization ?? null]),
  ]);
}

/** The global model a client trains, kept across rounds. */
export class GlobalModel {
  /** @param {{backend?: string}} options the backend `loadModel` picks from */
  constructor({ backend }) {
    this.backend = backend;
    /** @type {Model | null} */
    this.model = null;
    /** @type {number | null} the version the model holds */
    this.version = null;
    /** @type {string | null} */
    this.key = null;
    /** @type {string[]} the bundle's `training.trainable`: the update vector's order */
    this.trainable = [];
    /** Whether the last `use` set weights into the model already loaded (rather than loading it). */
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
    this.reused = false;
    if (this.model && this.version === version) {
      this.reused = true;
      return this.model;
    }
    const dir = proto.url(bundleUrl.endsWith('/') ? bundleUrl : `${bundleUrl}/`);
    const where = new URL('model.json', dir).href;
    const json = await proto.file(new URL('model.json', dir));
    if (!json) throw new WebgradError('EMODEL_MISSING', `${where}: missing model.json of global version ${version}`);
    const raw = parseManifest(json, where);
    checkVersions(raw, where);
    const manifest = checkStructure(raw, where);
    /** @type {Map<string, Uint8Array>} */
    const files = new Map([['model.json', json]]);
    for (const s of manifest.weights.shards) {
      const bytes = await proto.file(new URL(s.file, dir));
      if (bytes) files.set(s.file, bytes); // a missing shard: the reader says so (ESHARD_MISSING)
    }
    const key = graphKey(raw);
    if (this.model && key === this.key) {
      const src = resolveSource(files);
      const { data, verified } = await readShards(src, manifest.weights.shards, { onBytes: () => {} });
      await verified;
      const tensors = readTensors(manifest.weights.tensors, data, where);
      /** @type {Record<string, Float32Array>} */
      const values = {};
      for (const name of this.trainable) values[name] = /** @type {Float32Array} */ (tensors.get(name)?.data);
      this.model.setWeights(values);
      this.reused = true;
    } else {
      this.dispose();
      this.model = await loadModel(files, { trainable: true, backend: this.backend, signal: proto.signal });
      this.trainable = [...(manifest.training?.trainable ?? [])];
    }
    this.version = version;
    this.key = key;
    return /** @type {Model} */ (this.model);
  }

  /** Frees the model. */
  dispose() {
    this.model?.dispose();
    this.model = null;
    this.version = null;
    this.key = null;
  }
}
