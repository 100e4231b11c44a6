/** Why a member node does not start. */

export class NotAMemberError extends Error {
  override name = "NotAMemberError";
}

export class MissingChainConfigError extends Error {
  override name = "MissingChainConfigError";
}
