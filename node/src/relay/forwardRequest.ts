/**
 * ERC-2771 meta-transactions as OpenZeppelin's `ERC2771Forwarder` defines them: the EIP-712
 * `ForwardRequest` a light client signs, its JSON wire form (the `mtx` of FlushToRing and
 * ReplicateRing), and the `ForwardRequestData` tuple the forwarder's `execute` / `executeBatch` take.
 */
import { Contract, getAddress, hexlify, recoverAddress, Signature, TypedDataEncoder, type ContractRunner, type Signer, type TypedDataDomain, type TypedDataField } from "ethers";

/** keccak256("ForwardRequest(address from,address to,uint256 value,uint256 gas,uint256 nonce,uint48 deadline,bytes data)"). */
export const FORWARD_REQUEST_TYPES: Record<string, TypedDataField[]> = {
  ForwardRequest: [
    { name: "from", type: "address" },
    { name: "to", type: "address" },
    { name: "value", type: "uint256" },
    { name: "gas", type: "uint256" },
    { name: "nonce", type: "uint256" },
    { name: "deadline", type: "uint48" },
    { name: "data", type: "bytes" },
  ],
};

/** The signed message. `nonce` is the forwarder's `nonces(from)` at execution time. */
export interface ForwardRequest {
  from: string;
  to: string;
  value: bigint;
  gas: bigint;
  nonce: bigint;
  deadline: bigint;
  data: string;
}

/** The JSON form on the wire: integers as decimal (or 0x) strings, bytes as 0x hex. */
export interface ForwardRequestJson {
  from: string;
  to: string;
  value: string;
  gas: string;
  nonce: string;
  deadline: string;
  data: string;
}

/** What `ERC2771Forwarder.execute` takes: the request without its nonce, plus the signature. */
export interface ForwardRequestData {
  from: string;
  to: string;
  value: bigint;
  gas: bigint;
  deadline: bigint;
  data: string;
  signature: string;
}

export const FORWARDER_ABI = [
  "function execute((address from,address to,uint256 value,uint256 gas,uint48 deadline,bytes data,bytes signature) request) payable",
  "function executeBatch((address from,address to,uint256 value,uint256 gas,uint48 deadline,bytes data,bytes signature)[] requests, address refundReceiver) payable",
  "function verify((address from,address to,uint256 value,uint256 gas,uint48 deadline,bytes data,bytes signature) request) view returns (bool)",
  "function nonces(address owner) view returns (uint256)",
  "function eip712Domain() view returns (bytes1 fields,string name,string version,uint256 chainId,address verifyingContract,bytes32 salt,uint256[] extensions)",
  "event ExecutedForwardRequest(address indexed signer, uint256 nonce, bool success)",
] as const;

export function forwarderContract(address: string, runner: ContractRunner): Contract {
  return new Contract(address, FORWARDER_ABI, runner);
}

/** The forwarder's EIP-712 domain, read from the contract itself (ERC-5267), so any deployment name works. */
export async function readForwarderDomain(forwarder: Contract): Promise<TypedDataDomain> {
  const domain = (await forwarder.getFunction("eip712Domain").staticCall()) as unknown as [string, string, string, bigint, string];
  return { name: domain[1], version: domain[2], chainId: domain[3], verifyingContract: getAddress(domain[4]) };
}

export function forwardRequestToJson(request: ForwardRequest): ForwardRequestJson {
  return {
    from: getAddress(request.from),
    to: getAddress(request.to),
    value: request.value.toString(),
    gas: request.gas.toString(),
    nonce: request.nonce.toString(),
    deadline: request.deadline.toString(),
    data: hexlify(request.data),
  };
}

export function forwardRequestFromJson(json: ForwardRequestJson): ForwardRequest {
  return {
    from: getAddress(json.from),
    to: getAddress(json.to),
    value: BigInt(json.value),
    gas: BigInt(json.gas),
    nonce: BigInt(json.nonce),
    deadline: BigInt(json.deadline),
    data: hexlify(json.data),
  };
}

/** The EIP-712 digest of the request: also the request's identity (`msg_hash`) in the node's log. */
export function forwardRequestDigest(domain: TypedDataDomain, request: ForwardRequest): string {
  return TypedDataEncoder.hash(domain, FORWARD_REQUEST_TYPES, request);
}

/** ecrecover(mtx, mtx_sig): the address that signed the request under the forwarder's domain. */
export function recoverForwardRequestSigner(domain: TypedDataDomain, request: ForwardRequest, signature: string): string {
  return recoverAddress(forwardRequestDigest(domain, request), Signature.from(signature));
}

/** The signer, or null when the signature is malformed or does not recover. */
export function tryRecoverForwardRequestSigner(domain: TypedDataDomain, request: ForwardRequest, signature: string): string | null {
  try {
    return getAddress(recoverForwardRequestSigner(domain, request, signature));
  } catch {
    return null;
  }
}

export async function signForwardRequest(signer: Signer, domain: TypedDataDomain, request: ForwardRequest): Promise<string> {
  return signer.signTypedData(domain, FORWARD_REQUEST_TYPES, request);
}

export function toForwardRequestData(request: ForwardRequest, signature: string): ForwardRequestData {
  return { from: request.from, to: request.to, value: request.value, gas: request.gas, deadline: request.deadline, data: request.data, signature };
}
