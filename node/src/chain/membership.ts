/** Who is in the ring: what replication and verification ask. The chain view implements it. */
export interface Membership {
  /** Whether `address` (any case) is a current member. */
  isMember(address: string): boolean;
  /** Current members, checksummed, in the contract's order. */
  members(): readonly string[];
}
