/**
 * The complementary error function, relative error below 1e-13 over the whole real line: the Taylor
 * series of erf for |x| < 2, a continued fraction (evaluated backwards) for |x| >= 2.
 * @param {number} x
 */
export function erfc(x: number): number;
/** x * Phi(x), exact erf form; Gelu(-Inf) = 0. @param {number} v */
export function gelu(v: number): number;
/** 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))) = x * sigmoid(2u). @param {number} v */
export function geluTanh(v: number): number;
/**
 * Adds `bias` (when given) to `acc[0..n)` and applies activation `name`, writing into `out` from `at`.
 * The epilogue of MatMul and Conv2D.
 * @param {Float64Array} acc
 * @param {number} n
 * @param {Float32Array | null} bias
 * @param {number} biasAt offset into bias
 * @param {import('../../../dtypes.js').TypedArray} out
 * @param {number} at
 * @param {string} name one of the op set's activations
 * @param {number} alpha leaky_relu slope
 */
export function epilogue(acc: Float64Array, n: number, bias: Float32Array | null, biasAt: number, out: import("../../../dtypes.js").TypedArray, at: number, name: string, alpha: number): void;
export function relu(v: number): number;
export function relu6(v: number): number;
export function leakyRelu(v: number, alpha: number): number;
export function sigmoid(v: number): number;
export function tanh(v: number): number;
