/**
 * The member heads a ring's latest round agreed on: the ring log node named by `Ring.ringNodeHead`
 * on chain (core/ringLogNode.ts) maps every member to the log head it voted with. Members of a
 * ring that computes never call `updateLogHead`, so for them this is the on-chain head a replica
 * follows. The block is fetched by CID, checked against the digest on chain (its bytes hash to
 * it), bounded in size, and its shape checked before any head in it is used. A node that carries
 * `headsRoot` (v3; what a BlsRing stores and its members sign instead of every head) must carry
 * the root of its own pairs (core/headsMerkle.ts): a BLS ring's heads learnt from the chain are
 * these pairs, verified against that root.
 */
import * as dagCbor from "@ipld/dag-cbor";
import { getAddress } from "ethers";
import { CID } from "multiformats/cid";
import { bytes32ToCid, cidOfBytes, cidToBytes32 } from "../core/cid.js";
import { headsRoot } from "../core/headsMerkle.js";
import type { ChainReads } from "../chain/index.js";
import { RingHeadInvalidError } from "./errors.js";

/** The most bytes a ring log node may have (a member head per member and the outputs: far below this). */
export const RING_LOG_NODE_MAX_BYTES = 1024 * 1024;

export interface RingHeadsInput {
  ring: string;
  chain: Pick<ChainReads, "ringNodeHead">;
  fetch(cid: CID): Promise<Uint8Array>;
  signal: AbortSignal;
}

/** Member (checksummed) -> the log head the ring's latest round names; remembers the last ring head read per ring. */
export class RingHeads {
  private readonly read = new Map<string, { head: string; members: Map<string, CID> }>();

  async of(input: RingHeadsInput): Promise<Map<string, CID>> {
    const ring = getAddress(input.ring);
    const digest = (await input.chain.ringNodeHead(ring, { signal: input.signal })).toLowerCase();
    const known = this.read.get(ring);
    if (known?.head === digest) return known.members;
    const cid = bytes32ToCid(digest);
    let members = new Map<string, CID>();
    if (cid !== null) {
      const bytes = await input.fetch(cid);
      members = memberHeadsOf(ring, cid, bytes, await cidOfBytes(bytes));
    }
    this.read.set(ring, { head: digest, members });
    return members;
  }
}

/** The member heads in the ring log node `bytes`, which must be the block `cid` names. */
export function memberHeadsOf(ring: string, cid: CID, bytes: Uint8Array, hashed: CID): Map<string, CID> {
  if (bytes.length > RING_LOG_NODE_MAX_BYTES) throw new RingHeadInvalidError(`ring log node ${cid.toString()} has ${bytes.length} bytes (at most ${RING_LOG_NODE_MAX_BYTES})`);
  if (hashed.toString() !== cid.toString()) throw new RingHeadInvalidError(`the block fetched for ring head ${cid.toString()} hashes to ${hashed.toString()}`);
  const node = dagCbor.decode<unknown>(bytes) as { ring?: unknown; memberHeads?: unknown; headsRoot?: unknown } | null;
  if (typeof node !== "object" || node === null || typeof node.ring !== "string" || getAddress(node.ring) !== ring) throw new RingHeadInvalidError(`ring head ${cid.toString()} is not a ring log node of ${ring}`);
  if (typeof node.memberHeads !== "object" || node.memberHeads === null) throw new RingHeadInvalidError(`ring head ${cid.toString()} has no member heads`);
  const members = new Map<string, CID>();
  for (const [member, head] of Object.entries(node.memberHeads)) {
    const parsed = CID.asCID(head);
    if (head !== null && parsed === null) throw new RingHeadInvalidError(`ring head ${cid.toString()} names no CID as ${member}'s head`);
    if (parsed !== null) members.set(getAddress(member), parsed);
  }
  if (node.headsRoot !== undefined) {
    const pairs = Object.fromEntries(Object.keys(node.memberHeads).map((member) => [member, members.has(getAddress(member)) ? cidToBytes32(members.get(getAddress(member)) as CID) : `0x${"00".repeat(32)}`]));
    if (typeof node.headsRoot !== "string" || node.headsRoot.toLowerCase() !== headsRoot(pairs)) throw new RingHeadInvalidError(`ring head ${cid.toString()} carries a heads root that is not its member heads' root`);
  }
  return members;
}
