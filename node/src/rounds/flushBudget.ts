/**
 * How many jobs one round may carry within the flush gas limit (the setting `rounds.flushGasLimit`).
 * The figures are the bounds the writer sends a flush with (chain/ringWriter.ts `flush`): a fixed
 * part, each signer's vote, each job's output (a Gate pin); the larger BLS fixed part is covered by
 * the ECDSA per-signer figure for every ring of four members or more. A round also never carries
 * more than MAX_JOBS_PER_ROUND (the proposal is one log entry every member checks).
 */
export const MAX_JOBS_PER_ROUND = 256;

const FLUSH_FIXED_GAS = 300_000;
const FLUSH_GAS_PER_SIGNER = 60_000;
const FLUSH_GAS_PER_OUTPUT = 150_000;

/** The most jobs a flush of a ring of `members` may carry within `gasLimit` (at least one). */
export function jobsWithinGas(gasLimit: number, members: number): number {
  const fixed = FLUSH_FIXED_GAS + FLUSH_GAS_PER_SIGNER * members;
  return Math.max(1, Math.min(MAX_JOBS_PER_ROUND, Math.floor((gasLimit - fixed) / FLUSH_GAS_PER_OUTPUT)));
}
