/**
 * JSON-RPC methods of the rounds: `SubmitJob` (a job enters this member's log; with `waitMs`, the
 * answer waits until it is finalised) and `GetJob` (status, output CID and value). They plug into
 * any RpcDispatcher (node/src/rpc); the rounds service (roundsService.ts) serves them on the node's jobs endpoint.
 */
import { z } from "zod";
import { InvalidParamsError } from "../jsonrpc/errorCodes.js";
import type { RpcMethod } from "../jsonrpc/dispatcher.js";
import { JSONRPCErrorException } from "json-rpc-2.0";
import { JobNotFoundError, JobWaitTimeoutError, type JobService, type SubmitJobRequest } from "./jobService.js";
import { pinInputSchema } from "./pinInput.js";
import type { QueueIntake } from "./queueIntake.js";

export const JOB_RPC_METHODS = { SubmitJob: "SubmitJob", PrepareJob: "PrepareJob", GetJob: "GetJob" } as const;

/** Application error codes of the job methods (the -320xx range of the rpc engineer's table is theirs). */
export const JobRpcErrorCode = { JobNotFound: -32041, JobRejected: -32042, JobWaitTimeout: -32043 } as const;

const dataInput = z.union([
  z.object({ text: z.string() }).strict(),
  z.object({ json: z.unknown() }).strict(),
  z.object({ bytes: z.string().regex(/^0x([0-9a-fA-F]{2})*$/) }).strict(),
  z.object({ cid: z.string() }).strict(),
]);

/**
 * An input with a `pin` key is a pin input and is checked by its own schema, so a missing or
 * malformed `ring` is reported as such rather than as a union's bare "Invalid input".
 */
const input = z.unknown().transform((value, context) => {
  const schema = value !== null && typeof value === "object" && "pin" in value ? pinInputSchema : dataInput;
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  for (const issue of parsed.error.issues) context.addIssue(issue);
  return z.NEVER;
});

const submitSchema = z
  .object({
    source: z.string().max(1024 * 1024).optional(),
    wasm: z.string().max(1400 * 1024).regex(/^[A-Za-z0-9+/]*={0,2}$/, "must be base64").optional(),
    code: z.string().optional(),
    inputs: z.array(input).max(1024),
    params: z.unknown().optional(),
    shards: z.number().int().min(1).max(1024),
    redundancy: z.number().int().min(1).max(64),
    pin: z.number().int().min(0).optional(),
    limits: z.object({ fuel: z.number().int().positive().optional(), memoryBytes: z.number().int().positive().optional() }).strict().optional(),
    waitMs: z.number().int().min(0).max(600_000).optional(),
  })
  .strict()
  .refine((value) => [value.source, value.wasm, value.code].filter((field) => field !== undefined).length === 1, "give exactly one of source, wasm and code");

const getSchema = z.object({ job: z.string().min(1) }).strict();

function parse<T>(schema: z.ZodType<T>, params: unknown): T {
  const parsed = schema.safeParse(params);
  if (!parsed.success) throw new InvalidParamsError(parsed.error.issues.map((issue) => `${issue.path.join(".") || "params"}: ${issue.message}`).join("; "));
  return parsed.data;
}

function mapError(error: unknown): never {
  if (error instanceof JobNotFoundError) throw new JSONRPCErrorException(error.message, JobRpcErrorCode.JobNotFound);
  if (error instanceof JobWaitTimeoutError) throw new JSONRPCErrorException(error.message, JobRpcErrorCode.JobWaitTimeout);
  if (error instanceof JSONRPCErrorException) throw error;
  throw new JSONRPCErrorException(`job rejected: ${(error as Error).message}`, JobRpcErrorCode.JobRejected);
}

/** A job queued on chain that no log holds yet: waiting for its spec, or given up with the reason. */
function queuedOnChain(intake: Pick<QueueIntake, "status"> | null, job: string) {
  const known = intake?.status(job);
  if (known === undefined || known.state === "in-log") return undefined;
  const { sequence, submitter, blockNumber, transactionHash } = known.queued;
  return { job, status: known.state === "failed" ? "failed" : "queued", reason: known.reason ?? null, queue: { sequence, submitter, blockNumber, transactionHash, attempts: known.attempts } };
}

export function jobRpcMethods(jobs: JobService, intake: Pick<QueueIntake, "status"> | null = null): Record<string, RpcMethod> {
  return {
    [JOB_RPC_METHODS.SubmitJob]: async (params) => {
      const { waitMs, ...request } = parse(submitSchema, params);
      try {
        const submitted = await jobs.submit(request as SubmitJobRequest);
        if (waitMs === undefined || waitMs === 0) return submitted;
        return { ...submitted, ...(await jobs.waitFinalised(submitted.job, waitMs)) };
      } catch (error) {
        mapError(error);
      }
    },
    /** The job's blocks stored at this node, not appended: for a job then queued on chain. */
    [JOB_RPC_METHODS.PrepareJob]: async (params) => {
      const { waitMs, ...request } = parse(submitSchema, params);
      if (waitMs !== undefined) throw new InvalidParamsError("waitMs: a prepared job is not submitted, so there is nothing to wait for");
      try {
        return { job: (await jobs.prepare(request as SubmitJobRequest)).job };
      } catch (error) {
        mapError(error);
      }
    },
    [JOB_RPC_METHODS.GetJob]: async (params) => {
      const { job } = parse(getSchema, params);
      try {
        return await jobs.status(job);
      } catch (error) {
        const queued = error instanceof JobNotFoundError ? queuedOnChain(intake, job) : undefined;
        if (queued !== undefined) return queued;
        mapError(error);
      }
    },
  };
}
