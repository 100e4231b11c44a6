/**
 * FlushToRing's checks (node/src/rpc/flush/checks.ts) as a pure function of what the node knows:
 * each failing step with its code and message, the order in which it asks for facts, and the
 * accepted flush. No chain, no processes: the facts are written out.
 */
import { expect } from "chai";
import { getAddress, hexlify, randomBytes, Wallet } from "ethers";
import { RpcErrorCode } from "../../../node/src/api/errorCodes.js";
import { cidToBytes32, ZERO_BYTES32 } from "../../../node/src/core/cid.js";
import { ringDomain } from "../../../node/src/core/eip712.js";
import { LOG_NODE_VERSION, signLogNode, type EncodedLogNode } from "../../../node/src/core/logNode.js";
import { ringInterface } from "../../../node/src/chain/index.js";
import { encryptPayload } from "../../../node/src/replica/payloadCipher.js";
import { generateRingKeys } from "../../../node/src/replica/ringKeys.js";
import { checkFlush, MAX_FLUSH_MTX_GAS, type FlushFacts, type FlushRequest, type FlushVerdict } from "../../../node/src/rpc/flush/checks.js";

const CHAIN_ID = 31337n;
const NOW = 1_800_000_000_000;
const ID = hexlify(new Uint8Array(32).fill(0x11));
const FORWARDER = getAddress(hexlify(randomBytes(20)));

const avatar = Wallet.createRandom();
const ring = getAddress(hexlify(randomBytes(20)));
const READ_KEY = generateRingKeys().readKey;
let head: EncodedLogNode;
let plainHead: EncodedLogNode;

before(async () => {
  const payload = encryptPayload(READ_KEY, { text: "hello ring" }, { ring, author: avatar.address });
  head = await signLogNode({ v: LOG_NODE_VERSION, ring, author: avatar.address, seq: 0, prev: [], ts: NOW, payload }, avatar, ringDomain(CHAIN_ID, ring));
  plainHead = await signLogNode({ v: LOG_NODE_VERSION, ring, author: avatar.address, seq: 0, prev: [], ts: NOW, payload: { text: "hello ring" } }, avatar, ringDomain(CHAIN_ID, ring));
});

/** A request the checks accept with `allFacts()`; `changes` alter its mtx. */
function request(changes: Partial<FlushRequest["mtx"]> = {}): FlushRequest {
  const mtx = {
    from: avatar.address,
    to: ring,
    value: 0n,
    gas: 100_000n,
    nonce: 5n,
    deadline: BigInt(NOW / 1000 + 3600),
    data: ringInterface.encodeFunctionData("updateLogHead", [cidToBytes32(head.cid)]),
    ...changes,
  };
  return { avatar: avatar.address, ring, mtx };
}

/** Every fact, all in the request's favour; `changes` replace some. */
function allFacts(changes: Partial<FlushFacts> = {}): FlushFacts {
  return {
    now: NOW,
    forwarder: FORWARDER,
    replicaKeyHeld: true, macValid: true,
    signature: { signer: avatar.address, id: ID },
    claimed: true,
    chain: { forwarderNonce: 5n, pendingFlushes: 0, isMember: true, onChainHead: ZERO_BYTES32, chainId: CHAIN_ID, trustsForwarder: true },
    segment: { nodes: [head], head },
    ...changes,
  };
}

function chainFacts(changes: Partial<NonNullable<FlushFacts["chain"]>>): Partial<FlushFacts> {
  return { chain: { ...(allFacts().chain as NonNullable<FlushFacts["chain"]>), ...changes } };
}

function refusalOf(verdict: FlushVerdict) {
  if (verdict.outcome !== "refused") throw new Error(`expected a refusal, got ${verdict.outcome}`);
  return verdict;
}

describe("FlushToRing checks (pure)", () => {
  it("asks first whether the ring's replica key is held, knowing nothing else", () => {
    expect(checkFlush(request(), { now: NOW, forwarder: FORWARDER })).to.deep.equal({ outcome: "needs", stage: "replicaKeyHeld", steps: [] });
  });

  it("refuses with -32001 at step replicaKey when the replica key is not held, without an id", () => {
    const verdict = refusalOf(checkFlush(request(), { now: NOW, forwarder: FORWARDER, replicaKeyHeld: false }));
    expect(verdict.refusal).to.deep.equal({ step: "replicaKey", code: RpcErrorCode.ReplicaKeyNotHeld, detail: `no replica key for ring ${ring}` });
    expect(verdict.steps).to.deep.equal([{ step: "replicaKey", status: "failed", detail: `no replica key for ring ${ring}` }]);
  });

  it("refuses with -32001 at step replicaKey when the MAC is not made with the held key, without an id", () => {
    const verdict = refusalOf(checkFlush(request(), { now: NOW, forwarder: FORWARDER, replicaKeyHeld: true, macValid: false }));
    expect(verdict.refusal).to.deep.equal({ step: "replicaKey", code: RpcErrorCode.ReplicaKeyNotHeld, detail: `mac is not made with ring ${ring}'s replica key` });
  });

  it("asks for the signer once the key is held", () => {
    const verdict = checkFlush(request(), { now: NOW, forwarder: FORWARDER, replicaKeyHeld: true, macValid: true });
    expect(verdict).to.deep.equal({ outcome: "needs", stage: "signature", steps: [{ step: "replicaKey", status: "ok" }] });
  });

  it("refuses with -32002 when mtx_sig is not a valid signature", () => {
    const verdict = refusalOf(checkFlush(request(), allFacts({ signature: { signer: null, id: ID } })));
    expect(verdict.refusal).to.deep.equal({ step: "signature", code: RpcErrorCode.MtxSignatureMismatch, detail: "mtx_sig is not a valid signature" });
  });

  it("refuses with -32002 when the mtx is signed by someone other than the avatar", () => {
    const other = Wallet.createRandom().address;
    const verdict = refusalOf(checkFlush(request(), allFacts({ signature: { signer: other, id: ID } })));
    expect(verdict.refusal).to.deep.equal({ step: "signature", code: RpcErrorCode.MtxSignatureMismatch, detail: `mtx is signed by ${other}` });
  });

  it("refuses with -32002 when mtx.from is not the avatar", () => {
    const other = Wallet.createRandom().address;
    const verdict = refusalOf(checkFlush(request({ from: other }), allFacts()));
    expect(verdict.refusal).to.deep.equal({ step: "signature", code: RpcErrorCode.MtxSignatureMismatch, detail: `mtx.from is ${other}` });
  });

  it("asks to reserve the id only after the signature is right", () => {
    const verdict = checkFlush(request(), { now: NOW, forwarder: FORWARDER, replicaKeyHeld: true, macValid: true, signature: { signer: avatar.address, id: ID } });
    expect(verdict.outcome === "needs" && verdict.stage).to.equal("claimed");
  });

  it("refuses with -32005 and the id when this mtx was accepted already", () => {
    const verdict = refusalOf(checkFlush(request(), allFacts({ claimed: false })));
    expect(verdict.refusal).to.deep.equal({ step: "replay", code: RpcErrorCode.MtxReplayed, detail: "this mtx was already accepted", id: ID });
  });

  it("asks for the chain's facts once the id is reserved", () => {
    const { chain: _chain, segment: _segment, ...facts } = allFacts();
    const verdict = checkFlush(request(), facts);
    expect(verdict.outcome === "needs" && verdict.stage).to.equal("chain");
  });

  it("refuses with -32005 when the nonce was already used on the forwarder", () => {
    const verdict = refusalOf(checkFlush(request({ nonce: 4n }), allFacts()));
    expect(verdict.refusal).to.deep.equal({ step: "replay", code: RpcErrorCode.MtxReplayed, detail: "nonce 4 was already used on the forwarder (next is 5)", id: ID });
  });

  it("refuses with -32006 when the nonce is not the avatar's next one after its pending flushes", () => {
    const verdict = refusalOf(checkFlush(request({ nonce: 5n }), allFacts(chainFacts({ pendingFlushes: 2 }))));
    expect(verdict.refusal).to.deep.equal({ step: "replay", code: RpcErrorCode.MtxNotRelayable, detail: "nonce 5 is not the avatar's next one (7)", id: ID });
  });

  it("takes the nonce after the avatar's flushes still waiting for their relay", () => {
    expect(checkFlush(request({ nonce: 7n }), allFacts(chainFacts({ pendingFlushes: 2 }))).outcome).to.equal("accepted");
  });

  it("refuses with -32003 when the avatar is not a member of the ring", () => {
    const verdict = refusalOf(checkFlush(request(), allFacts(chainFacts({ isMember: false }))));
    expect(verdict.refusal).to.deep.equal({ step: "membership", code: RpcErrorCode.NotAMember, detail: `${avatar.address} is not a member of ${ring}`, id: ID });
  });

  it("asks for the log segment's verification only after membership", () => {
    const { segment: _segment, ...facts } = allFacts();
    const verdict = checkFlush(request(), facts);
    expect(verdict.outcome === "needs" && verdict.stage).to.equal("segment");
    expect(verdict.steps.map((step) => step.step)).to.deep.equal(["replicaKey", "signature", "replay", "membership"]);
  });

  it("refuses with -32004 and the segment's reason when the log nodes do not verify", () => {
    const verdict = refusalOf(checkFlush(request(), allFacts({ segment: { incomplete: "log node 0 has an invalid signature" } })));
    expect(verdict.refusal).to.deep.equal({ step: "logNodes", code: RpcErrorCode.LogReplicationIncomplete, detail: "log node 0 has an invalid signature", id: ID });
  });

  it("refuses with -32013 at step logNodes a log node whose payload is not an encrypted envelope", () => {
    const verdict = refusalOf(checkFlush(request(), allFacts({ segment: { nodes: [plainHead], head: plainHead } })));
    expect(verdict.refusal).to.deep.equal({ step: "logNodes", code: RpcErrorCode.PayloadNotEncrypted, detail: "log node seq 0 carries a plaintext payload (encrypt it with the ring's read key)", id: ID });
  });

  it("refuses with -32006 when the mtx does not call the ring", () => {
    const elsewhere = getAddress(hexlify(randomBytes(20)));
    expect(refusalOf(checkFlush(request({ to: elsewhere }), allFacts())).refusal).to.deep.include({ step: "mtx", code: RpcErrorCode.MtxNotRelayable, detail: `mtx.to is ${elsewhere}, not the ring` });
  });

  it("refuses with -32006 when the mtx is not updateLogHead(head of the log nodes)", () => {
    const data = ringInterface.encodeFunctionData("updateLogHead", [ZERO_BYTES32]);
    expect(refusalOf(checkFlush(request({ data }), allFacts())).refusal.detail).to.equal(`mtx.data is not updateLogHead(${cidToBytes32(head.cid)})`);
  });

  it("refuses with -32006 when the mtx carries value", () => {
    expect(refusalOf(checkFlush(request({ value: 1n }), allFacts())).refusal).to.deep.include({ code: RpcErrorCode.MtxNotRelayable, detail: "mtx.value must be 0" });
  });

  it("refuses with -32006 when the mtx asks for more gas than an updateLogHead needs", () => {
    expect(refusalOf(checkFlush(request({ gas: MAX_FLUSH_MTX_GAS + 1n }), allFacts())).refusal.detail).to.equal(`mtx.gas exceeds ${MAX_FLUSH_MTX_GAS}`);
  });

  it("refuses with -32006 when the mtx's deadline has passed", () => {
    expect(refusalOf(checkFlush(request({ deadline: BigInt(NOW / 1000) }), allFacts())).refusal.detail).to.equal("mtx deadline has passed");
  });

  it("refuses with -32006 when the ring does not trust this node's forwarder", () => {
    expect(refusalOf(checkFlush(request(), allFacts(chainFacts({ trustsForwarder: false })))).refusal.detail).to.equal(`ring ${ring} does not trust forwarder ${FORWARDER}`);
  });

  it("refuses with -32006 when the log nodes hold nothing after the on-chain head", () => {
    const verdict = refusalOf(checkFlush(request(), allFacts(chainFacts({ onChainHead: cidToBytes32(head.cid) }))));
    expect(verdict.refusal).to.deep.include({ code: RpcErrorCode.MtxNotRelayable, detail: "the log nodes hold nothing after the on-chain head" });
  });

  it("accepts a flush that passes every check, with its id, new head and every step ok", () => {
    const verdict = checkFlush(request(), allFacts());
    if (verdict.outcome !== "accepted") throw new Error(`expected acceptance, got ${verdict.outcome}`);
    expect(verdict.flush.id).to.equal(ID);
    expect(verdict.flush.head).to.equal(cidToBytes32(head.cid));
    expect(verdict.steps).to.deep.equal([
      { step: "replicaKey", status: "ok" },
      { step: "signature", status: "ok" },
      { step: "replay", status: "ok" },
      { step: "membership", status: "ok" },
      { step: "logNodes", status: "ok", detail: "1 new node(s), head seq 0" },
      { step: "mtx", status: "ok" },
    ]);
  });
});
