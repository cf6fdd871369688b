/**
 * Named uniforms: a program declares its shader's `Params` as `[name, type, value]` triples in the
 * struct's member order; they are checked against the layout `webgpu_shaders/build.py` parsed from the
 * rendered shader (`PARAMS` in shaders.generated.js: name, WGSL type, byte offset per member) and
 * written at those offsets. So a swapped, missing, extra or mistyped field fails at once, naming the
 * program, the shader and the fields, instead of showing up as a wrong number. Members named `_*` are
 * padding: programs leave them out and they stay 0.
 * @module
 */
import { WebgradError } from '../../../errors.js';
import { PARAMS } from '../shaders.generated.js';

/** @typedef {'u32' | 'i32' | 'f32' | 'vec4<u32>' | 'vec4<i32>'} UniformType */
/**
 * One named uniform: a scalar, or a `vec4` given as up to 4 entries (the rest are 0).
 * @typedef {readonly [string, 'u32' | 'i32' | 'f32', number] | readonly [string, 'vec4<u32>' | 'vec4<i32>', readonly number[]]} Uniform
 */
/**
 * A shader's `struct Params` as the build parsed it: members `[name, type, byte offset]` in order, and
 * the buffer's byte size (padded to 16).
 * @typedef {{size: number, fields: readonly (readonly [string, UniformType, number])[]}} ParamsLayout
 */
/** @typedef {import('./_types.js').Program} Program */
/** @typedef {import('./_types.js').PackedProgram} PackedProgram */

/** Integer range per integer type (vec4 entries take their component's). */
const RANGE = /** @type {Record<UniformType, [number, number] | null>} */ ({
  u32: [0, 2 ** 32 - 1],
  i32: [-(2 ** 31), 2 ** 31 - 1],
  f32: null,
  'vec4<u32>': [0, 2 ** 32 - 1],
  'vec4<i32>': [-(2 ** 31), 2 ** 31 - 1],
});

/**
 * The two `vec4<u32>` members `<name>_lo`, `<name>_hi` holding a rank-8 vector (shape, strides) that
 * the shaders read through `at8`.
 * @param {string} name the members' common prefix
 * @param {readonly number[]} v at most 8 entries; the rest are 0
 * @returns {Uniform[]}
 */
export function vec8(name, v) {
  if (v.length > 8) throw new RangeError(`vec8 ${name}: at most 8 entries, got ${v.length}`);
  return [
    [`${name}_lo`, 'vec4<u32>', v.slice(0, 4)],
    [`${name}_hi`, 'vec4<u32>', v.slice(4, 8)],
  ];
}

/**
 * Throws EBACKEND unless `uniforms` declare exactly the non-padding members of `layout`, in order, with
 * their types, and every value fits its type. The message names the program, the shader and the fields.
 * @param {ParamsLayout | undefined} layout
 * @param {readonly Uniform[]} uniforms
 * @param {{program: string, shader: string}} where
 */
export function checkUniforms(layout, uniforms, { program, shader }) {
  const fail = (/** @type {string} */ why) =>
    new WebgradError(
      'EBACKEND',
      `webgpu: the uniforms of program '${program}' (programs/${program}.js) do not match struct Params of shader '${shader}': ${why}`,
    );
  if (!layout)
    throw fail('the shader has no Params layout in shaders.generated.js (run python webgpu_shaders/build.py)');
  const want = layout.fields.filter(([name]) => !name.startsWith('_'));
  const order = `Params declares ${want.map(([n, t]) => `${n}: ${t}`).join(', ')}`;
  const declared = uniforms.map(([name]) => name);
  for (let i = 0; i < Math.max(want.length, uniforms.length); i++) {
    const got = uniforms[i];
    const field = want[i];
    if (!got) throw fail(`'${field[0]}' (${field[1]}) is not declared; ${order}`);
    if (!field) throw fail(`'${got[0]}' is declared but Params has no such member; ${order}`);
    if (got[0] === field[0]) continue;
    const wantAt = want.findIndex(([n]) => n === got[0]);
    if (wantAt < 0)
      throw fail(`'${got[0]}' is declared but Params has no such member (it has '${field[0]}' there); ${order}`);
    if (!declared.includes(field[0]))
      throw fail(`'${field[0]}' (${field[1]}) is not declared ('${got[0]}' is declared in its place); ${order}`);
    throw fail(
      `fields '${got[0]}' and '${field[0]}' are out of order ('${got[0]}' is declared where Params has '${field[0]}'); ${order}`,
    );
  }
  uniforms.forEach(([name, type, value], i) => {
    const wantType = want[i][1];
    if (type !== wantType) throw fail(`'${name}' is declared ${type} but Params has it as ${wantType}`);
    const range = RANGE[type];
    const entries = type.startsWith('vec4') ? value : [value];
    if (!Array.isArray(entries) || entries.length > 4)
      throw fail(`'${name}' (${type}) needs a number or, for a vec4, up to 4 numbers; got ${JSON.stringify(value)}`);
    for (const e of entries) {
      const ok = typeof e === 'number' && (range ? Number.isInteger(e) && e >= range[0] && e <= range[1] : true);
      if (!ok) throw fail(`'${name}' = ${JSON.stringify(value)} does not fit ${type}`);
    }
  });
}

/**
 * `Params` as bytes: each uniform at its member's offset (little-endian), padding members 0. Checks
 * first (`checkUniforms`).
 * @param {ParamsLayout | undefined} layout
 * @param {readonly Uniform[]} uniforms
 * @param {{program: string, shader: string}} where naming the program and shader in errors
 * @returns {ArrayBuffer}
 */
export function packUniforms(layout, uniforms, where) {
  checkUniforms(layout, uniforms, where);
  const { size, fields } = /** @type {ParamsLayout} */ (layout);
  const offsets = new Map(fields.map(([name, , offset]) => [name, offset]));
  const buffer = new ArrayBuffer(size);
  const view = new DataView(buffer);
  for (const [name, type, value] of uniforms) {
    const at = /** @type {number} */ (offsets.get(name));
    const entries = /** @type {readonly number[]} */ (type.startsWith('vec4') ? value : [value]);
    entries.forEach((e, k) => {
      if (type === 'f32') view.setFloat32(at, e, true);
      else if (type === 'u32' || type === 'vec4<u32>') view.setUint32(at + 4 * k, e, true);
      else view.setInt32(at + 4 * k, e, true);
    });
  }
  return buffer;
}

/**
 * The program the runtime calls: `program`'s passes with their named uniforms packed by the layout of
 * each pass's shader (checked on every call, i.e. once per plan).
 * @param {string} op the op, naming the program in errors
 * @param {Program} program
 * @param {Readonly<Record<string, ParamsLayout>>} [layouts] the layouts by shader key (default: PARAMS)
 * @returns {PackedProgram}
 */
export function packedProgram(op, program, layouts = PARAMS) {
  const layoutOf = (/** @type {string} */ key) =>
    Object.prototype.hasOwnProperty.call(layouts, key) ? layouts[key] : undefined;
  return (args) =>
    program(args).map((p) => ({
      ...p,
      uniforms: packUniforms(layoutOf(p.shader), p.uniforms, { program: op, shader: p.shader }),
    }));
}
