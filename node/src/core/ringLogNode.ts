/**
 * The ring log node: what all signers of a round agree on. dag-cbor
 * `{ v, ring, round, prev, memberHeads, headsRoot, outputs, jobs }`; its CID's digest is the round's `ringNodeHead`.
 * `prev` is the previous ring head (absent before the first round); `memberHeads` maps each member
 * (checksummed address) to the log head it votes with; `headsRoot` is their Merkle root
 * (core/headsMerkle.ts: what a BlsRing stores and signs instead of every head); `outputs` is what goes on the Gate; `jobs`
 * names each job the round finalises with its output, so the signed head binds job to output (a
 * proposal that attaches the same outputs to other jobs has another head).
 */
import * as dagCbor from "@ipld/dag-cbor";
import { getAddress } from "ethers";
import type { CID } from "multiformats/cid";
import { bytes32ToCid, cidOfBytes, cidToBytes32 } from "./cid.js";
import type { Outputs } from "./eip712.js";
import { headsRoot } from "./headsMerkle.js";

export const RING_LOG_NODE_VERSION = 3;

/** A job the round finalises and its reduced output block. */
export interface RingLogJob {
  job: CID;
  output: CID;
}

export interface RingLogNode {
  v: number;
  ring: string;
  round: number;
  prev: CID | null;
  memberHeads: Record<string, CID | null>;
  /** headsMerkle.ts's root of `memberHeads` (a null head is zero), bytes32 hex. */
  headsRoot: string;
  outputs: { gate: string; pins: number[]; cids: CID[] };
  jobs: RingLogJob[];
}

export interface EncodedRingLogNode {
  node: RingLogNode;
  bytes: Uint8Array;
  cid: CID;
  /** bytes32 digest of the CID: the `ringNodeHead` the members sign. */
  head: string;
}

export interface RingLogNodeInput {
  ring: string;
  round: bigint | number;
  /** Previous ring head as bytes32 (zero before the first round). */
  prevHead: string;
  /** Member address -> its log head as bytes32 (zero for an empty log). */
  memberHeads: Record<string, string>;
  outputs: Outputs;
  /** The jobs the round finalises, in the proposal's order (none for a round of messages only). */
  jobs?: readonly RingLogJob[];
}

/** Builds and encodes the ring log node of a round; every member builds the same bytes from the same input. */
export async function encodeRingLogNode(input: RingLogNodeInput): Promise<EncodedRingLogNode> {
  const normalised = new Map(Object.entries(input.memberHeads).map(([member, head]) => [getAddress(member), head] as const));
  const memberHeads: Record<string, CID | null> = {};
  for (const member of [...normalised.keys()].sort()) memberHeads[member] = bytes32ToCid(normalised.get(member) as string);
  const node: RingLogNode = {
    v: RING_LOG_NODE_VERSION,
    ring: getAddress(input.ring),
    round: Number(input.round),
    prev: bytes32ToCid(input.prevHead),
    memberHeads,
    headsRoot: headsRoot(Object.fromEntries(normalised)),
    outputs: {
      gate: getAddress(input.outputs.gate),
      pins: input.outputs.pins.map((pin) => Number(pin)),
      cids: input.outputs.cids.map((cid) => {
        const parsed = bytes32ToCid(cid);
        if (parsed === null) throw new RangeError("an output CID cannot be zero");
        return parsed;
      }),
    },
    jobs: (input.jobs ?? []).map(({ job, output }) => ({ job, output })),
  };
  const bytes = dagCbor.encode(node);
  const cid = await cidOfBytes(bytes);
  return { node, bytes, cid, head: cidToBytes32(cid) };
}
