/**
 * One ring as an operator asks about it (`ring-node ring info`): members with the node info they
 * published, their log heads and reputation, the ring's round and head, and the replica rings it is
 * registered with. All reads at one block, so the answer is one state of the chain.
 */
import type { Provider } from "ethers";
import { bytes32ToCid, ZERO_BYTES32 } from "../core/cid.js";
import { checksumAddress } from "../core/secp256k1.js";
import { ringScheme, type RingScheme } from "./blsKeys.js";
import { ReplicaRingReads, RingFactoryReads, RingReads, type ReadOptions } from "./contractReads.js";
import { NotARingError } from "./errors.js";
import { peerIdFromChainBytes } from "./ringEvents.js";
import { bounded, CHAIN_TIMEOUT_MS, type WaitOptions } from "./wait.js";

const ZERO_ADDRESS = `0x${"00".repeat(20)}`;

export interface RingMemberDescription {
  address: string;
  /** The PeerId the member published (null when none). */
  peerId: string | null;
  multiaddr: string;
  /** The member's log head on chain as a CID (null before its first FlushToRing or round). */
  logHead: string | null;
  agreements: string;
  dissents: string;
}

export interface RingDescription {
  ring: string;
  chainId: string;
  blockNumber: number;
  owner: string;
  round: string;
  /** The ring's head as a CID (null before the first flush). */
  ringNodeHead: string | null;
  requiredVotes: string;
  /** How rounds are signed: "bls" for a BlsRing, "ecdsa" for a Ring. */
  scheme: RingScheme;
  members: RingMemberDescription[];
  /** Set when the factory is known: whether the factory made this ring. */
  fromFactory?: boolean;
  /** Set when the factory is known: whether the ring was created public (its members write in the clear). */
  public?: boolean;
  /** The ReplicaRing this ring's members serve, when it is a replica ring. */
  servesReplicaRing?: string;
  /** The replica rings this ring is registered with (ReplicateRing), when the factory is known. */
  replicatedBy?: string[];
}

const cidOf = (digest: string): string | null => (digest === ZERO_BYTES32 ? null : (bytes32ToCid(digest)?.toString() ?? digest));

/** Reads `ring`; with `factory`, also whether it came from there and its replica registrations. */
export async function describeRing(provider: Provider, ring: string, factory?: string, options: WaitOptions = {}): Promise<RingDescription> {
  const address = checksumAddress(ring);
  const read = <T>(work: Promise<T>, what: string) => bounded(work, { milliseconds: CHAIN_TIMEOUT_MS, what, signal: options.signal });
  const [code, blockNumber, network] = await Promise.all([read(provider.getCode(address), "eth_getCode"), read(provider.getBlockNumber(), "eth_blockNumber"), read(provider.getNetwork(), "eth_chainId")]);
  if (code === "0x") throw new NotARingError(`no contract at ${address}`);
  const at: ReadOptions = { ...options, blockTag: blockNumber };
  const reads = new RingReads(address, provider);
  let members: string[];
  try {
    members = await reads.members(at);
  } catch (error) {
    throw new NotARingError(`${address} does not answer as a Ring: ${(error as Error).message}`);
  }
  const [owner, round, head, required, scheme, described] = await Promise.all([
    reads.owner(at),
    reads.round(at),
    reads.ringNodeHead(at),
    reads.requiredVotes(at),
    ringScheme(provider, address, options),
    Promise.all(members.map((member) => describeMember(reads, member, at))),
  ]);
  const description: RingDescription = {
    ring: address,
    chainId: network.chainId.toString(),
    blockNumber,
    owner: checksumAddress(owner),
    round: round.toString(),
    ringNodeHead: cidOf(head),
    requiredVotes: required.toString(),
    scheme,
    members: described,
  };
  if (factory === undefined) return description;
  const factoryReads = new RingFactoryReads(factory, provider);
  const [fromFactory, serves, replicaRings, isPublic] = await Promise.all([factoryReads.isRing(address, at), factoryReads.replicaRingOf(address, at), factoryReads.replicaRings(at), factoryReads.isPublic(address, at)]);
  const registered = await Promise.all(replicaRings.map(async (replicaRing) => ((await new ReplicaRingReads(replicaRing, provider).isRegistered(address, at)) ? checksumAddress(replicaRing) : null)));
  return {
    ...description,
    fromFactory,
    public: isPublic,
    ...(serves === ZERO_ADDRESS ? {} : { servesReplicaRing: serves }),
    replicatedBy: registered.filter((replicaRing): replicaRing is string => replicaRing !== null),
  };
}

async function describeMember(reads: RingReads, member: string, at: ReadOptions): Promise<RingMemberDescription> {
  const [info, head, reputation] = await Promise.all([reads.nodeInfo(member, at), reads.logNodeHead(member, at), reads.reputation(member, at)]);
  return {
    address: member,
    peerId: peerIdFromChainBytes(info.peerId),
    multiaddr: info.multiaddr,
    logHead: cidOf(head),
    agreements: reputation.agreements.toString(),
    dissents: reputation.dissents.toString(),
  };
}
