/** Small HTTP helpers shared by the handler: bodies, JSON responses, Status errors, Accept negotiation. */
import type { IncomingMessage, ServerResponse } from "node:http";
import { StatusError } from "./errors";

const MAX_BODY = 3 * 1024 * 1024;

export async function readBody(req: IncomingMessage): Promise<string> {
  return (await readBodyBuffer(req)).toString("utf8");
}

export async function readBodyBuffer(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buf = chunk as Buffer;
    size += buf.length;
    if (size > MAX_BODY)
      throw new StatusError(413, "RequestEntityTooLarge", "Request entity too large: limit is 3145728");
    chunks.push(buf);
  }
  return Buffer.concat(chunks);
}

export function sendJson(
  res: ServerResponse,
  code: number,
  body: unknown,
  extraHeaders: Record<string, string> = {},
): void {
  const payload = JSON.stringify(body);
  res.writeHead(code, {
    "Content-Type": "application/json",
    "Cache-Control": "no-cache, private",
    "Content-Length": Buffer.byteLength(payload),
    ...extraHeaders,
  });
  res.end(payload);
}

export function sendError(res: ServerResponse, err: StatusError, extraHeaders: Record<string, string> = {}): void {
  sendJson(res, err.code, err.toStatus(), extraHeaders);
}

export function successStatus(details: Record<string, unknown>): Record<string, unknown> {
  return { kind: "Status", apiVersion: "v1", metadata: {}, status: "Success", details };
}

export interface AcceptInfo {
  table: boolean;
  partialMetadata: boolean;
}

/** Reads `as=Table` / `as=PartialObjectMetadata(List)` media type parameters the way the API server negotiates them. */
export function parseAccept(accept: string | undefined): AcceptInfo {
  const info: AcceptInfo = { table: false, partialMetadata: false };
  if (!accept) return info;
  for (const part of accept.split(",")) {
    const params = part.split(";").map((p) => p.trim());
    const type = params[0] ?? "";
    if (type !== "application/json" && type !== "*/*" && type !== "application/*") continue;
    const as = params.find((p) => p.startsWith("as="))?.slice(3);
    const g = params.find((p) => p.startsWith("g="))?.slice(2);
    if (as === "Table" && g === "meta.k8s.io") {
      info.table = true;
      return info;
    }
    if ((as === "PartialObjectMetadata" || as === "PartialObjectMetadataList") && g === "meta.k8s.io") {
      info.partialMetadata = true;
      return info;
    }
    if (!as) return info;
  }
  return info;
}
