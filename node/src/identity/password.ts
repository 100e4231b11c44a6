/**
 * Where the keystore password comes from: the file named by RING_NODE_PASSWORD_FILE (its first
 * line), else RING_NODE_PASSWORD, else a prompt on the terminal. RING_NODE_PASSWORD is deleted from
 * the environment once read, so no child process (the sandbox workers) and no later reader of
 * `process.env` sees it. The kernel's copy of the initial environment (/proc/PID/environ, readable
 * by the same user and root) cannot be erased from inside the process: RING_NODE_PASSWORD_FILE
 * (a 0600 file, or a pipe such as /dev/fd/3) keeps the password out of it.
 */
import { open } from "node:fs/promises";
import { createInterface } from "node:readline";
import { PasswordRequiredError } from "./errors.js";

export { PasswordRequiredError };

/** A password file is read up to this size (a password, not a data file). */
const MAX_PASSWORD_FILE_BYTES = 4096;

export interface PasswordSource {
  env?: NodeJS.ProcessEnv;
  /** Ask twice and compare (for a new keystore). */
  confirm?: boolean;
  input?: NodeJS.ReadStream;
  output?: NodeJS.WriteStream;
  /** Other variables than RING_NODE_PASSWORD_FILE / RING_NODE_PASSWORD (e.g. a key file's own password), read and deleted the same way. */
  variables?: { file: string; value: string };
  /** What the prompt asks for (default "keystore password"). */
  label?: string;
}

export async function resolvePassword(source: PasswordSource = {}): Promise<string> {
  const env = source.env ?? process.env;
  const names = source.variables ?? { file: "RING_NODE_PASSWORD_FILE", value: "RING_NODE_PASSWORD" };
  const label = source.label ?? "keystore password";
  const file = env[names.file];
  const fromEnv = env[names.value];
  delete env[names.value];
  if (file !== undefined && file !== "") return readPasswordFile(file, names.file);
  if (fromEnv !== undefined && fromEnv !== "") return fromEnv;
  const input = source.input ?? process.stdin;
  const output = source.output ?? process.stderr;
  if (!input.isTTY) throw new PasswordRequiredError(`set ${names.file} (or ${names.value}) or run on a terminal to be asked for the ${label}`);
  const password = await prompt(`${label}: `, input, output);
  if (source.confirm === true) {
    const again = await prompt("repeat password: ", input, output);
    if (again !== password) throw new PasswordRequiredError("the two passwords differ");
  }
  if (password === "") throw new PasswordRequiredError("an empty password is not allowed");
  return password;
}

/** The first line of the password file (without its line end); an empty one is refused. */
async function readPasswordFile(path: string, variable: string): Promise<string> {
  let text: string;
  try {
    const handle = await open(path, "r");
    try {
      const buffer = Buffer.alloc(MAX_PASSWORD_FILE_BYTES);
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, null);
      text = buffer.subarray(0, bytesRead).toString("utf8");
    } finally {
      await handle.close();
    }
  } catch (error) {
    throw new PasswordRequiredError(`cannot read ${variable} ${path}: ${(error as Error).message}`);
  }
  const password = text.split(/\r?\n/)[0] ?? "";
  if (password === "") throw new PasswordRequiredError(`${variable} ${path} is empty`);
  return password;
}

/** Reads one line without echoing it. */
function prompt(question: string, input: NodeJS.ReadStream, output: NodeJS.WriteStream): Promise<string> {
  return new Promise((resolve, reject) => {
    const rl = createInterface({ input, output, terminal: true });
    const mutable = rl as unknown as { _writeToOutput: (s: string) => void };
    output.write(question);
    mutable._writeToOutput = () => undefined;
    rl.question("", (answer) => {
      rl.close();
      output.write("\n");
      resolve(answer);
    });
    rl.on("SIGINT", () => {
      rl.close();
      reject(new PasswordRequiredError("password prompt interrupted"));
    });
  });
}
