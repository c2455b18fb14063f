// What `sst deploy` needs beyond synthesis: every deployed handler module exists (and, with INFRA_BUNDLE=1, bundles).
import { existsSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import esbuild from "esbuild";
import { describe, expect, it } from "vitest";
import { handlerPath } from "@evently/functions/manifest";
import { routes } from "@evently/functions/routes";
import { schedules } from "@evently/functions/schedules";
import { bundlingFor } from "../../infra/bundling";
import { INFRA_HANDLERS } from "../../infra/contracts";
import { MAIL_SENDER } from "../../infra/mail";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));

/** The extensions SST's Node runtime tries, in its order, for a handler's module. */
const EXTENSIONS = [".ts", ".tsx", ".mts", ".cts", ".js", ".jsx", ".mjs", ".cjs"];

function moduleFile(handler: string): string | undefined {
  const parsed = path.parse(handlerPath(handler));
  return EXTENSIONS.map((ext) => path.join(ROOT, parsed.dir, parsed.name + ext)).find((f) => existsSync(f));
}

const deployed = [...routes.map((r) => r.handler), ...schedules.map((j) => j.handler), ...INFRA_HANDLERS, MAIL_SENDER.handler];

describe("handler modules", () => {
  it("every handler the app deploys has a module SST can find (deploy fails on the first that does not)", () => {
    const missing = deployed.filter((h) => !moduleFile(h));
    expect(missing, "handlers referenced by routes.ts / schedules.ts / infra without a module").toEqual([]);
  });

  // Bundling every handler takes 10–20 s on two cores, so it is opt-in locally; .ci/run turns it on:
  // INFRA_BUNDLE=1 npx vitest run tests/infra/handlers.test.ts
  it.runIf(process.env.INFRA_BUNDLE === "1")(
    "every existing handler bundles the way SST bundles it for prod (esm, split, minified, infra/bundling.ts's externals and defines)",
    async () => {
      const entryPoints = deployed.map(moduleFile).filter((f): f is string => f !== undefined);
      const { nodejs } = bundlingFor("prod");
      const result = await esbuild.build({
        entryPoints,
        bundle: true,
        platform: "node",
        format: "esm",
        target: "esnext",
        mainFields: ["module", "main"],
        minify: nodejs.minify,
        splitting: nodejs.splitting,
        keepNames: true,
        external: ["sharp", "pg-native", ...(nodejs.esbuild?.external ?? [])],
        define: nodejs.esbuild?.define,
        write: false,
        outdir: path.join(ROOT, ".sst", "bundle-check"),
        logLevel: "silent",
        metafile: true,
      });
      expect(result.errors).toEqual([]);
      // Every handler produced its own entry file (lazy imports and shared code land in chunks).
      const built = new Set(Object.values(result.metafile.outputs).map((o) => o.entryPoint && path.resolve(ROOT, o.entryPoint)));
      expect(entryPoints.filter((f) => !built.has(f))).toEqual([]);
    },
    120_000,
  );
});
