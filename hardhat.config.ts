import { createRequire } from "node:module";
import hardhatToolboxMochaEthers from "@nomicfoundation/hardhat-toolbox-mocha-ethers";
import { configVariable, defineConfig } from "hardhat/config";
import { ringsTasks } from "./deploy/tasks/rings.js";

const require = createRequire(import.meta.url);

/** The pinned `solc` npm package: its soljson.js is the compiler, so nothing is downloaded. */
const SOLC_VERSION = (require("solc/package.json") as { version: string }).version;
const SOLJSON_PATH = require.resolve("solc/soljson.js");

const OPTIMIZED = { version: SOLC_VERSION, path: SOLJSON_PATH, settings: { optimizer: { enabled: true, runs: 10_000 }, evmVersion: "cancun" } };

/**
 * Both profiles: BlsRing (Ring + BLS key registry) is over EIP-170's 24,576-byte limit at 10,000
 * runs; at 1,000 it is ~23,000 bytes and its flush, dominated by the pairing and hash-to-curve
 * precompiles, costs ~150 gas more (bench:gas). The ECDSA Ring and the rest keep 10,000.
 */
const SOLIDITY_PROFILE = {
  compilers: [OPTIMIZED],
  overrides: { "contracts/BlsRing.sol": { ...OPTIMIZED, settings: { ...OPTIMIZED.settings, optimizer: { enabled: true, runs: 1_000 } } } },
};

/**
 * Test files run in 2 worker processes by default (the suite is mostly waiting on processes and
 * blocks, so 2 workers on 2 cores about halve it); RINGS_TEST_JOBS=1 runs them in one process, in
 * order, with each file's wall time printed at the end.
 */
function mochaJobs(): { parallel: boolean; jobs?: number } {
  const jobs = Number(process.env.RINGS_TEST_JOBS ?? 2);
  return jobs > 1 ? { parallel: true, jobs } : { parallel: false };
}

export default defineConfig({
  plugins: [hardhatToolboxMochaEthers],
  tasks: ringsTasks,
  solidity: {
    profiles: {
      default: SOLIDITY_PROFILE,
      production: SOLIDITY_PROFILE,
    },
  },
  paths: {
    ignition: "deploy",
    tests: { mocha: "test", solidity: "test" },
  },
  test: {
    mocha: { timeout: 600_000, reporter: "./scripts/devnet/suiteTimings.cjs", ...mochaJobs() },
    solidity: { fuzz: { runs: 256, seed: "0x5249_4e47" } },
  },
  typechain: { outDir: "types" },
  networks: {
    hardhatMainnet: { type: "edr-simulated", chainType: "l1" },
    /** A running `hardhat node`; RINGS_LOCALHOST_URL points at another port (the main job and tests use it). */
    localhost: { type: "http", chainType: "l1", url: process.env.RINGS_LOCALHOST_URL ?? "http://127.0.0.1:8545" },
    /** Any EVM network: RINGS_RPC_URL and RINGS_DEPLOYER_KEY from the environment or the keystore. */
    remote: {
      type: "http",
      chainType: "l1",
      url: configVariable("RINGS_RPC_URL"),
      accounts: [configVariable("RINGS_DEPLOYER_KEY")],
    },
  },
});
