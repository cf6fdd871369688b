export function LayerNorm(inputs: (import("../../interface.js").View | null)[], attrs: import("../../interface.js").Attrs, output: import("../../interface.js").View): void;
export type View = import("../../interface.js").View;
