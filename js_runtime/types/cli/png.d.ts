/**
 * Decodes PNG bytes into 8-bit pixels, row-major, interleaved channels.
 * @param {Uint8Array} bytes
 * @param {string} [name] the file name, for messages
 * @returns {{width: number, height: number, channels: number, data: Uint8Array}}
 */
export function decodePng(bytes: Uint8Array, name?: string): {
    width: number;
    height: number;
    channels: number;
    data: Uint8Array;
};
/**
 * Pixels converted to `channels` (1: greyscale with the ITU-R 601 luma weights; 3: RGB), alpha dropped.
 * @param {{width: number, height: number, channels: number, data: Uint8Array}} image
 * @param {number} channels 1 or 3
 * @returns {Float32Array} height x width x channels values in [0, 255]
 */
export function toChannels(image: {
    width: number;
    height: number;
    channels: number;
    data: Uint8Array;
}, channels: number): Float32Array;
