/**
 * The bundle's self-test: a tiny input with the output the numpy reference computed, run on the
 * chosen backend at load. Elementwise |got - expected| <= atol + rtol * |expected| (NaN must be NaN).
 * @module
 */

import { WebgradError } from './errors.js';
import { Tensor } from './tensor.js';
import { decodeEncoded } from './loader/encoded.js';

/** @typedef {import('./loader/manifest.js').Manifest} Manifest */
/** @typedef {{maxError: number, tolerance: {rtol: number, atol: number}}} SelftestResult */

/**
 * The self-test's inputs, decoded.
 * @param {Manifest['selftest']} test
 * @returns {Tensor[]}
 */
export function selftestInputs(test) {
  return test.inputs.map((t) => new Tensor(decodeEncoded(t, `selftest input '${t.name}'`), t.shape, t.dtype));
}

/**
 * Checks what a backend computed from {@link selftestInputs} (outputs readable with `dataSync`);
 * returns the largest difference, or throws ESELFTEST naming the backend, output, element, the max
 * difference and the tolerance.
 * @param {Manifest['selftest']} test
 * @param {Tensor[]} outputs
 * @param {string} backend
 * @param {string} where
 * @returns {SelftestResult}
 */
export function checkSelftest(test, outputs, backend, where) {
  const { rtol, atol } = test.tolerance;
  let maxError = 0;
  test.outputs.forEach((t, k) => {
    const want = decodeEncoded(t, `selftest output '${t.name}'`);
    const got = outputs[k].dataSync();
    let over = 0;
    let first = -1;
    for (let i = 0; i < want.length; i++) {
      const w = want[i];
      const g = got[i];
      const err = Number.isNaN(w) && Number.isNaN(g) ? 0 : Number.isNaN(g - w) ? Infinity : Math.abs(g - w);
      if (err > maxError) maxError = err;
      if (err > atol + rtol * Math.abs(w)) {
        over++;
        if (first < 0) first = i;
      }
    }
    if (over) {
      throw new WebgradError(
        'ESELFTEST',
        `${where}: selftest failed on backend '${backend}': output '${t.name}' element ${first} is ${got[first]}, expected ${want[first]}; max difference ${maxError} exceeds the tolerance |error| <= ${atol} + ${rtol} * |expected| (${over} elements over)`,
      );
    }
  });
  return { maxError, tolerance: { rtol, atol } };
}
