/**
 * The accounts besides its own ring's members that a member serves its blocks to (bitswap):
 * - the members of every replica ring its ring is registered with: the RingFactory's replica rings
 *   (`replicaRings()`, so only genuine ReplicaRings count) whose `isRegistered(ring)` is true, and
 *   the members of the Ring each one names (`ring()`);
 * - the members of the rings authorised on the ring's Gate (`RingAuthorized` events; the Gate's
 *   owner admits them): rings downstream of its outputs read them as pin inputs.
 * Every read is bounded (ChainReads' timeouts and the caller's AbortSignal); the Gate's events are
 * read on from the last block seen. At most MAX_REPLICA_RINGS_CHECKED replica rings are asked and
 * MAX_SERVED_RINGS rings are taken.
 */
import type { Provider } from "ethers";
import { ZeroAddress } from "ethers";
import { checksumAddress } from "../core/secp256k1.js";
import { gateInterface } from "./abi/gate.js";
import { ChainReads } from "./chainReads.js";
import { GateReads, LOG_RANGE, RingFactoryReads } from "./contractReads.js";
import { replicaEndpoints, type ReplicaEndpoint } from "./replicaEndpoints.js";
import { bounded, CHAIN_TIMEOUT_MS } from "./wait.js";

/** The most rings (replica rings and Gate rings together) whose members are served. */
export const MAX_SERVED_RINGS = 64;

/** The most of the factory's replica rings asked whether the ring is registered with them (one eth_call each). */
export const MAX_REPLICA_RINGS_CHECKED = 256;

export interface ServedRingsOptions {
  provider: Provider;
  /** The member's own ring. */
  ring: string;
  /** The RingFactory whose replica rings are looked at (none: no replica ring is served). */
  factory?: string;
  /** The Gate the ring's outputs go to (none or the zero address: no downstream ring is served). */
  gate?: string;
  timeoutMs?: number;
}

export class ServedRings {
  private readonly options: ServedRingsOptions;
  private readonly reads: ChainReads;
  private readonly factory: RingFactoryReads | null;
  private readonly gate: GateReads | null;
  /** Gate rings authorised as of `gateBlock` (events read up to there). */
  private readonly gateRings = new Set<string>();
  private gateBlock = -1;

  constructor(options: ServedRingsOptions) {
    this.options = options;
    this.reads = new ChainReads(options.provider, options.timeoutMs);
    this.factory = options.factory === undefined ? null : new RingFactoryReads(options.factory, options.provider, options.timeoutMs);
    this.gate = options.gate === undefined || options.gate === ZeroAddress ? null : new GateReads(options.gate, options.provider, options.timeoutMs);
  }

  /** Replica rings (their Rings) the ring is registered with, and the Gate's other rings. */
  async rings(signal: AbortSignal): Promise<string[]> {
    // A Gate still being read (a long chain) leaves the rings authorised so far; the replica rings count regardless.
    const [replica, gate] = await Promise.all([this.replicaRings(signal), this.gateAuthorised(signal).catch(() => [...this.gateRings])]);
    const own = checksumAddress(this.options.ring);
    return [...new Set([...replica, ...gate])].filter((ring) => ring !== own).slice(0, MAX_SERVED_RINGS);
  }

  /** Every member of every served ring (checksummed). */
  async members(signal: AbortSignal): Promise<Set<string>> {
    const members = await Promise.all((await this.rings(signal)).map((ring) => this.reads.members(ring, { signal })));
    return new Set(members.flat().map((member) => checksumAddress(member)));
  }

  /** The Rings of the replica rings the ring is registered with (their members are its replica nodes). */
  async replicaRings(signal: AbortSignal): Promise<string[]> {
    const registered = await this.registeredReplicaRings(signal);
    return Promise.all(registered.map(async (replicaRing) => checksumAddress(await this.reads.replicaRingOf(replicaRing, { signal }))));
  }

  /** Where the replica nodes of the replica rings the ring is registered with serve JSON-RPC (replicaEndpoints.ts). */
  async replicaEndpoints(signal: AbortSignal): Promise<ReplicaEndpoint[]> {
    const registered = await this.registeredReplicaRings(signal);
    return (await Promise.all(registered.map((replicaRing) => replicaEndpoints(this.reads, replicaRing, signal)))).flat();
  }

  /** The factory's ReplicaRings the ring is registered with (registration running). */
  private async registeredReplicaRings(signal: AbortSignal): Promise<string[]> {
    if (this.factory === null) return [];
    const replicaRings = (await this.factory.replicaRings({ signal })).slice(0, MAX_REPLICA_RINGS_CHECKED);
    const registered = await Promise.all(replicaRings.map(async (replicaRing) => ((await this.reads.isRegistered(replicaRing, this.options.ring, { signal })) ? replicaRing : null)));
    return registered.filter((replicaRing): replicaRing is string => replicaRing !== null);
  }

  private async gateAuthorised(signal: AbortSignal): Promise<string[]> {
    const gate = this.gate;
    if (gate === null) return [];
    const head = await bounded(this.options.provider.getBlockNumber(), { milliseconds: this.options.timeoutMs ?? CHAIN_TIMEOUT_MS, what: "eth_blockNumber", signal });
    // LOG_RANGE blocks a request, and what was read is kept: a long chain is caught up over several reads.
    for (let from = this.gateBlock + 1; from <= head; from += LOG_RANGE) {
      const to = Math.min(head, from + LOG_RANGE - 1);
      for (const log of await gate.logs(from, to, { signal })) {
        const parsed = gateInterface.parseLog(log);
        if (parsed?.name !== "RingAuthorized") continue;
        const ring = checksumAddress(parsed.args.ring as string);
        if (parsed.args.authorized === true) this.gateRings.add(ring);
        else this.gateRings.delete(ring);
      }
      this.gateBlock = to;
    }
    return [...this.gateRings];
  }
}
