/**
 * A ring driven directly with member keys, without ring-node processes: the engine creates it,
 * each member appends a signed log node, 2/3 of them vote and one flushes. The main job's first
 * stage and the dashboard test use it to put real rounds on a local chain.
 */
import type { HDNodeWallet, Signer, TransactionReceipt } from "ethers";
import { Gate__factory, Ring__factory, RingFactory__factory, type Ring } from "../../types/index.js";
import type { RingsAddresses } from "../../deploy/addresses.js";
import { cidToBytes32, ZERO_BYTES32 } from "../../node/src/core/cid.js";
import { ringDomain, type Outputs } from "../../node/src/core/eip712.js";
import { signLogNode } from "../../node/src/core/logNode.js";
import { encodeRingLogNode, type EncodedRingLogNode } from "../../node/src/core/ringLogNode.js";
import { flushArgs, requiredVotes, signVote, voteMessage } from "../../node/src/core/ringVotes.js";

export const OUTPUT_PIN = 1n;

export interface DemoMember {
  wallet: HDNodeWallet;
  seq: number;
  head: string;
}

export interface DemoRing {
  ring: Ring;
  address: string;
  members: DemoMember[];
  creationReceipt: TransactionReceipt;
}

/** The engine creates a ring of `wallets` with the factory and authorises it on the Gate. */
export async function createDemoRing(addresses: RingsAddresses, engine: Signer, wallets: HDNodeWallet[]): Promise<DemoRing> {
  const factory = RingFactory__factory.connect(addresses.factory, engine);
  const receipt = await (await factory.createRing(wallets.map((w) => w.address), await engine.getAddress())).wait();
  if (receipt === null) throw new Error("createRing was not mined");
  const address = (await factory.rings()).at(-1) as string;
  await (await Gate__factory.connect(addresses.gate, engine).setAuthorized(address, true)).wait();
  return { ring: Ring__factory.connect(address, engine), address, members: wallets.map((wallet) => ({ wallet, seq: 0, head: ZERO_BYTES32 })), creationReceipt: receipt };
}

export interface FlushedRound {
  round: bigint;
  ringNode: EncodedRingLogNode;
  receipt: TransactionReceipt;
  signers: string[];
}

/** One round: every member appends a signed log node, the first 2/3 vote, `relayer` flushes. */
export async function flushDemoRound(demo: DemoRing, chainId: bigint, gate: string, relayer: Signer): Promise<FlushedRound> {
  const domain = ringDomain(chainId, demo.address);
  const round = (await demo.ring.round()) + 1n;
  for (const member of demo.members) {
    const node = await signLogNode(
      { v: 1, ring: demo.address, author: member.wallet.address, seq: member.seq, prev: [], payload: { round: Number(round), note: "hello from the main job" } },
      member.wallet,
      domain,
    );
    member.seq += 1;
    member.head = cidToBytes32(node.cid);
  }
  const ringNode = await encodeRingLogNode({
    ring: demo.address,
    round,
    prevHead: await demo.ring.ringNodeHead(),
    memberHeads: Object.fromEntries(demo.members.map((m) => [m.wallet.address, m.head])),
    outputs: { gate, pins: [], cids: [] },
  });
  const outputs: Outputs = { gate, pins: [OUTPUT_PIN], cids: [ringNode.head] };
  const signers = demo.members.slice(0, requiredVotes(demo.members.length));
  const membershipEpoch = await demo.ring.membershipEpoch();
  const votes = await Promise.all(signers.map((m) => signVote(m.wallet, domain, voteMessage(round, membershipEpoch, ringNode.head, outputs, m.head))));
  const receipt = await (await demo.ring.connect(relayer).flush(...flushArgs({ round, ringNodeHead: ringNode.head, outputs, votes }))).wait();
  if (receipt === null || receipt.status !== 1) throw new Error(`flush of round ${round} failed`);
  return { round, ringNode, receipt, signers: votes.map((v) => v.signer) };
}
