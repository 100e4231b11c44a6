/** Unique temporary directories, removed by `cleanup()` (keep them with RINGS_KEEP_TEST_DIRS=1). */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface TempDirs {
  make(label: string): Promise<string>;
  cleanup(): Promise<void>;
}

export function tempDirs(prefix = "rings-test"): TempDirs {
  const made: string[] = [];
  return {
    async make(label) {
      const dir = await mkdtemp(join(tmpdir(), `${prefix}-${label}-`));
      made.push(dir);
      return dir;
    },
    async cleanup() {
      if (process.env.RINGS_KEEP_TEST_DIRS === "1") return;
      await Promise.all(made.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
    },
  };
}
