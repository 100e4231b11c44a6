/** The action of `npx hardhat rings info`: `ring-node ring info` over the network's provider. */
import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";
import { describeRing, DeploymentNotFoundError, readRingsAddresses } from "../../node/src/chain/index.js";
import { addressArgument } from "../../node/src/cli/chainAccess.js";
import { formatRing, printResult } from "../../node/src/cli/ring.js";

interface InfoArguments {
  ring: string;
  factory: string;
  json: boolean;
}

export default async function ringsInfo(args: InfoArguments, hre: HardhatRuntimeEnvironment): Promise<void> {
  const ring = addressArgument(args.ring, "<ring>");
  const { ethers } = await hre.network.connect();
  const chainId = (await ethers.provider.getNetwork()).chainId;
  let factory: string | undefined = args.factory === "" ? undefined : addressArgument(args.factory, "--factory");
  if (factory === undefined) {
    try {
      factory = (await readRingsAddresses(chainId)).factory;
    } catch (error) {
      if (!(error instanceof DeploymentNotFoundError)) throw error;
    }
  }
  const description = await describeRing(ethers.provider, ring, factory);
  printResult(args.json, description, formatRing(description));
}
