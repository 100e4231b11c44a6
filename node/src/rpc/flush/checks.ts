/**
 * FlushToRing's checks as one pure function of what the node knows: it answers with the accepted
 * flush, the first failing step, or the stage of facts it needs next. The facts come in stages
 * because each is read only once the checks before it pass (no chain read for a ring whose key is
 * not held, no reservation of the id before the signature is right); facts.ts reads them.
 *
 *   1 replicaKey  this node holds the replica key of `ring`, `mac` is made with it -32001
 *   2 signature   ecrecover(mtx, mtx_sig) = avatar = mtx.from                   -32002
 *     replay      the mtx was not accepted before and its nonce is the next one  -32005 / -32006
 *   3 membership  ring.isMember(avatar) on chain                                 -32003
 *   4 logNodes    deserialise, signed by avatar, connected to its on-chain head  -32004
 *                 every new node's payload is an encrypted envelope               -32013
 *     mtx         the mtx is exactly updateLogHead(head of logNodes) on `ring`   -32006
 */
import { RpcErrorCode, type RpcErrorCodeValue } from "../../api/errorCodes.js";
import type { FlushStep, StepName } from "../../api/results.js";
import { bytes32ToCid, cidToBytes32, ZERO_BYTES32 } from "../../core/cid.js";
import type { ForwardRequest } from "../../relay/forwardRequest.js";
import { ringInterface } from "../../chain/index.js";
import type { VerifiedLogSegment } from "../../replica/logSegment.js";
import { isEncryptedPayload } from "../../replica/payloadCipher.js";

/** Gas a relayed updateLogHead may ask for: generous for one SSTORE and an event, small enough not to be a drain. */
export const MAX_FLUSH_MTX_GAS = 500_000n;

/** What the avatar asks for: its params, parsed. */
export interface FlushRequest {
  avatar: string;
  ring: string;
  mtx: ForwardRequest;
}

/** The chain's view, read at once after the id is reserved. */
export interface ChainFacts {
  /** The nonce the forwarder expects next from the avatar. */
  forwarderNonce: bigint;
  /** The avatar's flushes received here and not yet relayed: its next mtx comes after them. */
  pendingFlushes: number;
  isMember: boolean;
  /** The avatar's head on chain (bytes32; zero before its first). */
  onChainHead: string;
  /** The log nodes' signatures are checked under this chain's ring domain. */
  chainId: bigint;
  /** Whether `ring` trusts this node's forwarder. */
  trustsForwarder: boolean;
}

/** Every fact is absent until read; `checkFlush` names the stage it needs next. */
export interface FlushFacts {
  /** Unix milliseconds: the mtx's deadline must be ahead. */
  now: number;
  /** The forwarder this node relays through. */
  forwarder: string;
  replicaKeyHeld?: boolean;
  /** Whether the request's `mac` is the HMAC of its body under the held replica key (read with `replicaKeyHeld`). */
  macValid?: boolean;
  /** ecrecover of the mtx's EIP-712 digest (null: not a valid signature), and the digest: the flush's id. */
  signature?: { signer: string | null; id: string };
  /** False when this id is accepted, or being accepted, already. */
  claimed?: boolean;
  chain?: ChainFacts;
  /** The log nodes verified, or why not. */
  segment?: VerifiedLogSegment | { incomplete: string };
}

export type FlushStage = "replicaKeyHeld" | "signature" | "claimed" | "chain" | "segment";

/** The step a stage's read is charged to when it fails (e.g. the chain does not answer). */
export const STAGE_STEP: Record<FlushStage, StepName> = {
  replicaKeyHeld: "replicaKey",
  signature: "signature",
  claimed: "replay",
  chain: "replay",
  segment: "logNodes",
};

export interface FlushRefusal {
  step: StepName;
  code: RpcErrorCodeValue;
  detail: string;
  /** Known from the replay step on. */
  id?: string;
}

export interface AcceptedFlush {
  id: string;
  /** The new head the mtx sets on chain (bytes32). */
  head: string;
  segment: VerifiedLogSegment;
}

/** `steps` are the steps passed so far (and the failed one, when refused). */
export type FlushVerdict =
  | { outcome: "needs"; stage: FlushStage; steps: FlushStep[] }
  | { outcome: "refused"; refusal: FlushRefusal; steps: FlushStep[] }
  | { outcome: "accepted"; flush: AcceptedFlush; steps: FlushStep[] };

export function checkFlush(request: FlushRequest, facts: FlushFacts): FlushVerdict {
  const { avatar, ring, mtx } = request;
  const steps: FlushStep[] = [];
  const needs = (stage: FlushStage): FlushVerdict => ({ outcome: "needs", stage, steps });
  const refuse = (step: StepName, code: RpcErrorCodeValue, detail: string, id?: string): FlushVerdict => {
    steps.push({ step, status: "failed", detail });
    return { outcome: "refused", refusal: id === undefined ? { step, code, detail } : { step, code, detail, id }, steps };
  };
  const ok = (step: StepName, detail?: string) => steps.push(detail === undefined ? { step, status: "ok" } : { step, status: "ok", detail });

  // 1. The replica key for this ring is held.
  if (facts.replicaKeyHeld === undefined) return needs("replicaKeyHeld");
  if (!facts.replicaKeyHeld) return refuse("replicaKey", RpcErrorCode.ReplicaKeyNotHeld, `no replica key for ring ${ring}`);
  if (facts.macValid !== true) return refuse("replicaKey", RpcErrorCode.ReplicaKeyNotHeld, `mac is not made with ring ${ring}'s replica key`);
  ok("replicaKey");

  // 2. ecrecover(mtx, mtx_sig) = avatar = mtx.from.
  if (facts.signature === undefined) return needs("signature");
  const { signer, id } = facts.signature;
  if (signer !== avatar) return refuse("signature", RpcErrorCode.MtxSignatureMismatch, signer === null ? "mtx_sig is not a valid signature" : `mtx is signed by ${signer}`);
  if (mtx.from !== avatar) return refuse("signature", RpcErrorCode.MtxSignatureMismatch, `mtx.from is ${mtx.from}`);
  ok("signature");

  // Replay: the same mtx twice, or a nonce the forwarder already used.
  if (facts.claimed === undefined) return needs("claimed");
  if (!facts.claimed) return refuse("replay", RpcErrorCode.MtxReplayed, "this mtx was already accepted", id);
  if (facts.chain === undefined) return needs("chain");
  const chain = facts.chain;
  const expectedNonce = chain.forwarderNonce + BigInt(chain.pendingFlushes);
  if (mtx.nonce < chain.forwarderNonce) return refuse("replay", RpcErrorCode.MtxReplayed, `nonce ${mtx.nonce} was already used on the forwarder (next is ${chain.forwarderNonce})`, id);
  if (mtx.nonce !== expectedNonce) return refuse("replay", RpcErrorCode.MtxNotRelayable, `nonce ${mtx.nonce} is not the avatar's next one (${expectedNonce})`, id);
  ok("replay");

  // 3. ring.isMember(avatar).
  if (!chain.isMember) return refuse("membership", RpcErrorCode.NotAMember, `${avatar} is not a member of ${ring}`, id);
  ok("membership");

  // 4. The log nodes deserialise, are signed by the avatar, connect to its on-chain head and to each other.
  if (facts.segment === undefined) return needs("segment");
  if ("incomplete" in facts.segment) return refuse("logNodes", RpcErrorCode.LogReplicationIncomplete, facts.segment.incomplete, id);
  const segment = facts.segment;
  // A replica node stores and serves what it is given: it must never be handed anything readable.
  const plain = segment.nodes.find((node) => !isEncryptedPayload(node.node.payload));
  if (plain !== undefined) return refuse("logNodes", RpcErrorCode.PayloadNotEncrypted, `log node seq ${plain.node.seq} carries a plaintext payload (encrypt it with the ring's read key)`, id);
  const head = cidToBytes32(segment.head.cid);
  ok("logNodes", `${segment.nodes.length} new node(s), head seq ${segment.head.node.seq}`);

  // The mtx is what FlushToRing relays: updateLogHead(head) on this ring, no value, bounded gas, not expired.
  const unrelayable = whyNotRelayable(request, head, segment, facts.now, chain, facts.forwarder);
  if (unrelayable !== null) return refuse("mtx", RpcErrorCode.MtxNotRelayable, unrelayable, id);
  ok("mtx");
  return { outcome: "accepted", flush: { id, head, segment }, steps };
}

function whyNotRelayable(request: FlushRequest, head: string, segment: VerifiedLogSegment, now: number, chain: ChainFacts, forwarder: string): string | null {
  const { ring, mtx } = request;
  const expectedData = ringInterface.encodeFunctionData("updateLogHead", [head]);
  if (mtx.to !== ring) return `mtx.to is ${mtx.to}, not the ring`;
  if (mtx.data.toLowerCase() !== expectedData.toLowerCase()) return `mtx.data is not updateLogHead(${head})`;
  if (mtx.value !== 0n) return "mtx.value must be 0";
  if (mtx.gas > MAX_FLUSH_MTX_GAS) return `mtx.gas exceeds ${MAX_FLUSH_MTX_GAS}`;
  if (mtx.deadline * 1000n <= BigInt(now)) return "mtx deadline has passed";
  if (!chain.trustsForwarder) return `ring ${ring} does not trust forwarder ${forwarder}`;
  if (chain.onChainHead !== ZERO_BYTES32 && bytes32ToCid(chain.onChainHead)?.equals(segment.head.cid) === true) return "the log nodes hold nothing after the on-chain head";
  return null;
}
