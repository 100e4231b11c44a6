/**
 * What the main job's replica nodes hold of its ring (replica rings, issue 13): every member's log
 * as GetReplicaLog serves it (authorised by a member's signature), walked from the head down
 * to seq 0 and checked against the head the chain names, and what a member opens of it with the
 * read keys it holds (`read-keys.json`). Everything is read as an outside client would.
 */
import path from "node:path";
import { getBytes, type Provider, type Signer } from "ethers";
import { signReplicaLogAuth } from "../../node/src/client/requests.js";
import { RingsRpcClient } from "../../node/src/client/ringsRpcClient.js";
import { bytes32ToCid } from "../../node/src/core/cid.js";
import { decodeLogNode, type EncodedLogNode } from "../../node/src/core/logNode.js";
import { asMembershipEntry } from "../../node/src/membership/entries.js";
import { asKeyBlock, isKeyRequest } from "../../node/src/replica/keyBlock.js";
import { decryptPayload, isEncryptedPayload } from "../../node/src/replica/payloadCipher.js";
import { READ_KEYS_FILE, readEpochKeys } from "../../node/src/replica/readKeyFile.js";
import { Ring__factory } from "../../types/index.js";
import { waitFor } from "./processes.js";

/** A replica node as the main job knows it. */
export interface ReplicaEndpoint {
  name: string;
  rpcUrl: string;
}

export interface RingUnderReplication {
  provider: Provider;
  ring: string;
  members: readonly string[];
  /** A member, to sign GetReplicaLog's authorisation (only the replica node that relayed ReplicateRing holds the replica key). */
  reader: Signer;
}

/** One replica holding every member's log up to its on-chain head. */
export interface ReplicaHolding {
  replica: string;
  /** From the start of the wait until this replica served every member's on-chain head. */
  seconds: number;
  /** Every node served, of every member, newest first per member. */
  nodes: EncodedLogNode[];
}

/** At most this many nodes of one member's log are walked (the main job's logs are far smaller). */
const MAX_WALKED_NODES = 100_000;

/** The member's log as `client` serves it, decoded, newest first. */
async function servedLog(client: RingsRpcClient, ring: string, member: string, reader: Signer, signal: AbortSignal): Promise<EncodedLogNode[]> {
  const nodes: EncodedLogNode[] = [];
  const auth = await signReplicaLogAuth(reader, { ring, member });
  for await (const page of client.replicaLogPages({ ring, member, limit: 1_000, auth }, { signal })) {
    for (const hex of page.nodes) nodes.push(await decodeLogNode(getBytes(hex)));
    if (nodes.length > MAX_WALKED_NODES) throw new Error(`${member}'s served log is longer than ${MAX_WALKED_NODES} nodes`);
  }
  return nodes;
}

/** Whether `served` holds the on-chain head and every node below it (seq head.seq ... 0, each once). */
function reachesHead(served: readonly EncodedLogNode[], head: string): boolean {
  const top = served.find((node) => node.cid.toString() === head);
  if (top === undefined) return false;
  const below = new Set(served.filter((node) => node.node.seq <= top.node.seq).map((node) => node.node.seq));
  return below.size === top.node.seq + 1;
}

/** Waits until `replica` serves every member's log up to the head the chain names for it now. */
async function waitHolds(ring: RingUnderReplication, replica: ReplicaEndpoint, started: number, timeoutMs: number): Promise<ReplicaHolding> {
  const client = new RingsRpcClient(replica.rpcUrl);
  const contract = Ring__factory.connect(ring.ring, ring.provider);
  const signal = AbortSignal.timeout(timeoutMs);
  const nodes = await waitFor(
    `${replica.name} to serve every member's log up to its on-chain head`,
    async () => {
      const all: EncodedLogNode[] = [];
      for (const member of ring.members) {
        const head = bytes32ToCid(await contract.logNodeHeads(member));
        const served = await servedLog(client, ring.ring, member, ring.reader, signal);
        if (head !== null && !reachesHead(served, head.toString())) {
          throw new Error(`${member}: on-chain head ${head.toString()}, served ${served.length} nodes (newest seq ${served[0]?.node.seq ?? "none"})`);
        }
        all.push(...served);
      }
      return all;
    },
    timeoutMs,
    200,
  );
  return { replica: replica.name, seconds: (Date.now() - started) / 1000, nodes };
}

/** Every replica serving every member's log up to its on-chain head, waited for together. */
export async function waitReplicasHoldRing(ring: RingUnderReplication, replicas: readonly ReplicaEndpoint[], timeoutMs = 30_000): Promise<ReplicaHolding[]> {
  const started = Date.now();
  return Promise.all(replicas.map((replica) => waitHolds(ring, replica, started, timeoutMs)));
}

/** What a member made of served nodes with its read keys. */
export interface OpenedServed {
  sealed: number;
  opened: number;
  /** In the clear by design: key blocks and key requests (wrapped keys only), membership proposals and votes (signatures the chain checks). */
  clearByDesign: number;
  /** Anything else in the clear (must be none). */
  plaintext: number;
}

/** Whether a payload the ring's members write in the clear on purpose (readKeys.ts, membership/). */
export function clearByDesign(payload: unknown, ring: string): boolean {
  return asKeyBlock(payload, ring) !== null || isKeyRequest(payload, ring) || asMembershipEntry(payload) !== null;
}

/** Opens every sealed payload of `nodes` with the read keys in `memberDataDir`'s read-keys.json. */
export async function openServed(nodes: readonly EncodedLogNode[], ring: string, memberDataDir: string): Promise<OpenedServed> {
  const keys = [...(await readEpochKeys(path.join(memberDataDir, READ_KEYS_FILE), ring)).values()].flat();
  const out: OpenedServed = { sealed: 0, opened: 0, clearByDesign: 0, plaintext: 0 };
  for (const { node } of nodes) {
    if (!isEncryptedPayload(node.payload)) {
      if (clearByDesign(node.payload, ring)) out.clearByDesign++;
      else out.plaintext++;
      continue;
    }
    out.sealed++;
    const opens = keys.some((key) => {
      try {
        decryptPayload(key, node.payload, { ring, author: node.author });
        return true;
      } catch {
        return false;
      }
    });
    if (opens) out.opened++;
  }
  return out;
}
