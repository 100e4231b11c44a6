/**
 * The replica keys this node holds, one per client ring it replicates, kept in the node's
 * datastore so they survive restarts. Holding a ring's replica key is FlushToRing's first check.
 * (A replica key cannot decrypt payloads: that is the read key, which replica nodes never get.)
 */
import { Key, type Datastore } from "interface-datastore";
import { getAddress } from "ethers";
import { decodeRingKey, encodeRingKey, ringKeyId } from "./ringKeys.js";

export interface ReplicaRegistration {
  ring: string;
  replicaRing: string;
  replicaKey: Uint8Array;
  /** The registration's transaction, when this node relayed it. */
  txHash?: string;
  registeredAt: number;
}

interface StoredRegistration {
  ring: string;
  replicaRing: string;
  replicaKey: string;
  txHash?: string;
  registeredAt: number;
}

const KEY_PREFIX = "/rings/replica/keys";

function registrationKey(ring: string): Key {
  return new Key(`${KEY_PREFIX}/${getAddress(ring)}`);
}

export class ReplicaKeyStore {
  private readonly datastore: Pick<Datastore, "get" | "put" | "has" | "query">;
  private readonly cache = new Map<string, ReplicaRegistration>();
  private loaded = false;

  constructor(datastore: Pick<Datastore, "get" | "put" | "has" | "query">) {
    this.datastore = datastore;
  }

  private async load(): Promise<void> {
    if (this.loaded) return;
    for await (const { value } of this.datastore.query({ prefix: KEY_PREFIX })) {
      const stored = JSON.parse(new TextDecoder().decode(value)) as StoredRegistration;
      this.cache.set(getAddress(stored.ring), { ...stored, replicaKey: decodeRingKey(stored.replicaKey) });
    }
    this.loaded = true;
  }

  async put(registration: ReplicaRegistration): Promise<void> {
    await this.load();
    const ring = getAddress(registration.ring);
    const stored: StoredRegistration = {
      ring,
      replicaRing: getAddress(registration.replicaRing),
      replicaKey: encodeRingKey(registration.replicaKey),
      registeredAt: registration.registeredAt,
    };
    if (registration.txHash !== undefined) stored.txHash = registration.txHash;
    await this.datastore.put(registrationKey(ring), new TextEncoder().encode(JSON.stringify(stored)));
    this.cache.set(ring, { ...registration, ring, replicaRing: stored.replicaRing });
  }

  async get(ring: string): Promise<ReplicaRegistration | null> {
    await this.load();
    return this.cache.get(getAddress(ring)) ?? null;
  }

  async has(ring: string): Promise<boolean> {
    return (await this.get(ring)) !== null;
  }

  async list(): Promise<ReplicaRegistration[]> {
    await this.load();
    return [...this.cache.values()];
  }

  /** A public summary (the key's fingerprint, never the key). */
  static describe(registration: ReplicaRegistration): { ring: string; replicaRing: string; keyId: string; txHash?: string } {
    const summary: { ring: string; replicaRing: string; keyId: string; txHash?: string } = {
      ring: registration.ring,
      replicaRing: registration.replicaRing,
      keyId: ringKeyId(registration.replicaKey),
    };
    if (registration.txHash !== undefined) summary.txHash = registration.txHash;
    return summary;
  }
}
