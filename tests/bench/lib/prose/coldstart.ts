// Stage 6's words: the bundle table's notes, and what the lead can trim when a bundle misses.
import type { Profile } from "../bundles";
import type { BundleMeasure, LibraryCost } from "../../stages/coldstart";
import { kb, mb, ms } from "../stats";

const names = (list: BundleMeasure[]) =>
  list.length > 6
    ? `${list
        .slice(0, 6)
        .map((m) => m.name)
        .join(", ")} and ${list.length - 6} more`
    : list.map((m) => m.name).join(", ");
const describe = (l: LibraryCost | undefined) => (l ? `${kb(l.bytes)}, ${ms(l.importMs)} ms` : "");

/** What the lead can trim, from what the missing bundles load and what each library costs here. */
function adviceFor(
  check: "time" | "size" | "stripe",
  misses: BundleMeasure[],
  c: { libs: LibraryCost[]; asDeployed?: BundleMeasure; whatIfs: BundleMeasure[]; profile: Profile },
): string {
  const cost = (pkg: string) => c.libs.find((l) => l.pkg === pkg);
  const loads = (pkg: string) => misses.filter((m) => m.contributors.some((x) => x.pkg === pkg));
  const tips: string[] = [];
  if (check !== "size" && c.profile.enableSourceMaps) {
    tips.push(
      `NODE_OPTIONS=--enable-source-maps (infra/bundling.ts) makes Node read and parse each bundle's source map at load: set it on debug stages only`,
    );
  }
  if (check === "stripe" && misses.some((m) => m.name === "http/webhooks/stripe")) {
    tips.push(
      `http/webhooks/stripe.ts imports the whole stripe SDK (${describe(cost("stripe"))} alone) statically, only for Stripe.webhooks.constructEventAsync: verify the Stripe-Signature HMAC-SHA256 (t=…,v1=… over \`\${t}.\${rawBody}\`, 300 s tolerance) with node:crypto createHmac + timingSafeEqual in a small lib/stripe-signature.ts`,
    );
  }
  const zod = loads("zod");
  if (zod.length) {
    tips.push(
      `zod (${describe(cost("zod"))} alone) is loaded at import by ${zod.length} of them through the route and core input schemas; zod/mini costs ${describe(cost("zod/mini"))} — the OpenAPI builder (lib/openapi.ts, z.toJSONSchema and .meta) would then live only in http/openapi`,
    );
  }
  if (check !== "size") {
    tips.push(
      `the X-Ray Tracer (lib/tracing.ts, loaded by the first invocation's traceInvocations()), pg (createDb hands Kysely a pool factory) and qrcode are already loaded on first use (tests/infra/cold-start.test.ts keeps them out of every import); with tracing on, their cost moves into the first invocation rather than going away. middy, Powertools logger/metrics, Kysely and zod alone import in about 0.64× of the naive bundle, which leaves nothing under a 0.6× target for the function's own work: the environment parse in config.ts (zod's first use), its contract's schemas and reading its ~13 split chunks. The next levers are zod/mini for runtime-only schemas, or contracts built on first use`,
    );
  }
  const kysely = loads("kysely");
  if (check === "size" && kysely.length) tips.push(`kysely is ${describe(cost("kysely"))} alone and is needed by every database route`);
  if (misses.some((m) => m.awsSdk && m.contributors.some((x) => x.pkg.startsWith("@aws-sdk/") || x.pkg.startsWith("@smithy/")))) {
    tips.push(
      `@aws-sdk v3 is still loaded at import by some: mark "@aws-sdk/*" external in sst.config.ts (the nodejs22.x runtime ships it)`,
    );
  }
  return `Functions: ${names(misses)}. ${tips.join("; ") || "see the contributors tables"}.`;
}

export const coldstartProse = {
  advice: adviceFor,
  noJobs: "schedules.ts lists no jobs yet: no job bundles (they are picked up as soon as schedules.ts names them)",
  bundleNotes: (empty: { importMs: number; rssBytes: number }) => [
    "Targets: without Stripe ≤ 0.6 × naive import time and ≤ 400 KB loaded at import; with Stripe ≤ 0.8 × naive+stripe import time (size shown as a ratio only). “With Stripe” = the stripe package is anywhere in the bundle, lazily loaded chunks included.",
    "“Loaded at import” = the entry file plus the chunks it imports statically (code splitting moves lazily imported modules into chunks loaded on first use); source maps are not counted.",
    "The naive references (and the single libraries below) are plain builds — one file, no source maps, run without --enable-source-maps — like the issue's reference figures (~730 KB / 87 ms; ~980 KB / 110 ms with Stripe), so any cost of the deploy settings counts against the functions.",
    `An empty ES module imports in ${ms(empty.importMs)} ms (process RSS ${mb(empty.rssBytes)}); it is included in every figure above.`,
  ],
};
