/**
 * The node's ABIs are hand-written, human-readable fragments (node/src/chain/abi/), so it runs
 * without generated types. Each must exist, identically, in the compiled contract it names: a
 * fragment that drifts from the contract would encode calls the contract rejects or decode events
 * wrongly. Needs `npx hardhat build` (artifacts/contracts/).
 */
import { readFile } from "node:fs/promises";
import { expect } from "chai";
import { Fragment, Interface, ParamType } from "ethers";
import { BLS_RING_ABI, BLS_RING_ERRORS, FORWARDER_ABI, GATE_ABI, JOB_QUEUE_ABI, REPLICA_RING_ABI, RING_ABI, RING_ERRORS, RING_FACTORY_ABI } from "../../../node/src/chain/index.js";

/** A fragment's type, parameter types (with indexing), outputs and mutability: everything but names. */
function shape(fragment: Fragment): string {
  const params = (list: readonly ParamType[]) => list.map((p) => `${p.format("sighash")}${p.indexed === true ? " indexed" : ""}`);
  const extra = fragment as Fragment & { outputs?: readonly ParamType[]; stateMutability?: string };
  return JSON.stringify([fragment.type, params(fragment.inputs), params(extra.outputs ?? []), extra.stateMutability ?? ""]);
}

async function compiled(artifact: string): Promise<Interface> {
  const json = JSON.parse(await readFile(`artifacts/contracts/${artifact}.json`, "utf8")) as { abi: unknown[] };
  return new Interface(json.abi as never);
}

const CONTRACTS: { name: string; artifact: string; abi: readonly string[] }[] = [
  { name: "Ring", artifact: "Ring.sol/Ring", abi: RING_ABI },
  { name: "ReplicaRing", artifact: "ReplicaRing.sol/ReplicaRing", abi: REPLICA_RING_ABI },
  { name: "Gate", artifact: "Gate.sol/Gate", abi: GATE_ABI },
  { name: "JobQueue", artifact: "JobQueue.sol/JobQueue", abi: JOB_QUEUE_ABI },
  { name: "RingsForwarder", artifact: "RingsForwarder.sol/RingsForwarder", abi: FORWARDER_ABI },
  { name: "RingFactory", artifact: "RingFactory.sol/RingFactory", abi: RING_FACTORY_ABI },
  { name: "Ring (errors)", artifact: "Ring.sol/Ring", abi: RING_ERRORS },
  { name: "BlsRing", artifact: "BlsRing.sol/BlsRing", abi: BLS_RING_ABI },
  { name: "BlsRing (errors)", artifact: "BlsRing.sol/BlsRing", abi: BLS_RING_ERRORS },
];

describe("chain ABI fragments", () => {
  for (const { name, artifact, abi } of CONTRACTS) {
    it(`every fragment of the ${name} ABI exists, identically, in the compiled ${name}`, async () => {
      const contract = await compiled(artifact);
      for (const text of abi) {
        const fragment = Fragment.from(text);
        const signature = fragment.format("sighash");
        const match = contract.fragments.find((f) => f.type === fragment.type && f.format("sighash") === signature);
        expect(match, `${signature} is not in ${name}'s ABI`).to.not.equal(undefined);
        // Same inputs, outputs, mutability and indexing (parameter names may differ).
        expect(match === undefined ? "" : shape(match)).to.equal(shape(fragment));
      }
    });
  }
});
