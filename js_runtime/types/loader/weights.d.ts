/**
 * Reads every shard and checks its size; the SHA-256 of each runs in the background (WebCrypto hashes
 * off the main thread) while the next shard is read and, in `loadModel`, while the tensors are read.
 * `verified` settles once every checksum is checked: await it before reporting anything about the
 * weights (a corrupted shard explains any later error) and before using them.
 * @param {Source} source
 * @param {Manifest['weights']['shards']} shards
 * @param {{signal?: AbortSignal, onBytes: (file: string, bytes: number) => void}} options
 * @returns {Promise<{data: Uint8Array, verified: Promise<void>}>} the concatenated weight data
 */
export function readShards(source: Source, shards: Manifest["weights"]["shards"], { signal, onBytes }: {
    signal?: AbortSignal;
    onBytes: (file: string, bytes: number) => void;
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
export type Manifest = import("./manifest.js").Manifest;
export type TensorJson = import("./manifest.js").TensorJson;
export type Source = import("./source.js").Source;
export type View = import("../backends/interface.js").View;
