/** Merges fields into a bench-results JSON file, keeping the fields other runs wrote there. */
import { mkdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";

export async function mergeResults(file: string, fields: Record<string, unknown>): Promise<void> {
  const previous = await readFile(file, "utf8").then(
    (text) => JSON.parse(text) as Record<string, unknown>,
    () => ({}),
  );
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, `${JSON.stringify({ ...previous, ...fields }, null, 2)}\n`);
}
