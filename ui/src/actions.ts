// Every call to Rust and what its answer or error does to the state. Views call these and
// read signals; nothing else talks to src/api.ts. One module per section, each importing only
// the ones below it: common and cache; orgs; atlas; link and profiles; history. Batches (their
// rows, then the run) use only common and cache.

export { confirm, notify } from "./actions/common";
export * from "./actions/profiles";
export * from "./actions/orgs";
export * from "./actions/atlas";
export * from "./actions/link";
export * from "./actions/history";
export * from "./actions/batchRows";
export * from "./actions/batches";
export * from "./actions/migrations";
