/** Members as every plan and tally names them: checksummed addresses, sorted, unique. */
import { getAddress } from "ethers";
import { PlanError } from "./errors.js";

export function canonicalMembers(members: readonly string[]): string[] {
  const unique = [...new Set(members.map(canonical))];
  return unique.sort((a, b) => (a.toLowerCase() < b.toLowerCase() ? -1 : a.toLowerCase() > b.toLowerCase() ? 1 : 0));
}

export function canonical(member: string): string {
  try {
    return getAddress(member.toLowerCase());
  } catch {
    throw new PlanError(`not an Ethereum address: ${member}`);
  }
}

export function canonicalOrNull(member: string): string | null {
  try {
    return canonical(member);
  } catch {
    return null;
  }
}
