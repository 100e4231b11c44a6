/**
 * Submitting jobs at this member and asking about any job: what `SubmitJob` / `GetJob` and
 * `ring-node submit` use. A submitted job's code, inputs and spec become blocks in this node's
 * blockstore (the others fetch them over bitswap) and the job enters this member's log.
 */
import * as dagCbor from "@ipld/dag-cbor";
import { getBytes, hexlify, ZeroAddress } from "ethers";
import { CID } from "multiformats/cid";
import { cidToBytes32 } from "../core/cid.js";
import type { RingChainView } from "../chain/ringChainView.js";
import type { SandboxLimits } from "../compute/limits.js";
import { checkJobCode, decodeJobCode, encodeData, encodeJobCode, encodeJobSpec, encodeWasmJobCode, type JobCode, type JobSpec } from "../compute/job.js";
import type { OwnLog } from "../log/ownLog.js";
import type { LogStore } from "../log/store.js";
import type { LogBlockstore } from "../p2p/blockstore.js";
import type { RingHelia } from "../p2p/createRingHelia.js";
import { JOB_ENTRY } from "./entries.js";
import { JobNotFoundError, JobWaitTimeoutError } from "./errors.js";
import { latestOnPin, type PinInput } from "./pinInput.js";
import type { RoundEngine } from "./roundEngine.js";
import { majorityShards } from "./roundContent.js";
import type { JobCompute } from "./jobCompute.js";

/**
 * An input as a client gives it: a text, a JSON value, bytes (hex), the CID of a block the ring can
 * fetch, or the latest output of a named upstream ring on one of its Gate pins (that ring's result:
 * map ring -> reduce ring), read from the chain when the job is submitted (`gate` defaults to the
 * node's RING_NODE_GATE; pin inputs are in pinInput.ts).
 */
export type JobInput = { text: string } | { json: unknown } | { bytes: string } | { cid: string } | PinInput;

export interface SubmitJobRequest {
  /** The job's ES module source (exports `map` and `reduce`), or `code`: the CID of its code block. */
  source?: string;
  /** Or a WebAssembly job module (base64; ABI in compute/job.ts), checked against the job's limits. */
  wasm?: string;
  code?: string;
  inputs: JobInput[];
  params?: unknown;
  shards: number;
  redundancy: number;
  /** Gate pin for the output (default 0). */
  pin?: number;
  limits?: Partial<SandboxLimits>;
}

export { EmptyPinError, JobNotFoundError, JobWaitTimeoutError } from "./errors.js";
export type { PinInput } from "./pinInput.js";

export type JobState = "queued" | "computing" | "proposed" | "finalised";

export interface JobStatus {
  job: string;
  status: JobState;
  submitter: string;
  shards: number;
  /** Shards whose result has a majority. */
  shardsDone: number;
  round?: number;
  ringNodeHead?: string;
  tx?: string | null;
  output?: { cid: string; bytes32: string; value: unknown };
}

export interface JobServiceComponents {
  /** Gate reads (pin inputs). */
  chain: Pick<RingChainView, "provider">;
  blocks: Pick<LogBlockstore, "putBytes" | "readBytes">;
  logs: Pick<LogStore, "cidAt">;
  ownLog: Pick<OwnLog, "append">;
  /** Output blocks this node does not hold yet are fetched over bitswap. */
  helia: Pick<RingHelia, "blockstore">;
}

export class JobService {
  constructor(
    private readonly components: JobServiceComponents,
    private readonly engine: Pick<RoundEngine, "book" | "kick" | "isMember" | "finalisedJob" | "onJob">,
    private readonly compute: JobCompute,
    /** The Gate that pin inputs without their own `gate` are read from. */
    private readonly gate: string = ZeroAddress,
  ) {}

  /**
   * Stores the job's blocks (code, inputs, spec) in this node's blockstore without appending it:
   * what a job queued on chain needs, its blocks held here for the members to fetch.
   */
  async prepare(request: SubmitJobRequest): Promise<{ job: string; spec: CID; specBytes: Uint8Array }> {
    let code: CID;
    let codeBlock: { cid: CID; bytes: Uint8Array; value: JobCode } | undefined;
    if (request.source !== undefined || request.wasm !== undefined) {
      codeBlock = request.source !== undefined ? await encodeJobCode(request.source) : await encodeWasmJobCode(Buffer.from(request.wasm as string, "base64"));
      code = codeBlock.cid;
    } else if (request.code !== undefined) {
      code = CID.parse(request.code);
    } else {
      throw new TypeError("a job needs its source or the CID of its code");
    }
    const inputs = await Promise.all(request.inputs.map((input) => this.storeInput(input)));
    const spec: JobSpec = { code, inputs, params: request.params ?? null, shards: request.shards, redundancy: request.redundancy };
    if (request.limits !== undefined) spec.limits = request.limits;
    const encoded = await encodeJobSpec(spec);
    if (codeBlock !== undefined) {
      checkJobCode(codeBlock.value, encoded.value);
      await this.components.blocks.putBytes(codeBlock.cid, codeBlock.bytes);
    } else {
      const held = await this.components.blocks.readBytes(code);
      if (held !== null) checkJobCode(decodeJobCode(held), encoded.value);
    }
    this.compute.shape(encoded.bytes);
    await this.components.blocks.putBytes(encoded.cid, encoded.bytes);
    return { job: encoded.cid.toString(), spec: encoded.cid, specBytes: encoded.bytes };
  }

  /** Stores the job's blocks and appends it to this member's log; resolves with its id. */
  async submit(request: SubmitJobRequest): Promise<{ job: string; entry: string; seq: number; existing: boolean }> {
    const encoded = await this.prepare(request);
    await this.engine.book.scan();
    const id = encoded.job;
    const known = await this.engine.book.findJob(id);
    if (known !== undefined) {
      const cid = this.components.logs.cidAt(known.submitter, known.seq);
      return { job: id, entry: cid?.toString() ?? "", seq: known.seq, existing: true };
    }
    const appended = await this.components.ownLog.append({ type: JOB_ENTRY, job: encoded.spec, spec: encoded.specBytes, pin: request.pin ?? 0 });
    this.engine.kick();
    return { job: id, entry: appended.cid.toString(), seq: appended.node.seq, existing: false };
  }

  async status(id: string, signal?: AbortSignal): Promise<JobStatus> {
    await this.engine.book.scan();
    const job = await this.engine.book.findJob(id);
    if (job === undefined) throw new JobNotFoundError(`job ${id} is not in any log this member holds`);
    const shape = this.compute.shape(job.entry.spec);
    // A final job's results are released (jobBook.ts): every shard had its majority.
    let shardsDone = job.released === true ? shape.shards : 0;
    for (let shard = 0; shard < shape.shards && job.released !== true; shard++) {
      const votes = [...this.engine.book.shardResults(id, shard).values()].filter((r) => this.engine.isMember(r.member)).map((r) => ({ member: r.member, result: r.entry.result }));
      if (this.compute.majority(shape, votes) !== null) shardsDone++;
    }
    const base = { job: id, submitter: job.submitter, shards: shape.shards, shardsDone };
    // Finalised long ago: the job book's archive carries the round (jobArchive.ts).
    const finalised = job.finalised ?? this.engine.finalisedJob(id);
    if (finalised !== undefined) {
      const bytes = await this.outputBytes(finalised.output, signal);
      return {
        ...base,
        status: "finalised",
        round: finalised.round,
        ringNodeHead: finalised.ringNodeHead,
        tx: finalised.tx,
        output: { cid: finalised.output.toString(), bytes32: cidToBytes32(finalised.output), value: bytes === null ? null : toJson(dagCbor.decode(bytes)) },
      };
    }
    const proposed = this.engine.book.isProposed(id);
    const ready = majorityShards(this.engine.book, this.compute, job, this.engine.isMember) !== null;
    return { ...base, status: proposed ? "proposed" : ready || shardsDone > 0 ? "computing" : "queued" };
  }

  /** Resolves with the job's status once it is finalised; `onProgress` hears every change. */
  async waitFinalised(id: string, timeoutMs: number, onProgress?: (status: JobStatus) => void): Promise<JobStatus> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      let status: JobStatus | null = null;
      try {
        status = await this.status(id, AbortSignal.timeout(5_000));
      } catch (error) {
        if (!(error instanceof JobNotFoundError)) throw error;
      }
      if (status !== null) {
        onProgress?.(status);
        if (status.status === "finalised") return status;
      }
      const left = deadline - Date.now();
      if (left <= 0) throw new JobWaitTimeoutError(`job ${id} not finalised within ${timeoutMs} ms (last status: ${status?.status ?? "unknown"})`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, Math.min(left, 1_000));
        const unsubscribe = this.engine.onJob((changed) => changed === id && done());
        function done() {
          clearTimeout(timer);
          unsubscribe();
          resolve();
        }
      });
    }
  }

  private async storeInput(input: JobInput): Promise<CID> {
    if ("cid" in input) return CID.parse(input.cid);
    if ("pin" in input) return latestOnPin(this.components.chain.provider, input, this.gate);
    const value = "text" in input ? input.text : "json" in input ? input.json : getBytes(input.bytes);
    const block = await encodeData(value);
    await this.components.blocks.putBytes(block.cid, block.bytes);
    return block.cid;
  }

  private async outputBytes(cid: CID, signal?: AbortSignal): Promise<Uint8Array | null> {
    const local = await this.components.blocks.readBytes(cid);
    if (local !== null) return local;
    try {
      const chunks: Uint8Array[] = [];
      for await (const chunk of this.components.helia.blockstore.get(cid, { signal: signal ?? AbortSignal.timeout(5_000) })) chunks.push(chunk);
      return chunks.length === 1 ? (chunks[0] as Uint8Array) : Buffer.concat(chunks);
    } catch {
      return null;
    }
  }
}

/** A dag-cbor value as JSON: bytes as 0x-hex, CIDs as strings, bigints as strings. */
export function toJson(value: unknown): unknown {
  if (value instanceof Uint8Array) return hexlify(value);
  if (typeof value === "bigint") return value.toString();
  if (CID.asCID(value) !== null) return String(value);
  if (Array.isArray(value)) return value.map(toJson);
  if (value !== null && typeof value === "object") return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, toJson(v)]));
  return value;
}
