/**
 * The Source for what `loadModel` was given.
 * @param {BundleSource} source
 * @returns {Source}
 */
export function resolveSource(source: BundleSource): Source;
export type ReadOptions = {
    signal?: AbortSignal | undefined;
    /**
     * called with the size of each chunk read
     */
    onBytes?: ((bytes: number) => void) | undefined;
};
export type Source = {
    /**
     * the file's full path or URL, for messages
     */
    describe: (file: string) => string;
    /**
     * its bytes, or null if missing
     */
    read: (file: string, options: ReadOptions) => Promise<Uint8Array | null>;
};
export type BundleSource = string | URL | Record<string, unknown> | Map<string, unknown>;
