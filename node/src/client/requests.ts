/**
 * Builds and signs what a light client sends: FlushToRing (its new log nodes plus the signed
 * ERC-2771 request `Ring.updateLogHead(newHead)`, MACed with the ring's replica key) and
 * ReplicateRing (the signed request `ReplicaRing.register(ring, replicaKeyCommitment(key))` plus
 * the ring's replica key). The signer is any ethers Signer.
 */
import { getAddress, hexlify, type Provider, type Signer, type TypedDataDomain } from "ethers";
import type { FlushToRingRequest, ReplicaLogAuth, ReplicateRingRequest } from "../api/requests.js";
import { cidToBytes32 } from "../core/cid.js";
import type { EncodedLogNode } from "../core/logNode.js";
import { forwarderContract, readForwarderDomain, replicaRingInterface, ringInterface } from "../chain/index.js";
import { forwardRequestToJson, signForwardRequest, type ForwardRequest } from "../relay/forwardRequest.js";
import { flushMac, readAuthMac, readAuthMessage } from "../replica/requestMacs.js";
import { encodeRingKey, replicaKeyCommitment } from "../replica/ringKeys.js";

/** The params as sent are the API's (node/src/api/requests.ts). */
export type { FlushToRingRequest, ReplicateRingRequest };

/** The forwarder a request goes through: its address and EIP-712 domain. */
export interface ForwarderInfo {
  address: string;
  domain: TypedDataDomain;
}

export async function readForwarderInfo(provider: Provider, address: string): Promise<ForwarderInfo> {
  return { address: getAddress(address), domain: await readForwarderDomain(forwarderContract(address, provider)) };
}

/** The nonce the account's next forward request must carry. */
export async function nextForwarderNonce(provider: Provider, forwarder: string, account: string): Promise<bigint> {
  return (await forwarderContract(forwarder, provider).getFunction("nonces").staticCall(account)) as bigint;
}

export interface MetaTxOptions {
  nonce: bigint;
  /** Unix seconds; default one hour from now. */
  deadline?: bigint;
  gas?: bigint;
}

function deadlineOf(options: MetaTxOptions): bigint {
  return options.deadline ?? BigInt(Math.floor(Date.now() / 1000) + 3600);
}

/** The FlushToRing request moving the avatar's on-chain head to the newest of `logNodes`. */
export async function buildFlushToRing(options: { signer: Signer; ring: string; replicaKey: Uint8Array; forwarder: ForwarderInfo; logNodes: EncodedLogNode[] } & MetaTxOptions): Promise<FlushToRingRequest> {
  if (options.logNodes.length === 0) throw new RangeError("FlushToRing needs at least one log node");
  const newestFirst = [...options.logNodes].sort((a, b) => b.node.seq - a.node.seq);
  const head = newestFirst[0] as EncodedLogNode;
  const avatar = getAddress(await options.signer.getAddress());
  const request: ForwardRequest = {
    from: avatar,
    to: getAddress(options.ring),
    value: 0n,
    gas: options.gas ?? 100_000n,
    nonce: options.nonce,
    deadline: deadlineOf(options),
    data: ringInterface.encodeFunctionData("updateLogHead", [cidToBytes32(head.cid)]),
  };
  const signature = await signForwardRequest(options.signer, options.forwarder.domain, request);
  const mac = flushMac(options.replicaKey, { ring: request.to, avatar, mtxSig: signature, logNodes: newestFirst.map((node) => node.bytes) });
  return { avatar, ring: request.to, mtx: forwardRequestToJson(request), mtx_sig: signature, logNodes: newestFirst.map((node) => hexlify(node.bytes)), mac };
}

/** The ReplicateRing request registering `ring` with `replicaRing` and handing over its replica key. */
export async function buildReplicateRing(options: { signer: Signer; ring: string; replicaRing: string; replicaKey: Uint8Array; forwarder: ForwarderInfo } & MetaTxOptions): Promise<ReplicateRingRequest> {
  const from = getAddress(await options.signer.getAddress());
  const request: ForwardRequest = {
    from,
    to: getAddress(options.replicaRing),
    value: 0n,
    gas: options.gas ?? 300_000n,
    nonce: options.nonce,
    deadline: deadlineOf(options),
    data: replicaRingInterface.encodeFunctionData("register", [getAddress(options.ring), replicaKeyCommitment(options.replicaKey)]),
  };
  const signature = await signForwardRequest(options.signer, options.forwarder.domain, request);
  return { ring: getAddress(options.ring), replica_ring: request.to, replica_key: encodeRingKey(options.replicaKey), mtx: { ...forwardRequestToJson(request), signature } };
}

/** GetReplicaLog's authorisation by a holder of the ring's replica key, valid `ttlSeconds` (at most 600). */
export function replicaLogAuth(replicaKey: Uint8Array, target: { ring: string; member: string }, ttlSeconds = 300): ReplicaLogAuth {
  const expires = Math.floor(Date.now() / 1000) + ttlSeconds;
  return { expires, mac: readAuthMac(replicaKey, { ...target, expires }) };
}

/** GetReplicaLog's authorisation signed by a member of the ring (for replica nodes that follow the ring without its key). */
export async function signReplicaLogAuth(signer: Signer, target: { ring: string; member: string }, ttlSeconds = 300): Promise<ReplicaLogAuth> {
  const expires = Math.floor(Date.now() / 1000) + ttlSeconds;
  return { expires, signature: await signer.signMessage(readAuthMessage({ ...target, expires })) };
}
