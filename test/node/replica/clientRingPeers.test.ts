/**
 * The peers a replica node fetches a client ring's logs from (node/src/replica/clientRingPeers.ts),
 * over a chain and a libp2p faked in memory: the members found from their node info on chain,
 * dialled when not connected, a member that is down not dialled again at every fetch.
 */
import { expect } from "chai";
import { hexlify, Wallet } from "ethers";
import { describe, it } from "mocha";
import type { Multiaddr } from "@multiformats/multiaddr";
import { generateIdentity, peerIdBytes } from "../../../node/src/identity/identity.js";
import { ClientRingPeers } from "../../../node/src/replica/clientRingPeers.js";

const ring = Wallet.createRandom().address;
const up = generateIdentity();
const down = generateIdentity();
const light = generateIdentity();
const self = generateIdentity();

function peersOf(redialMs = 60_000) {
  const dials: string[] = [];
  const connected = new Set<string>();
  const infos: Record<string, { multiaddr: string; peerId: string }> = {
    [up.address]: { multiaddr: "/ip4/127.0.0.1/tcp/4001", peerId: hexlify(peerIdBytes(up.peerId)) },
    [down.address]: { multiaddr: "/ip4/127.0.0.1/tcp/4002", peerId: hexlify(peerIdBytes(down.peerId)) },
    [light.address]: { multiaddr: "", peerId: "0x" },
  };
  const peers = new ClientRingPeers({
    chain: { members: () => Promise.resolve(Object.keys(infos)), nodeInfo: (_ring, member) => Promise.resolve(infos[member] as { multiaddr: string; peerId: string }) },
    libp2p: {
      peerId: self.peerId,
      getConnections: (peer) => (connected.has(String(peer)) ? ([{}] as never) : []),
      dial: (address) => {
        const target = (address as Multiaddr).toString();
        dials.push(target);
        if (target.includes(up.peerId.toString())) {
          connected.add(up.peerId.toString());
          return Promise.resolve({} as never);
        }
        return Promise.reject(new Error("connection refused"));
      },
    },
    redialMs,
  });
  return { peers, dials };
}

describe("the client ring's peers a replica fetches from", function () {
  it("are the members that published node info, dialled from it; a light member is skipped", async function () {
    const { peers, dials } = peersOf();

    const connected = await peers.connect(ring, AbortSignal.timeout(5_000));

    expect(connected.map(String)).to.deep.equal([up.peerId.toString()]);
    expect(dials).to.have.length(2);
    expect(peers.isPeer(up.peerId)).to.equal(true);
    expect(peers.isPeer(down.peerId)).to.equal(true);
    expect(peers.isPeer(light.peerId)).to.equal(false);
  });

  it("a member whose dial failed is not dialled again within redialMs, and a connected one not at all", async function () {
    const { peers, dials } = peersOf();
    await peers.connect(ring, AbortSignal.timeout(5_000));

    await peers.connect(ring, AbortSignal.timeout(5_000));

    expect(dials).to.have.length(2);
  });
});
