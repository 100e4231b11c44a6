/**
 * Finding 18 of issue 12: the keystore password does not stay in the environment (and can come
 * from a file), a new keystore needs a real password and a scrypt cost of at least 2^15 outside
 * tests, and the node's directories are private (0700), an existing data directory included.
 */
import { chmod, mkdir, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { expect } from "chai";
import { ensurePrivateDir } from "../../../node/src/config/privateDir.js";
import { PasswordTooShortError, WeakScryptError } from "../../../node/src/identity/errors.js";
import { createKeystore, defaultScryptN, loadKeystore, MIN_SCRYPT_N } from "../../../node/src/identity/keystore.js";
import { resolvePassword } from "../../../node/src/identity/password.js";
import { LogStore } from "../../../node/src/log/store.js";
import { createRingHelia } from "../../../node/src/p2p/createRingHelia.js";
import { generateKeyPair } from "@libp2p/crypto/keys";
import { tempDirs } from "../../../scripts/devnet/tempDir.js";

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error("expected a rejection");
}

function thrown(run: () => unknown): unknown {
  try {
    run();
  } catch (error) {
    return error;
  }
  throw new Error("expected a throw");
}

const mode = async (path: string) => (await stat(path)).mode & 0o777;

describe("keystore secrets and private directories (finding 18)", () => {
  const dirs = tempDirs("rings-secrets");
  after(() => dirs.cleanup());

  describe("password", () => {
    it("deletes RING_NODE_PASSWORD from the environment once read", async () => {
      const env: NodeJS.ProcessEnv = { RING_NODE_PASSWORD: "from the environment" };
      expect(await resolvePassword({ env })).to.equal("from the environment");
      expect(env).to.not.have.property("RING_NODE_PASSWORD");
    });

    it("reads the first line of RING_NODE_PASSWORD_FILE", async () => {
      const file = join(await dirs.make("pwfile"), "password");
      await writeFile(file, "from a file\n", { mode: 0o600 });
      expect(await resolvePassword({ env: { RING_NODE_PASSWORD_FILE: file } })).to.equal("from a file");
    });

    it("refuses a new keystore with a password of fewer than 8 characters", async () => {
      const dir = await dirs.make("short");
      expect(await rejection(createKeystore(dir, "x", { scryptN: 1024, testOnlyWeakScrypt: true }))).to.be.instanceOf(PasswordTooShortError);
    });
  });

  describe("scrypt cost", () => {
    it("refuses RING_NODE_SCRYPT_N below 2^15 without the test-only escape", () => {
      expect(thrown(() => defaultScryptN({ RING_NODE_SCRYPT_N: "2" }))).to.be.instanceOf(WeakScryptError);
      expect(thrown(() => defaultScryptN({ RING_NODE_SCRYPT_N: String(MIN_SCRYPT_N / 2) }))).to.be.instanceOf(WeakScryptError);
    });

    it("takes RING_NODE_SCRYPT_N of 2^15 and, with RING_NODE_TEST_ONLY_WEAK_SCRYPT=1, less", () => {
      expect(defaultScryptN({ RING_NODE_SCRYPT_N: String(MIN_SCRYPT_N) })).to.equal(MIN_SCRYPT_N);
      expect(defaultScryptN({ RING_NODE_SCRYPT_N: "1024", RING_NODE_TEST_ONLY_WEAK_SCRYPT: "1" })).to.equal(1024);
    });

    it("refuses a new keystore with scryptN below 2^15 unless the test-only option is set", async () => {
      const dir = await dirs.make("weak");
      expect(await rejection(createKeystore(dir, "a long enough password", { scryptN: 1024 }))).to.be.instanceOf(WeakScryptError);
      const created = await createKeystore(dir, "a long enough password", { scryptN: 1024, testOnlyWeakScrypt: true });
      expect((await loadKeystore(dir, "a long enough password")).address).to.equal(created.address);
    });
  });

  describe("directories", () => {
    it("narrows an existing 0755 data directory to 0700", async () => {
      const dir = join(await dirs.make("existing"), "data");
      await mkdir(dir, { mode: 0o755 });
      await chmod(dir, 0o755);
      await ensurePrivateDir(dir);
      expect(await mode(dir)).to.equal(0o700);
    });

    it("creates the data directory, blocks/, datastore-level/ and logs/ with 0700", async () => {
      const dataDir = join(await dirs.make("fresh"), "data");
      const { helia, blockstore, datastore } = await createRingHelia({ dataDir, privateKey: await generateKeyPair("secp256k1"), listen: ["/ip4/127.0.0.1/tcp/0"] });
      try {
        await LogStore.open(dataDir, blockstore, datastore);
        for (const path of [dataDir, join(dataDir, "blocks"), join(dataDir, "datastore-level"), join(dataDir, "logs")]) expect(await mode(path), path).to.equal(0o700);
      } finally {
        await helia.stop();
      }
    });

    it("narrows existing 0755 blocks/, datastore-level/ and logs/ to 0700", async () => {
      const dataDir = join(await dirs.make("old"), "data");
      for (const sub of ["", "blocks", "datastore-level", "logs"]) {
        await mkdir(join(dataDir, sub), { recursive: true });
        await chmod(join(dataDir, sub), 0o755);
      }
      const { helia, blockstore, datastore } = await createRingHelia({ dataDir, privateKey: await generateKeyPair("secp256k1"), listen: ["/ip4/127.0.0.1/tcp/0"] });
      try {
        await LogStore.open(dataDir, blockstore, datastore);
        for (const sub of ["", "blocks", "datastore-level", "logs"]) expect(await mode(join(dataDir, sub)), sub).to.equal(0o700);
      } finally {
        await helia.stop();
      }
    });
  });
});
