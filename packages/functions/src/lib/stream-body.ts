// Turns a stream of text chunks into a Lambda response body. API Gateway HTTP APIs take a
// buffered body (no response streaming), so a body is always whole in the end; gzip while reading
// keeps what is held to the compressed size, and keeps a large export under Lambda's 6 MB limit.
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { createGzip } from "node:zlib";

export interface CollectedBody {
  body: string;
  isBase64Encoded: boolean;
  encoding?: "gzip";
}

/** RFC 9110: gzip is acceptable unless absent or given q=0. */
export function acceptsGzip(header: string | undefined): boolean {
  if (!header) return false;
  return header.split(",").some((part) => {
    const [coding, ...params] = part.trim().toLowerCase().split(";");
    if (coding !== "gzip" && coding !== "*") return false;
    const q = params.map((p) => p.trim()).find((p) => p.startsWith("q="));
    return q === undefined || Number(q.slice(2)) > 0;
  });
}

export async function collectBody(chunks: AsyncIterable<string>, acceptEncoding: string | undefined): Promise<CollectedBody> {
  if (!acceptsGzip(acceptEncoding)) {
    let body = "";
    for await (const chunk of chunks) body += chunk;
    return { body, isBase64Encoded: false };
  }
  const compressed: Buffer[] = [];
  await pipeline(Readable.from(chunks, { objectMode: false }), createGzip(), async (source: AsyncIterable<Buffer>) => {
    for await (const part of source) compressed.push(part);
  });
  return { body: Buffer.concat(compressed).toString("base64"), isBase64Encoded: true, encoding: "gzip" };
}
