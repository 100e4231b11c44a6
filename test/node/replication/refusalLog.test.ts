/** The refusal log: bounded, newest last, each refusal also a `rejected` event. */
import { expect } from "chai";
import { describe, it } from "mocha";
import { TypedEventEmitter } from "main-event";
import { TamperedBlockError } from "../../../node/src/log/errors.js";
import { silentLogger } from "../../../node/src/logging.js";
import { RefusalLog, type RefusalEvents } from "../../../node/src/replication/refusalLog.js";

describe("replication: refusal log", function () {
  it("keeps only the newest refusals beyond its limit, newest last", () => {
    const log = new RefusalLog(new TypedEventEmitter<RefusalEvents>(), silentLogger(), 3);
    for (let i = 0; i < 5; i++) log.record({ author: `a${i}`, peer: null, error: new Error(`e${i}`) });
    expect(log.list().map((r) => r.author)).to.deep.equal(["a2", "a3", "a4"]);
  });

  it("takes the error's name, message and (for a verification error) CID", () => {
    const log = new RefusalLog(new TypedEventEmitter<RefusalEvents>(), silentLogger());
    const rejection = log.record({ author: "a", peer: "p", error: new TamperedBlockError("bad bytes", "bafy"), source: "log-sync" });
    expect(rejection).to.include({ author: "a", peer: "p", error: "TamperedBlockError", message: "bad bytes", cid: "bafy", source: "log-sync" });
  });

  it("knows which errors it recorded, so a refusal is not recorded twice on its way out of a fetch", () => {
    const log = new RefusalLog(new TypedEventEmitter<RefusalEvents>(), silentLogger());
    const recorded = new Error("recorded");
    log.record({ author: "a", peer: null, error: recorded });
    expect(log.has(recorded)).to.equal(true);
    expect(log.has(new Error("another"))).to.equal(false);
  });

  it("dispatches each refusal as a `rejected` event", () => {
    const events = new TypedEventEmitter<RefusalEvents>();
    const seen: string[] = [];
    events.addEventListener("rejected", (event) => seen.push(event.detail.rejection.error));
    new RefusalLog(events, silentLogger()).record({ author: "a", peer: null, error: new TamperedBlockError("x") });
    expect(seen).to.deep.equal(["TamperedBlockError"]);
  });
});
