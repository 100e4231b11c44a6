/**
 * The ring node's JSON-RPC API, shared by the server (node/src/rpc) and the client
 * (node/src/client): method names, params schemas, request and result types, error codes.
 * Imports only core/ and npm packages, so either side can use it.
 */
export * from "./errorCodes.js";
export * from "./methods.js";
export * from "./requests.js";
export * from "./results.js";
export * from "./schemas.js";
export * from "./subscriptions.js";
