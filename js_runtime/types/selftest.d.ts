/** @typedef {import('./loader/manifest.js').Manifest} Manifest */
/** @typedef {{maxError: number, tolerance: {rtol: number, atol: number}}} SelftestResult */
/**
 * Runs the self-test with `run`; returns the largest difference, or throws ESELFTEST naming the
 * backend, output, element, the max difference and the tolerance.
 * @param {Manifest['selftest']} test
 * @param {(inputs: Tensor[]) => Tensor[]} run
 * @param {string} backend
 * @param {string} where
 * @returns {SelftestResult}
 */
export function runSelftest(test: Manifest["selftest"], run: (inputs: Tensor[]) => Tensor[], backend: string, where: string): SelftestResult;
export type Manifest = import("./loader/manifest.js").Manifest;
export type SelftestResult = {
    maxError: number;
    tolerance: {
        rtol: number;
        atol: number;
    };
};
import { Tensor } from './tensor.js';
