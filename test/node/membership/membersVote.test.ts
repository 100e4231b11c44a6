/**
 * Admitting and removing members by the members' 2/3 vote from the command line: `ring-node members
 * candidacy / propose-add / propose-remove / votes` against a ring of three `ring-node` processes
 * and a real chain. The proposal travels in the proposer's log, every node signs, one submits.
 */
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { expect } from "chai";
import { Contract } from "ethers";
import { RING_ABI } from "../../../node/src/chain/index.js";
import { waitFor } from "../../../scripts/devnet/processes.js";
import { initRingNode, RING_NODE_BIN, ringNodeCommand, TEST_PASSWORD } from "../../../scripts/devnet/ringNodeProcess.js";
import { startTestRing, type TestRing } from "../../../scripts/devnet/ringOfNodes.js";

const run = promisify(execFile);
const FAST = { RING_NODE_MEMBERSHIP_SUBMIT_DELAY_MS: "1000", RING_NODE_HEAD_EXCHANGE_MS: "1000", RING_NODE_CHAIN_POLL_MS: "200" };

interface Motion {
  enter: boolean;
  member: string;
  closed: string | null;
  votes: string[];
  required: number;
}

describe("ring-node members: admit and remove by the members' 2/3 vote", function () {
  this.timeout(240_000);
  let ring: TestRing;
  let candidate: { address: string; dataDir: string };
  let contract: Contract;
  const dirOf = (index: number) => ring.members[index]?.dataDir as string;
  const members = (...args: string[]) => ringNodeCommand(["members", ...args, "--json"]);
  const candidacy = async (dataDir: string) => (JSON.parse(await members("candidacy", "--ring", ring.ring, "--rpc-url", ring.chain.url, "--data-dir", dataDir)) as { candidacy: string }).candidacy;

  before(async function () {
    ring = await startTestRing(3, "members");
    const peers: string[] = [];
    for (let i = 0; i < 3; i++) peers.push((await ring.start(i, { peers: [...peers], env: FAST })).multiaddr);
    const dataDir = await ring.dirs.make("candidate");
    candidate = { ...(await initRingNode(dataDir)), dataDir };
    contract = new Contract(ring.ring, RING_ABI, ring.chain.provider);
  });

  after(async function () {
    await ring?.cleanup();
  });

  it("admits a candidate that proved its key once 2 of 3 members signed, in one transaction", async function () {
    const proof = await candidacy(candidate.dataDir);
    const proposed = JSON.parse(await members("propose-add", candidate.address, "--candidacy", proof, "--data-dir", dirOf(0))) as Motion;
    expect(proposed.closed).to.equal(null);
    expect(proposed.votes).to.deep.equal([ring.members[0]?.address]);
    await waitFor("the candidate on chain", async () => ((await contract.getFunction("isMember")(candidate.address)) as boolean) || undefined, 60_000, 250);
    expect(await contract.getFunction("membershipEpoch")()).to.equal(1n);
    const voted = await contract.queryFilter(contract.filters.MembershipVoted?.() ?? "MembershipVoted");
    expect(voted).to.have.length(1);
  });

  it("shows the proposal with who signed it at every member", async function () {
    const motions = await waitFor(
      "the motion with 2 or more signatures at member 2",
      async () => {
        const list = JSON.parse(await members("votes", "--data-dir", dirOf(2))) as Motion[];
        return list.find((motion) => motion.member === candidate.address && motion.votes.length >= 2);
      },
      30_000,
      500,
    );
    expect(motions.enter).to.equal(true);
    expect(motions.closed).to.match(/member already|epoch/);
  });

  it("refuses a candidacy signed by another key, and proposes nothing", async function () {
    const stranger = await ring.dirs.make("stranger");
    await initRingNode(stranger);
    const wrongProof = await candidacy(stranger);
    const other = await ring.dirs.make("other");
    const { address } = await initRingNode(other);
    const failure = await run(process.execPath, [RING_NODE_BIN, "members", "propose-add", address, "--candidacy", wrongProof, "--data-dir", dirOf(1)], { env: { ...process.env, RING_NODE_PASSWORD: TEST_PASSWORD } }).then(
      () => null,
      (error: { code?: number; stderr?: string }) => error,
    );
    expect(failure?.code).to.equal(1);
    expect(failure?.stderr).to.contain("CandidacyError");
    const list = JSON.parse(await members("votes", "--data-dir", dirOf(1))) as Motion[];
    expect(list.some((motion) => motion.member === address)).to.equal(false);
  });

  it("removes a member once 3 of the 4 members signed (the admitted one's node is not running)", async function () {
    const leaving = ring.members[2]?.address as string;
    await members("propose-remove", leaving, "--data-dir", dirOf(1));
    await waitFor("the member removed on chain", async () => !((await contract.getFunction("isMember")(leaving)) as boolean) || undefined, 60_000, 250);
    expect(await contract.getFunction("membershipEpoch")()).to.equal(2n);
  });

  it("refuses to propose removing an address that is not a member", async function () {
    const failure = await run(process.execPath, [RING_NODE_BIN, "members", "propose-remove", ring.members[2]?.address as string, "--data-dir", dirOf(0)], { env: process.env }).then(
      () => null,
      (error: { code?: number; stderr?: string }) => error,
    );
    expect(failure?.code).to.equal(1);
    expect(failure?.stderr).to.match(/InvalidProposalError: 0x\w+ is not a member/);
  });
});
