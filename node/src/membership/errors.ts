/** Why a membership proposal is refused where it is made: each with a stable `name`. */

/** The proposal cannot pass: the member already is (or is not) one, or the deadline has passed. */
export class InvalidProposalError extends Error {
  override name = "InvalidProposalError";
}

/** The candidate's Candidacy signature is missing or recovers to another address. */
export class CandidacyError extends Error {
  override name = "CandidacyError";
}
