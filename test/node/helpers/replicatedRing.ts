/**
 * What the replica tests share about a computing ring (scripts/devnet/roundsRing.ts) that a
 * replica ring follows: the member heads of the round flushed last, read from the proposal in the
 * members' logs whose ring head is on chain, and the ring's registration by its member 0.
 */
import { readExampleJob } from "../../../node/src/compute/index.js";
import { loadKeystore } from "../../../node/src/identity/keystore.js";
import { buildReplicateRing, nextForwarderNonce, readForwarderInfo } from "../../../node/src/client/requests.js";
import type { RingsRpcClient } from "../../../node/src/client/ringsRpcClient.js";
import { generateRingKeys } from "../../../node/src/replica/ringKeys.js";
import { ReplicaRing__factory } from "../../../types/index.js";
import { TEST_PASSWORD } from "../../../scripts/devnet/ringNodeProcess.js";
import { ringAt } from "../../../scripts/devnet/ringsOnChain.js";
import type { RoundsRing } from "../../../scripts/devnet/roundsRing.js";

export interface FlushedHead {
  author: string;
  seq: number;
  /** CID string. */
  cid: string;
}

interface LogEntry {
  payload: unknown;
}

/** A CID as the control endpoint renders one inside a payload (`{ "/": "bafy…" }` or a string). */
const cidText = (value: unknown): string => (typeof value === "string" ? value : String((value as Record<string, unknown>)["/"]));

/** The member heads of the round flushed last. */
export async function flushedCut(world: RoundsRing): Promise<FlushedHead[]> {
  const head = (await ringAt(world.ring.ring, world.ring.chain.account(0)).ringNodeHead()).toLowerCase();
  const control = world.members.find((member) => member.node !== null)?.node?.control;
  for (const member of world.members) {
    const log = (await control?.log<{ nodes: LogEntry[] }>(member.address, 0, 1000))?.nodes ?? [];
    for (const entry of log) {
      const payload = entry.payload as { type?: string; ringNodeHead?: string; cut?: Array<{ author: string; seq: number; cid: unknown }> };
      if (payload.type === "proposal" && payload.ringNodeHead?.toLowerCase() === head) return (payload.cut ?? []).map((cut) => ({ author: cut.author, seq: cut.seq, cid: cidText(cut.cid) }));
    }
  }
  throw new Error(`no proposal for the ring head ${head} in the members' logs`);
}

/** Member 0 of the ring registers it with `replicaRing` (fee deposited by the deployer), relayed by the replica node `client`. */
export async function registerRing(world: RoundsRing, replicaRing: string, fee: bigint, client: RingsRpcClient): Promise<void> {
  const { chain, contracts, ring, members } = world.ring;
  const registrant = (await loadKeystore(members[0]?.dataDir as string, TEST_PASSWORD)).wallet.connect(chain.provider);
  await (await ReplicaRing__factory.connect(replicaRing, chain.account(0)).deposit(registrant.address, { value: fee })).wait();
  const forwarder = await readForwarderInfo(chain.provider, contracts.forwarder);
  const nonce = await nextForwarderNonce(chain.provider, contracts.forwarder, registrant.address);
  await client.replicateRing(await buildReplicateRing({ signer: registrant, ring, replicaRing, replicaKey: generateRingKeys().replicaKey, forwarder, nonce }));
}

/** A small word-count job at member `at`, waited for until finalised (a round flushed). */
export async function flushOneJob(world: RoundsRing, at: number): Promise<void> {
  const jobs = world.jobsOf(at);
  const submitted = await jobs.submit({ source: await readExampleJob("wordcount"), inputs: [{ text: `one two two three three three ${Math.random()}` }], params: { top: 3 }, shards: 2, redundancy: 2, pin: 1 });
  await jobs.waitFinalised(submitted.job, 60_000);
}
