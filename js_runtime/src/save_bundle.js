/**
 * `saveBundle` as the package exports it: a thin entry that loads the training chunk (where the writer
 * lives, train/to_bundle.js) on first use, so that importing the package never loads training code.
 * @module
 */

/** @typedef {import('./train/to_bundle.js').BundleMap} BundleMap */

/**
 * Writes a bundle map (from `model.toBundle()`) to directory `dir` (Node.js): created if missing; a
 * directory that already holds other files than a bundle's (model.json, weights-NNN.bin) is refused with
 * EARG and left untouched. Each file is written beside and renamed into place, shards first and
 * model.json last; shards of the old bundle the new one does not list are removed.
 * @param {BundleMap} map
 * @param {string} dir
 * @returns {Promise<void>}
 * @example
 * await saveBundle(await model.toBundle(), 'bundles/mnist-finetuned');
 */
export async function saveBundle(map, dir) {
  const { saveBundle: save } = await import('./train/index.js');
  return save(map, dir);
}
