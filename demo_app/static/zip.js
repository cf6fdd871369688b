/**
 * A minimal zip writer (stored entries, no compression): the page hands out a fine-tuned bundle as one
 * file that unzips to a folder `loadModel(dir)` and Python's `wg.load_model(dir)` read. Float32
 * weights hardly compress, so storing them costs little and keeps this a few lines with no dependency.
 * @module
 */

/** The CRC-32 (IEEE) table, one entry per byte value. */
const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

/**
 * The CRC-32 a zip entry declares.
 * @param {Uint8Array} bytes
 * @returns {number}
 */
export function crc32(bytes) {
  let c = 0xffffffff;
  for (let i = 0; i < bytes.length; i++) c = CRC_TABLE[(c ^ bytes[i]) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

const LIMIT = 0xffffffff; // no zip64: every size and offset must fit 32 bits

/**
 * A zip archive of `files`, stored (method 0), UTF-8 names, dated 1980-01-01 (a fixed date: the same
 * files give the same bytes).
 * @param {{name: string, data: Uint8Array}[]} files
 * @returns {Uint8Array}
 */
export function storedZip(files) {
  const encoder = new TextEncoder();
  const entries = files.map(({ name, data }) => ({ name: encoder.encode(name), data, crc: crc32(data), offset: 0 }));
  const localSize = entries.reduce((n, e) => n + 30 + e.name.length + e.data.length, 0);
  const centralSize = entries.reduce((n, e) => n + 46 + e.name.length, 0);
  if (localSize + centralSize + 22 > LIMIT) throw new RangeError(`zip: ${localSize} bytes of entries, more than 4 GiB`);
  const out = new Uint8Array(localSize + centralSize + 22);
  const view = new DataView(out.buffer);
  let at = 0;
  /** Writes little-endian fields, each [byte width, value]. @param {[2 | 4, number][]} list */
  const fields = (list) => {
    for (const [width, value] of list) {
      if (width === 2) view.setUint16(at, value, true);
      else view.setUint32(at, value, true);
      at += width;
    }
  };
  const bytes = (/** @type {Uint8Array} */ b) => {
    out.set(b, at);
    at += b.length;
  };
  /**
   * Shared by the local and central headers: version needed, flags (bit 11: UTF-8 names), method
   * (stored), time, date, CRC, compressed and plain size, name length.
   * @param {(typeof entries)[number]} e
   * @returns {[2 | 4, number][]}
   */
  const common = (e) => [
    [2, 20],
    [2, 0x0800],
    [2, 0],
    [2, 0],
    [2, 0x21],
    [4, e.crc],
    [4, e.data.length],
    [4, e.data.length],
    [2, e.name.length],
  ];
  for (const e of entries) {
    e.offset = at;
    fields([[4, 0x04034b50], ...common(e), [2, 0]]); // signature, common, no extra field
    bytes(e.name);
    bytes(e.data);
  }
  const central = at;
  for (const e of entries) {
    // signature, version made by, common, then extra, comment, disk, internal and external attributes, offset
    fields([[4, 0x02014b50], [2, 20], ...common(e), [2, 0], [2, 0], [2, 0], [2, 0], [4, 0], [4, e.offset]]);
    bytes(e.name);
  }
  const n = entries.length;
  fields([
    [4, 0x06054b50],
    [2, 0],
    [2, 0],
    [2, n],
    [2, n],
    [4, at - central],
    [4, central],
    [2, 0],
  ]);
  return out;
}
