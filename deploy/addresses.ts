/**
 * Where the Rings contracts live on a chain: what Hardhat Ignition recorded in
 * `deploy/deployments/chain-<id>/deployed_addresses.json` when `deploy/modules/Rings.ts` ran. The
 * reading is the node's (node/src/chain/deployment.ts, which `ring-node ring create` uses too).
 */
export {
  DEFAULT_DEPLOYMENTS_DIR as DEPLOYMENTS_DIR,
  deployedAddressesFile,
  readRingsAddresses,
  RINGS_MODULE_ID,
  type RingsAddresses,
} from "../node/src/chain/deployment.js";
export { DeploymentNotFoundError } from "../node/src/chain/errors.js";
