/**
 * The shape of node/src, as the README's layout section describes it: folders in layers, each
 * importing only from lower layers (type-only imports included), no import cycle, `core/` on its
 * own, no file over 300 lines, and no script importing the tests.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { expect } from "chai";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../../..");
const SRC = join(ROOT, "node/src");

/** Layer of each top-level entry of node/src, lowest first: an import may only go to a lower layer. */
const LAYERS: readonly (readonly string[])[] = [
  ["core"],
  ["api", "config", "identity", "logging.ts"],
  ["chain", "p2p", "compute"],
  ["log", "relay", "jsonrpc"],
  ["replication", "replica"],
  ["rounds", "rpc", "client", "status", "membership", "messages"],
  ["metrics", "control", "dashboard", "restore"],
  ["runtime"],
  ["cli"],
];

function layerOf(top: string): number {
  const index = LAYERS.findIndex((layer) => layer.includes(top));
  if (index < 0) throw new Error(`node/src/${top} has no layer: add it to LAYERS here and to the README's layout`);
  return index;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return name.endsWith(".ts") ? [path] : [];
  });
}

const IMPORT = /(?:^|[\s;])(?:import|export)\s[^"';]*?from\s*["']([^"']+)["']|import\(\s*["']([^"']+)["']\s*\)/g;

/** The relative imports of a file, resolved to repository paths (type-only ones included). */
function importsOf(file: string): string[] {
  const text = readFileSync(file, "utf8");
  const found: string[] = [];
  for (const match of text.matchAll(IMPORT)) {
    const spec = match[1] ?? match[2];
    if (spec === undefined || !spec.startsWith(".")) continue;
    found.push(relative(ROOT, resolve(dirname(file), spec.replace(/\.js$/, ".ts"))));
  }
  return found;
}

const files = sourceFiles(SRC).map((file) => relative(ROOT, file));
const graph = new Map(files.map((file) => [file, importsOf(join(ROOT, file)).filter((target) => target.startsWith("node/src/"))]));
const topOf = (file: string) => relative("node/src", file).split("/")[0] as string;

/** Strongly connected components with more than one file, or a file importing itself (Tarjan). */
function cycles(): string[][] {
  let counter = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const visit = (file: string) => {
    index.set(file, counter);
    low.set(file, counter++);
    stack.push(file);
    onStack.add(file);
    for (const next of graph.get(file) ?? []) {
      if (!graph.has(next)) continue;
      if (!index.has(next)) {
        visit(next);
        low.set(file, Math.min(low.get(file) as number, low.get(next) as number));
      } else if (onStack.has(next)) low.set(file, Math.min(low.get(file) as number, index.get(next) as number));
    }
    if (low.get(file) === index.get(file)) {
      const component: string[] = [];
      let top: string;
      do {
        top = stack.pop() as string;
        onStack.delete(top);
        component.push(top);
      } while (top !== file);
      if (component.length > 1 || (graph.get(file) ?? []).includes(file)) found.push(component.sort());
    }
  };
  for (const file of files) if (!index.has(file)) visit(file);
  return found;
}

describe("node/src architecture", () => {
  it("every relative import resolves to a file in the tree", () => {
    const missing = [...graph].flatMap(([file, targets]) => targets.filter((target) => !graph.has(target)).map((target) => `${file} -> ${target}`));
    expect(missing).to.deep.equal([]);
  });

  it("has no import cycle, type-only imports included", () => {
    expect(cycles()).to.deep.equal([]);
  });

  it("imports only from lower layers", () => {
    const upward = [...graph].flatMap(([file, targets]) =>
      targets.filter((target) => topOf(target) !== topOf(file) && layerOf(topOf(target)) >= layerOf(topOf(file))).map((target) => `${file} -> ${target}`),
    );
    expect(upward).to.deep.equal([]);
  });

  it("core imports nothing else in node/src", () => {
    const outside = [...graph].filter(([file]) => topOf(file) === "core").flatMap(([file, targets]) => targets.filter((target) => topOf(target) !== "core").map((target) => `${file} -> ${target}`));
    expect(outside).to.deep.equal([]);
  });

  it("imports nothing from outside node/src (generated types, the repository's scripts)", () => {
    const outside = files.flatMap((file) => importsOf(join(ROOT, file)).filter((target) => !target.startsWith("node/src/")).map((target) => `${file} -> ${target}`));
    expect(outside).to.deep.equal([]);
  });

  it("has no file over 300 lines", () => {
    const long = files.map((file) => ({ file, lines: readFileSync(join(ROOT, file), "utf8").split("\n").length - 1 })).filter(({ lines }) => lines > 300);
    expect(long).to.deep.equal([]);
  });

  it("scripts import nothing from test/", () => {
    const scripts = sourceFiles(join(ROOT, "scripts")).filter((file) => !file.includes("/orbitdb/"));
    const intoTests = scripts.flatMap((file) => importsOf(file).filter((target) => target.startsWith("test/")).map((target) => `${relative(ROOT, file)} -> ${target}`));
    expect(intoTests).to.deep.equal([]);
  });
});
