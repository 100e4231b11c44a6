/**
 * Who may read a replica node's copy of a ring member's log (GetReplicaLog, finding 8 of issue
 * 12): a holder of the ring's replica key (an HMAC over ring, member and expiry keyed by it), or a
 * member of the ring on chain (its EIP-191 signature of the same). The authorisation expires, at
 * most MAX_READ_AUTH_SECONDS ahead. Refusals: -32001 (no key held, wrong MAC, expired, bad
 * signature), -32003 (the signer is not a member), -32008 (the chain did not answer).
 */
import { verifyMessage } from "ethers";
import { RpcErrorCode } from "../../api/errorCodes.js";
import type { ReplicaLogAuth } from "../../api/requests.js";
import type { ChainReads } from "../../chain/index.js";
import { RpcApplicationError } from "../../jsonrpc/errorCodes.js";
import type { ReplicaKeyStore } from "../../replica/replicaKeyStore.js";
import { macsEqual, MAX_READ_AUTH_SECONDS, readAuthMac, readAuthMessage } from "../../replica/requestMacs.js";
import { readChain } from "../chainRead.js";

export interface ReplicaLogAuthComponents {
  replicaKeys: Pick<ReplicaKeyStore, "get">;
  chain: Pick<ChainReads, "isMember">;
  /** Unix milliseconds; for tests. */
  now?: () => number;
}

function refuse(detail: string): never {
  throw new RpcApplicationError(RpcErrorCode.ReplicaKeyNotHeld, detail);
}

/** Resolves when `auth` lets its bearer read `member`'s log of `ring`; throws the refusal otherwise. */
export async function checkReplicaLogAuth(components: ReplicaLogAuthComponents, request: { ring: string; member: string; auth: ReplicaLogAuth }, signal: AbortSignal): Promise<void> {
  const { ring, member, auth } = request;
  const nowSeconds = Math.floor((components.now ?? Date.now)() / 1000);
  if (auth.expires <= nowSeconds) refuse("auth has expired");
  if (auth.expires > nowSeconds + MAX_READ_AUTH_SECONDS) refuse(`auth expires more than ${MAX_READ_AUTH_SECONDS} s ahead`);
  const input = { ring, member, expires: auth.expires };
  if ("mac" in auth) {
    const registration = await components.replicaKeys.get(ring);
    if (registration === null) refuse(`no replica key for ring ${ring}: sign as a member of it instead`);
    if (!macsEqual(readAuthMac(registration.replicaKey, input), auth.mac)) refuse(`auth.mac is not made with ring ${ring}'s replica key`);
    return;
  }
  let signer: string;
  try {
    signer = verifyMessage(readAuthMessage(input), auth.signature);
  } catch {
    refuse("auth.signature is not a valid signature");
  }
  let member_: boolean;
  try {
    member_ = await readChain(() => components.chain.isMember(ring, signer, { signal }));
  } catch (error) {
    throw new RpcApplicationError(RpcErrorCode.ChainUnavailable, (error as Error).message);
  }
  if (!member_) throw new RpcApplicationError(RpcErrorCode.NotAMember, `${signer} is not a member of ${ring}`);
}
