// Compiles the AssemblyScript example jobs (examples/jobs/wasm/*.ts except the shared cbor.ts) to
// examples/jobs/wasm/build/<name>.wasm with the flags the job ABI needs (node/src/compute/job.ts):
// the stub runtime (no GC, no imports), abort compiled away (no env.abort import), the
// initialiser exported as _initialize instead of a start function, memory capped at 256 pages.
import { execFile } from "node:child_process";
import { readdir } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";

const dir = fileURLToPath(new URL("../examples/jobs/wasm/", import.meta.url));
const asc = fileURLToPath(new URL("../node_modules/.bin/asc", import.meta.url));
const names = (await readdir(dir)).filter((name) => name.endsWith(".ts") && name !== "cbor.ts");
for (const name of names) {
  const out = `${dir}build/${name.replace(/\.ts$/, ".wasm")}`;
  const flags = ["-O3", "--runtime", "stub", "--use", "abort=", "--exportStart", "_initialize", "--maximumMemory", "256"];
  await promisify(execFile)(asc, [`${dir}${name}`, "-o", out, ...flags]);
  process.stdout.write(`built ${out}\n`);
}
