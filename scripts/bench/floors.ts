/**
 * Physical floors of a round, measured in the benchmark's own run (so under the same load as the
 * figure they are compared with): a round cannot finish faster than one signed transaction's
 * send + mine + receipt on the same chain plus one libp2p request/response between two members.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { HDNodeWallet, JsonRpcProvider } from "ethers";
import { generateIdentity } from "../../node/src/identity/identity.js";
import { createRingHelia, type RingHeliaParts } from "../../node/src/p2p/createRingHelia.js";

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? NaN;
}

/**
 * Median ms of `samples` zero-value self-transfers, each signed, broadcast (eth_sendRawTransaction)
 * and its receipt read (eth_getTransactionReceipt, asked again at once until there) before the next.
 * Nonce, fees and chain id are read once: what is left is the chain's own latency per transaction.
 */
export async function transactionFloorMs(wallet: HDNodeWallet, provider: JsonRpcProvider, samples: number): Promise<number> {
  const signer = wallet.connect(provider);
  const [nonce, fees, network] = await Promise.all([provider.getTransactionCount(wallet.address, "pending"), provider.getFeeData(), provider.getNetwork()]);
  const times: number[] = [];
  for (let i = 0; i < samples; i++) {
    const started = performance.now();
    const raw = await signer.signTransaction({
      type: 2,
      chainId: network.chainId,
      to: wallet.address,
      value: 0n,
      nonce: nonce + i,
      gasLimit: 21_000n,
      maxFeePerGas: (fees.maxFeePerGas ?? 1_000_000_000n) * 2n,
      maxPriorityFeePerGas: fees.maxPriorityFeePerGas ?? 0n,
    });
    const hash = (await provider.send("eth_sendRawTransaction", [raw])) as string;
    let receipt: { status?: string } | null = null;
    for (let polls = 0; receipt === null; polls++) {
      if (polls > 10_000) throw new Error(`no receipt for floor transaction ${i}`);
      receipt = (await provider.send("eth_getTransactionReceipt", [hash])) as { status?: string } | null;
    }
    if (receipt.status !== "0x1") throw new Error(`floor transaction ${i} failed`);
    times.push(performance.now() - started);
  }
  return median(times);
}

/**
 * Median ms of `samples` request/responses (libp2p ping: a new stream, 32 bytes each way) between
 * two nodes built as members build theirs (createRingHelia: TCP, noise, yamux) on loopback.
 */
export async function requestResponseFloorMs(samples: number): Promise<number> {
  const root = await mkdtemp(join(tmpdir(), "rings-floor-"));
  const nodes: RingHeliaParts[] = [];
  try {
    for (const name of ["a", "b"]) {
      nodes.push(await createRingHelia({ dataDir: join(root, name), privateKey: generateIdentity().libp2pKey, listen: ["/ip4/127.0.0.1/tcp/0"] }));
    }
    const [a, b] = nodes as [RingHeliaParts, RingHeliaParts];
    const address = b.helia.libp2p.getMultiaddrs()[0];
    if (address === undefined) throw new Error("the floor's second node has no listen address");
    await a.helia.libp2p.dial(address);
    await a.helia.libp2p.services.ping.ping(address); // warm-up
    const times: number[] = [];
    for (let i = 0; i < samples; i++) {
      const started = performance.now();
      await a.helia.libp2p.services.ping.ping(address);
      times.push(performance.now() - started);
    }
    return median(times);
  } finally {
    for (const node of nodes) await node.helia.stop();
    await rm(root, { recursive: true, force: true, maxRetries: 10, retryDelay: 100 });
  }
}
