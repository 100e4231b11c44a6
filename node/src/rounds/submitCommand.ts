/**
 * `ring-node submit`: submits a job to the running node (its jobs endpoint, found through the data
 * directory) and, unless `--no-wait`, shows a progress bar until the ring has finalised it on chain,
 * then prints the round, transaction, output CID and value.
 *
 *   ring-node submit --code examples/jobs/wordcount.js --input-file examples/data/corpus/chapter-01.txt \
 *     --shards 8 --redundancy 2 --params '{"top":10}'
 */
import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import { SingleBar, Presets } from "cli-progress";
import { InvalidArgumentError, type Command } from "commander";
import { defaultDataDir } from "../config/config.js";
import { JobsClient } from "./jobsClient.js";
import type { JobInput, JobStatus, PinInput, SubmitJobRequest } from "./jobService.js";

export interface JobFlags {
  code?: string;
  wasm?: string;
  input?: string[];
  inputFile?: string[];
  inputJson?: string[];
  inputPin?: PinInput[];
  gate?: string;
  params?: string;
  shards: number;
  redundancy: number;
  pin: number;
  fuel?: number;
}

interface SubmitFlags extends JobFlags {
  dataDir?: string;
  wait: boolean;
  timeoutMs: number;
  json?: boolean;
}

const collect = (value: string, previous: string[] = []) => [...previous, value];

/** `--input-pin <ring>:<pin>`: the upstream ring's address and its pin number. */
function collectPin(value: string, previous: PinInput[] = []): PinInput[] {
  const match = /^(0x[0-9a-fA-F]{40}):(\d+)$/.exec(value);
  if (match === null) throw new InvalidArgumentError("give the upstream ring it trusts and its pin as <ring>:<pin>, e.g. 0x5FbDB2315678afecb367f032d93F642f64180aa3:1");
  return [...previous, { ring: match[1] as string, pin: Number(match[2]) }];
}

/** The options that describe a job (its code, inputs, params, shape), shared with `job queue`. */
export function addJobOptions(command: Command): Command {
  return command
    .option("--code <file>", "the job's ES module (exports map(inputs, params, shard, shards) and reduce(partials, params))")
    .option("--wasm <file>", "instead of --code: the job's WebAssembly module (the ABI in node/src/compute/job.ts)")
    .option("--input <text>", "an input text, repeatable", collect)
    .option("--input-file <file>", "an input text read from a file, repeatable", collect)
    .option("--input-json <json>", "an input JSON value, repeatable", collect)
    .option("--input-pin <ring:pin>", "the latest output of that upstream ring on its Gate pin (its result), repeatable", collectPin)
    .option("--gate <address>", "the Gate that --input-pin reads (default: the node's RING_NODE_GATE)")
    .option("--params <json>", "the job's params (JSON)")
    .option("--shards <n>", "map shards", (v) => Number(v), 1)
    .option("--redundancy <n>", "members computing each shard", (v) => Number(v), 1)
    .option("--pin <n>", "Gate pin of the output", (v) => Number(v), 0)
    .option("--fuel <n>", "fuel bound per call", (v) => Number(v));
}

/** The job request the flags describe (files read). */
export async function jobRequestOf(flags: JobFlags): Promise<SubmitJobRequest> {
  if ((flags.code === undefined) === (flags.wasm === undefined)) throw new InvalidArgumentError("give exactly one of --code <file.js> and --wasm <file.wasm>");
  const inputs: JobInput[] = [
    ...(flags.input ?? []).map((text) => ({ text })),
    ...(await Promise.all((flags.inputFile ?? []).map(async (file) => ({ text: await readFile(file, "utf8") })))),
    ...(flags.inputJson ?? []).map((json) => ({ json: JSON.parse(json) as unknown })),
    ...(flags.inputPin ?? []).map((input) => ({ ...input, ...(flags.gate === undefined ? {} : { gate: flags.gate }) })),
  ];
  return {
    ...(flags.wasm !== undefined ? { wasm: (await readFile(flags.wasm)).toString("base64") } : { source: await readFile(flags.code as string, "utf8") }),
    inputs,
    params: flags.params === undefined ? null : (JSON.parse(flags.params) as unknown),
    shards: flags.shards,
    redundancy: flags.redundancy,
    pin: flags.pin,
    ...(flags.fuel === undefined ? {} : { limits: { fuel: flags.fuel } }),
  };
}

export function submitCommand(program: Command): void {
  addJobOptions(program.command("submit"))
    .option("-d, --data-dir <dir>", "data directory of the running node (env RING_NODE_DATA_DIR, default ~/.ring-node)")
    .description("submit a job (JavaScript exporting map and reduce) to the ring through this node and wait for the finalised result")
    .option("--no-wait", "return once the job is in the log")
    .option("--timeout-ms <ms>", "how long to wait for the result", (v) => Number(v), 300_000)
    .option("--json", "print the result as JSON")
    .action(async (flags: SubmitFlags) => {
      const request = await jobRequestOf(flags);
      const client = await JobsClient.forDataDir(resolve(flags.dataDir ?? defaultDataDir()));
      const submitted = await client.submit(request);
      if (!flags.wait) {
        process.stdout.write(flags.json === true ? `${JSON.stringify(submitted)}\n` : `job ${submitted.job}\n`);
        return;
      }
      const quiet = flags.json === true || !process.stderr.isTTY;
      const bar = new SingleBar({ format: "{bar} {value}/{total} shards | {status}", stream: process.stderr, hideCursor: true }, Presets.shades_classic);
      if (!quiet) bar.start(flags.shards, 0, { status: "queued" });
      let status: JobStatus;
      try {
        status = await client.waitFinalised(submitted.job, flags.timeoutMs, (s) => {
          if (!quiet) bar.update(s.shardsDone, { status: s.status });
          else if (flags.json !== true) process.stderr.write(`${s.status} ${s.shardsDone}/${s.shards}\n`);
        }, 200);
      } finally {
        if (!quiet) bar.stop();
      }
      if (flags.json === true) {
        process.stdout.write(`${JSON.stringify(status)}\n`);
        return;
      }
      process.stdout.write(
        [
          `job      ${status.job}`,
          `status   ${status.status} in round ${status.round ?? "-"}`,
          `tx       ${status.tx ?? "-"}`,
          `ring     head ${status.ringNodeHead ?? "-"}`,
          `output   ${status.output?.cid ?? "-"}`,
          `value    ${JSON.stringify(status.output?.value ?? null).slice(0, 2_000)}`,
          "",
        ].join("\n"),
      );
    });
}
