// Shared by the benchmark scripts: `--key value` / `--key=value` options into a defaults object (numbers
// stay numbers, comma lists are split by the caller with `list`), `--help` printing the script's header
// comment, and the quantile of sorted timings.

import fs from 'node:fs';
import { fileURLToPath } from 'node:url';

/**
 * Fills `defaults` from `argv` by the `keys` table (`'--runs': 'runs'`); `-h`/`--help` prints lines
 * 1..`helpLines` of the script at `scriptUrl` (its header comment) and exits.
 * @param {string[]} argv
 * @param {Record<string, any>} defaults
 * @param {Record<string, string>} keys
 * @param {string} scriptUrl the caller's import.meta.url
 * @param {number} helpLines
 */
export function parseOptions(argv, defaults, keys, scriptUrl, helpLines) {
  const o = { ...defaults };
  for (let i = 0; i < argv.length; i++) {
    const [k, v0] = argv[i].split('=', 2);
    if (k === '-h' || k === '--help') {
      const text = fs.readFileSync(fileURLToPath(scriptUrl), 'utf8').split('\n');
      console.log(text.slice(1, helpLines).join('\n'));
      process.exit(0);
    }
    if (!(k in keys)) throw new Error(`unknown option ${k}`);
    const v = v0 ?? argv[++i];
    const key = keys[k];
    o[key] = typeof o[key] === 'number' ? Number(v) : v;
  }
  return o;
}

/** The non-empty, trimmed items of a comma list. @param {unknown} s */
export const list = (s) =>
  String(s)
    .split(',')
    .map((x) => x.trim())
    .filter(Boolean);

/** The `q` quantile of ascending `sorted`, interpolated. @param {number[]} sorted @param {number} q */
export function quantile(sorted, q) {
  const i = (sorted.length - 1) * q;
  const lo = Math.floor(i);
  const hi = Math.ceil(i);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (i - lo);
}
