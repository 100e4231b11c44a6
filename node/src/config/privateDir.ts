/**
 * The node's directories are private to its user (0700): the data directory holds the keystore,
 * the control and jobs tokens and every member's log. A directory that already exists with a
 * wider mode (made by hand, by an older version, or under a loose umask) is narrowed to 0700.
 */
import { chmod, mkdir } from "node:fs/promises";

export const PRIVATE_DIR_MODE = 0o700;

/** Creates `path` (and its parents) if missing and sets its mode to 0700. */
export async function ensurePrivateDir(path: string): Promise<void> {
  await mkdir(path, { recursive: true, mode: PRIVATE_DIR_MODE });
  await chmod(path, PRIVATE_DIR_MODE);
}
