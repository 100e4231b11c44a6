/**
 * `ring-node ring create` and `ring-node ring info`: make a ring through the RingFactory from the
 * avatar's own account, and read one back (members, PeerIds, heads, round, reputation, replica
 * registrations) — no code against the contracts needed.
 */
import type { Command } from "commander";
import { DeploymentNotFoundError, describeRing, RingFactoryWriter, type CreatedRing, type RingDescription } from "../chain/index.js";
import { addChainOptions, addressArgument, avatarSigner, chainOf, factoryOf, type ChainFlags } from "./chainAccess.js";
import { UsageError } from "./errors.js";

/** `--members` may repeat and take comma-separated lists; each entry must be an address, each once. */
export function parseMembers(values: readonly string[]): string[] {
  const members = values.flatMap((value) => value.split(",")).filter((value) => value.trim() !== "").map((value) => addressArgument(value, "--members"));
  if (members.length === 0) throw new UsageError("--members: a ring needs at least one member");
  const seen = new Set<string>();
  for (const member of members) {
    if (seen.has(member)) throw new UsageError(`--members: ${member} is given twice`);
    seen.add(member);
  }
  return members;
}

/** `value` as JSON (bigints as decimal strings) with `json`, else `text`, on stdout. */
export function printResult(json: boolean | undefined, value: object, text: string): void {
  process.stdout.write(json === true ? `${JSON.stringify(value, (_, v: unknown) => (typeof v === "bigint" ? v.toString() : v), 2)}\n` : text);
}

export function formatCreated(created: CreatedRing): string {
  return [
    `ring     ${created.ring}`,
    `owner    ${created.owner}`,
    `members  ${created.members.join(" ")}`,
    `scheme   ${created.scheme === "bls" ? "bls (BlsRing: each member registers its BLS key when its node starts)" : "ecdsa"}`,
    `public   ${created.public ? "yes (the members write their log entries in the clear)" : "no (the members' log entries are sealed with the ring's read keys)"}`,
    `tx       ${created.transactionHash} (block ${created.blockNumber}, gas ${created.gasUsed})`,
    "",
    `each member starts its node with: ring-node start --ring ${created.ring}`,
    "",
  ].join("\n");
}

export function formatRing(ring: RingDescription): string {
  const lines = [
    `ring      ${ring.ring} on chain ${ring.chainId} (block ${ring.blockNumber})`,
    `owner     ${ring.owner}`,
    `round     ${ring.round}   head ${ring.ringNodeHead ?? "none"}`,
    `majority  ${ring.requiredVotes} of ${ring.members.length}`,
    `scheme    ${ring.scheme}`,
  ];
  if (ring.public !== undefined) lines.push(`public    ${ring.public ? "yes (entries in the clear)" : "no (entries sealed with read keys)"}`);
  if (ring.servesReplicaRing !== undefined) lines.push(`serves    ReplicaRing ${ring.servesReplicaRing}`);
  if (ring.replicatedBy !== undefined) lines.push(`replicas  ${ring.replicatedBy.length === 0 ? "not registered with a replica ring" : ring.replicatedBy.join(" ")}`);
  else lines.push("replicas  unknown (no RingFactory: give --factory or --deployments)");
  lines.push("", ["member", "PeerId", "multiaddr", "log head", "agreements", "dissents"].join("\t"));
  for (const m of ring.members) lines.push([m.address, m.peerId ?? "-", m.multiaddr || "-", m.logHead ?? "-", m.agreements, m.dissents].join("\t"));
  return `${lines.join("\n")}\n`;
}

export function ringCommand(program: Command): void {
  const ring = program.command("ring").description("create a ring, or read one on chain");
  addChainOptions(ring.command("create"))
    .description("create a ring of --members through the RingFactory, sent from this node's avatar account")
    .requiredOption("--members <address...>", "the members' avatar addresses (repeatable, or comma-separated)")
    .option("--owner <address>", "the ring's owner, who may admit and remove members (default: this node's address)")
    .option("--scheme <scheme>", "how rounds are signed: ecdsa (Ring.flush, one signature per member) or bls (one BLS12-381 aggregate)", "ecdsa")
    .option("--public", "record the ring as public: its members write their log entries in the clear, with no read keys (fixed at creation)")
    .action(async (flags: ChainFlags & { members: string[]; owner?: string; scheme: string; public?: boolean }) => {
      if (flags.scheme !== "ecdsa" && flags.scheme !== "bls") throw new UsageError(`--scheme: ecdsa or bls, not ${flags.scheme}`);
      const scheme = flags.scheme;
      const members = parseMembers(flags.members);
      const owner = flags.owner === undefined ? undefined : addressArgument(flags.owner, "--owner");
      const { provider, chainId } = await chainOf(flags);
      try {
        const factory = await factoryOf(flags, chainId, provider);
        const signer = await avatarSigner(flags, provider);
        const created = await new RingFactoryWriter(factory, signer).createRing(members, owner ?? signer.address, undefined, scheme, flags.public === true);
        printResult(flags.json, { ...created, chainId: chainId.toString(), factory }, formatCreated(created));
      } finally {
        provider.destroy();
      }
    });
  addChainOptions(ring.command("info").argument("<ring>", "the Ring contract's address"))
    .description("show a ring: members, their PeerIds and log heads, round, reputation, replica registrations")
    .action(async (address: string, flags: ChainFlags) => {
      const ringAddress = addressArgument(address, "<ring>");
      const { provider, chainId } = await chainOf(flags);
      try {
        let factory: string | undefined;
        try {
          factory = await factoryOf(flags, chainId, provider);
        } catch (error) {
          // Without a factory the ring is still read; only its replica registrations are unknown.
          if (!(error instanceof DeploymentNotFoundError) || flags.factory !== undefined || flags.deployments !== undefined) throw error;
        }
        const description = await describeRing(provider, ringAddress, factory);
        printResult(flags.json, description, formatRing(description));
      } finally {
        provider.destroy();
      }
    });
}
