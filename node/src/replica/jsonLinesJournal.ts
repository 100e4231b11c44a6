/**
 * An append-only JSON-lines file with group commit: records appended while a write is in flight go
 * out together in the next single write, through one open file handle. `load()` reads it back,
 * skipping a torn last line; `compact()` rewrites it atomically with only the records still wanted.
 * Writes reach the operating system before `append` resolves (no fsync: what needs to survive a
 * power loss is in the node's own fsync'd log; this is an index that can be rebuilt from it).
 */
import { mkdir, open, readFile, rename, type FileHandle } from "node:fs/promises";
import { dirname } from "node:path";

interface PendingLine {
  line: string;
  resolve: () => void;
  reject: (error: unknown) => void;
}

export class JsonLinesJournal<T> {
  readonly path: string;
  private handle: FileHandle | null = null;
  private pending: PendingLine[] = [];
  private writing: Promise<void> | null = null;

  constructor(path: string) {
    this.path = path;
  }

  async load(): Promise<T[]> {
    let text: string;
    try {
      text = await readFile(this.path, "utf8");
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return [];
      throw error;
    }
    const records: T[] = [];
    for (const line of text.split("\n")) {
      if (line.trim() === "") continue;
      try {
        records.push(JSON.parse(line) as T);
      } catch {
        // A torn last line (the process died mid-write): every earlier line is whole.
      }
    }
    return records;
  }

  append(record: T): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.pending.push({ line: `${JSON.stringify(record)}\n`, resolve, reject });
      this.writing ??= this.drain().finally(() => {
        this.writing = null;
      });
    });
  }

  /** Replaces the file's content with `records` (write a temporary file, rename over). */
  async compact(records: T[]): Promise<void> {
    await this.writing;
    await this.handle?.close();
    this.handle = null;
    await mkdir(dirname(this.path), { recursive: true });
    const temporary = `${this.path}.${process.pid}.tmp`;
    const handle = await open(temporary, "w");
    try {
      await handle.writeFile(records.map((record) => `${JSON.stringify(record)}\n`).join(""));
    } finally {
      await handle.close();
    }
    await rename(temporary, this.path);
  }

  async close(): Promise<void> {
    await this.writing;
    await this.handle?.close();
    this.handle = null;
  }

  private async drain(): Promise<void> {
    while (this.pending.length > 0) {
      const batch = this.pending.splice(0);
      try {
        if (this.handle === null) {
          await mkdir(dirname(this.path), { recursive: true });
          this.handle = await open(this.path, "a");
        }
        await this.handle.write(batch.map((item) => item.line).join(""));
        for (const item of batch) item.resolve();
      } catch (error) {
        for (const item of batch) item.reject(error);
      }
    }
  }
}
