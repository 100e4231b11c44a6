/** The agreed order of the ring's messages: pure, in core so a replaying client (client/) builds the same one. */
export * from "../core/messageOrder.js";
