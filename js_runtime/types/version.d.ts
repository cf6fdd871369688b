/** The version of this package (tests/node/package.test.mjs checks it matches package.json). */
export const VERSION: "0.1.0";
