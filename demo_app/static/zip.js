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
  const u16 = (/** @type {number} */ v) => {
    view.setUint16(at, v, true);
    at += 2;
  };
  const u32 = (/** @type {number} */ v) => {
    view.setUint32(at, v, true);
    at += 4;
  };
  /** version needed, flags (bit 11: UTF-8 names), method, time, date, crc, sizes, name length */
  const common = (/** @type {typeof entries[number]} */ e) => {
    u16(20), u16(0x0800), u16(0), u16(0), u16(0x21), u32(e.crc), u32(e.data.length), u32(e.data.length);
    u16(e.name.length);
  };
  for (const e of entries) {
    e.offset = at;
    u32(0x04034b50), common(e), u16(0);
    out.set(e.name, at), (at += e.name.length);
    out.set(e.data, at), (at += e.data.length);
  }
  const central = at;
  for (const e of entries) {
    u32(0x02014b50), u16(20), common(e);
    u16(0), u16(0), u16(0), u16(0), u32(0), u32(e.offset); // extra, comment, disk, attributes, offset
    out.set(e.name, at), (at += e.name.length);
  }
  const end = at; // read before the end record moves `at`
  u32(0x06054b50), u16(0), u16(0), u16(entries.length), u16(entries.length), u32(end - central), u32(central), u16(0);
  return out;
}
