/**
 * What a VJP rule gets: a context that adds backward nodes to the training graph.
 * @module
 */

/** @typedef {import('../../backends/interface.js').GraphNode} GraphNode */
/** @typedef {import('../../shapes.js').Dim} Dim */

/**
 * @typedef {object} VjpContext
 * @property {(op: string, inputs: readonly string[], attrs: Record<string, unknown>, hint: string) => string} emit
 *   adds a node `op(inputs)` named `grad/<forward node>/<hint>` (made unique); returns its output tensor.
 *   Op-set attributes are defaulted; gradient ops get `attrs` as given (give them all).
 * @property {(value: number) => string} constant a float32 scalar constant (shape []), shared by value
 * @property {(tensor: string) => readonly Dim[]} shape the static shape of a forward tensor (null: dynamic)
 * @property {(g: string, from: readonly Dim[], like: string, hint: string) => string} sumTo
 *   `g` (of shape `from`) summed down to `like`'s shape: a SumTo node, or `g` itself when both shapes are
 *   static and equal
 * @property {GraphNode} node the forward node being differentiated
 */

/**
 * A VJP rule: for forward `node` and the gradient `g` of its output, the gradient tensor of each input
 * (null where `needs[k]` is false or the input has none).
 * @typedef {(ctx: VjpContext, node: GraphNode, g: string, needs: readonly boolean[]) => (string | null)[]} VjpRule
 */

export {};
