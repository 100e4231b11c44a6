/**
 * A JSON-RPC provider for one chain, checked once: `eth_chainId` answers within the bound, or a
 * ChainUnreachableError names the URL (instead of ethers retrying network detection forever).
 */
import { JsonRpcProvider } from "ethers";
import { ChainUnreachableError } from "./errors.js";
import { bounded, CHAIN_TIMEOUT_MS, type WaitOptions } from "./wait.js";

export interface ConnectedProvider {
  provider: JsonRpcProvider;
  chainId: bigint;
}

export interface ConnectOptions extends WaitOptions {
  timeoutMs?: number;
  pollMs?: number;
}

export async function connectProvider(rpcUrl: string, options: ConnectOptions = {}): Promise<ConnectedProvider> {
  const provider = new JsonRpcProvider(rpcUrl, undefined, { staticNetwork: true, pollingInterval: options.pollMs ?? 1_000, cacheTimeout: -1 });
  try {
    const chainId = BigInt(await bounded(provider.send("eth_chainId", []) as Promise<string>, { milliseconds: options.timeoutMs ?? CHAIN_TIMEOUT_MS, what: "eth_chainId", signal: options.signal }));
    return { provider, chainId };
  } catch (error) {
    provider.destroy();
    if (options.signal?.aborted === true) throw error;
    throw new ChainUnreachableError(`chain at ${rpcUrl} is unreachable: ${(error as Error).message}`);
  }
}
