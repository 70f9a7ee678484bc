import { AppError } from "@/lib/errors";

/** JSON request bodies (forms, API calls, agent batches): far above any real one, far below what hurts a process. */
export const MAX_JSON_BYTES = 2 * 1024 * 1024;
/**
 * Nesting allowed in a JSON body. Kubernetes objects nest about 10 levels; the bound keeps recursive code further
 * down (zod, JSON.stringify, Prisma) from ever meeting a document deep enough to overflow its stack.
 */
export const MAX_JSON_DEPTH = 64;

function tooLarge(limit: number): AppError {
  return new AppError("PAYLOAD_TOO_LARGE", `The request body is larger than ${limit / (1024 * 1024)} MiB.`);
}

/**
 * The one reader of request bodies: reads the stream chunk by chunk and stops at `limit` bytes. A declared
 * Content-Length above the limit is refused before anything is read; a chunked body is cancelled as soon as it
 * crosses the limit, so at most `limit` plus one chunk is ever held, whatever the client sends. 413 PAYLOAD_TOO_LARGE.
 */
export async function readBodyBytes(req: Request, limit: number): Promise<Buffer> {
  const declared = Number(req.headers.get("content-length") ?? "0");
  if (declared > limit) throw tooLarge(limit);
  if (!req.body) return Buffer.alloc(0);
  const reader = req.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > limit) {
      // Not awaited: cancelling tells the source to stop; the answer need not wait for it to acknowledge.
      reader.cancel("request body too large").catch(() => undefined);
      throw tooLarge(limit);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks, total);
}

/**
 * Walks JSON text once, outside and inside strings, and refuses what the database or recursive code cannot take:
 * nesting deeper than MAX_JSON_DEPTH, and the escape `\u0000` (PostgreSQL text cannot hold NUL, so the same input
 * would be a 500 there and stored on SQLite; refused here, it is a 422 on both). A raw NUL is invalid JSON anyway.
 */
function checkJsonText(text: string): void {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c /* \ */) {
        if (text.charCodeAt(i + 1) === 0x75 /* u */ && text.startsWith("0000", i + 2)) {
          throw new AppError(
            "VALIDATION_FAILED",
            "The request body contains a NUL character (\\u0000), which Wharf does not store.",
          );
        }
        i++;
      } else if (c === 0x22 /* " */) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b /* { */ || c === 0x5b /* [ */) {
      if (++depth > MAX_JSON_DEPTH)
        throw new AppError("VALIDATION_FAILED", `The request body is nested deeper than ${MAX_JSON_DEPTH} levels.`);
    } else if (c === 0x7d /* } */ || c === 0x5d /* ] */) depth--;
  }
}

/**
 * The one JSON parse of untrusted text (route bodies through `parseJsonBody`, webhook deliveries after their
 * signature check): NUL and nesting deeper than MAX_JSON_DEPTH are refused before parsing (`checkJsonText`), invalid
 * JSON after. Every refusal is 422 VALIDATION_FAILED.
 */
export function parseJsonBounded(text: string): unknown {
  checkJsonText(text);
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new AppError("VALIDATION_FAILED", "The request body is not valid JSON.");
  }
}

/** Parses a JSON body read by `readBodyBytes`: invalid UTF-8, invalid JSON, NUL and excessive depth are all 422. */
export function parseJsonBody(bytes: Uint8Array): unknown {
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    throw new AppError("VALIDATION_FAILED", "The request body is not valid UTF-8.");
  }
  return parseJsonBounded(text);
}

/** Refuses a NUL character in a query parameter or a route parameter (see `checkJsonText` for why). */
export function hasNul(values: Iterable<string>): boolean {
  for (const v of values) if (v.includes("\0")) return true;
  return false;
}
