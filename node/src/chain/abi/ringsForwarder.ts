/**
 * RingsForwarder (OpenZeppelin's ERC2771Forwarder) as the relayer and light clients use it:
 * execute a signed request (one or a batch), verify it, the signer's nonce, the EIP-712 domain
 * (ERC-5267) and the execution event. Human-readable; the ABI test checks every fragment against
 * the compiled artifact.
 */
import { Interface } from "ethers";

export const FORWARDER_ABI = [
  "function execute((address from,address to,uint256 value,uint256 gas,uint48 deadline,bytes data,bytes signature) request) payable",
  "function executeBatch((address from,address to,uint256 value,uint256 gas,uint48 deadline,bytes data,bytes signature)[] requests, address refundReceiver) payable",
  "function verify((address from,address to,uint256 value,uint256 gas,uint48 deadline,bytes data,bytes signature) request) view returns (bool)",
  "function nonces(address owner) view returns (uint256)",
  "function eip712Domain() view returns (bytes1 fields,string name,string version,uint256 chainId,address verifyingContract,bytes32 salt,uint256[] extensions)",
  "event ExecutedForwardRequest(address indexed signer, uint256 nonce, bool success)",
] as const;

export const forwarderInterface = new Interface(FORWARDER_ABI);
