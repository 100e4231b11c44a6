/**
 * A job's pin input (rounds/pinInput.ts) names the upstream ring it trusts: the node reads that
 * ring's pin from the Gate (a spawned hardhat node over JSON-RPC), never another ring's output on
 * the same pin number. Two authorised accounts stand for two rings: the Gate only asks whether the
 * writer is authorised.
 */
import { expect } from "chai";
import { hexlify, type Signer } from "ethers";
import { after, before, describe, it } from "mocha";
import { bytes32ToCid } from "../../../node/src/core/cid.js";
import { latestOnPin } from "../../../node/src/rounds/pinInput.js";
import { startHardhatNode, type HardhatNode } from "../../../scripts/devnet/hardhatNode.js";
import { deployRingsContracts } from "../../../scripts/devnet/ringsOnChain.js";
import { Gate__factory } from "../../../types/index.js";

const token = () => hexlify(crypto.getRandomValues(new Uint8Array(32)));

describe("pin inputs: the named upstream ring's latest output on its Gate pin", function () {
  this.timeout(120_000);
  let chain: HardhatNode;
  let gate: string;
  let mapRing: string;
  let otherRing: string;
  const mapToken = token();
  const otherToken = token();

  async function output(writer: Signer, pin: number, tokenId: string): Promise<void> {
    await (await Gate__factory.connect(gate, writer).output([pin], [tokenId])).wait();
  }

  before(async () => {
    chain = await startHardhatNode();
    gate = (await deployRingsContracts(chain.account(0))).gate;
    [mapRing, otherRing] = await Promise.all([chain.account(1).getAddress(), chain.account(2).getAddress()]);
    for (const ring of [mapRing, otherRing]) await (await Gate__factory.connect(gate, chain.account(0)).setAuthorized(ring, true)).wait();
    await output(chain.account(1), 7, mapToken);
    // Another authorised ring writes the same pin number afterwards.
    await output(chain.account(2), 7, otherToken);
  });

  after(async () => {
    await chain?.stop();
  });

  it("reads the pin of the ring the input names, not the last writer of that pin number", async () => {
    const cid = await latestOnPin(chain.provider, { pin: 7, ring: mapRing }, gate);
    expect(cid.toString()).to.equal(bytes32ToCid(mapToken)?.toString());
  });

  it("reads another ring's output only when the input names that ring", async () => {
    const cid = await latestOnPin(chain.provider, { pin: 7, ring: otherRing }, gate);
    expect(cid.toString()).to.equal(bytes32ToCid(otherToken)?.toString());
  });

  it("refuses a pin the named ring never wrote, even though another ring wrote that pin number", async () => {
    const stranger = await chain.account(3).getAddress();
    const refused = await latestOnPin(chain.provider, { pin: 7, ring: stranger }, gate).then(
      () => null,
      (error: unknown) => error as Error,
    );
    expect(refused?.name).to.equal("EmptyPinError");
    expect(refused?.message).to.equal(`pin 7 of ring ${stranger} on gate ${gate} holds no output yet`);
  });
});
