/**
 * The root of a round's member heads (contracts/libraries/HeadsMerkle.sol, the one definition both
 * sides follow): the (member, head) pairs sorted by member address ascending are the leaves
 * `keccak256(abi.encode(member, head))`; each level hashes neighbours (2i, 2i + 1) smaller word
 * first (OpenZeppelin's commutative keccak256), and a last, unpaired node moves up unchanged. One
 * pair's root is its leaf; no pairs', zero. A BlsRing stores this root per round instead of every
 * member's head, and `proveHead(member, round, head, proof)` opens it with the proof built here.
 */
import { concat, getAddress, keccak256, zeroPadValue } from "ethers";

export const ZERO_ROOT = `0x${"00".repeat(32)}`;

/** Member address -> its head (bytes32; zero for an empty log). */
export type HeadPairs = Readonly<Record<string, string>>;

export function headLeaf(member: string, head: string): string {
  return keccak256(concat([zeroPadValue(getAddress(member), 32), zeroPadValue(head, 32)]));
}

function hashPair(a: string, b: string): string {
  return BigInt(a) < BigInt(b) ? keccak256(concat([a, b])) : keccak256(concat([b, a]));
}

/** The leaves in tree order: by member address ascending (as numbers, so case does not matter). */
function sortedLeaves(pairs: HeadPairs): { members: string[]; leaves: string[] } {
  const members = Object.keys(pairs).map((member) => getAddress(member)).sort((a, b) => (BigInt(a) < BigInt(b) ? -1 : BigInt(a) > BigInt(b) ? 1 : 0));
  const byMember = new Map(Object.entries(pairs).map(([member, head]) => [getAddress(member), head] as const));
  return { members, leaves: members.map((member) => headLeaf(member, byMember.get(member) as string)) };
}

function levelUp(level: readonly string[]): string[] {
  const up: string[] = [];
  for (let i = 0; i < level.length; i += 2) up.push(i + 1 < level.length ? hashPair(level[i] as string, level[i + 1] as string) : (level[i] as string));
  return up;
}

/** The heads root of `pairs` (lower-case bytes32). */
export function headsRoot(pairs: HeadPairs): string {
  let level = sortedLeaves(pairs).leaves;
  if (level.length === 0) return ZERO_ROOT;
  while (level.length > 1) level = levelUp(level);
  return (level[0] as string).toLowerCase();
}

/** The proof of `member`'s pair in `pairs`: the siblings from its leaf up. Throws RangeError if `member` has no pair. */
export function headProof(pairs: HeadPairs, member: string): string[] {
  const { members, leaves } = sortedLeaves(pairs);
  let index = members.indexOf(getAddress(member));
  if (index < 0) throw new RangeError(`${member} has no head among the pairs`);
  const proof: string[] = [];
  let level = leaves;
  while (level.length > 1) {
    const sibling = index ^ 1;
    if (sibling < level.length) proof.push(level[sibling] as string);
    level = levelUp(level);
    index >>= 1;
  }
  return proof;
}

/** Whether `proof` shows (`member`, `head`) under `root`, as HeadsMerkle.verify does on chain. */
export function verifyHead(root: string, member: string, head: string, proof: readonly string[]): boolean {
  let node = headLeaf(member, head);
  for (const sibling of proof) node = hashPair(node, sibling);
  return node.toLowerCase() === root.toLowerCase();
}
