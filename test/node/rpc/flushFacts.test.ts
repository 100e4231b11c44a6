/**
 * How FlushToRing reads the facts its checks ask for (node/src/rpc/flush/facts.ts), with fakes of
 * its components: nothing is read that an earlier check makes moot, a chain that fails refuses at
 * the step it was read for, and the id is reserved only for a rightly signed request.
 */
import { expect } from "chai";
import { getAddress, hexlify, randomBytes, Wallet, type Signer, type TypedDataDomain } from "ethers";
import { RpcErrorCode } from "../../../node/src/api/errorCodes.js";
import { ZERO_BYTES32 } from "../../../node/src/core/cid.js";
import { forwardRequestDigest, signForwardRequest, type ForwardRequest } from "../../../node/src/relay/forwardRequest.js";
import { flushMac } from "../../../node/src/replica/requestMacs.js";
import { generateRingKeys } from "../../../node/src/replica/ringKeys.js";
import type { FlushFacts } from "../../../node/src/rpc/flush/checks.js";
import { FlushFactReader, type FlushFactsComponents, type FlushInput } from "../../../node/src/rpc/flush/facts.js";

const FORWARDER = getAddress(hexlify(randomBytes(20)));
const DOMAIN: TypedDataDomain = { name: "Forwarder", version: "1", chainId: 31337n, verifyingContract: FORWARDER };
const avatar = Wallet.createRandom();
const ring = getAddress(hexlify(randomBytes(20)));
const REPLICA_KEY = generateRingKeys().replicaKey;
const mtx: ForwardRequest = { from: avatar.address, to: ring, value: 0n, gas: 100_000n, nonce: 0n, deadline: 4_000_000_000n, data: "0x" };

/** Fakes that answer in the request's favour and note every read; `changes` replace some. */
function fakes(changes: { keyHeld?: boolean; chainFails?: boolean } = {}) {
  const reads: string[] = [];
  const claimed: string[] = [];
  const chainRead = <T>(name: string, value: T) => {
    reads.push(name);
    return changes.chainFails === true ? Promise.reject(new Error("connection refused")) : Promise.resolve(value);
  };
  const components: FlushFactsComponents = {
    replicaKeys: {
      get: () => (reads.push("replicaKey"), Promise.resolve(changes.keyHeld === false ? null : { ring, replicaRing: FORWARDER, replicaKey: REPLICA_KEY, registeredAt: 0 })),
    },
    forwarder: { address: FORWARDER, domain: () => (reads.push("domain"), Promise.resolve(DOMAIN)), nonce: () => chainRead("nonce", 0n) },
    chain: {
      isMember: () => chainRead("isMember", true),
      logNodeHead: () => chainRead("logNodeHead", ZERO_BYTES32),
      chainId: () => chainRead("chainId", 31337n),
      isTrustedForwarder: () => chainRead("isTrustedForwarder", true),
    },
    replicaStore: { lookup: () => Promise.resolve(null) },
    statuses: { claim: (id) => (claimed.push(id), true), pendingCount: () => 0 },
  };
  return { components, reads, claimed };
}

async function input(signer: Signer = avatar, macKey: Uint8Array = REPLICA_KEY): Promise<FlushInput> {
  const mtxSig = await signForwardRequest(signer, DOMAIN, mtx);
  const logNodes = [new Uint8Array([0xa0])];
  return { avatar: avatar.address, ring, mtx, mtxSig, logNodes, mac: flushMac(macKey, { ring, avatar: avatar.address, mtxSig, logNodes }) };
}

const signal = new AbortController().signal;

describe("FlushToRing fact reading", () => {
  it("reads nothing from the chain for a ring whose replica key is not held", async () => {
    const { components, reads } = fakes({ keyHeld: false });
    const verdict = await new FlushFactReader(components).judge(await input(), { now: Date.now(), forwarder: FORWARDER }, signal);
    expect(verdict.outcome === "refused" && verdict.refusal.code).to.equal(RpcErrorCode.ReplicaKeyNotHeld);
    expect(reads).to.deep.equal(["replicaKey"]);
  });

  it("refuses a request whose MAC was made with another key, reading nothing from the chain", async () => {
    const { components, reads, claimed } = fakes();
    const verdict = await new FlushFactReader(components).judge(await input(avatar, generateRingKeys().replicaKey), { now: Date.now(), forwarder: FORWARDER }, signal);
    expect(verdict.outcome === "refused" && verdict.refusal).to.deep.include({ step: "replicaKey", code: RpcErrorCode.ReplicaKeyNotHeld });
    expect(reads).to.deep.equal(["replicaKey"]);
    expect(claimed).to.deep.equal([]);
  });

  it("reserves no id for a request signed by someone else", async () => {
    const { components, claimed } = fakes();
    const verdict = await new FlushFactReader(components).judge(await input(Wallet.createRandom()), { now: Date.now(), forwarder: FORWARDER }, signal);
    expect(verdict.outcome === "refused" && verdict.refusal.code).to.equal(RpcErrorCode.MtxSignatureMismatch);
    expect(claimed).to.deep.equal([]);
  });

  it("refuses with -32008 at step replay, with the reserved id, when the chain does not answer", async () => {
    const { components, claimed } = fakes({ chainFails: true });
    const facts: FlushFacts = { now: Date.now(), forwarder: FORWARDER };
    const verdict = await new FlushFactReader(components).judge(await input(), facts, signal);
    const id = forwardRequestDigest(DOMAIN, mtx);
    expect(verdict.outcome === "refused" && verdict.refusal).to.deep.equal({ step: "replay", code: RpcErrorCode.ChainUnavailable, detail: "chain call failed: connection refused", id });
    expect(claimed).to.deep.equal([id]);
    expect(facts.claimed).to.equal(true);
  });

  it("refuses with -32004 and the verifier's reason, without repeating the code's words", async () => {
    const { components } = fakes();
    const verdict = await new FlushFactReader(components).judge(await input(), { now: Date.now(), forwarder: FORWARDER }, signal);
    expect(verdict.outcome === "refused" && verdict.refusal.code).to.equal(RpcErrorCode.LogReplicationIncomplete);
    expect(verdict.outcome === "refused" && verdict.refusal.detail).to.match(/^log node 0 does not deserialise/);
  });
});
