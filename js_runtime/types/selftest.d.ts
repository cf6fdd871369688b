/** @typedef {import('./loader/manifest.js').Manifest} Manifest */
/** @typedef {{maxError: number, tolerance: {rtol: number, atol: number}}} SelftestResult */
/**
 * The self-test's inputs, decoded.
 * @param {Manifest['selftest']} test
 * @returns {Tensor[]}
 */
export function selftestInputs(test: Manifest["selftest"]): Tensor[];
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
export function checkSelftest(test: Manifest["selftest"], outputs: Tensor[], backend: string, where: string): SelftestResult;
export type Manifest = import("./loader/manifest.js").Manifest;
export type SelftestResult = {
    maxError: number;
    tolerance: {
        rtol: number;
        atol: number;
    };
};
import { Tensor } from './tensor.js';
