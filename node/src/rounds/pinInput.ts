/**
 * A job input taken from another ring's result: the latest output of a named upstream ring on one
 * of its Gate pins (map ring -> reduce ring). Gate pins are keyed by the ring that writes them, so
 * the input names the ring it trusts as well as the pin; another ring writing the same pin number
 * cannot feed this job.
 */
import type { Provider } from "ethers";
import { getAddress, isAddress, toBeHex, ZeroAddress } from "ethers";
import type { CID } from "multiformats/cid";
import { z } from "zod";
import { GateReads } from "../chain/index.js";
import { bytes32ToCid } from "../core/cid.js";
import { EmptyPinError } from "./errors.js";

/** `ring`'s latest output on its pin `pin`, on `gate` (default: the node's RING_NODE_GATE). */
export interface PinInput {
  pin: number;
  /** The upstream ring whose output the input takes (its address). */
  ring: string;
  gate?: string;
}

const ADDRESS = /^0x[0-9a-fA-F]{40}$/;
const isHexAddress = (value: string) => ADDRESS.test(value) && isAddress(value);

/** Why a pin input without its ring is refused: the message clients see. */
export const PIN_RING_REQUIRED = 'a pin input names the upstream ring it trusts: { pin, ring: "0x…" } (Gate pins belong to the ring that writes them)';

/** A pin input as SubmitJob takes it; `ring` is required and must be an address. */
export const pinInputSchema = z
  .object({
    pin: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
    ring: z
      .string({ required_error: PIN_RING_REQUIRED, invalid_type_error: PIN_RING_REQUIRED })
      .refine(isHexAddress, "ring is not an address (0x and 40 hex digits, checksummed if mixed case)"),
    gate: z.string().refine(isHexAddress, "gate is not an address (0x and 40 hex digits, checksummed if mixed case)").optional(),
  })
  .strict();

/** The CID of `input.ring`'s latest output token on its pin (token ids are the outputs' sha2-256 digests). */
export async function latestOnPin(provider: Provider, input: PinInput, defaultGate: string, signal?: AbortSignal): Promise<CID> {
  const gate = getAddress(input.gate ?? defaultGate);
  const ring = getAddress(input.ring);
  if (gate === ZeroAddress) throw new EmptyPinError(`pin ${input.pin} names no gate: give one or start the node with RING_NODE_GATE`);
  const { tokenId, sequence } = await new GateReads(gate, provider).latest(ring, input.pin, { signal });
  const cid = sequence === 0n ? null : bytes32ToCid(toBeHex(tokenId, 32));
  if (cid === null) throw new EmptyPinError(`pin ${input.pin} of ring ${ring} on gate ${gate} holds no output yet`);
  return cid;
}
