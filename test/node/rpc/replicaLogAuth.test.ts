/**
 * Who may read a replica node's copy of a log (node/src/rpc/methods/replicaLogAuth.ts): a holder
 * of the ring's replica key or a member of the ring, until the authorisation expires. Unit tests:
 * the key store and the chain's membership are fakes.
 */
import { expect } from "chai";
import { Wallet } from "ethers";
import { RpcErrorCode } from "../../../node/src/api/errorCodes.js";
import type { ReplicaLogAuth } from "../../../node/src/api/requests.js";
import { replicaLogAuth, signReplicaLogAuth } from "../../../node/src/client/requests.js";
import { generateRingKeys } from "../../../node/src/replica/ringKeys.js";
import { checkReplicaLogAuth, type ReplicaLogAuthComponents } from "../../../node/src/rpc/methods/replicaLogAuth.js";

const ring = Wallet.createRandom().address;
const member = Wallet.createRandom();
const KEY = generateRingKeys().replicaKey;
const signal = new AbortController().signal;

function components(changes: { keyHeld?: boolean; members?: string[] } = {}): ReplicaLogAuthComponents {
  return {
    replicaKeys: { get: () => Promise.resolve(changes.keyHeld === false ? null : { ring, replicaRing: ring, replicaKey: KEY, registeredAt: 0 }) },
    chain: { isMember: (_ring, account) => Promise.resolve((changes.members ?? [member.address]).includes(account)) },
  };
}

async function refusalCode(auth: ReplicaLogAuth, parts = components()): Promise<number | null> {
  return checkReplicaLogAuth(parts, { ring, member: member.address, auth }, signal).then(
    () => null,
    (error: unknown) => (error as { code: number }).code,
  );
}

describe("GetReplicaLog authorisation", () => {
  it("lets a holder of the ring's replica key read", async () => {
    expect(await refusalCode(replicaLogAuth(KEY, { ring, member: member.address }))).to.equal(null);
  });

  it("refuses a MAC made with another key with -32001", async () => {
    expect(await refusalCode(replicaLogAuth(generateRingKeys().replicaKey, { ring, member: member.address }))).to.equal(RpcErrorCode.ReplicaKeyNotHeld);
  });

  it("refuses a MAC when this node holds no key for the ring with -32001", async () => {
    expect(await refusalCode(replicaLogAuth(KEY, { ring, member: member.address }), components({ keyHeld: false }))).to.equal(RpcErrorCode.ReplicaKeyNotHeld);
  });

  it("refuses a MAC made for another member's log with -32001", async () => {
    const other = replicaLogAuth(KEY, { ring, member: Wallet.createRandom().address });
    expect(await refusalCode(other)).to.equal(RpcErrorCode.ReplicaKeyNotHeld);
  });

  it("refuses an authorisation that has expired with -32001", async () => {
    expect(await refusalCode(replicaLogAuth(KEY, { ring, member: member.address }, -1))).to.equal(RpcErrorCode.ReplicaKeyNotHeld);
  });

  it("refuses an authorisation that expires more than 10 minutes ahead with -32001", async () => {
    expect(await refusalCode(replicaLogAuth(KEY, { ring, member: member.address }, 3_600))).to.equal(RpcErrorCode.ReplicaKeyNotHeld);
  });

  it("lets a member of the ring read with its signature, without the key", async () => {
    expect(await refusalCode(await signReplicaLogAuth(member, { ring, member: member.address }), components({ keyHeld: false }))).to.equal(null);
  });

  it("refuses the signature of someone who is not a member with -32003", async () => {
    expect(await refusalCode(await signReplicaLogAuth(Wallet.createRandom(), { ring, member: member.address }))).to.equal(RpcErrorCode.NotAMember);
  });
});
