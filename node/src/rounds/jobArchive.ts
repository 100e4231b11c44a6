/**
 * Finalised jobs on disk: one record per job in the node's datastore (LevelDB), written when a job
 * becomes final here, so the job book keeps only a bounded window of recent jobs in memory and
 * still answers GetJob (and the submit dedupe) for any job finalised long ago. A record holds what
 * GetJob answers with: where the job entry sits (author, seq), the entry itself (spec bytes: its
 * shape) and the round that finalised it. It grows with the logs (a few hundred bytes per job),
 * not with the memory. A lost record (crash before the write) is rebuilt: after a restart the
 * logs are scanned again and the chain tells which rounds were flushed (finalisation.ts).
 */
import * as dagCbor from "@ipld/dag-cbor";
import { Key, type Datastore } from "interface-datastore";
import { CID } from "multiformats/cid";
import type { JobEntry } from "./entries.js";

/** How a round finalised a job (finalisation.ts). */
export interface FinalisedJob {
  round: number;
  ringNodeHead: string;
  output: CID;
  tx: string | null;
}

/** A finalised job as the archive keeps it. */
export interface ArchivedJob {
  id: string;
  entry: JobEntry;
  submitter: string;
  seq: number;
  finalised: FinalisedJob;
}

export interface JobArchive {
  put(job: ArchivedJob): Promise<void>;
  get(id: string): Promise<ArchivedJob | null>;
  has(id: string): Promise<boolean>;
}

/** The archive in a datastore, under /rings/jobs/<job id>. */
export function datastoreArchive(datastore: Pick<Datastore, "put" | "get" | "has">): JobArchive {
  const key = (id: string) => new Key(`/rings/jobs/${id}`);
  return {
    async put(job) {
      const { entry, submitter, seq, finalised } = job;
      await datastore.put(key(job.id), dagCbor.encode({ entry: { ...entry }, submitter, seq, finalised: { ...finalised } }));
    },
    async get(id) {
      let bytes: Uint8Array;
      try {
        bytes = await datastore.get(key(id));
      } catch (error) {
        if ((error as Error).name === "NotFoundError") return null;
        throw error;
      }
      const value = dagCbor.decode<Omit<ArchivedJob, "id">>(bytes);
      const output = CID.asCID(value.finalised.output);
      if (output === null) return null;
      return { id, entry: value.entry, submitter: value.submitter, seq: value.seq, finalised: { ...value.finalised, output } };
    },
    async has(id) {
      return await datastore.has(key(id));
    },
  };
}
