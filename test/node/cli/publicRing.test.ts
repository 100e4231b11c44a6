/**
 * A public ring is the ring's, fixed at its creation: `ring-node ring create --public` records it
 * (RingFactory.isPublic), `ring info` shows it, a member's node writes in the clear exactly when the
 * chain says so, and a node told `--public-ring on` for a ring that is not public refuses to start.
 */
import { expect } from "chai";
import { hardhatAccount, startHardhatNode, type HardhatNode } from "../../../scripts/devnet/hardhatNode.js";
import { initRingNode, ringNodeCommand, RingNodeProcess } from "../../../scripts/devnet/ringNodeProcess.js";
import { createRing, deployRingsContracts, type RingsContracts } from "../../../scripts/devnet/ringsOnChain.js";
import { tempDirs } from "../../../scripts/devnet/tempDir.js";

const dirs = tempDirs("rings-public-ring");

describe("public rings: recorded at creation, followed by the members' nodes", function () {
  this.timeout(180_000);
  let chain: HardhatNode;
  let contracts: RingsContracts;
  let factory: string;
  let memberDir: string;
  let publicRing: string;
  const flags = () => ["--data-dir", memberDir, "--rpc-url", chain.url, "--factory", factory];

  before(async function () {
    chain = await startHardhatNode();
    contracts = await deployRingsContracts(chain.account(0));
    factory = await contracts.factory.getAddress();
    memberDir = await dirs.make("member");
    await initRingNode(memberDir, hardhatAccount(3).privateKey);
  });

  after(async function () {
    await chain?.stop();
    await dirs.cleanup();
  });

  it("ring create --public records the ring as public on chain, and ring info shows it", async function () {
    const created = JSON.parse(await ringNodeCommand(["ring", "create", "--members", hardhatAccount(3).address, "--public", "--json", ...flags()])) as { ring: string; public: boolean };
    publicRing = created.ring;
    expect(created.public).to.equal(true);
    expect(await contracts.factory.isPublic(publicRing)).to.equal(true);
    expect(await ringNodeCommand(["ring", "info", publicRing, ...flags()])).to.match(/public\s+yes/);
  });

  it("a ring created without --public is not public", async function () {
    const created = JSON.parse(await ringNodeCommand(["ring", "create", "--members", hardhatAccount(3).address, "--json", ...flags()])) as { ring: string; public: boolean };
    expect(created.public).to.equal(false);
    expect(await contracts.factory.isPublic(created.ring)).to.equal(false);
    expect(await ringNodeCommand(["ring", "info", created.ring, ...flags()])).to.match(/public\s+no/);
  });

  it("a member's node of a public ring writes in the clear without being told", async function () {
    const node = await RingNodeProcess.start({ dataDir: memberDir, rpcUrl: chain.url, ring: publicRing, args: ["--factory", factory] });
    try {
      const status = JSON.parse(await ringNodeCommand(["status", "--data-dir", memberDir, "--json"])) as { keys?: { public: boolean } };
      expect(status.keys?.public).to.equal(true);
    } finally {
      await node.stop();
    }
  });

  it("a node told --public-ring on for a ring that is not public refuses to start", async function () {
    const ring = await createRing(contracts.factory, [hardhatAccount(3).address], hardhatAccount(0).address);
    const refused = await RingNodeProcess.start({ dataDir: memberDir, rpcUrl: chain.url, ring, args: ["--factory", factory, "--public-ring", "on"] }).then(
      async (node) => {
        await node.stop();
        return null;
      },
      (error: Error) => error,
    );
    // The process exits (code 1) on the refusal: the wait for its control endpoint ends there, not at its timeout.
    expect(refused?.message).to.match(/^ring-node exited \(1\): ring-node: RingNotPublicError/);
    expect(refused?.message).to.match(/RingNotPublicError: --public-ring on, but ring 0x\w+ is not public: its RingFactory 0x\w+ records it as not public/);
  });
});
