/**
 * The chain view follows a Ring contract over plain JSON-RPC (a spawned hardhat node): members,
 * node info, log heads and events, with clear errors for a dead endpoint or a non-ring address.
 * (That its ABI fragments match the compiled Ring is test/node/chain/abi.test.ts.)
 */
import { expect } from "chai";
import { Wallet, hexlify } from "ethers";
import { ChainUnreachableError, NotARingError, RingChainView, type RingEventRecord } from "../../../node/src/chain/index.js";
import { generateIdentity, peerIdBytes } from "../../../node/src/identity/identity.js";
import { startHardhatNode, type HardhatNode } from "../../../scripts/devnet/hardhatNode.js";
import { freePort } from "../../../scripts/devnet/ports.js";
import { waitFor } from "../../../scripts/devnet/processes.js";
import { createRing, deployRingsContracts, fund, ringAt } from "../../../scripts/devnet/ringsOnChain.js";

describe("chain view over JSON-RPC", function () {
  this.timeout(120_000);
  let chain: HardhatNode;
  let ring: string;
  const members = [generateIdentity(), generateIdentity(), generateIdentity()];
  let view: RingChainView;

  before(async () => {
    chain = await startHardhatNode();
    const contracts = await deployRingsContracts(chain.account(0));
    ring = await createRing(contracts.factory, members.slice(0, 2).map((m) => m.address), await chain.account(0).getAddress());
    await fund(chain.account(0), members.map((m) => m.address));
    view = await RingChainView.connect({ rpcUrl: chain.url, ring, pollMs: 100 });
  });

  after(async () => {
    await view?.stop();
    await chain?.stop();
  });

  it("reads the members, the ring's EIP-712 domain and the empty heads", () => {
    expect(view.members()).to.deep.equal(members.slice(0, 2).map((m) => m.address));
    expect(view.isMember(members[0]?.address.toLowerCase() ?? "")).to.equal(true);
    expect(view.isMember(members[2]?.address ?? "")).to.equal(false);
    expect(view.domain).to.deep.include({ name: "Rings", version: "1", chainId: 31337n, verifyingContract: ring });
    expect(view.logNodeHead(members[0]?.address ?? "")).to.equal("0x" + "00".repeat(32));
    expect(view.round()).to.equal(0n);
  });

  it("publishes a member's node info and sees it, PeerId included", async () => {
    const member = members[0];
    if (member === undefined) throw new Error("no member");
    const address = `/ip4/127.0.0.1/tcp/4001/p2p/${member.peerId.toString()}`;
    await view.setNodeInfo(member.wallet.connect(view.provider), address, peerIdBytes(member.peerId));
    expect(view.nodeInfo(member.address)).to.deep.equal({ multiaddr: address, peerId: member.peerId.toString() });
  });

  it("follows events as they are mined: log heads, entries and exits", async () => {
    const seen: RingEventRecord[] = [];
    const unsubscribe = view.onEvent((event) => seen.push(event));
    view.start();
    const [first, , newcomer] = members as [typeof members[0], typeof members[1], typeof members[2]];
    const head = hexlify(crypto.getRandomValues(new Uint8Array(32)));
    await (await ringAt(ring, first.wallet.connect(chain.provider)).updateLogHead(head)).wait();
    await (await ringAt(ring, chain.account(0)).enter(newcomer.address)).wait();
    await waitFor("LogHeadUpdated and MemberEntered", () => seen.some((e) => e.type === "MemberEntered"), 10_000, 50);
    expect(seen.find((e) => e.type === "LogHeadUpdated")).to.deep.include({ member: first.address, head });
    expect(view.logNodeHead(first.address)).to.equal(head);
    expect(view.isMember(newcomer.address)).to.equal(true);
    // The member list is linked: exit names the member before the one leaving (0x…01 for the first).
    const list = view.members();
    const prev = list[list.indexOf(newcomer.address) - 1] ?? "0x0000000000000000000000000000000000000001";
    await (await ringAt(ring, chain.account(0)).exit(prev, newcomer.address)).wait();
    await waitFor("MemberExited", () => seen.some((e) => e.type === "MemberExited"), 10_000, 50);
    expect(view.isMember(newcomer.address)).to.equal(false);
    unsubscribe();
  });

  it("follows the membership epoch votes must sign: one more with each entry and exit", async () => {
    view.start();
    const newcomer = members[2] as (typeof members)[0];
    const before = view.membershipEpoch();
    await (await ringAt(ring, chain.account(0)).enter(newcomer.address)).wait();
    await waitFor("the epoch after the entry", () => view.membershipEpoch() === before + 1n, 10_000, 50);
    const list = view.members();
    const prev = list[list.indexOf(newcomer.address) - 1] ?? "0x0000000000000000000000000000000000000001";
    await (await ringAt(ring, chain.account(0)).exit(prev, newcomer.address)).wait();
    await waitFor("the epoch after the exit", () => view.membershipEpoch() === before + 2n, 10_000, 50);
  });

  it("says so when the chain is unreachable or the address is not a ring", async () => {
    let unreachable: unknown;
    try {
      await RingChainView.connect({ rpcUrl: `http://127.0.0.1:${await freePort()}/`, ring, timeoutMs: 2_000 });
    } catch (error) {
      unreachable = error;
    }
    expect(unreachable).to.be.instanceOf(ChainUnreachableError);
    let notRing: unknown;
    try {
      await RingChainView.connect({ rpcUrl: chain.url, ring: Wallet.createRandom().address, timeoutMs: 2_000 });
    } catch (error) {
      notRing = error;
    }
    expect(notRing).to.be.instanceOf(NotARingError);
  });
});
