/**
 * Members behind NAT (the seed's STUN/TURN rings), on loopback: a member that listens on no TCP port
 * reaches the ring through circuit relay v2 on a relay member, replicates, and its votes count;
 * when its relay dies it reserves on another and keeps counting. Real ring-node processes, a real chain.
 */
import { expect } from "chai";
import { after, afterEach, before, describe, it } from "mocha";
import { ringInterface } from "../../../node/src/chain/index.js";
import { ControlClient } from "../../../node/src/control/client.js";
import type { NodeStatus } from "../../../node/src/status/status.js";
import { waitFor } from "../../../scripts/devnet/processes.js";
import { ringNodeCommand } from "../../../scripts/devnet/ringNodeProcess.js";
import { ringAt } from "../../../scripts/devnet/ringsOnChain.js";
import { startRoundsRing, type RoundsRing } from "../../../scripts/devnet/roundsRing.js";

const RELAY = { RING_NODE_RELAY: "on" };
const BEHIND_NAT = { RING_NODE_LISTEN: "/p2p-circuit" };
const NATTED = 3;

describe("relays: a member without a dialable address joins through a relay member", function () {
  this.timeout(300_000);
  let world: RoundsRing;

  const statusOf = async (index: number) => (await ControlClient.forDataDir(world.ring.members[index]?.dataDir as string)).status<NodeStatus>();
  const publishedAddress = async (index: number) => (await ringAt(world.ring.ring, world.ring.chain.account(0)).nodeInfo(world.members[index]?.address as string)).multiaddr;

  /** The members whose votes the flush of `tx` counted (its Agreed event). */
  async function agreedIn(tx: string): Promise<string[]> {
    const receipt = await world.ring.chain.provider.getTransactionReceipt(tx);
    for (const log of receipt?.logs ?? []) {
      const parsed = ringInterface.parseLog(log);
      if (parsed?.name === "Agreed") return [...(parsed.args.members as string[])];
    }
    throw new Error(`no Agreed event in ${tx}`);
  }

  /** A small job at member `at`, finalised; the members its round counted. */
  async function roundVoters(at: number, tag: string): Promise<string[]> {
    const source = `export function map(inputs, params, shard) { return [params.tag, shard]; }\nexport function reduce(partials) { return partials; }`;
    const submitted = await world.jobsOf(at).submit({ source, inputs: [], params: { tag }, shards: 2, redundancy: 2, pin: 0 });
    const status = await world.jobsOf(at).waitFinalised(submitted.job, 120_000);
    return agreedIn(status.tx as string);
  }

  before(async function () {
    world = await startRoundsRing(4, "relay");
    await world.start(0, RELAY);
    await world.start(1, RELAY);
    await world.start(2);
    await world.start(NATTED, BEHIND_NAT);
  });

  afterEach(async function () {
    if (this.currentTest?.state === "failed") await world?.saveLogs(this.currentTest.title);
  });

  after(async function () {
    await world?.cleanup();
  });

  it("listens on no TCP port, reserves a slot on a relay member and publishes the relayed address on chain", async function () {
    const status = await waitFor("a relay reservation", async () => {
      const current = await statusOf(NATTED);
      return current.multiaddrs.length > 0 ? current : undefined;
    }, 60_000);
    expect(status.multiaddrs.every((ma) => ma.includes("/p2p-circuit"))).to.equal(true);
    const published = await waitFor("the relayed address on chain", async () => ((await publishedAddress(NATTED)).includes("/p2p-circuit") ? publishedAddress(NATTED) : undefined), 60_000);
    const relays = [0, 1].map((i) => world.members[i]?.node?.info.peerId as string);
    expect(relays.some((relay) => published.includes(`/p2p/${relay}/p2p-circuit`))).to.equal(true);
    // Both sides show it in their status: the relayed member names its relay, the relay its reservation.
    const relay = relays.findIndex((peer) => status.relay.via.includes(peer));
    expect(relay).to.be.greaterThanOrEqual(0);
    expect((await statusOf(relay)).relay.reservations).to.include(world.members[NATTED]?.node?.info.peerId);
  });

  it("replicates every member's log, and the others replicate its log, through the relay", async function () {
    for (let i = 0; i < 4; i++) await ringNodeCommand(["append", "--data-dir", world.ring.members[i]?.dataDir as string, JSON.stringify({ relayed: i })]);
    const natted = world.members[NATTED]?.address as string;
    await waitFor(
      "every log held everywhere",
      async () => {
        const statuses = await Promise.all([0, 1, 2, 3].map(statusOf));
        return statuses.every((status) => status.members.every((member) => member.self || (member.held !== null && member.lag === 0))) ? true : undefined;
      },
      90_000,
      500,
    );
    const atRelay = (await statusOf(0)).members.find((member) => member.address === natted);
    expect(atRelay?.held?.seq).to.be.greaterThanOrEqual(0);
  });

  it("its vote counts in a flushed round (with one other member down, the round needs it)", async function () {
    await world.kill(2);
    const voters = await roundVoters(0, "through relay 0 or 1");
    expect(voters).to.include(world.members[NATTED]?.address);
    await world.start(2);
  });

  it("its relay killed, it reserves on the other relay member and the next round still counts its vote", async function () {
    const before = await publishedAddress(NATTED);
    const relayIndex = [0, 1].find((i) => before.includes(`/p2p/${world.members[i]?.node?.info.peerId}/p2p-circuit`));
    if (relayIndex === undefined) throw new Error(`no relay member in ${before}`);
    const other = relayIndex === 0 ? 1 : 0;
    await world.kill(relayIndex);
    const otherPeer = world.members[other]?.node?.info.peerId as string;
    await waitFor("a reservation on the other relay, published", async () => ((await publishedAddress(NATTED)).includes(`/p2p/${otherPeer}/p2p-circuit`) ? true : undefined), 90_000, 500);
    // Three of four up (the killed relay is not): the round needs the relayed member's vote.
    const voters = await roundVoters(other, "after the relay died");
    expect(voters).to.include(world.members[NATTED]?.address);
  });
});
