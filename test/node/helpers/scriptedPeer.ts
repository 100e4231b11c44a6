/**
 * A ring member under the test's control, in the test process: a real Helia/libp2p node with the
 * member's key that answers head exchange and log-sync with whatever the test scripts, and serves
 * over bitswap the blocks the test puts in its blockstore. Used to feed bad input to real nodes.
 */
import type { Connection, Stream } from "@libp2p/interface";
import { lpStream } from "@libp2p/utils";
import { multiaddr } from "@multiformats/multiaddr";
import type { CID } from "multiformats/cid";
import type { TypedDataDomain } from "ethers";
import { signLogNodeWithKey, LOG_NODE_VERSION, type EncodedLogNode, type LogNodeBody } from "../../../node/src/core/logNode.js";
import type { RingIdentity } from "../../../node/src/identity/identity.js";
import { createRingHelia, type RingHeliaParts } from "../../../node/src/p2p/createRingHelia.js";
import { exchangeHeads } from "../../../node/src/replication/headExchange.js";
import { decodeHeads, decodeLogSyncRequest, encodeBlockFrame, encodeHeads, encodeLogSyncHeader, type HeadClaim, type LogSyncRequest } from "../../../node/src/replication/messages.js";
import { HEADS_PROTOCOL, LOG_SYNC_PROTOCOL } from "../../../node/src/replication/protocols.js";
import { silentLogger } from "../../../node/src/logging.js";

export interface ScriptedBlock {
  cid: CID;
  bytes: Uint8Array;
}

export class ScriptedPeer {
  /** Heads this peer claims in every head exchange. */
  claims: HeadClaim[] = [];
  /** What it streams for a log-sync request (default: nothing, refused). */
  logSync: (request: LogSyncRequest) => ScriptedBlock[] | null = () => null;

  private constructor(
    readonly identity: RingIdentity,
    readonly domain: TypedDataDomain,
    readonly parts: RingHeliaParts,
  ) {}

  static async start(identity: RingIdentity, domain: TypedDataDomain, dataDir: string): Promise<ScriptedPeer> {
    const parts = await createRingHelia({ dataDir, privateKey: identity.libp2pKey, listen: ["/ip4/127.0.0.1/tcp/0"] });
    const peer = new ScriptedPeer(identity, domain, parts);
    const libp2p = parts.helia.libp2p;
    await libp2p.handle(HEADS_PROTOCOL, (stream, connection) => peer.answerHeads(stream, connection));
    await libp2p.handle(LOG_SYNC_PROTOCOL, (stream) => peer.answerLogSync(stream));
    return peer;
  }

  get address(): string {
    return this.identity.address;
  }

  /** Signs a node with this peer's key (any author, seq and links the test wants). */
  async sign(body: Partial<LogNodeBody> & { seq: number; prev: CID[] }, signer: RingIdentity = this.identity): Promise<EncodedLogNode> {
    const full: LogNodeBody = { v: LOG_NODE_VERSION, ring: String(this.domain.verifyingContract), author: this.identity.address, ts: 1, payload: { scripted: true }, ...body };
    return signLogNodeWithKey(full, signer.privateKey, this.domain);
  }

  /** Makes a block available over bitswap. */
  async serve(...blocks: ScriptedBlock[]): Promise<void> {
    for (const block of blocks) await this.parts.blockstore.put(block.cid, block.bytes);
  }

  async connect(address: string): Promise<void> {
    await this.parts.helia.libp2p.dial(multiaddr(address), { signal: AbortSignal.timeout(10_000) });
  }

  /** Pushes the current claims to the node at `address` (as a member does when it connects). */
  async announceTo(address: string): Promise<void> {
    const target = multiaddr(address);
    const peerId = target.getComponents().find((c) => c.code === 421)?.value;
    if (peerId === undefined) throw new Error("address needs /p2p/<PeerId>");
    await this.connect(address);
    const connection = this.parts.helia.libp2p.getConnections().find((c) => c.remotePeer.toString() === peerId);
    if (connection === undefined) throw new Error("not connected");
    await exchangeHeads(this.parts.helia.libp2p, connection.remotePeer, {
      ring: String(this.domain.verifyingContract),
      isMemberPeer: () => true,
      localHeads: () => this.claims,
      onHeads: () => undefined,
      timeoutMs: 10_000,
      logger: silentLogger(),
    });
  }

  async stop(): Promise<void> {
    await this.parts.helia.stop();
  }

  private async answerHeads(stream: Stream, _connection: Connection): Promise<void> {
    const lp = lpStream(stream);
    try {
      decodeHeads((await lp.read({ signal: AbortSignal.timeout(10_000) })).subarray());
      await lp.write(encodeHeads({ ring: String(this.domain.verifyingContract), heads: this.claims }));
      await stream.close();
    } catch (error) {
      stream.abort(error as Error);
    }
  }

  private async answerLogSync(stream: Stream): Promise<void> {
    const lp = lpStream(stream, { maxDataLength: 4 * 1024 * 1024 });
    try {
      const request = decodeLogSyncRequest((await lp.read({ signal: AbortSignal.timeout(10_000) })).subarray());
      const blocks = this.logSync(request);
      if (blocks === null) {
        await lp.write(encodeLogSyncHeader({ ok: false, count: 0, error: "not held" }));
      } else {
        await lp.write(encodeLogSyncHeader({ ok: true, count: blocks.length }));
        if (blocks.length > 0) await lp.write(encodeBlockFrame(blocks));
      }
      await stream.close();
    } catch (error) {
      stream.abort(error as Error);
    }
  }
}
