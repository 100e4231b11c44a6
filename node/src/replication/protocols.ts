/** Wire names of the ring's replication: one pubsub topic per ring and two request/response protocols. */

/** Members exchange every head they hold when they connect (and periodically). */
export const HEADS_PROTOCOL = "/rings/heads/1.0.0";

/** Ordered range fetch of one author's log: the fast catch-up path. */
export const LOG_SYNC_PROTOCOL = "/rings/log-sync/1.0.0";

/** Where members announce their new heads. */
export function headsTopic(chainId: bigint | number, ring: string): string {
  return `/rings/${String(chainId)}/${ring.toLowerCase()}/heads/2`;
}
