/**
 * The read keys this member has opened, by epoch, in `<dataDir>/read-keys.json` (0600): what lets
 * a restarted member read the ring's older entries without the key blocks' authors. The ring's
 * replica key stays in `ring-keys.json` (ringKeyFile.ts), a separate credential.
 */
import { readFile } from "node:fs/promises";
import { getAddress } from "ethers";
import { z } from "zod";
import { writePrivateFile } from "../config/privateDir.js";
import { decodeRingKey, encodeRingKey, RingKeyFormatError } from "./ringKeys.js";

export const READ_KEYS_FILE = "read-keys.json";

const fileSchema = z.object({ ring: z.string(), epochs: z.record(z.string(), z.array(z.string())) });

/** Keys by epoch (several when a race left two blocks for one epoch). */
export type EpochKeys = Map<number, Uint8Array[]>;

/** The keys kept for `ring` in `file`; empty when there is no file (or it is another ring's). */
export async function readEpochKeys(file: string, ring: string): Promise<EpochKeys> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return new Map();
    throw error;
  }
  let parsed: z.infer<typeof fileSchema>;
  try {
    parsed = fileSchema.parse(JSON.parse(text));
  } catch (error) {
    throw new RingKeyFormatError(`${file} does not hold { ring, epochs }: ${(error as Error).message}`);
  }
  const keys: EpochKeys = new Map();
  if (getAddress(parsed.ring) !== getAddress(ring)) return keys;
  for (const [epoch, list] of Object.entries(parsed.epochs)) keys.set(Number(epoch), list.map(decodeRingKey));
  return keys;
}

export async function writeEpochKeys(file: string, ring: string, keys: EpochKeys): Promise<void> {
  const epochs = Object.fromEntries([...keys].sort(([a], [b]) => a - b).map(([epoch, list]) => [String(epoch), list.map(encodeRingKey)]));
  await writePrivateFile(file, `${JSON.stringify({ ring: getAddress(ring), epochs }, null, 2)}\n`);
}
