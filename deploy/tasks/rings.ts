/**
 * `npx hardhat rings create|info|queue-job`: the `ring-node ring` and `job queue` commands as Hardhat tasks, for Solidity
 * developers who live in Hardhat. Thin wrappers: the same RingFactoryWriter, describeRing and
 * formatting as the CLI (node/src/cli/ring.ts); the signer is the network's first account.
 */
import { emptyTask, task } from "hardhat/config";
import { ArgumentType } from "hardhat/types/arguments";

export const ringsTasks = [
  emptyTask("rings", "Create and read rings (the ring-node ring commands)").build(),
  task(["rings", "create"], "Create a ring through the RingFactory from the network's first account")
    .addOption({ name: "members", description: "the members' addresses, comma-separated", type: ArgumentType.STRING, defaultValue: "" })
    .addOption({ name: "owner", description: "the ring's owner (default: the sending account)", type: ArgumentType.STRING, defaultValue: "" })
    .addOption({ name: "factory", description: "the RingFactory (default: deploy/deployments' for the chain)", type: ArgumentType.STRING, defaultValue: "" })
    .addFlag({ name: "json", description: "print the result as JSON" })
    .setAction(() => import("./ringsCreate.js"))
    .build(),
  task(["rings", "info"], "Show a ring: members, PeerIds, heads, round, reputation, replica registrations")
    .addPositionalArgument({ name: "ring", description: "the Ring contract's address" })
    .addOption({ name: "factory", description: "the RingFactory (default: deploy/deployments' for the chain)", type: ArgumentType.STRING, defaultValue: "" })
    .addFlag({ name: "json", description: "print the result as JSON" })
    .setAction(() => import("./ringsInfo.js"))
    .build(),
  task(["rings", "queue-job"], "Queue a job for a ring on the JobQueue from the network's first account")
    .addPositionalArgument({ name: "ring", description: "the Ring contract's address" })
    .addOption({ name: "spec", description: "CID of the job spec block", type: ArgumentType.STRING, defaultValue: "" })
    .addOption({ name: "jobQueue", description: "the JobQueue (default: deploy/deployments' for the chain)", type: ArgumentType.STRING, defaultValue: "" })
    .addFlag({ name: "json", description: "print the result as JSON" })
    .setAction(() => import("./ringsQueueJob.js"))
    .build(),
];
