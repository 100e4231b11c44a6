/**
 * Checks a method's params against its zod schema before the method runs: anything that does not
 * parse is answered with -32602 (Invalid params) and the path of the first bad field.
 */
import type { z } from "zod";
import { InvalidParamsError } from "./errorCodes.js";

/**
 * Parses by-name params (an object) or by-position params holding that one object (`[ { ... } ]`),
 * throwing -32602 with the first issue's path.
 */
export function parseParams<T extends z.ZodTypeAny>(schema: T, params: unknown): z.infer<T> {
  const candidate: unknown = Array.isArray(params) && params.length === 1 ? params[0] : params;
  const result = schema.safeParse(candidate);
  if (result.success) return result.data as z.infer<T>;
  const issue = result.error.issues[0];
  const path = issue === undefined || issue.path.length === 0 ? "params" : issue.path.join(".");
  throw new InvalidParamsError(`${path}: ${issue?.message ?? "invalid"}`, { issues: result.error.issues.slice(0, 5).map((i) => ({ path: i.path, message: i.message })) });
}
