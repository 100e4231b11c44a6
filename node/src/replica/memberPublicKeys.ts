/**
 * Members' secp256k1 public keys, which read keys are wrapped to: from the PeerId a member
 * published on chain (`Ring.setNodeInfo`; an avatar PeerId embeds the key), else recovered from the
 * signature of any node of its log this node holds. A key is kept only if it hashes to the
 * member's address. A member with neither (never published, never wrote) is unknown for now.
 */
import { peerIdFromString } from "@libp2p/peer-id";
import type { TypedDataDomain } from "ethers";
import { getBytes } from "ethers";
import type { RingChainView } from "../chain/ringChainView.js";
import { logNodeHasher } from "../core/eip712.js";
import { addressOfPublicKey, checksumAddress, recoverPublicKey } from "../core/secp256k1.js";
import type { LogStore } from "../log/store.js";

export interface MemberPublicKeysComponents {
  chain: Pick<RingChainView, "nodeInfo">;
  logs: Pick<LogStore, "length" | "nodeAt">;
  domain: TypedDataDomain;
}

export class MemberPublicKeys {
  private readonly known = new Map<string, Uint8Array>();
  private readonly hasher: ReturnType<typeof logNodeHasher>;

  constructor(private readonly components: MemberPublicKeysComponents) {
    this.hasher = logNodeHasher(components.domain);
  }

  /** The member's public key, or undefined while none is known. */
  async of(member: string): Promise<Uint8Array | undefined> {
    const address = checksumAddress(member);
    const cached = this.known.get(address);
    if (cached !== undefined) return cached;
    const key = this.fromNodeInfo(address) ?? (await this.fromLog(address));
    if (key !== undefined) this.known.set(address, key);
    return key;
  }

  private fromNodeInfo(address: string): Uint8Array | undefined {
    const peerId = this.components.chain.nodeInfo(address)?.peerId;
    if (peerId === null || peerId === undefined) return undefined;
    try {
      const raw = peerIdFromString(peerId).publicKey?.raw;
      return raw !== undefined && addressOfPublicKey(raw) === address ? raw : undefined;
    } catch {
      return undefined;
    }
  }

  private async fromLog(address: string): Promise<Uint8Array | undefined> {
    if (this.components.logs.length(address) === 0) return undefined;
    const node = await this.components.logs.nodeAt(address, 0);
    if (node === null) return undefined;
    try {
      const key = recoverPublicKey(this.hasher(node.node.seq, getBytes(node.digest)), node.node.sig);
      return addressOfPublicKey(key) === address ? key : undefined;
    } catch {
      return undefined;
    }
  }
}
