/** Former name of the node's blockstore, kept for existing importers: use `LogBlockstore`. */
export { LogBlockstore as DurableFsBlockstore } from "./logBlockstore.js";
