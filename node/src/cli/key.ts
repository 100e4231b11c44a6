/**
 * `ring-node key …`: the avatar key's life. `export` writes it as an Ethereum JSON keystore under its
 * own password (any wallet opens it), `import` makes a data directory's keystore from such a file,
 * and `rotate` replaces the key of a ring member with the ring's consent, in two steps:
 *   1. `key rotate --ring R`: a new key waits in `keystore.next.json`; it signs its candidacy and the
 *      running node proposes to admit it (the members' 2/3 vote, `enterByVote`);
 *   2. `key rotate --ring R --finish`, once the new key is a member: the running node proposes to
 *      remove the old key (`exitByVote`), the keystore files swap (the old one kept as
 *      `keystore.retired-<address>.json`), and the node is restarted under the new key.
 * Passwords: the node's as `start` reads it (RING_NODE_PASSWORD_FILE / RING_NODE_PASSWORD / prompt);
 * a key file's own from RING_NODE_KEY_FILE_PASSWORD_FILE / RING_NODE_KEY_FILE_PASSWORD / prompt.
 */
import { resolve } from "node:path";
import { Option, type Command } from "commander";
import { RingReads } from "../chain/index.js";
import { ControlClient } from "../control/client.js";
import { candidacyDigest, ringDomain } from "../core/eip712.js";
import { createKeystore, loadKeystore } from "../identity/keystore.js";
import { createNextKeystore, nextKeyAddress, promoteNextKeystore, readKeyFile, writeKeyFile } from "../identity/keyTransfer.js";
import { resolvePassword } from "../identity/password.js";
import { addChainOptions, addressArgument, chainOf, dataDirOf, type ChainFlags } from "./chainAccess.js";
import { RotationPendingError } from "./errors.js";
import { printResult } from "./ring.js";

const KEY_FILE_PASSWORD = { variables: { file: "RING_NODE_KEY_FILE_PASSWORD_FILE", value: "RING_NODE_KEY_FILE_PASSWORD" }, label: "key file password" };

interface KeyFlags extends ChainFlags {
  out?: string;
  ring?: string;
  finish?: boolean;
}

/** A membership proposal through the running node's control endpoint (as `members propose-*`). */
async function propose(dataDir: string, body: { enter: boolean; member: string; candidacy?: string }): Promise<{ key: string; votes: string[]; required: number }> {
  return (await ControlClient.forDataDir(dataDir)).request("POST", "/membership/propose", body);
}

async function exportKey(flags: KeyFlags): Promise<void> {
  const dataDir = dataDirOf(flags);
  const identity = await loadKeystore(dataDir, await resolvePassword());
  const file = resolve(flags.out as string);
  await writeKeyFile(file, identity, await resolvePassword({ ...KEY_FILE_PASSWORD, confirm: true }));
  printResult(flags.json, { address: identity.address, file }, `exported ${identity.address} to ${file}\n`);
}

async function importKey(file: string, flags: KeyFlags): Promise<void> {
  const dataDir = dataDirOf(flags);
  const identity = await readKeyFile(resolve(file), await resolvePassword(KEY_FILE_PASSWORD));
  const created = await createKeystore(dataDir, await resolvePassword({ confirm: true }), { privateKey: `0x${Buffer.from(identity.privateKey).toString("hex")}` });
  printResult(flags.json, { address: created.address, peerId: created.peerId.toString(), dataDir }, `imported ${created.address} into ${dataDir}\n`);
}

/** Step 1: the next key, its candidacy, and the running node's proposal to admit it. */
async function startRotation(ring: string, flags: KeyFlags): Promise<void> {
  const dataDir = dataDirOf(flags);
  const password = await resolvePassword();
  const current = await loadKeystore(dataDir, password);
  const { provider, chainId } = await chainOf(flags);
  try {
    const reads = new RingReads(ring, provider);
    if (!(await reads.isMember(current.address))) throw new RotationPendingError(`${current.address} is not a member of ${ring}: nothing to rotate`);
    const next = await createNextKeystore(dataDir, password);
    const membershipEpoch = await reads.membershipEpoch();
    const candidacy = next.wallet.signingKey.sign(candidacyDigest(ringDomain(chainId, ring), { member: next.address, membershipEpoch })).serialized;
    const motion = await propose(dataDir, { enter: true, member: next.address, candidacy });
    const text = `next key ${next.address} (in keystore.next.json)\nproposed to admit it: ${motion.votes.length} of ${motion.required} signed\nonce it is a member: ring-node key rotate --ring ${ring} --finish\n`;
    printResult(flags.json, { ring, current: current.address, next: next.address, motion }, text);
  } finally {
    provider.destroy();
  }
}

/** Step 2: the new key is a member; propose removing the old one and swap the keystores. */
async function finishRotation(ring: string, flags: KeyFlags): Promise<void> {
  const dataDir = dataDirOf(flags);
  const current = await loadKeystore(dataDir, await resolvePassword());
  const next = await nextKeyAddress(dataDir);
  if (next === null) throw new RotationPendingError(`no rotation started in ${dataDir}: run \`ring-node key rotate --ring ${ring}\` first`);
  const { provider } = await chainOf(flags);
  try {
    if (!(await new RingReads(ring, provider).isMember(next))) throw new RotationPendingError(`the next key ${next} is not a member of ${ring} yet: the members' vote to admit it has not passed (ring-node members votes)`);
  } finally {
    provider.destroy();
  }
  const motion = await propose(dataDir, { enter: false, member: current.address });
  const swapped = await promoteNextKeystore(dataDir);
  const text = `the keystore is now ${swapped.current} (the old one kept as ${swapped.retiredFile})\nproposed to remove ${swapped.retired}: ${motion.votes.length} of ${motion.required} signed\nrestart the node (ring-node start) to run under the new key\n`;
  printResult(flags.json, { ring, ...swapped, motion }, text);
}

/** The flags of the commands that need no chain: the data directory and --json. */
const localOptions = (command: Command) => command.addOption(new Option("-d, --data-dir <dir>", "data directory: the avatar key (default ~/.ring-node)").env("RING_NODE_DATA_DIR")).option("--json", "print the result as JSON");

export function keyCommand(program: Command): void {
  const key = program.command("key").description("export, import or rotate the avatar key");
  localOptions(key.command("export"))
    .description("write the avatar key as an Ethereum JSON keystore under its own password (RING_NODE_KEY_FILE_PASSWORD[_FILE] or prompt)")
    .requiredOption("--out <file>", "the file to write (never overwritten; 0600)")
    .action((flags: KeyFlags) => exportKey(flags));
  localOptions(key.command("import").argument("<file>", "an Ethereum JSON keystore"))
    .description("make this data directory's keystore from a key file (its password from RING_NODE_KEY_FILE_PASSWORD[_FILE] or prompt)")
    .action((file: string, flags: KeyFlags) => importKey(file, flags));
  addChainOptions(key.command("rotate"))
    .description("replace a member's key by the members' vote: admit a new key, then (--finish) remove the old one and switch to the new")
    .requiredOption("--ring <address>", "the ring the key is a member of")
    .option("--finish", "the new key is a member: propose removing the old one and swap the keystores")
    .action((flags: KeyFlags) => {
      const ring = addressArgument(flags.ring as string, "--ring");
      return flags.finish === true ? finishRotation(ring, flags) : startRotation(ring, flags);
    });
}
