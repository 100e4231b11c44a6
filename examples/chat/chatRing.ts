/**
 * A chat ring on a local chain: a hardhat node, the Rings contracts, a ring of `count` `ring-node`
 * processes with rounds (scripts/devnet/roundsRing.ts), all holding the same ring keys so the
 * messages go into the logs encrypted with the read key, and one chat server per member
 * (server.ts) serving its page on 127.0.0.1. Members can be killed and restarted; their chat
 * servers stay up and follow them (the page shows the member offline meanwhile).
 */
import { copyFile } from "node:fs/promises";
import { join } from "node:path";
import { ensureRingKeys, RING_KEYS_FILE } from "../../node/src/replica/ringKeyFile.js";
import { startRoundsRing, type RoundsRing } from "../../scripts/devnet/roundsRing.js";
import { startChatServer, type ChatServer } from "./server.js";

export interface ChatMember {
  index: number;
  name: string;
  address: string;
  dataDir: string;
  /** The page's URL. */
  url: string;
  /** The member's ring-node process id (null while it is stopped). */
  pid: number | null;
}

export interface ChatRing {
  ring: string;
  chainUrl: string;
  members: ChatMember[];
  /** The ring's processes (for kill/start of a member, and their logs). */
  world: RoundsRing;
  /** kill -9 of member `index`'s ring-node process (its page stays served). */
  kill(index: number): Promise<void>;
  /** Starts member `index`'s ring-node process again. */
  restart(index: number): Promise<void>;
  /** Stops the chat servers, the ring nodes and the chain, and removes the data directories. */
  stop(): Promise<void>;
}

export interface ChatRingOptions {
  count?: number;
  /** The first page's port (the others follow it); 0 (default) picks free ports. */
  firstPort?: number;
  /** Progress lines while starting. */
  onStep?: (step: string) => void;
}

export async function startChatRing(options: ChatRingOptions = {}): Promise<ChatRing> {
  const count = options.count ?? 3;
  const step = options.onStep ?? (() => undefined);
  step("local chain, Rings contracts and the ring");
  const world = await startRoundsRing(count, "chat");
  const servers: ChatServer[] = [];
  const stop = async () => {
    await Promise.all(servers.map((server) => server.close()));
    await world.cleanup();
  };
  try {
    const dataDirs = world.ring.members.map((member) => member.dataDir);
    // One read key for the whole ring: every member can read every member's messages.
    const first = join(dataDirs[0] as string, RING_KEYS_FILE);
    await ensureRingKeys(first);
    for (const dataDir of dataDirs.slice(1)) await copyFile(first, join(dataDir, RING_KEYS_FILE));
    const members: ChatMember[] = [];
    for (let index = 0; index < count; index++) {
      step(`member-${index}: ring-node process`);
      const started = await world.start(index);
      const { address, dataDir } = world.ring.members[index] as { address: string; dataDir: string };
      const name = `member-${index}`;
      const port = options.firstPort === undefined || options.firstPort === 0 ? 0 : options.firstPort + index;
      const server = await startChatServer({ dataDir, address, ring: world.ring.ring, name, port });
      servers.push(server);
      members.push({ index, name, address, dataDir, url: server.url, pid: started.node?.child.pid ?? null });
    }
    const memberAt = (index: number): ChatMember => {
      const member = members[index];
      if (member === undefined) throw new Error(`no member ${index}`);
      return member;
    };
    return {
      ring: world.ring.ring,
      chainUrl: world.ring.chain.url,
      members,
      world,
      async kill(index) {
        await world.kill(index);
        memberAt(index).pid = null;
      },
      async restart(index) {
        const started = await world.start(index);
        memberAt(index).pid = started.node?.child.pid ?? null;
      },
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
