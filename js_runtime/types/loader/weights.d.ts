/**
 * @typedef {object} EarlyShard
 * @property {string} file
 * @property {Promise<Uint8Array | null>} result the bytes, or null if the read failed or found nothing
 * @property {(onBytes: (bytes: number) => void) => void} follow reports the chunks read so far, then
 *   each as it arrives
 * @property {() => void} cancel stops the read (when the load fails before using it)
 */
/**
 * Starts reading the first shard before model.json is parsed, so that over a network the two requests
 * share one round trip (on a local disk it makes no measurable difference). Nothing is reported from
 * here: a failed or missing read gives null, and readShards then reads the file itself (and reports
 * what is wrong with it, in order); progress is held until readShards follows the read.
 * @param {Source} source
 * @param {AbortSignal | undefined} signal
 * @returns {EarlyShard}
 */
export function readFirstShardEarly(source: Source, signal: AbortSignal | undefined): EarlyShard;
/**
 * Reads every shard and checks its size; the SHA-256 of each runs in the background (WebCrypto hashes
 * off the main thread) while the next shard is read and, in `loadModel`, while the tensors are read.
 * `verified` settles once every checksum is checked: await it before reporting anything about the
 * weights (a corrupted shard explains any later error) and before using them.
 * @param {Source} source
 * @param {Manifest['weights']['shards']} shards
 * @param {{signal?: AbortSignal, onBytes: (file: string, bytes: number) => void, early?: EarlyShard}} options
 *   `early`: the first shard, read ahead by {@link readFirstShardEarly} (used if it is the one listed first)
 * @returns {Promise<{data: Uint8Array, verified: Promise<void>}>} the concatenated weight data
 */
export function readShards(source: Source, shards: Manifest["weights"]["shards"], { signal, onBytes, early }: {
    signal?: AbortSignal;
    onBytes: (file: string, bytes: number) => void;
    early?: EarlyShard;
}): Promise<{
    data: Uint8Array;
    verified: Promise<void>;
}>;
/**
 * Every weight as a float32 (or int32) view, by name, checked and dequantized.
 * @param {readonly TensorJson[]} tensors
 * @param {Uint8Array} data the concatenated shards (offset 0 of its own buffer)
 * @param {string} where model.json, for messages
 * @returns {Map<string, View>}
 */
export function readTensors(tensors: readonly TensorJson[], data: Uint8Array, where: string): Map<string, View>;
export type EarlyShard = {
    file: string;
    /**
     * the bytes, or null if the read failed or found nothing
     */
    result: Promise<Uint8Array | null>;
    /**
     * reports the chunks read so far, then
     * each as it arrives
     */
    follow: (onBytes: (bytes: number) => void) => void;
    /**
     * stops the read (when the load fails before using it)
     */
    cancel: () => void;
};
export type Manifest = import("./manifest.js").Manifest;
export type TensorJson = import("./manifest.js").TensorJson;
export type Source = import("./source.js").Source;
export type View = import("../backends/interface.js").View;
