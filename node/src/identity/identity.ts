/**
 * The avatar identity: one secp256k1 key is the Ethereum address (the on-chain member), the libp2p
 * PeerId (`@libp2p/crypto` secp256k1) and the signer of log nodes and votes; a BLS ring's vote key
 * is derived from it (blsKey.ts).
 */
import { privateKeyFromRaw } from "@libp2p/crypto/keys";
import type { PeerId, PrivateKey } from "@libp2p/interface";
import { peerIdFromPrivateKey, peerIdFromString } from "@libp2p/peer-id";
import { getBytes, hexlify, Wallet } from "ethers";
import type { BlsKeyPair } from "../core/bls.js";
import { addressOfPublicKey } from "../core/secp256k1.js";
import { blsKeysOfAvatar } from "./blsKey.js";

export interface RingIdentity {
  /** Checksummed Ethereum address: the member on chain. */
  readonly address: string;
  /** Raw 32-byte secp256k1 private key (memory only; on disk it lives in the encrypted keystore). */
  readonly privateKey: Uint8Array;
  /** ethers wallet of the same key, for transactions (connect it to a provider). */
  readonly wallet: Wallet;
  /** The same key as a libp2p private key: the node's transport identity. */
  readonly libp2pKey: PrivateKey;
  readonly peerId: PeerId;
  /** The BLS12-381 vote key derived from the avatar key (blsKey.ts), computed on first use. */
  readonly blsKeys: BlsKeyPair;
}

export class NotAnAvatarPeerIdError extends Error {
  override name = "NotAnAvatarPeerIdError";
}

export function identityFromPrivateKey(privateKey: string | Uint8Array): RingIdentity {
  const raw = typeof privateKey === "string" ? getBytes(privateKey) : privateKey;
  if (raw.length !== 32) throw new RangeError("a secp256k1 private key is 32 bytes");
  const wallet = new Wallet(hexlify(raw));
  const libp2pKey = privateKeyFromRaw(raw);
  if (libp2pKey.type !== "secp256k1") throw new Error(`expected a secp256k1 key, got ${libp2pKey.type}`);
  let blsKeys: BlsKeyPair | undefined;
  return {
    address: wallet.address,
    privateKey: raw,
    wallet,
    libp2pKey,
    peerId: peerIdFromPrivateKey(libp2pKey),
    get blsKeys() {
      return (blsKeys ??= blsKeysOfAvatar(raw));
    },
  };
}

export function generateIdentity(): RingIdentity {
  return identityFromPrivateKey(Wallet.createRandom().privateKey);
}

const addressCache = new Map<string, string>();

/** The Ethereum address of a secp256k1 PeerId (its public key is inlined in the id). */
export function addressOfPeerId(peerId: PeerId | string): string {
  const id = typeof peerId === "string" ? peerIdFromString(peerId) : peerId;
  const key = id.toString();
  const cached = addressCache.get(key);
  if (cached !== undefined) return cached;
  if (id.type !== "secp256k1" || id.publicKey === undefined) {
    throw new NotAnAvatarPeerIdError(`PeerId ${key} is ${id.type}, not a secp256k1 avatar key`);
  }
  const address = addressOfPublicKey(id.publicKey.raw);
  addressCache.set(key, address);
  return address;
}

/** The PeerId's binary form (multihash bytes), as members publish it with `Ring.setNodeInfo`. */
export function peerIdBytes(peerId: PeerId): Uint8Array {
  return peerId.toMultihash().bytes;
}
