export function Slice(inputs: (import("../../interface.js").View | null)[], attrs: import("../../interface.js").Attrs, output: import("../../interface.js").View): void;
