/** Where the keystore password comes from: RING_NODE_PASSWORD, else a prompt on the terminal. */
import { createInterface } from "node:readline";

export class PasswordRequiredError extends Error {
  override name = "PasswordRequiredError";
}

export interface PasswordSource {
  env?: NodeJS.ProcessEnv;
  /** Ask twice and compare (for a new keystore). */
  confirm?: boolean;
  input?: NodeJS.ReadStream;
  output?: NodeJS.WriteStream;
}

export async function resolvePassword(source: PasswordSource = {}): Promise<string> {
  const env = source.env ?? process.env;
  const fromEnv = env.RING_NODE_PASSWORD;
  if (fromEnv !== undefined && fromEnv !== "") return fromEnv;
  const input = source.input ?? process.stdin;
  const output = source.output ?? process.stderr;
  if (!input.isTTY) throw new PasswordRequiredError("set RING_NODE_PASSWORD or run on a terminal to be asked for the keystore password");
  const password = await prompt("keystore password: ", input, output);
  if (source.confirm === true) {
    const again = await prompt("repeat password: ", input, output);
    if (again !== password) throw new PasswordRequiredError("the two passwords differ");
  }
  if (password === "") throw new PasswordRequiredError("an empty password is not allowed");
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
