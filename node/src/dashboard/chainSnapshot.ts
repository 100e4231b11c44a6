/**
 * What the dashboard shows, read from the chain alone: every ring the factory created (members
 * with address, PeerId, multiaddress, log head and reputation), its flushed rounds with their
 * votes, dissents and outputs, replica registrations, and light clients' log heads relayed
 * through the forwarder (FlushToRing).
 */
import { getAddress, type Provider } from "ethers";
import { gateInterface, JobQueueReads, peerIdFromChainBytes, ReplicaRingReads, ringInterface, RingFactoryReads, RingReads, type RingEventRecord } from "../chain/index.js";
import { bytes32ToCid } from "../core/cid.js";

export interface MemberView {
  address: string;
  peerId: string;
  multiaddr: string;
  logHead: string;
  agreements: number;
  dissents: number;
}

export interface RoundView {
  round: number;
  ringNodeHead: string;
  relayer: string;
  txHash: string;
  gasUsed: string;
  block: number;
  agreed: string[];
  dissented: string[];
  outputs: { pin: string; tokenId: string }[];
}

export interface RingView {
  address: string;
  kind: "ring" | "replica";
  owner: string;
  round: number;
  ringNodeHead: string;
  requiredVotes: number;
  members: MemberView[];
  rounds: RoundView[];
  /** Client rings registered with this ring's ReplicaRing contract. */
  registrations: { clientRing: string; registrant: string; fee: string; txHash: string }[];
  /** Log heads members set through the forwarder (relayed FlushToRing requests). */
  relayedHeads: { member: string; head: string; relayer: string; txHash: string }[];
  /** Jobs queued for this ring on the JobQueue (empty without one), latest first. */
  queuedJobs: { sequence: number; job: string; submitter: string; txHash: string }[];
}

export interface ChainSnapshot {
  chainId: string;
  blockNumber: number;
  takenAt: string;
  rings: RingView[];
}

export interface SnapshotSource {
  provider: Provider;
  factory: string;
  gate: string;
  forwarder: string;
  /** The JobQueue whose queued jobs are shown per ring (none: not shown). */
  jobQueue?: string;
  /** How many recent rounds per ring to show. */
  roundsShown?: number;
}

/** A CID string for a bytes32 digest (empty for the zero head). */
export function headLabel(digest: string): string {
  return bytes32ToCid(digest)?.toString() ?? "";
}

/** The PeerId (base58) a member published as multihash bytes; the raw hex if it does not decode. */
function peerIdLabel(peerId: string): string {
  return peerIdFromChainBytes(peerId) ?? (peerId === "0x" ? "" : peerId);
}

type FlushedEvent = Extract<RingEventRecord, { type: "Flushed" }>;
type LogHeadEvent = Extract<RingEventRecord, { type: "LogHeadUpdated" }>;

export async function takeChainSnapshot(source: SnapshotSource): Promise<ChainSnapshot> {
  const { provider } = source;
  const [network, blockNumber] = await Promise.all([provider.getNetwork(), provider.getBlockNumber()]);
  /** Every read at one block, so the rounds, heads and events agree with each other. */
  const at = { blockTag: blockNumber };
  const factory = new RingFactoryReads(source.factory, provider);
  const [plainRings, replicaRings] = await Promise.all([factory.rings(at), factory.replicaRings(at)]);
  const replicaOf = new Map<string, string>();
  const replicaRingContracts = await Promise.all(replicaRings.map(async (replica) => [replica, await new ReplicaRingReads(replica, provider).ring(at)] as const));
  for (const [replica, ring] of replicaRingContracts) replicaOf.set(getAddress(ring), replica);
  const allRings = [...new Set([...plainRings, ...replicaOf.keys()].map((r) => getAddress(r)))];

  const rings = await Promise.all(
    allRings.map(async (address): Promise<RingView> => {
      const ring = new RingReads(address, provider);
      const [owner, round, head, required, memberList] = await Promise.all([ring.owner(at), ring.round(at), ring.ringNodeHead(at), ring.requiredVotes(at), ring.members(at)]);
      const members = await Promise.all(
        memberList.map(async (member): Promise<MemberView> => {
          const [info, logHead, reputation] = await Promise.all([ring.nodeInfo(member, at), ring.logNodeHead(member, at), ring.reputation(member, at)]);
          return {
            address: member,
            peerId: peerIdLabel(info.peerId),
            multiaddr: info.multiaddr,
            logHead: headLabel(logHead),
            agreements: Number(reputation.agreements),
            dissents: Number(reputation.dissents),
          };
        }),
      );
      const events = await ring.events(0, blockNumber);
      const flushed = events.filter((event): event is FlushedEvent => event.type === "Flushed").slice(-(source.roundsShown ?? 20));
      const rounds = await Promise.all(flushed.map((event) => roundView(event, source.gate, provider)));
      const replica = replicaOf.get(address);
      const registrations = replica === undefined ? [] : await registrationsOf(replica, provider, blockNumber);
      const relayedHeads = await relayedHeadsOf(events.filter((event): event is LogHeadEvent => event.type === "LogHeadUpdated"), provider, source.forwarder);
      const queued = source.jobQueue === undefined ? [] : await new JobQueueReads(source.jobQueue, provider).queuedJobs(address, 0, blockNumber);
      const queuedJobs = queued.slice(-(source.roundsShown ?? 20)).reverse().map((job) => ({ sequence: job.sequence, job: headLabel(job.specDigest), submitter: job.submitter, txHash: job.transactionHash }));
      return {
        address,
        kind: replica === undefined ? "ring" : "replica",
        owner,
        round: Number(round),
        ringNodeHead: headLabel(head),
        requiredVotes: Number(required),
        members,
        rounds: rounds.reverse(),
        registrations,
        relayedHeads,
        queuedJobs,
      };
    }),
  );
  return { chainId: network.chainId.toString(), blockNumber, takenAt: new Date().toISOString(), rings };
}

async function roundView(event: FlushedEvent, gateAddress: string, provider: Provider): Promise<RoundView> {
  const receipt = await provider.getTransactionReceipt(event.transactionHash);
  const gate = getAddress(gateAddress);
  const agreed: string[] = [];
  const dissented: string[] = [];
  const outputs: { pin: string; tokenId: string }[] = [];
  for (const log of receipt?.logs ?? []) {
    const fromRing = ringInterface.parseLog(log);
    if (fromRing?.name === "Agreed") agreed.push(...(fromRing.args[1] as string[]));
    if (fromRing?.name === "Dissented") dissented.push(fromRing.args[0] as string);
    if (getAddress(log.address) === gate) {
      const fromGate = gateInterface.parseLog(log);
      if (fromGate?.name === "Output") outputs.push({ pin: String(fromGate.args[0]), tokenId: `0x${(fromGate.args[1] as bigint).toString(16).padStart(64, "0")}` });
    }
  }
  return {
    round: Number(event.round),
    ringNodeHead: headLabel(event.ringNodeHead),
    relayer: event.relayer,
    txHash: event.transactionHash,
    gasUsed: receipt?.gasUsed.toString() ?? "",
    block: event.blockNumber,
    agreed,
    dissented,
    outputs,
  };
}

async function registrationsOf(replica: string, provider: Provider, toBlock: number): Promise<RingView["registrations"]> {
  const events = await new ReplicaRingReads(replica, provider).registered(0, toBlock);
  return events.map((event) => ({ clientRing: event.clientRing, registrant: event.registrant, fee: event.fee.toString(), txHash: event.transactionHash }));
}

async function relayedHeadsOf(events: readonly LogHeadEvent[], provider: Provider, forwarder: string): Promise<RingView["relayedHeads"]> {
  const relayed: RingView["relayedHeads"] = [];
  for (const event of events) {
    const tx = await provider.getTransaction(event.transactionHash);
    if (tx?.to === null || tx === null || getAddress(tx.to) !== getAddress(forwarder)) continue;
    relayed.push({ member: event.member, head: headLabel(event.head), relayer: tx.from, txHash: event.transactionHash });
  }
  return relayed.slice(-20).reverse();
}
