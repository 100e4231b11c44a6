/**
 * `npm run chat`: a local hardhat node, a 3-member chat ring of `ring-node` processes on it, and
 * each member's chat page on 127.0.0.1; prints the three URLs (open each in its own browser
 * window: each is one participant). Ctrl-C (or SIGTERM) stops the pages, the nodes and the chain.
 */
import { Command } from "commander";
import { stopOwnedChildren } from "../../scripts/devnet/processes.js";
import { startChatRing, type ChatRing } from "./chatRing.js";
import { CHAT_APP } from "./server.js";

const options = new Command()
  .name("npm run chat --")
  .description("Start a local chain and a 3-member chat ring, and serve each member's chat page on 127.0.0.1.")
  .option("--port <port>", "port of the first member's page (the others follow it); 0 picks free ports", (value) => Number.parseInt(value, 10), 0)
  .parse()
  .opts<{ port: number }>();

let chat: ChatRing | undefined;
let stopping = false;
const shutdown = async () => {
  if (stopping) return;
  stopping = true;
  await chat?.stop();
  // A signal during start-up finds processes that `chat` does not hold yet.
  await stopOwnedChildren();
};
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  // `on`, not `once`: a terminal's Ctrl-C reaches tsx and this process both, and tsx relays it again.
  process.on(signal, () => {
    if (stopping) return;
    console.log(`\n${signal}: stopping the chat pages, the ring nodes and the chain…`);
    void shutdown().then(() => process.exit(0));
  });
}

try {
  chat = await startChatRing({ firstPort: options.port, onStep: (step) => console.log(`… ${step}`) });
  console.log(`chain ${chat.chainUrl}`);
  console.log(`ring ${chat.ring} (${chat.members.length} members, app "${CHAT_APP}", messages encrypted with the ring's read key)`);
  for (const member of chat.members) console.log(`  ${member.name}  ${member.address}  ${member.url}  pid ${member.pid ?? "-"}`);
  console.log("open each page in its own window; Ctrl-C stops everything");
} catch (error) {
  console.error(`the chat ring did not start: ${(error as Error).message}`);
  await shutdown();
  process.exit(1);
}
