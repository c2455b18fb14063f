// What a deployed function loads when Lambda imports it: libraries that cost the most at import are
// loaded on first use only (the tracer when the first invocation starts, pg with the first query,
// qrcode with the first QR image), so no handler may import them statically.
import path from "node:path";
import { fileURLToPath } from "node:url";
import esbuild, { type Metafile } from "esbuild";
import { describe, expect, it } from "vitest";
import { handlerPath } from "@evently/functions/manifest";
import { routes } from "@evently/functions/routes";
import { schedules } from "@evently/functions/schedules";
import { bundlingFor } from "../../infra/bundling";
import { PRE_TOKEN, ROTATE_TICKET_KEY, TASK_CONSUMER, WEBHOOK_CONSUMER } from "../../infra/contracts";
import { MAIL_SENDER } from "../../infra/mail";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));

/** Each costs a cold start more than the whole rest of a typical route (X-Ray SDK, Node's net/tls/http). */
const LOADED_ON_FIRST_USE = ["aws-xray-sdk-core", "@aws-lambda-powertools/tracer", "pg", "qrcode"];

const packageOf = (input: string) => {
  const rest = input.split("node_modules/").at(-1)!.split("/");
  return input.includes("node_modules/") ? (rest[0]!.startsWith("@") ? `${rest[0]}/${rest[1]}` : rest[0]!) : undefined;
};

/** Inputs an entry reaches through static imports and requires: what its import evaluates. */
function loadedAtImport(meta: Metafile, entry: string): Set<string> {
  const seen = new Set<string>([entry]);
  const queue = [entry];
  for (let input = queue.pop(); input !== undefined; input = queue.pop())
    for (const edge of meta.inputs[input]?.imports ?? [])
      if (edge.kind !== "dynamic-import" && !edge.external && !seen.has(edge.path)) {
        seen.add(edge.path);
        queue.push(edge.path);
      }
  return seen;
}

describe("cold start", () => {
  it("no handler imports the tracer, pg or qrcode at module load", async () => {
    // Every function that serves a request, an event or a schedule; not the migrator, a deploy-time
    // script whose first statement needs pg.
    const handlers = [
      ...new Set([
        ...routes.map((r) => r.handler),
        ...schedules.map((j) => j.handler),
        ...[WEBHOOK_CONSUMER, TASK_CONSUMER, PRE_TOKEN, ROTATE_TICKET_KEY, MAIL_SENDER].map((f) => f.handler),
      ]),
    ];
    const entries = handlers.map((h) => path.relative(ROOT, `${handlerPath(h).replace(/\.[^.]+$/, "")}.ts`));
    const { nodejs } = bundlingFor("prod");
    const { metafile } = await esbuild.build({
      absWorkingDir: ROOT,
      entryPoints: entries,
      bundle: true,
      platform: "node",
      format: "esm",
      splitting: true,
      mainFields: ["module", "main"],
      external: ["sharp", "pg-native", ...(nodejs.esbuild?.external ?? [])],
      write: false,
      outdir: ".sst/cold-start-check",
      logLevel: "silent",
      metafile: true,
    });
    const offenders = entries.flatMap((entry) => {
      const eager = new Set([...loadedAtImport(metafile, entry)].map(packageOf));
      return LOADED_ON_FIRST_USE.filter((pkg) => eager.has(pkg)).map((pkg) => `${entry} imports ${pkg}`);
    });
    expect(entries.length).toBeGreaterThan(30);
    expect(offenders).toEqual([]);
  }, 60_000);
});
