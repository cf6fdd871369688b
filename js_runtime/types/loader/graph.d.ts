/** @typedef {import('./manifest.js').Manifest} Manifest */
/** @typedef {import('../executor.js').Graph} Graph */
/** @typedef {import('../backends/interface.js').View} View */
/** @typedef {import('../backends/interface.js').GraphNode} GraphNode */
/** @typedef {import('../shapes.js').Dim} Dim */
/**
 * Builds and checks the graph; `weights` are the loaded (float32/int32) weights.
 * @param {Manifest} m
 * @param {Map<string, View>} weights
 * @param {string} where
 * @returns {Graph}
 */
export function buildGraph(m: Manifest, weights: Map<string, View>, where: string): Graph;
/**
 * @param {readonly Dim[]} declared @param {readonly Dim[]} inferred
 */
export function compatible(declared: readonly Dim[], inferred: readonly Dim[]): boolean;
export type Manifest = import("./manifest.js").Manifest;
export type Graph = import("../executor.js").Graph;
export type View = import("../backends/interface.js").View;
export type GraphNode = import("../backends/interface.js").GraphNode;
export type Dim = import("../shapes.js").Dim;
