/** Fakes of the control endpoint's components, shared by its unit tests (no processes). */
import { Wallet } from "ethers";
import { CID } from "multiformats/cid";
import type { ControlComponents } from "../../../node/src/control/server.js";
import { plaintextReader } from "../../../node/src/replica/sealedLog.js";
import type { NodeStatus } from "../../../node/src/status/status.js";

const HELD = CID.parse("bafyreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy");

/** Control components over `dataDir` whose own log records every appended payload in `appended`. */
export function fakeControlComponents(dataDir: string, appended: unknown[], status: () => Promise<NodeStatus>, address = Wallet.createRandom().address): ControlComponents {
  return {
    config: { dataDir, controlPort: 0 },
    signer: { address, peerId: { toString: () => "16Uiu2-fake" } as ControlComponents["signer"]["peerId"] },
    streams: { getMultiaddrs: () => [] },
    ownLog: {
      append: (payload: unknown) => {
        appended.push(payload);
        return Promise.resolve({ node: { seq: appended.length - 1 }, cid: HELD }) as ReturnType<ControlComponents["ownLog"]["append"]>;
      },
    },
    logs: { forks: () => Promise.resolve([]), readBytes: () => Promise.resolve(null), length: () => 0, nodeAt: () => Promise.resolve(null) },
    readKeys: plaintextReader,
    replicator: { rejections: () => [], exchangeWithAll: () => Promise.resolve() },
    membership: { motions: () => [], epoch: () => 0n, propose: () => Promise.reject(new Error("no membership votes in this fake")) },
    status,
  };
}
