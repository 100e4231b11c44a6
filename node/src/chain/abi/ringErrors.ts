/**
 * The Ring's custom errors (contracts/interfaces/I*.sol), so that a refused call names its reason
 * (`MemberAlreadyExists(0x…)`) instead of raw revert data. The ABI test checks each against the
 * compiled Ring.
 */
export const RING_ERRORS = [
  "error InvalidMember(address member)",
  "error MemberAlreadyExists(address member)",
  "error NotAMember(address account)",
  "error InvalidPrevMember(address prevMember, address member)",
  "error NotOwner(address account)",
  "error InvalidOwner(address owner)",
  "error ProvenForker(address member)",
  "error StaleMembershipEpoch(uint64 epoch, uint64 current)",
  "error MembershipVoteExpired(uint256 deadline)",
  "error InsufficientVotes(uint256 signers, uint256 required)",
] as const;
