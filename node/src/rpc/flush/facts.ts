/**
 * Reads the facts FlushToRing's checks (checks.ts) ask for, stage by stage, until they accept or
 * refuse: the replica key store (and the request's MAC under the held key), the forwarder's domain (for the signer), the reservation of the
 * flush's id, the chain (nonce, membership, head, trusted forwarder, at once), and the log
 * segment's verification. A chain read that fails refuses at the step it was read for (-32008).
 */
import { hexlify } from "ethers";
import { RpcErrorCode } from "../../api/errorCodes.js";
import { LogReplicationIncompleteError } from "../../log/errors.js";
import type { Forwarder } from "../../chain/index.js";
import { forwardRequestDigestBytes, tryRecoverDigestSigner } from "../../relay/forwardRequest.js";
import type { ChainReads } from "../../chain/index.js";
import { verifyLogSegment } from "../../replica/logSegment.js";
import type { ReplicaKeyStore } from "../../replica/replicaKeyStore.js";
import { flushMac, macsEqual } from "../../replica/requestMacs.js";
import type { ReplicaStore } from "../../replica/replicaStore.js";
import { readChain } from "../chainRead.js";
import { ChainReadError } from "../errors.js";
import type { FlushStatusStore } from "../flushStatusStore.js";
import { checkFlush, STAGE_STEP, type ChainFacts, type FlushFacts, type FlushRequest, type FlushStage, type FlushVerdict } from "./checks.js";

export interface FlushFactsComponents {
  chain: Pick<ChainReads, "isMember" | "logNodeHead" | "chainId" | "isTrustedForwarder">;
  forwarder: Pick<Forwarder, "address" | "domain" | "nonce">;
  replicaKeys: Pick<ReplicaKeyStore, "get">;
  replicaStore: Pick<ReplicaStore, "lookup">;
  statuses: Pick<FlushStatusStore, "claim" | "pendingCount">;
}

/** The request as checked, plus what the segment check needs: the log nodes' bytes. */
export interface FlushInput extends FlushRequest {
  mtxSig: string;
  logNodes: Uint8Array[];
  /** HMAC of the request under the ring's replica key (requestMacs.ts `flushMac`). */
  mac: string;
}

export type FlushJudgement = Exclude<FlushVerdict, { outcome: "needs" }>;

const PREFIX = "log replication incomplete: ";

export class FlushFactReader {
  private readonly components: FlushFactsComponents;
  /** Whether each ring trusts the forwarder: it does not change while the node runs. */
  private readonly trustedByRing = new Map<string, boolean>();

  constructor(components: FlushFactsComponents) {
    this.components = components;
  }

  /**
   * Reads facts into `facts` until the checks decide. When `facts.claimed` ends up true the id is
   * reserved in the status store: the caller releases it.
   */
  async judge(input: FlushInput, facts: FlushFacts, signal: AbortSignal): Promise<FlushJudgement> {
    for (;;) {
      const verdict = checkFlush(input, facts);
      if (verdict.outcome !== "needs") return verdict;
      try {
        await this.read(verdict.stage, input, facts, signal);
        // The checks ask for stages in order, so a read always has what it builds on.
        if (facts[verdict.stage] === undefined) throw new Error(`FlushToRing fact ${verdict.stage} was asked for out of order`);
      } catch (error) {
        if (!(error instanceof ChainReadError)) throw error;
        const step = STAGE_STEP[verdict.stage];
        const id = verdict.stage === "signature" ? undefined : facts.signature?.id;
        return {
          outcome: "refused",
          refusal: id === undefined ? { step, code: RpcErrorCode.ChainUnavailable, detail: error.message } : { step, code: RpcErrorCode.ChainUnavailable, detail: error.message, id },
          steps: [...verdict.steps, { step, status: "failed", detail: error.message }],
        };
      }
    }
  }

  private async read(stage: FlushStage, input: FlushInput, facts: FlushFacts, signal: AbortSignal): Promise<void> {
    const { replicaKeys, forwarder, statuses } = this.components;
    switch (stage) {
      case "replicaKeyHeld": {
        const registration = await replicaKeys.get(input.ring);
        facts.replicaKeyHeld = registration !== null;
        facts.macValid = registration !== null && macsEqual(flushMac(registration.replicaKey, input), input.mac);
        return;
      }
      case "signature": {
        const domain = await readChain(() => forwarder.domain(signal));
        const digest = forwardRequestDigestBytes(domain, input.mtx);
        facts.signature = { signer: tryRecoverDigestSigner(digest, input.mtxSig), id: hexlify(digest) };
        return;
      }
      case "claimed":
        // The checks ask for the claim only once the signature (and so the id) is known.
        if (facts.signature !== undefined) facts.claimed = statuses.claim(facts.signature.id);
        return;
      case "chain":
        facts.chain = await this.readChainFacts(input, signal);
        return;
      case "segment":
        // Asked for only once the chain facts are in.
        if (facts.chain !== undefined) facts.segment = await this.verifySegment(input, facts.chain);
        return;
    }
  }

  private async readChainFacts(input: FlushInput, signal: AbortSignal): Promise<ChainFacts> {
    const { chain, forwarder, statuses } = this.components;
    const [forwarderNonce, isMember, onChainHead, chainId, trustsForwarder] = await readChain(() =>
      Promise.all([
        forwarder.nonce(input.avatar, signal),
        chain.isMember(input.ring, input.avatar, { signal }),
        chain.logNodeHead(input.ring, input.avatar, { signal }),
        chain.chainId({ signal }),
        this.trustsForwarder(input.ring, signal),
      ]),
    );
    return { forwarderNonce, pendingFlushes: statuses.pendingCount(input.avatar), isMember, onChainHead, chainId, trustsForwarder };
  }

  private async verifySegment(input: FlushInput, chain: ChainFacts): Promise<NonNullable<FlushFacts["segment"]>> {
    const { replicaStore } = this.components;
    try {
      return await verifyLogSegment({
        chainId: chain.chainId,
        ring: input.ring,
        author: input.avatar,
        onChainHead: chain.onChainHead,
        serialized: input.logNodes,
        lookup: (cid) => replicaStore.lookup(cid),
      });
    } catch (error) {
      if (!(error instanceof LogReplicationIncompleteError)) throw error;
      // The answer's message adds the code's own words ("log replication incomplete") in front.
      return { incomplete: error.message.startsWith(PREFIX) ? error.message.slice(PREFIX.length) : error.message };
    }
  }

  private async trustsForwarder(ring: string, signal: AbortSignal): Promise<boolean> {
    const known = this.trustedByRing.get(ring);
    if (known !== undefined) return known;
    const trusted = await this.components.chain.isTrustedForwarder(ring, this.components.forwarder.address, { signal });
    this.trustedByRing.set(ring, trusted);
    return trusted;
  }
}
