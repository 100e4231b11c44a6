/**
 * Moving and replacing the avatar key: export to and import from an Ethereum JSON keystore file
 * (any wallet reads it), and the files of a key rotation. A rotation keeps both keys on disk until
 * the new one is a member: the next key waits in `keystore.next.json` (same password, 0600); once
 * admitted, the current keystore is kept as `keystore.retired-<address>.json` and the next one
 * takes its place (`promoteNextKeystore`), so the node starts under the new key. Nothing here
 * overwrites a key file.
 */
import { readFile, rename, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { decryptKeystoreJson, encryptKeystoreJson, getAddress, hexlify, isKeystoreJson, Wallet } from "ethers";
import { KeyFileExistsError, KeyFileInvalidError, NoRotationError, PasswordTooShortError, WrongPasswordError } from "./errors.js";
import { identityFromPrivateKey, type RingIdentity } from "./identity.js";
import { defaultScryptN, exists, keystoreAddress, keystorePath, MIN_PASSWORD_LENGTH } from "./keystore.js";

export const NEXT_KEYSTORE_FILE = "keystore.next.json";
/** A keystore file is a few hundred bytes; anything far larger is not one. */
const MAX_KEY_FILE_BYTES = 64 * 1024;

/** Encrypts `identity`'s key with `password` (scrypt cost as for a new keystore) into `file`, 0600, never over an existing file. */
export async function writeKeyFile(file: string, identity: RingIdentity, password: string, scryptN = defaultScryptN()): Promise<void> {
  if ([...password].length < MIN_PASSWORD_LENGTH) throw new PasswordTooShortError(`a key file's password must have at least ${MIN_PASSWORD_LENGTH} characters`);
  if (await exists(file)) throw new KeyFileExistsError(`${file} already exists; refusing to overwrite a key file`);
  const json = await encryptKeystoreJson({ address: identity.address, privateKey: hexlify(identity.privateKey) }, password, { scrypt: { N: scryptN } });
  await writeFile(file, json, { mode: 0o600, flag: "wx" });
}

/** Decrypts the key file `file` with `password`. */
export async function readKeyFile(file: string, password: string): Promise<RingIdentity> {
  let json: string;
  try {
    const info = await stat(file);
    if (info.size > MAX_KEY_FILE_BYTES) throw new KeyFileInvalidError(`${file} has ${info.size} bytes: not a keystore (at most ${MAX_KEY_FILE_BYTES})`);
    json = await readFile(file, "utf8");
  } catch (error) {
    if (error instanceof KeyFileInvalidError) throw error;
    throw new KeyFileInvalidError(`cannot read ${file}: ${(error as Error).message}`);
  }
  if (!isKeystoreJson(json)) throw new KeyFileInvalidError(`${file} is not an Ethereum JSON keystore`);
  try {
    return identityFromPrivateKey((await decryptKeystoreJson(json, password)).privateKey);
  } catch (error) {
    if (/incorrect password/i.test((error as Error).message)) throw new WrongPasswordError(`wrong password for ${file}`);
    throw new KeyFileInvalidError(`${file} does not decrypt: ${(error as Error).message}`);
  }
}

export function nextKeystorePath(dataDir: string): string {
  return join(dataDir, NEXT_KEYSTORE_FILE);
}

/** The next key of a started rotation, or null: its address read without decrypting. */
export async function nextKeyAddress(dataDir: string): Promise<string | null> {
  try {
    const parsed = JSON.parse(await readFile(nextKeystorePath(dataDir), "utf8")) as { address?: string };
    return parsed.address === undefined ? null : getAddress(`0x${parsed.address.replace(/^0x/, "")}`);
  } catch {
    return null;
  }
}

/** Starts a rotation: a new key in `keystore.next.json`, encrypted with the node's password; refuses when one is pending. */
export async function createNextKeystore(dataDir: string, password: string, scryptN = defaultScryptN()): Promise<RingIdentity> {
  const identity = identityFromPrivateKey(Wallet.createRandom().privateKey);
  await writeKeyFile(nextKeystorePath(dataDir), identity, password, scryptN);
  return identity;
}

/** Ends a rotation on disk: the current keystore is kept as `keystore.retired-<address>.json`, the next one becomes the keystore. */
export async function promoteNextKeystore(dataDir: string): Promise<{ retired: string; current: string; retiredFile: string }> {
  const next = await nextKeyAddress(dataDir);
  if (next === null) throw new NoRotationError(`no rotation started in ${dataDir} (no ${NEXT_KEYSTORE_FILE}); run \`ring-node key rotate\` first`);
  const retired = await keystoreAddress(dataDir);
  if (retired === null) throw new KeyFileInvalidError(`no readable keystore in ${dataDir}`);
  const retiredFile = join(dataDir, `keystore.retired-${retired}.json`);
  if (await exists(retiredFile)) throw new KeyFileExistsError(`${retiredFile} already exists`);
  await rename(keystorePath(dataDir), retiredFile);
  await rename(nextKeystorePath(dataDir), keystorePath(dataDir));
  return { retired, current: next, retiredFile };
}
