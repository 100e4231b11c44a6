/**
 * `ring-node submit --input-pin` takes the upstream ring it trusts with the pin (`<ring>:<pin>`):
 * Gate pins belong to the ring that writes them. A bare pin number is refused before anything is
 * sent to a node.
 */
import { expect } from "chai";
import { describe, it } from "mocha";
import { fileURLToPath } from "node:url";
import { ringNodeCommand } from "../../../scripts/devnet/ringNodeProcess.js";

const WORDCOUNT = fileURLToPath(new URL("../../../examples/jobs/wordcount.js", import.meta.url));

describe("ring-node submit --input-pin", function () {
  this.timeout(60_000);

  it("refuses a pin without its ring, asking for <ring>:<pin>", async () => {
    const refused = await ringNodeCommand(["submit", "--data-dir", "/nonexistent", "--code", WORDCOUNT, "--input-pin", "7"]).then(
      () => null,
      (error: unknown) => error as Error & { stderr?: string },
    );
    expect(refused?.stderr).to.match(/--input-pin <ring:pin>' argument '7' is invalid\. give the upstream ring it trusts and its pin as <ring>:<pin>/);
  });
});
