/**
 * Assigns buffers with lifetimes to pool slots (see the module doc). Returns each buffer's slot and the
 * slots' sizes, largest first.
 * @param {readonly {size: number, def: number, last: number}[]} buffers
 * @returns {{slotOf: number[], sizes: number[]}}
 */
export function assignPool(buffers: readonly {
    size: number;
    def: number;
    last: number;
}[]): {
    slotOf: number[];
    sizes: number[];
};
/**
 * Compiles `plan` with `programs` under `limits`.
 * @param {Plan} plan
 * @param {Readonly<Record<string, Program>>} programs
 * @param {Readonly<Record<string, number>>} limits
 * @returns {GpuPlan}
 */
export function compilePlan(plan: Plan, programs: Readonly<Record<string, Program>>, limits: Readonly<Record<string, number>>): GpuPlan;
export type Plan = import("../../executor.js").Plan;
export type DType = import("../../dtypes.js").DType;
/**
 * A pass as a program returns it (webgpu_shaders/README.md).
 */
export type Pass = {
    shader: string;
    constants?: Record<string, number>;
    uniforms: ArrayBuffer;
    bindings: ({
        input: number;
    } | {
        output: number;
    } | {
        scratch: number;
    })[];
    dispatch: number[];
    scratch?: number[];
};
export type Program = (args: {
    inputs: ({
        shape: number[];
        dtype: DType;
    } | null)[];
    attrs: Record<string, any>;
    output: {
        shape: number[];
        dtype: DType;
    };
    limits: Readonly<Record<string, number>>;
}) => Pass[];
/**
 * Where a binding's bytes are: pool slot `index`, a weight's own buffer, or scratch slot `index`
 * (always from byte 0).
 */
export type Slot = {
    in: "pool";
    index: number;
    offset: 0;
    size: number;
} | {
    in: "weight";
    name: string;
    offset: 0;
    size: number;
} | {
    in: "scratch";
    index: number;
    offset: 0;
    size: number;
};
export type GpuPass = {
    node: string;
    shader: string;
    constants: Record<string, number> | undefined;
    uniformOffset: number;
    uniformSize: number;
    slots: Slot[];
    dispatch: [number, number, number];
};
export type GpuPlan = {
    pool: number[];
    scratch: number[];
    uniforms: ArrayBuffer;
    passes: GpuPass[];
    inputs: {
        slot: Slot;
        dtype: DType;
    }[];
    outputs: {
        slot: Slot;
        dtype: DType;
        shape: number[];
        length: number;
    }[];
};
