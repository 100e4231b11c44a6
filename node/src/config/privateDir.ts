/**
 * The node's directories are private to its user (0700): the data directory holds the keystore,
 * the control and jobs tokens and every member's log. A directory that already exists with a
 * wider mode (made by hand, by an older version, or under a loose umask) is narrowed to 0700.
 */
import { chmod, mkdir, rename, writeFile } from "node:fs/promises";

export const PRIVATE_DIR_MODE = 0o700;

/** Creates `path` (and its parents) if missing and sets its mode to 0700. */
export async function ensurePrivateDir(path: string): Promise<void> {
  await mkdir(path, { recursive: true, mode: PRIVATE_DIR_MODE });
  await chmod(path, PRIVATE_DIR_MODE);
}

/**
 * Writes `text` to `path` readable by the node's user only (0600), atomically: a reader (the CLI,
 * a test) sees the old file or the whole new one, never a half-written token file.
 */
export async function writePrivateFile(path: string, text: string): Promise<void> {
  await writeFile(`${path}.tmp`, text, { mode: 0o600 });
  await rename(`${path}.tmp`, path);
}
