/** The `ring-node` command line. */
import { Command } from "commander";
import { appendCommand } from "./append.js";
import { initCommand } from "./init.js";
import { jobCommand } from "./job.js";
import { keyCommand } from "./key.js";
import { membersCommand } from "./members.js";
import { replicaCommand } from "./replica.js";
import { ringCommand } from "./ring.js";
import { startCommand } from "./start.js";
import { statusCommand } from "./status.js";
import { watchCommand } from "./watch.js";
import { submitCommand } from "../rounds/submitCommand.js";

export function buildProgram(): Command {
  const program = new Command("ring-node")
    .description("Rings member node: a signed append-only log on IPFS (Helia), replicated among the ring's members, who agree on chain")
    .version("0.1.0");
  initCommand(program);
  startCommand(program);
  statusCommand(program);
  appendCommand(program);
  submitCommand(program);
  watchCommand(program);
  ringCommand(program);
  membersCommand(program);
  replicaCommand(program);
  jobCommand(program);
  keyCommand(program);
  return program;
}

export async function main(argv: string[]): Promise<number> {
  try {
    await buildProgram().parseAsync(argv);
    return 0;
  } catch (error) {
    const err = error as Error;
    process.stderr.write(`ring-node: ${err.name}: ${err.message}\n`);
    // A refusal that names its own exit code (restore/errors.ts: 3, refused rather than fork the own log).
    const code = (error as { exitCode?: unknown }).exitCode;
    return typeof code === "number" && Number.isInteger(code) && code > 1 ? code : 1;
  }
}

process.exitCode = await main(process.argv);
