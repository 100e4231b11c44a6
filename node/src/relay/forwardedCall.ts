/**
 * The dry run of a relayed request: `eth_call` of the call the forwarder would make (the target,
 * the request's data with the signer appended as ERC-2771 prescribes, from the forwarder), so a
 * request whose call would revert is refused before the relayer pays gas for it. The forwarder's
 * own checks (signature, nonce, deadline) are the caller's; `execute` would only say FailedCall,
 * the target's custom error says why.
 */
import { concat, isError, type Interface, type Provider } from "ethers";
import { raceSignal } from "race-signal";
import type { ForwardRequest } from "./forwardRequest.js";

/** Null when the call would succeed, else why it would revert (the target's error, decoded with `errors` when it knows it). */
export async function simulateForwardedCall(provider: Pick<Provider, "call">, forwarder: string, request: ForwardRequest, errors: Interface, signal: AbortSignal): Promise<string | null> {
  try {
    await raceSignal(provider.call({ from: forwarder, to: request.to, data: concat([request.data, request.from]), value: request.value, gasLimit: request.gas }), signal);
    return null;
  } catch (error) {
    if (!isError(error, "CALL_EXCEPTION")) throw error;
    const data = error.data;
    if (data !== null && data !== undefined && data !== "0x") {
      const parsed = errors.parseError(data);
      if (parsed !== null) return `${parsed.name}(${parsed.args.map(String).join(", ")})`;
    }
    return error.reason ?? error.shortMessage;
  }
}
