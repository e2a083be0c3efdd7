// The one Node API the tests use (the project does not pull in @types/node for it).
declare module "node:fs" {
  export function readFileSync(path: URL | string, encoding: "utf8"): string;
}
