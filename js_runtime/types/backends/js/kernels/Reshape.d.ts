/** Reshape (row-major): the data are copied unchanged; the shape comes from the shape rule. */
export const Reshape: typeof copyKernel;
import { copyKernel } from './_copy.js';
