/** What `POST /membership/propose` on the control endpoint takes (`ring-node members propose-*`). */
import { getAddress, isAddress } from "ethers";
import { z } from "zod";

/** A proposal stays open this long by default: one day. */
export const DEFAULT_PROPOSAL_TTL_SECONDS = 24 * 60 * 60;

export const proposeRequestSchema = z.object({
  enter: z.boolean(),
  member: z.string().refine((value) => isAddress(value), "an address").transform((value) => getAddress(value)),
  ttlSeconds: z.number().int().positive().max(30 * 24 * 60 * 60).default(DEFAULT_PROPOSAL_TTL_SECONDS),
  /** The candidate's Candidacy signature (admissions only). */
  candidacy: z.string().regex(/^0x[0-9a-fA-F]{130}$/, "a 65-byte signature as 0x-hex").optional(),
});

export type ProposeRequest = z.input<typeof proposeRequestSchema>;
