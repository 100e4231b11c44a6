#!/usr/bin/env node
// `ring-node`: runs the TypeScript sources through tsx's ESM loader (Node >= 22).
import { register } from "tsx/esm/api";

const [major] = process.versions.node.split(".").map(Number);
if (major < 22) {
  process.stderr.write(`ring-node needs Node.js >= 22 (this is ${process.version}); run it with npx from the repository\n`);
  process.exit(1);
}
register();
await import("../src/cli/main.ts");
