/**
 * What the dashboard shows, read from the chain alone: every ring the factory created (members
 * with address, PeerId, multiaddress, log head and reputation), its flushed rounds with their
 * votes, dissents and outputs, replica registrations, and light clients' log heads relayed
 * through the forwarder (FlushToRing).
 */
import { peerIdFromMultihash } from "@libp2p/peer-id";
import { getAddress, getBytes, type Log, type Provider } from "ethers";
import * as Digest from "multiformats/hashes/digest";
import { bytes32ToCid } from "../core/cid.js";
import { Gate__factory, ReplicaRing__factory, Ring__factory, RingFactory__factory } from "../../../types/index.js";

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
  /** How many recent rounds per ring to show. */
  roundsShown?: number;
}

/** A CID string for a bytes32 digest (empty for the zero head). */
export function headLabel(digest: string): string {
  return bytes32ToCid(digest)?.toString() ?? "";
}

/** The PeerId (base58) a member published as multihash bytes; the raw hex if it does not decode. */
function peerIdLabel(peerId: string): string {
  if (peerId === "0x") return "";
  try {
    return peerIdFromMultihash(Digest.decode(getBytes(peerId))).toString();
  } catch {
    return peerId;
  }
}

export async function takeChainSnapshot(source: SnapshotSource): Promise<ChainSnapshot> {
  const { provider } = source;
  const [network, blockNumber] = await Promise.all([provider.getNetwork(), provider.getBlockNumber()]);
  /** Every read at one block, so the rounds, heads and events agree with each other. */
  const at = { blockTag: blockNumber };
  const factory = RingFactory__factory.connect(source.factory, provider);
  const gate = Gate__factory.connect(source.gate, provider);
  const [plainRings, replicaRings] = await Promise.all([factory.rings(at), factory.replicaRings(at)]);
  const replicaOf = new Map<string, string>();
  const replicaRingContracts = await Promise.all(replicaRings.map(async (replica) => [replica, await ReplicaRing__factory.connect(replica, provider).ring(at)] as const));
  for (const [replica, ring] of replicaRingContracts) replicaOf.set(getAddress(ring), replica);
  const allRings = [...new Set([...plainRings, ...replicaOf.keys()].map((r) => getAddress(r)))];

  const rings = await Promise.all(
    allRings.map(async (address): Promise<RingView> => {
      const ring = Ring__factory.connect(address, provider);
      const [owner, round, head, required, memberList] = await Promise.all([ring.owner(at), ring.round(at), ring.ringNodeHead(at), ring.requiredVotes(at), ring.members(at)]);
      const members = await Promise.all(
        memberList.map(async (member): Promise<MemberView> => {
          const [info, logHead, reputation] = await Promise.all([ring.nodeInfo(member, at), ring.logNodeHeads(member, at), ring.reputation(member, at)]);
          return {
            address: member,
            peerId: peerIdLabel(info[1]),
            multiaddr: info[0],
            logHead: headLabel(logHead),
            agreements: Number(reputation[0]),
            dissents: Number(reputation[1]),
          };
        }),
      );
      const flushed = (await ring.queryFilter(ring.filters.Flushed(), 0, blockNumber)).slice(-(source.roundsShown ?? 20));
      const rounds = await Promise.all(flushed.map((event) => roundView(event, ring, gate, provider)));
      const replica = replicaOf.get(address);
      const registrations = replica === undefined ? [] : await registrationsOf(replica, provider, blockNumber);
      const relayedHeads = await relayedHeadsOf(ring, provider, source.forwarder, blockNumber);
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
      };
    }),
  );
  return { chainId: network.chainId.toString(), blockNumber, takenAt: new Date().toISOString(), rings };
}

type RingContract = ReturnType<typeof Ring__factory.connect>;
type GateContract = ReturnType<typeof Gate__factory.connect>;

async function roundView(event: Log & { args: { round: bigint; ringNodeHead: string; relayer: string } }, ring: RingContract, gate: GateContract, provider: Provider): Promise<RoundView> {
  const receipt = await provider.getTransactionReceipt(event.transactionHash);
  const agreed: string[] = [];
  const dissented: string[] = [];
  const outputs: { pin: string; tokenId: string }[] = [];
  for (const log of receipt?.logs ?? []) {
    const fromRing = ring.interface.parseLog(log);
    if (fromRing?.name === "Agreed") agreed.push(...(fromRing.args[1] as string[]));
    if (fromRing?.name === "Dissented") dissented.push(fromRing.args[0] as string);
    if (getAddress(log.address) === getAddress(await gate.getAddress())) {
      const fromGate = gate.interface.parseLog(log);
      if (fromGate?.name === "Output") outputs.push({ pin: String(fromGate.args[0]), tokenId: `0x${(fromGate.args[1] as bigint).toString(16).padStart(64, "0")}` });
    }
  }
  return {
    round: Number(event.args.round),
    ringNodeHead: headLabel(event.args.ringNodeHead),
    relayer: event.args.relayer,
    txHash: event.transactionHash,
    gasUsed: receipt?.gasUsed.toString() ?? "",
    block: event.blockNumber,
    agreed,
    dissented,
    outputs,
  };
}

async function registrationsOf(replica: string, provider: Provider, toBlock: number): Promise<RingView["registrations"]> {
  const contract = ReplicaRing__factory.connect(replica, provider);
  const events = await contract.queryFilter(contract.filters.RingRegistered(), 0, toBlock);
  return events.map((event) => ({ clientRing: event.args.clientRing, registrant: event.args.registrant, fee: event.args.fee.toString(), txHash: event.transactionHash }));
}

async function relayedHeadsOf(ring: RingContract, provider: Provider, forwarder: string, toBlock: number): Promise<RingView["relayedHeads"]> {
  const events = await ring.queryFilter(ring.filters.LogHeadUpdated(), 0, toBlock);
  const relayed: RingView["relayedHeads"] = [];
  for (const event of events) {
    const tx = await provider.getTransaction(event.transactionHash);
    if (tx?.to === null || tx === null || getAddress(tx.to) !== getAddress(forwarder)) continue;
    relayed.push({ member: event.args.member, head: headLabel(event.args.head), relayer: tx.from, txHash: event.transactionHash });
  }
  return relayed.slice(-20).reverse();
}
