/**
 * The avatar key at rest: an Ethereum JSON keystore (scrypt + AES-128-CTR, as ethers and geth write
 * it) in the node's data directory, readable by any Ethereum wallet.
 */
import { constants as fsConstants } from "node:fs";
import { access, mkdir, readFile, rename, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { decryptKeystoreJson, encryptKeystoreJson, getAddress, Wallet } from "ethers";
import { identityFromPrivateKey, type RingIdentity } from "./identity.js";

export const KEYSTORE_FILE = "keystore.json";

/** scrypt cost: ethers' default (2^17) unless RING_NODE_SCRYPT_N lowers it (tests, throwaway nodes). */
export function defaultScryptN(env: NodeJS.ProcessEnv = process.env): number {
  const fromEnv = env.RING_NODE_SCRYPT_N;
  if (fromEnv === undefined || fromEnv === "") return 1 << 17;
  const n = Number(fromEnv);
  if (!Number.isInteger(n) || n < 2 || (n & (n - 1)) !== 0) throw new RangeError(`RING_NODE_SCRYPT_N must be a power of two, got ${fromEnv}`);
  return n;
}

export class KeystoreExistsError extends Error {
  override name = "KeystoreExistsError";
}
export class KeystoreMissingError extends Error {
  override name = "KeystoreMissingError";
}
export class WrongPasswordError extends Error {
  override name = "WrongPasswordError";
}

export function keystorePath(dataDir: string): string {
  return join(dataDir, KEYSTORE_FILE);
}

async function exists(path: string): Promise<boolean> {
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
  scryptN?: number;
}

/** Creates the avatar key (or imports one) and writes it encrypted; refuses to overwrite a keystore. */
export async function createKeystore(dataDir: string, password: string, options: CreateKeystoreOptions = {}): Promise<RingIdentity> {
  const path = keystorePath(dataDir);
  if (await exists(path)) throw new KeystoreExistsError(`${path} already exists; refusing to replace an avatar key`);
  const wallet = options.privateKey === undefined ? Wallet.createRandom() : new Wallet(options.privateKey);
  const json = await encryptKeystoreJson({ address: wallet.address, privateKey: wallet.privateKey }, password, {
    scrypt: { N: options.scryptN ?? defaultScryptN() },
  });
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
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
