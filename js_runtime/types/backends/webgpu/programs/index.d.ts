/** @type {Readonly<Record<string, import('./_types.js').Program>>} */
export const PROGRAMS: Readonly<Record<string, import("./_types.js").Program>>;
