/**
 * The main job's messages: each member of the ring posts one message to the demo app through its
 * own JSON-RPC endpoint (PostMessage), then the job waits until a flushed round has made them all
 * final (ReadMessages at the first member), so the dashboard's explorer has an agreed order to show.
 */
import type { MessageItem } from "../../node/src/api/results.js";
import { RingsRpcClient } from "../../node/src/client/ringsRpcClient.js";
import { jsonRpcUrlOf } from "./explorerNodes.js";
import type { LiveNode } from "./liveRings.js";
import { waitFor } from "./processes.js";

export const DEMO_APP = "rings-demo";

async function clientOf(node: LiveNode): Promise<RingsRpcClient> {
  const url = await waitFor(`${node.name}'s JSON-RPC endpoint`, () => jsonRpcUrlOf(node).then((found) => found ?? undefined), 60_000);
  return new RingsRpcClient(url, { timeoutMs: 30_000 });
}

/** Member i posts `{ txt: texts[i] }` (as many as there are texts, at most one per member), then all are awaited as final. */
export async function postDemoMessages(members: readonly LiveNode[], texts: readonly string[], timeoutMs = 120_000): Promise<MessageItem[]> {
  const posted = await Promise.all(
    texts.slice(0, members.length).map(async (txt, i) => (await clientOf(members[i] as LiveNode)).postMessage({ app: DEMO_APP, type: "message", payload: { message: { txt } } })),
  );
  const reader = await clientOf(members[0] as LiveNode);
  const wanted = new Set(posted.map((message) => message.cid));
  return waitFor(
    "the demo messages to be final",
    async () => {
      const read = await reader.readMessages({ app: DEMO_APP, limit: 1000 }, { signal: AbortSignal.timeout(10_000) });
      const finals = read.messages.filter((message) => message.status === "final");
      return [...wanted].every((cid) => finals.some((message) => message.cid === cid)) ? finals : undefined;
    },
    timeoutMs,
    500,
  );
}
