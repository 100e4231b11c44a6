/** A chain read a method depends on: any failure becomes a ChainReadError (-32008) with a short reason. */
import { ChainTimeoutError } from "../chain/index.js";
import { ChainReadError } from "./errors.js";

export async function readChain<T>(read: () => Promise<T>): Promise<T> {
  try {
    return await read();
  } catch (error) {
    throw new ChainReadError(error instanceof ChainTimeoutError ? error.message : `chain call failed: ${(error as Error).message.slice(0, 200)}`);
  }
}
