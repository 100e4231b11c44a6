/**
 * `ring-node members …`: admit or remove a member by the members' 2/3 vote. The running node puts
 * the proposal and its own signature into its log; every member's node checks it and signs; the
 * first with 2/3 submits `enterByVote` / `exitByVote` (node/src/membership/). A candidate proves
 * it holds its avatar key with `members candidacy`, signed from its own data directory.
 */
import { Option, type Command } from "commander";
import { resolve } from "node:path";
import { defaultDataDir } from "../config/config.js";
import { ControlClient } from "../control/client.js";
import { candidacyDigest, ringDomain } from "../core/eip712.js";
import { RingReads } from "../chain/index.js";
import { addChainOptions, addressArgument, avatarSigner, chainOf, type ChainFlags } from "./chainAccess.js";
import { printResult } from "./ring.js";

interface MotionJson {
  key: string;
  enter: boolean;
  member: string;
  proposer: string;
  membershipEpoch: string;
  deadline: string;
  closed: string | null;
  votes: string[];
  required: number;
}

interface NodeFlags {
  dataDir?: string;
  json?: boolean;
}

const nodeOptions = (command: Command) =>
  command.addOption(new Option("-d, --data-dir <dir>", "the running node's data directory (default ~/.ring-node)").env("RING_NODE_DATA_DIR")).option("--json", "print the result as JSON");

const control = (flags: NodeFlags) => ControlClient.forDataDir(resolve(flags.dataDir ?? defaultDataDir()));

export function formatMotion(motion: MotionJson): string {
  const what = `${motion.enter ? "admit" : "remove"} ${motion.member}`;
  const state = motion.closed === null ? (motion.votes.length >= motion.required ? "passing: being submitted" : "open") : `closed: ${motion.closed}`;
  return `${what} (proposed by ${motion.proposer}, epoch ${motion.membershipEpoch}, until ${new Date(Number(motion.deadline) * 1000).toISOString()})\n  ${state}; ${motion.votes.length} of ${motion.required} signed: ${motion.votes.join(" ") || "-"}\n`;
}

export function membersCommand(program: Command): void {
  const members = program.command("members").description("admit or remove members by the members' 2/3 vote");
  const propose = (enter: boolean) => async (address: string, flags: NodeFlags & { candidacy?: string; ttlSeconds?: string }) => {
    const member = addressArgument(address, "<address>");
    const body = { enter, member, ...(flags.candidacy === undefined ? {} : { candidacy: flags.candidacy }), ...(flags.ttlSeconds === undefined ? {} : { ttlSeconds: Number(flags.ttlSeconds) }) };
    const motion = await (await control(flags)).request<MotionJson>("POST", "/membership/propose", body);
    printResult(flags.json, motion, formatMotion(motion));
  };
  nodeOptions(members.command("propose-add").argument("<address>", "the candidate's avatar address"))
    .description("propose to admit a member; the candidate's `members candidacy` signature proves its key")
    .requiredOption("--candidacy <signature>", "the candidate's signature from `ring-node members candidacy`")
    .option("--ttl-seconds <n>", "how long the proposal stays open (default one day)")
    .action(propose(true));
  nodeOptions(members.command("propose-remove").argument("<address>", "the member to remove"))
    .description("propose to remove a member")
    .option("--ttl-seconds <n>", "how long the proposal stays open (default one day)")
    .action(propose(false));
  nodeOptions(members.command("votes"))
    .description("the proposals in the members' logs and who signed them")
    .action(async (flags: NodeFlags) => {
      const motions = await (await control(flags)).request<MotionJson[]>("GET", "/membership");
      printResult(flags.json, motions, motions.length === 0 ? "no proposals\n" : motions.map(formatMotion).join(""));
    });
  addChainOptions(members.command("candidacy"))
    .description("as a candidate: sign that you hold this data directory's avatar key and ask to join --ring")
    .requiredOption("--ring <address>", "the ring to join")
    .action(async (flags: ChainFlags & { ring: string }) => {
      const ring = addressArgument(flags.ring, "--ring");
      const { provider, chainId } = await chainOf(flags);
      try {
        const signer = await avatarSigner(flags, provider);
        const membershipEpoch = await new RingReads(ring, provider).membershipEpoch();
        const message = { member: signer.address, membershipEpoch };
        const signature = signer.signingKey.sign(candidacyDigest(ringDomain(chainId, ring), message)).serialized;
        printResult(flags.json, { ring, member: signer.address, membershipEpoch: membershipEpoch.toString(), candidacy: signature }, `${signature}\n`);
      } finally {
        provider.destroy();
      }
    });
}
