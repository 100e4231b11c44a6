/**
 * What the ring's members hold of this member's own log: their heads for it, asked with the head
 * exchange (replication/headExchange.ts) from every member it is connected to, after waiting a
 * little for the dialer's first connections. A member may hold nodes its author appended after its
 * last on-chain head; restoring only to the on-chain head would then fork the log against their
 * copies. A claim is only a target: every node it leads to is verified before it is kept.
 */
import type { Libp2p, PeerId } from "@libp2p/interface";
import { getAddress } from "ethers";
import type { CID } from "multiformats/cid";
import type { Logger } from "pino";
import { exchangeHeads } from "../replication/headExchange.js";

export interface PeerHeadsInput {
  libp2p: Libp2p;
  ring: string;
  self: string;
  isMemberPeer: (peer: PeerId) => boolean;
  /** How long to wait for a first member connection. */
  waitMs: number;
  timeoutMs: number;
  logger: Logger;
  signal: AbortSignal;
}

/** The heads for `self` the connected members claim (distinct CIDs). */
export async function peerHeadsOfSelf(input: PeerHeadsInput): Promise<CID[]> {
  const members = await connectedMembers(input);
  const self = getAddress(input.self);
  const claims = await Promise.all(
    members.map(async (peer) => {
      try {
        const answer = await exchangeHeads(input.libp2p, peer, { ring: input.ring, isMemberPeer: input.isMemberPeer, localHeads: () => [], onHeads: () => undefined, timeoutMs: input.timeoutMs, logger: input.logger });
        return answer.heads.filter((head) => getAddress(head.author) === self).map((head) => head.cid);
      } catch (error) {
        input.logger.debug({ err: error, peer: peer.toString() }, "a member's heads were not had");
        return [];
      }
    }),
  );
  return [...new Map(claims.flat().map((cid) => [cid.toString(), cid])).values()];
}

async function connectedMembers(input: PeerHeadsInput): Promise<PeerId[]> {
  const deadline = Date.now() + input.waitMs;
  for (;;) {
    const members = input.libp2p.getPeers().filter((peer) => input.isMemberPeer(peer));
    if (Date.now() >= deadline || input.signal.aborted) return members;
    if (members.length > 0) {
      await new Promise((resolve) => setTimeout(resolve, 300)); // the others dialled at the same time
      return input.libp2p.getPeers().filter((peer) => input.isMemberPeer(peer));
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
