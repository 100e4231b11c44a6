/**
 * The avatar key at rest: an Ethereum JSON keystore (scrypt + AES-128-CTR, as ethers and geth write
 * it) in the node's data directory, readable by any Ethereum wallet. A new keystore needs a
 * password of at least MIN_PASSWORD_LENGTH characters and a scrypt cost N of at least MIN_SCRYPT_N
 * (2^15); only tests go lower, with RING_NODE_TEST_ONLY_WEAK_SCRYPT=1 (or `testOnlyWeakScrypt`).
 * An existing keystore opens whatever its password and cost (no operator is locked out). A BLS
 * ring's vote key is not stored: it is derived from the avatar key (blsKey.ts), so every keystore,
 * old or new, holds it under the same encryption and the file format stays Ethereum's.
 */
import { constants as fsConstants } from "node:fs";
import { access, chmod, mkdir, readFile, rename, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { decryptKeystoreJson, encryptKeystoreJson, getAddress, Wallet } from "ethers";
import { KeystoreExistsError, KeystoreMissingError, PasswordTooShortError, WeakScryptError, WrongPasswordError } from "./errors.js";
import { identityFromPrivateKey, type RingIdentity } from "./identity.js";

export { KeystoreExistsError, KeystoreMissingError, PasswordTooShortError, WeakScryptError, WrongPasswordError };

export const KEYSTORE_FILE = "keystore.json";
/** The lowest scrypt cost of a new keystore outside tests (2^15: about 0.1 s and 32 MiB here). */
export const MIN_SCRYPT_N = 1 << 15;
/** The shortest password a new keystore takes. */
export const MIN_PASSWORD_LENGTH = 8;
/** TEST ONLY: set to 1, a new keystore may use a scrypt cost below MIN_SCRYPT_N (fast tests). */
export const TEST_ONLY_WEAK_SCRYPT_ENV = "RING_NODE_TEST_ONLY_WEAK_SCRYPT";

/** Refuses a cost that is not a power of two, or below MIN_SCRYPT_N unless `weakAllowed` (tests only). */
export function checkScryptN(n: number, weakAllowed: boolean): number {
  if (!Number.isInteger(n) || n < 2 || (n & (n - 1)) !== 0) throw new WeakScryptError(`the scrypt cost N must be a power of two, got ${n}`);
  if (n < MIN_SCRYPT_N && !weakAllowed) throw new WeakScryptError(`the scrypt cost N must be at least ${MIN_SCRYPT_N} (2^15), got ${n}; only tests may go lower, with ${TEST_ONLY_WEAK_SCRYPT_ENV}=1`);
  return n;
}

/** scrypt cost: ethers' default (2^17) unless RING_NODE_SCRYPT_N sets it (at least 2^15 outside tests). */
export function defaultScryptN(env: NodeJS.ProcessEnv = process.env): number {
  const fromEnv = env.RING_NODE_SCRYPT_N;
  if (fromEnv === undefined || fromEnv === "") return 1 << 17;
  return checkScryptN(Number(fromEnv), env[TEST_ONLY_WEAK_SCRYPT_ENV] === "1");
}

export function keystorePath(dataDir: string): string {
  return join(dataDir, KEYSTORE_FILE);
}

/** Whether a file is at `path`. */
export async function exists(path: string): Promise<boolean> {
  try {
    await access(path, fsConstants.F_OK);
    return true;
  } catch {
    return false;
  }
}

export interface CreateKeystoreOptions {
  /** Import this key instead of generating one (0x-hex, 32 bytes). */
  privateKey?: string;
  /** The scrypt cost (default: defaultScryptN(), from RING_NODE_SCRYPT_N). */
  scryptN?: number;
  /** TEST ONLY: allow a scrypt cost below MIN_SCRYPT_N (also RING_NODE_TEST_ONLY_WEAK_SCRYPT=1). */
  testOnlyWeakScrypt?: boolean;
}

/** Creates the avatar key (or imports one) and writes it encrypted; refuses to overwrite a keystore. */
export async function createKeystore(dataDir: string, password: string, options: CreateKeystoreOptions = {}): Promise<RingIdentity> {
  const path = keystorePath(dataDir);
  if (await exists(path)) throw new KeystoreExistsError(`${path} already exists; refusing to replace an avatar key`);
  if ([...password].length < MIN_PASSWORD_LENGTH) throw new PasswordTooShortError(`the keystore password must have at least ${MIN_PASSWORD_LENGTH} characters`);
  const scryptN = options.scryptN === undefined ? defaultScryptN() : checkScryptN(options.scryptN, options.testOnlyWeakScrypt === true || process.env[TEST_ONLY_WEAK_SCRYPT_ENV] === "1");
  const wallet = options.privateKey === undefined ? Wallet.createRandom() : new Wallet(options.privateKey);
  const json = await encryptKeystoreJson({ address: wallet.address, privateKey: wallet.privateKey }, password, {
    scrypt: { N: scryptN },
  });
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  await chmod(dataDir, 0o700);
  const temporary = `${path}.tmp-${process.pid}`;
  await writeFile(temporary, json, { mode: 0o600, flag: "wx" });
  await rename(temporary, path);
  return identityFromPrivateKey(wallet.privateKey);
}

/** Decrypts the data directory's keystore. */
export async function loadKeystore(dataDir: string, password: string): Promise<RingIdentity> {
  const path = keystorePath(dataDir);
  let json: string;
  try {
    json = await readFile(path, "utf8");
  } catch {
    throw new KeystoreMissingError(`no keystore at ${path}; run \`ring-node init\` first`);
  }
  try {
    const account = await decryptKeystoreJson(json, password);
    return identityFromPrivateKey(account.privateKey);
  } catch (error) {
    if (/incorrect password/i.test((error as Error).message)) throw new WrongPasswordError(`wrong password for ${path}`);
    throw error;
  }
}

/** The keystore's address without decrypting it (the JSON keystore stores it in clear). */
export async function keystoreAddress(dataDir: string): Promise<string | null> {
  try {
    const parsed = JSON.parse(await readFile(keystorePath(dataDir), "utf8")) as { address?: string };
    return parsed.address === undefined ? null : getAddress(`0x${parsed.address.replace(/^0x/, "")}`);
  } catch {
    return null;
  }
}
