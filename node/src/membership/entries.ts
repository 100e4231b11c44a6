/**
 * What membership changes by vote write into members' logs (log node payloads), validated when
 * read back (a payload that does not parse is not a membership entry):
 * - `membership-proposal`: a member proposes to admit (`enter`) or remove a member under the
 *   ring's current membership epoch, until `deadline` (unix seconds); an admission carries the
 *   candidate's Candidacy signature (it holds the avatar key it asks to join with);
 * - `membership-vote`: a member's compact signature on the Membership message, which is what
 *   `Ring.enterByVote` / `exitByVote` verify.
 */
import { getAddress, isAddress } from "ethers";
import { z } from "zod";

export const PROPOSAL = "membership-proposal";
export const VOTE = "membership-vote";

const address = z.string().refine((value) => isAddress(value), "an address").transform((value) => getAddress(value));
const bytes32 = z.string().regex(/^0x[0-9a-fA-F]{64}$/, "32 bytes as 0x-hex");
const uint = z.union([z.number().int().nonnegative(), z.bigint().nonnegative()]).transform((value) => BigInt(value));

const motion = { enter: z.boolean(), member: address, membershipEpoch: uint, deadline: uint };

export const proposalSchema = z.object({ type: z.literal(PROPOSAL), ...motion, candidacy: z.string().regex(/^0x[0-9a-fA-F]{130}$/).optional() });
export const voteSchema = z.object({ type: z.literal(VOTE), ...motion, r: bytes32, vs: bytes32 });

export type ProposalEntry = z.infer<typeof proposalSchema>;
export type VoteEntry = z.infer<typeof voteSchema>;

/** What is voted: the Membership message. */
export interface Motion {
  enter: boolean;
  member: string;
  membershipEpoch: bigint;
  deadline: bigint;
}

/** One key per motion (the same message signed by everyone). */
export function motionKey(motion: Motion): string {
  return `${motion.enter ? "enter" : "exit"}:${motion.member}:${motion.membershipEpoch}:${motion.deadline}`;
}

export function asMembershipEntry(payload: unknown): ProposalEntry | VoteEntry | null {
  const type = (payload as { type?: unknown } | null)?.type;
  if (type === PROPOSAL) return proposalSchema.safeParse(payload).data ?? null;
  if (type === VOTE) return voteSchema.safeParse(payload).data ?? null;
  return null;
}

/** A payload as the log stores it (dag-cbor: integers as numbers while they fit). */
export function toPayload(entry: ProposalEntry | VoteEntry): Record<string, unknown> {
  const { membershipEpoch, deadline, ...rest } = entry;
  return { ...rest, membershipEpoch: Number(membershipEpoch), deadline: Number(deadline) };
}
