/**
 * A replica node listens to the head announcements of every client ring it follows: it subscribes
 * to each followed ring's gossipsub topic (replication/protocols.ts `headsTopic`, the topic the
 * ring's members announce on), keeps connected to the ring's members that run a node (their node
 * info on chain: replica/clientRingPeers.ts), and hands each announcement to the follower
 * (replica/announcedIntake.ts), which verifies everything before it keeps anything. What is
 * checked here is only the envelope, before any work: the raw size, the shape and bounds
 * (replication/messages.ts: at most 64 inline nodes and 64 KiB), the ring named by the topic, and
 * that it arrived from a peer of that ring (gossipsub runs unsigned; the noise-authenticated
 * connection it came over names the peer). Topics are re-read from the follower every interval;
 * a topic the node had subscribed for another reason (its own ring's replicator) is left alone.
 */
import type { GossipSub, GossipsubMessage } from "@libp2p/gossipsub";
import type { PeerId } from "@libp2p/interface";
import { getAddress } from "ethers";
import { cidOfBytes } from "../core/cid.js";
import { ANNOUNCED_BLOCKS_MAX_BYTES, decodeAnnouncement } from "../replication/messages.js";
import { headsTopic } from "../replication/protocols.js";
import type { ClientRingPeers } from "../replica/clientRingPeers.js";
import type { AnnouncementOutcome, ReplicaFollower } from "../replica/replicaFollower.js";

/** Raw announcement bytes taken at most: the inline nodes' cap and room for the claim and framing. */
export const ANNOUNCEMENT_MAX_BYTES = ANNOUNCED_BLOCKS_MAX_BYTES + 4 * 1024;
/** Client ring topics listened to at most. */
export const MAX_ANNOUNCED_RINGS = 1_024;

export interface AnnouncedHeadsOptions {
  pubsub: Pick<GossipSub, "subscribe" | "unsubscribe" | "getTopics" | "addEventListener" | "removeEventListener">;
  chainId(signal: AbortSignal): Promise<bigint>;
  follower: Pick<ReplicaFollower, "followedRings" | "announced">;
  peers: Pick<ClientRingPeers, "connect" | "isPeerOf">;
  /** How often the followed rings are re-read (topics joined or left, members dialled). Default 1 s. */
  intervalMs?: number;
  logger?: { debug(details: object, message: string): void };
}

/** What the listener has done, for status and tests. */
export interface AnnouncedHeadsStats {
  /** Client rings whose topic is listened to. */
  rings: string[];
  received: number;
  /** Dropped before the follower saw them: too large, malformed, wrong ring, or not from a peer of the ring. */
  dropped: number;
  /** The follower's verdicts, by kind. */
  outcomes: Record<AnnouncementOutcome["kind"], number>;
}

export class AnnouncedHeads {
  private readonly options: AnnouncedHeadsOptions;
  /** Topic -> ring, for the topics listened to. */
  private readonly topics = new Map<string, string>();
  /** Topics this listener subscribed (and so may leave). */
  private readonly owned = new Set<string>();
  private readonly counts: Omit<AnnouncedHeadsStats, "rings"> = { received: 0, dropped: 0, outcomes: { taken: 0, stale: 0, superseded: 0, ignored: 0 } };
  private timer: NodeJS.Timeout | null = null;
  private ticking: Promise<void> | null = null;
  private readonly stopping = new AbortController();
  private readonly onMessage = (event: CustomEvent<GossipsubMessage>) => {
    const ring = this.topics.get(event.detail.msg.topic);
    if (ring === undefined) return;
    this.receive(ring, event.detail.msg.data, event.detail.propagationSource).catch((error: unknown) => this.options.logger?.debug({ err: error, ring }, "announcement not handled"));
  };

  constructor(options: AnnouncedHeadsOptions) {
    this.options = options;
  }

  start(): void {
    this.options.pubsub.addEventListener("gossipsub:message", this.onMessage);
    this.schedule(0);
  }

  async stop(): Promise<void> {
    this.stopping.abort(new Error("announcement listener stopping"));
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    await this.ticking;
    this.options.pubsub.removeEventListener("gossipsub:message", this.onMessage);
    for (const topic of this.owned) this.options.pubsub.unsubscribe(topic);
    this.owned.clear();
    this.topics.clear();
  }

  stats(): AnnouncedHeadsStats {
    return { rings: [...this.topics.values()], ...this.counts, outcomes: { ...this.counts.outcomes } };
  }

  /** Joins the topics of the rings now followed, leaves those no longer followed, and keeps their members dialled. */
  async refresh(signal: AbortSignal = this.stopping.signal): Promise<void> {
    const { pubsub, follower, peers } = this.options;
    const chainId = await this.options.chainId(signal);
    const rings = follower.followedRings().slice(0, MAX_ANNOUNCED_RINGS).map((ring) => getAddress(ring));
    const wanted = new Map(rings.map((ring) => [headsTopic(chainId, ring), ring]));
    for (const [topic] of this.topics) {
      if (wanted.has(topic)) continue;
      this.topics.delete(topic);
      if (this.owned.delete(topic)) pubsub.unsubscribe(topic);
    }
    const subscribed = new Set(pubsub.getTopics());
    for (const [topic, ring] of wanted) {
      if (this.topics.has(topic)) continue;
      if (!subscribed.has(topic)) {
        pubsub.subscribe(topic);
        this.owned.add(topic);
      }
      this.topics.set(topic, ring);
    }
    // Announcements reach only connected peers: stay connected to every ring's members (each dial bounded).
    await Promise.all(rings.map((ring) => peers.connect(ring, signal).catch(() => [])));
  }

  /** Checks one announcement's envelope and hands it to the follower. */
  async receive(ring: string, data: Uint8Array, source: PeerId): Promise<AnnouncementOutcome | null> {
    this.counts.received++;
    const drop = (why: string) => {
      this.counts.dropped++;
      this.options.logger?.debug({ ring, peer: source.toString(), why }, "announcement dropped");
      return null;
    };
    if (data.length > ANNOUNCEMENT_MAX_BYTES) return drop(`${data.length} bytes, over ${ANNOUNCEMENT_MAX_BYTES}`);
    if (!this.options.peers.isPeerOf(ring, source)) return drop("not from a peer of the ring");
    let announcement;
    try {
      announcement = decodeAnnouncement(data);
    } catch (error) {
      return drop((error as Error).message);
    }
    if (announcement.ring !== ring) return drop(`names ring ${announcement.ring}`);
    const blocks = await Promise.all(announcement.blocks.map(async (bytes) => ({ cid: await cidOfBytes(bytes), bytes })));
    const outcome = await this.options.follower.announced(ring, announcement.head, blocks);
    this.counts.outcomes[outcome.kind]++;
    return outcome;
  }

  private schedule(delay: number): void {
    if (this.stopping.signal.aborted) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.ticking = this.refresh()
        .catch((error: unknown) => this.options.logger?.debug({ err: error }, "announcement topics not refreshed"))
        .finally(() => {
          this.ticking = null;
          this.schedule(this.options.intervalMs ?? 1_000);
        });
    }, delay);
  }
}
