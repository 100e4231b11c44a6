import { expect } from "chai";
import { peerIdFromPrivateKey } from "@libp2p/peer-id";
import { generateKeyPair } from "@libp2p/crypto/keys";
import type { PeerId } from "@libp2p/interface";
import { ringRelayGater } from "../../../node/src/p2p/createRingHelia.js";

describe("relay gater (only the ring's members use a member's relay)", () => {
  let member: PeerId;
  let otherMember: PeerId;
  let outsider: PeerId;
  const gaterFor = () => ringRelayGater((peer) => peer.equals(member) || peer.equals(otherMember));

  before(async () => {
    const peer = async () => peerIdFromPrivateKey(await generateKeyPair("secp256k1"));
    member = await peer();
    otherMember = await peer();
    outsider = await peer();
  });

  it("lets a member reserve a slot and refuses an outsider", async () => {
    const gater = gaterFor();
    expect(await gater.denyInboundRelayReservation?.(member)).to.equal(false);
    expect(await gater.denyInboundRelayReservation?.(outsider)).to.equal(true);
  });

  it("opens circuits only between members", async () => {
    const gater = gaterFor();
    expect(await gater.denyOutboundRelayedConnection?.(member, otherMember)).to.equal(false);
    expect(await gater.denyOutboundRelayedConnection?.(outsider, member)).to.equal(true);
    expect(await gater.denyOutboundRelayedConnection?.(member, outsider)).to.equal(true);
  });

  it("accepts a relayed connection only from a member through a member's relay", async () => {
    const gater = gaterFor();
    expect(await gater.denyInboundRelayedConnection?.(member, otherMember)).to.equal(false);
    expect(await gater.denyInboundRelayedConnection?.(outsider, otherMember)).to.equal(true);
    expect(await gater.denyInboundRelayedConnection?.(member, outsider)).to.equal(true);
  });
});
