/**
 * The typed client's check of a replayed message against the signed log node a member gave with
 * it (node/src/client/replayVerify.ts): a message as logged passes; a forged signature, a wrong
 * CID, a node carrying another message and a swapped seq are each refused with their error class.
 */
import { expect } from "chai";
import { hexlify, Wallet } from "ethers";
import { describe, it } from "mocha";
import type { MessageItem } from "../../../node/src/api/results.js";
import { ReplayMessageMismatchError, ReplayNodeRefusedError, ReplayUnreadableError, ReplayVerificationError } from "../../../node/src/client/errors.js";
import { verifyMessageItem } from "../../../node/src/client/replayVerify.js";
import { ringDomain } from "../../../node/src/core/eip712.js";
import { encodeLogNode, LOG_NODE_VERSION, signLogNode, type EncodedLogNode } from "../../../node/src/core/logNode.js";
import { InvalidLogNodeSignatureError, TamperedBlockError, WrongSignerError } from "../../../node/src/log/errors.js";
import { messageEntry, sealMessage } from "../../../node/src/messages/entry.js";
import { generateRingKeys } from "../../../node/src/replica/ringKeys.js";

const CHAIN_ID = 31337;
const RING = "0x00000000000000000000000000000000000000C0";
const domain = ringDomain(CHAIN_ID, RING);
const author = Wallet.createRandom();
const stranger = Wallet.createRandom();
const { readKey } = generateRingKeys();
const verification = { chainId: CHAIN_ID, ring: RING, readKeys: [readKey] };

/** A sealed message node at `seq` by `signer` (claiming `claimed` as author), and the item a member would serve for it. */
async function logged(seq: number, txt: string, signer = author, claimed = author.address): Promise<{ node: EncodedLogNode; item: MessageItem }> {
  const payload = sealMessage(messageEntry({ app: "chat", payload: { txt } }), readKey, { ring: RING, author: claimed });
  const node = await signLogNode({ v: LOG_NODE_VERSION, ring: RING, author: claimed, seq, prev: [], ts: 1_000 + seq, payload }, signer, domain);
  const item: MessageItem = { cid: node.cid.toString(), author: claimed, seq, ts: 1_000 + seq, app: "chat", payload: { txt }, status: "final", round: 1, node: hexlify(node.bytes) };
  return { node, item };
}

async function refusal(item: MessageItem, readKeys: Uint8Array[] = [readKey]): Promise<Error> {
  try {
    await verifyMessageItem(item, { ...verification, readKeys });
  } catch (error) {
    expect(error).to.be.instanceOf(ReplayVerificationError);
    return error as Error;
  }
  throw new Error("the item was accepted");
}

describe("client: a replayed message checked against its signed log node", () => {
  it("accepts a message as its author logged it (sealed with the read key)", async () => {
    const { item, node } = await logged(3, "hello");
    expect((await verifyMessageItem(item, verification)).cid.equals(node.cid)).to.equal(true);
  });

  it("refuses a node whose signature is not its author's (a forged signature)", async () => {
    const { item } = await logged(0, "forged", stranger, author.address);
    const error = await refusal(item);
    expect(error).to.be.instanceOf(ReplayNodeRefusedError);
    expect(error.cause).to.be.instanceOf(WrongSignerError);
  });

  it("refuses a node whose signature bytes were altered", async () => {
    const { node, item } = await logged(0, "hello");
    const sig = new Uint8Array(node.node.sig);
    sig[10] = (sig[10] as number) ^ 0xff;
    const altered = await encodeLogNode({ ...node.node, sig });
    const error = await refusal({ ...item, cid: altered.cid.toString(), node: hexlify(altered.bytes) });
    expect(error).to.be.instanceOf(ReplayNodeRefusedError);
    expect(error.cause instanceof WrongSignerError || error.cause instanceof InvalidLogNodeSignatureError, String(error.cause)).to.equal(true);
  });

  it("refuses node bytes that do not hash to the CID given (a wrong CID)", async () => {
    const { item } = await logged(0, "hello");
    const other = await logged(1, "other");
    const error = await refusal({ ...item, cid: other.item.cid });
    expect(error).to.be.instanceOf(ReplayNodeRefusedError);
    expect(error.cause).to.be.instanceOf(TamperedBlockError);
  });

  it("refuses a node whose payload is not the message claimed", async () => {
    const { item } = await logged(0, "what was said");
    const error = await refusal({ ...item, payload: { txt: "what the member claims" } });
    expect(error).to.be.instanceOf(ReplayMessageMismatchError);
  });

  it("refuses a message given with another seq than its node's (a swapped seq)", async () => {
    const { item } = await logged(2, "hello");
    const error = await refusal({ ...item, seq: 1 });
    expect(error).to.be.instanceOf(ReplayMessageMismatchError);
  });

  it("refuses a message given with another author's valid node", async () => {
    const theirs = await logged(0, "hello", stranger, stranger.address);
    const error = await refusal({ ...theirs.item, author: author.address });
    expect(error).to.be.instanceOf(ReplayMessageMismatchError);
  });

  it("refuses a sealed message it holds no read key for, rather than take the member's word", async () => {
    const { item } = await logged(0, "hello");
    const error = await refusal(item, [generateRingKeys().readKey]);
    expect(error).to.be.instanceOf(ReplayUnreadableError);
  });

  it("refuses a message given without its node", async () => {
    const { item } = await logged(0, "hello");
    const { node: _node, ...bare } = item;
    expect(await refusal(bare)).to.be.instanceOf(ReplayMessageMismatchError);
  });
});
