export function program(args: import("./_types.js").ProgramArgs): import("./_types.js").Pass[];
