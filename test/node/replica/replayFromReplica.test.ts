/**
 * Replay from a replica ring (node/src/client/replicaReplay.ts) against real processes: three
 * `ring-node` members with rounds and a `ring-node` replica of a replica ring the ring is
 * registered with, on a `hardhat node` chain. Messages posted on two members are finalised; a
 * client holding the ring's read keys fetches the members' logs from the replica's GetReplicaLog,
 * checks every round's cut against `Ring.ringLog`, and gets the same final order as a member's
 * ReadMessages (and as the member's own `replay({ verify })`). A replica that alters a node, and a
 * chain view whose ring log names another head, are refused.
 */
import { join } from "node:path";
import { expect } from "chai";
import { getBytes, hexlify, parseEther, Wallet } from "ethers";
import { after, before, describe, it } from "mocha";
import { RpcErrorCode } from "../../../node/src/api/errorCodes.js";
import type { MessageItem } from "../../../node/src/api/results.js";
import { RingReads } from "../../../node/src/chain/index.js";
import { ReplayCutMismatchError, ReplayNodeRefusedError, ReplayVerificationError } from "../../../node/src/client/errors.js";
import { MessagesClient } from "../../../node/src/client/messagesClient.js";
import { replayFromReplica, type ReplicaReplay, type ReplicaReplayOptions } from "../../../node/src/client/replicaReplay.js";
import { signReplicaLogAuth } from "../../../node/src/client/requests.js";
import { RingsRpcClient, RingsRpcError } from "../../../node/src/client/ringsRpcClient.js";
import { decodeLogNode } from "../../../node/src/core/logNode.js";
import { loadKeystore } from "../../../node/src/identity/keystore.js";
import { READ_KEYS_FILE, readEpochKeys } from "../../../node/src/replica/readKeyFile.js";
import { waitFor } from "../../../scripts/devnet/processes.js";
import { initRingNode, RingNodeProcess, TEST_PASSWORD } from "../../../scripts/devnet/ringNodeProcess.js";
import { createReplicaRing, fund } from "../../../scripts/devnet/ringsOnChain.js";
import { FAST_ROUNDS_ENV, startRoundsRing, type RoundsRing } from "../../../scripts/devnet/roundsRing.js";
import { registerRing } from "../helpers/replicatedRing.js";
import { jsonRpcUrlAt } from "../../../scripts/devnet/jsonRpcUrl.js";

const FEE = parseEther("0.01");
const APP = "chat";

/** Every message of `app` a member holds, final first (pages of 100). */
async function finalOf(member: MessagesClient): Promise<MessageItem[]> {
  return (await member.replay(APP)).messages;
}

const summary = (items: readonly { cid: string; round: number | null }[]) => items.map((item) => `${item.round}/${item.cid}`);

describe("replay from a replica ring, checked against the chain", function () {
  this.timeout(150_000);
  let world: RoundsRing;
  let replica: RingsRpcClient;
  const members: MessagesClient[] = [];
  const memberUrls: string[] = [];
  let options: ReplicaReplayOptions;
  let readKeysOf: () => Promise<Uint8Array[]>;

  before(async function () {
    world = await startRoundsRing(3, "replay-replica");
    for (let i = 0; i < 3; i++) {
      const started = await world.start(i);
      memberUrls.push(await jsonRpcUrlAt(world.ring.members[i]?.dataDir as string, started.node?.child.pid));
      members.push(new MessagesClient(memberUrls[i] as string));
    }
    const { chain, contracts, dirs, running, ring } = world.ring;
    const deployer = chain.account(0);
    const dataDir = await dirs.make("replica-0");
    const { address } = await initRingNode(dataDir);
    const { ring: replicaRingRing, replicaRing } = await createReplicaRing(contracts.factory, [address], await deployer.getAddress(), FEE);
    await fund(deployer, [address], parseEther("10"));
    const process = await RingNodeProcess.start({ dataDir, rpcUrl: chain.url, ring: replicaRingRing, env: { ...FAST_ROUNDS_ENV, RING_NODE_REPLICA_RING: replicaRing, RING_NODE_FACTORY: await contracts.factory.getAddress() } });
    running.add(process);
    replica = new RingsRpcClient(await jsonRpcUrlAt(dataDir, process.child.pid), { timeoutMs: 10_000 });
    await registerRing(world, replicaRing, FEE, replica);

    const memberDir = world.ring.members[0]?.dataDir as string;
    const wallet = (await loadKeystore(memberDir, TEST_PASSWORD)).wallet;
    readKeysOf = () => readEpochKeys(join(memberDir, READ_KEYS_FILE), ring).then((keys) => [...keys.values()].flat());
    options = {
      replica,
      auth: (member) => signReplicaLogAuth(wallet, { ring, member }),
      chain: new RingReads(ring, chain.provider),
      chainId: (await chain.provider.getNetwork()).chainId,
      ring,
      // Filled in once the first message made the members exchange the ring's read key.
      readKeys: [],
      app: APP,
    };
  });

  after(async function () {
    await world?.cleanup();
  });

  it("rebuilds from the replica the final order a member's ReadMessages gives", async function () {
    const posted: string[] = [];
    for (const [at, txt] of [[0, "a"], [1, "b"], [0, "c"], [2, "d"], [1, "e"]] as const) posted.push((await members[at]?.post({ app: APP, payload: { txt } }))?.cid as string);
    await waitFor("the messages final", async () => (await finalOf(members[0] as MessagesClient)).filter((item) => posted.includes(item.cid)).length === posted.length, 60_000, 200);
    options.readKeys = await readKeysOf();
    expect(options.readKeys.length).to.be.greaterThan(0);
    // One more round, so a later cut covers the proposals of the rounds above (what the replica follows).
    const last = (await members[2]?.post({ app: APP, payload: { txt: "f" } }))?.cid as string;
    await waitFor("the last message final", async () => (await finalOf(members[0] as MessagesClient)).some((item) => item.cid === last), 60_000, 200);

    const replay = await waitFor(
      "a replay from the replica covering the posted messages",
      async () => {
        const replayed: ReplicaReplay = await replayFromReplica(options);
        return posted.every((cid) => replayed.messages.some((ordered) => ordered.message.cid === cid)) ? replayed : undefined;
      },
      40_000,
      500,
    );
    const caughtUp = async (member: MessagesClient) => waitFor("the member at the replay's round", async () => ((await member.replay(APP)).finalRound >= replay.finalRound ? true : undefined), 20_000, 200);
    await caughtUp(members[1] as MessagesClient);
    await caughtUp(members[2] as MessagesClient);
    const memberOrder = (await finalOf(members[1] as MessagesClient)).filter((item) => (item.round ?? 0) <= replay.finalRound);
    expect(summary(replay.messages.map((ordered) => ({ cid: ordered.message.cid, round: ordered.round })))).to.deep.equal(summary(memberOrder));
    expect(replay.finalRound).to.be.at.most(replay.chainRound);

    const verified = await (members[2] as MessagesClient).replay(APP, { verify: { chainId: options.chainId, ring: options.ring, readKeys: options.readKeys } });
    expect(summary(verified.messages.filter((item) => (item.round ?? 0) <= replay.finalRound))).to.deep.equal(summary(memberOrder));
  });

  it("replays from a member's GetReplicaLog (its own ring's logs) the final order the replica gives, checked against the chain", async function () {
    const fromReplica = await replayFromReplica(options);
    const fromMember = await replayFromReplica({ ...options, replica: new RingsRpcClient(memberUrls[1] as string, { timeoutMs: 10_000 }) });
    const upTo = Math.min(fromReplica.finalRound, fromMember.finalRound);
    expect(upTo).to.be.greaterThan(0);
    const prefix = (replay: ReplicaReplay) => summary(replay.messages.filter((ordered) => (ordered.round ?? 0) <= upTo).map((ordered) => ({ cid: ordered.message.cid, round: ordered.round })));
    expect(prefix(fromMember)).to.deep.equal(prefix(fromReplica));
    expect(fromMember.messages.length).to.be.greaterThan(0);
  });

  it("serves a member's GetReplicaLog of its own ring to the ring's members only", async function () {
    const outsider = Wallet.createRandom();
    const member = new RingsRpcClient(memberUrls[1] as string, { timeoutMs: 10_000 });
    const code = await member.getReplicaLog({ ring: options.ring, member: world.ring.members[0]?.address as string, auth: await signReplicaLogAuth(outsider, { ring: options.ring, member: world.ring.members[0]?.address as string }) }).then(
      () => undefined,
      (error: unknown) => (error instanceof RingsRpcError ? error.code : error),
    );
    expect(code).to.equal(RpcErrorCode.NotAMember);
  });

  it("answers ReadMessages withNodes with each message's signed node, at most 100 a page", async function () {
    const page = await (members[0] as MessagesClient).read({ app: APP, limit: 2, withNodes: true });
    expect(page.messages.length).to.be.greaterThan(0);
    for (const item of page.messages) expect((await decodeLogNode(getBytes(item.node as string))).cid.toString()).to.equal(item.cid);
    const code = await (members[0] as MessagesClient).read({ app: APP, limit: 101, withNodes: true }).then(
      () => undefined,
      (error: unknown) => (error instanceof RingsRpcError ? error.code : error),
    );
    expect(code).to.equal(-32602);
  });

  it("refuses a replica that altered a node of a member's log", async function () {
    const tampered: ReplicaReplayOptions["replica"] = {
      async *replicaLogPages(params, call) {
        for await (const page of replica.replicaLogPages(params, call)) {
          const nodes = page.nodes.map((hex, index) => {
            if (index !== Math.floor(page.nodes.length / 2)) return hex;
            const bytes = getBytes(hex);
            const middle = Math.floor(bytes.length / 2);
            bytes[middle] = (bytes[middle] as number) ^ 0x01;
            return hexlify(bytes);
          });
          yield { ...page, nodes };
        }
      },
    };
    const error = await replayFromReplica({ ...options, replica: tampered }).then(
      () => undefined,
      (caught: unknown) => caught,
    );
    expect(error).to.be.instanceOf(ReplayNodeRefusedError);
  });

  it("refuses rounds whose cut the chain's ring log does not name", async function () {
    const chain = options.chain;
    const forged: ReplicaReplayOptions["chain"] = {
      members: (read) => chain.members(read),
      round: (read) => chain.round(read),
      ringLog: async (round, read) => (Number(round) === 1 ? `0x${"ab".repeat(32)}` : chain.ringLog(round, read)),
    };
    const error = await replayFromReplica({ ...options, chain: forged }).then(
      () => undefined,
      (caught: unknown) => caught,
    );
    expect(error).to.be.instanceOf(ReplayVerificationError);
    expect(error).to.be.instanceOf(ReplayCutMismatchError);
  });
});
