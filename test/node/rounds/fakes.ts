/** Fakes of the rounds' components for the unit tests of the job book: logs held in memory. */
import type { EncodedLogNode } from "../../../node/src/core/logNode.js";
import type { LogStore } from "../../../node/src/log/store.js";

/** Authors' payloads in order, answering the three LogStore reads JobBook makes. */
export function storeOf(logs: Map<string, unknown[]>): LogStore {
  return {
    authors: () => [...logs.keys()],
    length: (author: string) => logs.get(author)?.length ?? 0,
    nodeAt: (author: string, seq: number) => {
      const payload = logs.get(author)?.[seq];
      return Promise.resolve(payload === undefined ? null : ({ node: { payload } } as EncodedLogNode));
    },
  } as unknown as LogStore;
}

/** No proposals in these logs: the head check is never asked. */
export const acceptAll = () => Promise.resolve(true);
