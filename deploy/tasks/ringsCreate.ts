/** The action of `npx hardhat rings create`: `ring-node ring create` on the network's first account. */
import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";
import { readRingsAddresses, RingFactoryWriter } from "../../node/src/chain/index.js";
import { addressArgument } from "../../node/src/cli/chainAccess.js";
import { formatCreated, parseMembers, printResult } from "../../node/src/cli/ring.js";

interface CreateArguments {
  members: string;
  owner: string;
  factory: string;
  json: boolean;
}

export default async function ringsCreate(args: CreateArguments, hre: HardhatRuntimeEnvironment): Promise<void> {
  const members = parseMembers([args.members]);
  const { ethers } = await hre.network.connect();
  const [signer] = await ethers.getSigners();
  if (signer === undefined) throw new Error("the network has no account to send from");
  const chainId = (await ethers.provider.getNetwork()).chainId;
  const factory = args.factory === "" ? (await readRingsAddresses(chainId)).factory : addressArgument(args.factory, "--factory");
  const owner = args.owner === "" ? signer.address : addressArgument(args.owner, "--owner");
  const created = await new RingFactoryWriter(factory, signer).createRing(members, owner);
  printResult(args.json, { ...created, chainId: chainId.toString(), factory }, formatCreated(created));
}
