/**
 * `ring-node key export / import / rotate` as an operator runs them: real `ring-node` processes, a
 * real chain for the rotation (a ring of three; the new key is admitted and the old one removed by
 * the members' 2/3 vote), key files checked on disk.
 */
import { readFile, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { expect } from "chai";
import { Contract, decryptKeystoreJson } from "ethers";
import { RING_ABI } from "../../../node/src/chain/index.js";
import { waitFor } from "../../../scripts/devnet/processes.js";
import { initRingNode, ringNodeCommand } from "../../../scripts/devnet/ringNodeProcess.js";
import { fund } from "../../../scripts/devnet/ringsOnChain.js";
import { startTestRing, type TestRing } from "../../../scripts/devnet/ringOfNodes.js";
import { tempDirs } from "../../../scripts/devnet/tempDir.js";

const FILE_PASSWORD = "key file password 1";
const FAST = { RING_NODE_MEMBERSHIP_SUBMIT_DELAY_MS: "1000", RING_NODE_HEAD_EXCHANGE_MS: "1000", RING_NODE_CHAIN_POLL_MS: "200" };
const key = (args: string[], env: NodeJS.ProcessEnv = {}) => ringNodeCommand(["key", ...args, "--json"], { RING_NODE_KEY_FILE_PASSWORD: FILE_PASSWORD, ...env });

/** The error line a failing `ring-node` command printed. */
async function failure(call: Promise<unknown>): Promise<string> {
  try {
    await call;
  } catch (error) {
    return String((error as { stderr?: string }).stderr ?? error);
  }
  throw new Error("the command succeeded");
}

describe("ring-node key: export and import", function () {
  this.timeout(60_000);
  const dirs = tempDirs("rings-key");
  after(() => dirs.cleanup());

  it("exports the avatar key as a 0600 Ethereum keystore under its own password, and import makes the same identity elsewhere", async function () {
    const source = await dirs.make("source");
    const { address, peerId } = await initRingNode(source);
    const file = join(await dirs.make("files"), "avatar.json");
    expect(JSON.parse(await key(["export", "--out", file, "--data-dir", source]))).to.deep.include({ address, file });
    expect((await stat(file)).mode & 0o777).to.equal(0o600);
    expect((await decryptKeystoreJson(await readFile(file, "utf8"), FILE_PASSWORD)).address).to.equal(address);
    const target = await dirs.make("target");
    expect(JSON.parse(await key(["import", file, "--data-dir", target]))).to.deep.include({ address, peerId });
  });

  it("never overwrites an existing file on export", async function () {
    const source = await dirs.make("overwrite");
    await initRingNode(source);
    const file = join(await dirs.make("existing"), "taken.json");
    await writeFile(file, "mine");
    expect(await failure(key(["export", "--out", file, "--data-dir", source]))).to.match(/KeyFileExistsError/);
    expect(await readFile(file, "utf8")).to.equal("mine");
  });

  it("refuses a key file with the wrong password or that is no keystore, and writes no keystore", async function () {
    const source = await dirs.make("wrong");
    await initRingNode(source);
    const file = join(await dirs.make("wrong-files"), "avatar.json");
    await key(["export", "--out", file, "--data-dir", source]);
    const target = await dirs.make("wrong-target");
    expect(await failure(key(["import", file, "--data-dir", target], { RING_NODE_KEY_FILE_PASSWORD: "not the password" }))).to.match(/WrongPasswordError/);
    const junk = join(target, "..", "junk.json");
    await writeFile(junk, JSON.stringify({ hello: "world" }));
    expect(await failure(key(["import", junk, "--data-dir", target]))).to.match(/KeyFileInvalidError/);
    await stat(join(target, "keystore.json")).then(
      () => expect.fail("a keystore was written"),
      () => undefined,
    );
  });
});

describe("ring-node key rotate: a member's key replaced by the members' vote", function () {
  this.timeout(240_000);
  let ring: TestRing;
  let contract: Contract;

  before(async function () {
    ring = await startTestRing(3, "rotate");
    const peers: string[] = [];
    for (let i = 0; i < 3; i++) peers.push((await ring.start(i, { peers: [...peers], env: FAST })).multiaddr);
    contract = new Contract(ring.ring, RING_ABI, ring.chain.provider);
  });

  after(async function () {
    await ring?.cleanup();
  });

  it("admits the new key, then --finish removes the old one and the node restarts under the new key", async function () {
    const dataDir = ring.members[2]?.dataDir as string;
    const old = ring.members[2]?.address as string;
    const chain = ["--ring", ring.ring, "--rpc-url", ring.chain.url, "--data-dir", dataDir];
    expect(await failure(key(["rotate", ...chain, "--finish"]))).to.match(/RotationPendingError: no rotation started/);
    const started = JSON.parse(await key(["rotate", ...chain])) as { next: string; current: string };
    expect(started.current).to.equal(old);
    const isMember = (address: string) => contract.getFunction("isMember")(address) as Promise<boolean>;
    await waitFor("the new key admitted", async () => (await isMember(started.next)) || undefined, 90_000, 250);
    await fund(ring.chain.account(0), [started.next]);
    const finished = JSON.parse(await key(["rotate", ...chain, "--finish"])) as { retired: string; current: string; retiredFile: string };
    expect(finished).to.deep.include({ retired: old, current: started.next });
    await waitFor("the old key removed", async () => (!(await isMember(old)) ? true : undefined), 90_000, 250);
    expect(await contract.getFunction("membershipEpoch")()).to.equal(2n);
    const running = [...ring.running].find((node) => node.address === old);
    await running?.stop();
    const restarted = await ring.start(2, { env: FAST, peers: [...ring.running].map((node) => node.multiaddr) });
    expect(restarted.address).to.equal(started.next);
    expect(await isMember(restarted.address)).to.equal(true);
  });
});
