/**
 * Runs the CLI with `argv` (without node and the script); returns the exit code.
 * @param {string[]} argv
 * @param {{out: (line: string) => void, err: (line: string) => void}} [io]
 * @returns {Promise<number>}
 */
export function main(argv: string[], io?: {
    out: (line: string) => void;
    err: (line: string) => void;
}): Promise<number>;
export const USAGE: "webgrad 0.1.0: run webgrad web bundles in Node.js\n\nusage:\n  webgrad predict BUNDLE INPUT [--top-k 3] [--backend auto] [--no-preprocess] [--json]\n      INPUT is .npy (float32/int32/uint8, C order), .json ({\"data\": [...], \"shape\": [...]} or nested\n      arrays) or .png (8-bit grey/RGB/RGBA, the model's size). Values are raw (e.g. pixels 0-255): the\n      bundle's preprocessing is applied unless --no-preprocess. Prints the top-k labels per example.\n  webgrad bench BUNDLE [--backend auto] [--batch 32] [--runs 50] [--warmup 10] [--json]\n      Times predict on random input: latency p50/p90/p99 and throughput.\n  webgrad backends\n      Lists the backends and whether they are available here.\n  webgrad conformance [--vectors tests/vectors] [--backend js,wasm,...] [--json]\n      Runs the op set's shared test vectors (the repository's tests/vectors/) on each backend (default:\n      every registered one) and prints the op x backend matrix of the largest error seen; exit code 1\n      when a case fails. Unavailable backends are listed as skipped, with the reason.\n";
