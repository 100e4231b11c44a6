/** The per-key token bucket (node/src/jsonrpc/rateLimiter.ts), on a clock the test moves. */
import { expect } from "chai";
import { RateLimiter } from "../../../node/src/jsonrpc/rateLimiter.js";

function limiter(maxKeys = 100) {
  const clock = { now: 0 };
  return { clock, limiter: new RateLimiter({ burst: 2, refillMs: 1_000, maxKeys, now: () => clock.now }) };
}

describe("RateLimiter", () => {
  it("lets a key spend its burst, then refuses it", () => {
    const { limiter: bucket } = limiter();
    expect([bucket.take("a"), bucket.take("a"), bucket.take("a")]).to.deep.equal([true, true, false]);
  });

  it("gives a key one token back per refill interval", () => {
    const { clock, limiter: bucket } = limiter();
    bucket.take("a");
    bucket.take("a");
    clock.now = 999;
    expect(bucket.take("a")).to.equal(false);
    clock.now = 1_000;
    expect([bucket.take("a"), bucket.take("a")]).to.deep.equal([true, false]);
  });

  it("keeps each key's budget apart", () => {
    const { limiter: bucket } = limiter();
    bucket.take("a");
    bucket.take("a");
    expect(bucket.take("b")).to.equal(true);
  });

  it("tracks at most maxKeys keys, forgetting the least recently seen", () => {
    const { limiter: bucket } = limiter(3);
    for (let i = 0; i < 1_000; i++) bucket.take(`key-${i}`);
    expect(bucket.size).to.equal(3);
  });
});
