/** Replica rings created through the factory (the shared helpers in test/node/helpers create plain rings). */
import { getAddress } from "ethers";
import type { RingFactory } from "../../../../types/index.js";

/** A replica ring of `members` charging `fee` per registration: its Ring and its ReplicaRing. */
export async function createReplicaRing(factory: RingFactory, members: string[], owner: string, fee: bigint): Promise<{ ring: string; replicaRing: string }> {
  const receipt = await (await factory.createReplicaRing(members, owner, fee)).wait();
  for (const log of receipt?.logs ?? []) {
    const parsed = factory.interface.parseLog(log);
    if (parsed?.name === "ReplicaRingCreated") return { ring: getAddress(parsed.args.ring as string), replicaRing: getAddress(parsed.args.replicaRing as string) };
  }
  throw new Error("ReplicaRingCreated not emitted");
}
