/** What the rounds protocol writes into members' logs: pure, in core so a replaying client (client/) reads proposals too. */
export * from "../core/roundsEntries.js";
