/**
 * A member's answers to the other members' requests on the rounds protocol: pushed log nodes are
 * kept (logPush.ts), "working" notes who computes a shard, "sent" restarts the round's relayer
 * timeout (the flush is broadcast and waits for a block), "flushed" has the chain polled (the
 * chain's Flushed event decides, not the notice), and a vote request goes to the voter.
 */
import type { PeerId } from "@libp2p/interface";
import { getAddress } from "ethers";
import type { RingChainView } from "../chain/ringChainView.js";
import { addressOfPeerId } from "../identity/identity.js";
import type { LogPush } from "./logPush.js";
import type { RelayerTurns } from "./relayerTurns.js";
import type { RoundsAnswer, RoundsRequest } from "./roundsProtocol.js";
import type { RoundsTrace } from "./roundsTrace.js";
import type { ShardScheduler } from "./shardScheduler.js";
import type { Voter } from "./voter.js";

export interface RoundsAnswerParts {
  chain: Pick<RingChainView, "round" | "poll">;
  self: string;
  push: Pick<LogPush, "receive">;
  shards: Pick<ShardScheduler, "noteWorking">;
  turns: Pick<RelayerTurns, "sent">;
  voter: Pick<Voter, "answer">;
  kick: () => void;
  trace: RoundsTrace;
}

export async function answerRequest(parts: RoundsAnswerParts, peer: PeerId, request: RoundsRequest, signal: AbortSignal): Promise<RoundsAnswer> {
  const { chain, trace } = parts;
  if (request.kind === "nodes") {
    let author: string;
    try {
      author = getAddress(request.author);
    } catch {
      return { kind: "refuse", reason: "not an address" };
    }
    if (author === parts.self) return { kind: "ok" };
    trace("push in", { author });
    if ((await parts.push.receive(author, request.blocks, peer)) > 0) parts.kick();
    trace("push kept", { author });
    return { kind: "ok" };
  }
  if (request.kind === "working") {
    parts.shards.noteWorking(request.job, request.shards);
    return { kind: "ok" };
  }
  if (request.kind === "sent") {
    // Only the timing is believed: the relayer timeout of the round counts from now, once a round.
    if (request.round === Number(chain.round()) + 1) parts.turns.sent(request.round);
    return { kind: "ok" };
  }
  if (request.kind === "flushed") {
    trace("flushed notice", { round: request.round });
    // Not believed as such (a relayer could name any head): the chain's Flushed event decides.
    await chain.poll().catch(() => undefined);
    parts.kick();
    return { kind: "ok" };
  }
  const round = request.proposal.round;
  trace("vote request", { round });
  const answer = await parts.voter.answer(addressOfPeerId(peer), request, signal);
  trace("vote answered", { round, kind: answer.kind });
  return answer;
}
