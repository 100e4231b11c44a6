/**
 * A ring's read and replica keys in a file (`ring-keys.json`, 0600): what the ring's members share
 * and a replica ring is handed the replica key of. Made once, then read back.
 */
import { readFile } from "node:fs/promises";
import { z } from "zod";
import { writePrivateFile } from "../config/privateDir.js";
import { decodeRingKey, encodeRingKey, generateRingKeys, RingKeyFormatError, type RingKeys } from "./ringKeys.js";

export const RING_KEYS_FILE = "ring-keys.json";

const fileSchema = z.object({ readKey: z.string(), replicaKey: z.string() });

/** The keys in `file`, or null when there is no such file. */
export async function readRingKeys(file: string): Promise<RingKeys | null> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw error;
  }
  let parsed: z.infer<typeof fileSchema>;
  try {
    parsed = fileSchema.parse(JSON.parse(text));
  } catch (error) {
    throw new RingKeyFormatError(`${file} does not hold { readKey, replicaKey }: ${(error as Error).message}`);
  }
  return { readKey: decodeRingKey(parsed.readKey), replicaKey: decodeRingKey(parsed.replicaKey) };
}

/** The keys in `file`, made (and written, 0600) first if there are none. */
export async function ensureRingKeys(file: string): Promise<{ keys: RingKeys; created: boolean }> {
  const existing = await readRingKeys(file);
  if (existing !== null) return { keys: existing, created: false };
  const keys = generateRingKeys();
  await writePrivateFile(file, `${JSON.stringify({ readKey: encodeRingKey(keys.readKey), replicaKey: encodeRingKey(keys.replicaKey) })}\n`);
  return { keys, created: true };
}
