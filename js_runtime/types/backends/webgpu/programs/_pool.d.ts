/**
 * @param {'MaxPool2D' | 'AvgPool2D'} op
 * @returns {import('./_types.js').Program}
 */
export function pool(op: "MaxPool2D" | "AvgPool2D"): import("./_types.js").Program;
