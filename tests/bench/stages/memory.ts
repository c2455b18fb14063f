// 7. Memory: peak resident set of the local runtime under the load of stage 2 (next to the raw
// baseline server under the same load), and of each Lambda bundle right after import (stage 6).
// It reads the samples those stages took in this run, or in the last run that wrote bench/results.json.
import type { StageContext } from "../lib/context";
import { readPrevious, type StageResult } from "../lib/report";
import { mb, ratio } from "../lib/stats";
import type { BundleMeasure } from "./coldstart";
import type { HttpRun } from "./http";

export async function run(ctx: StageContext): Promise<void> {
  const previous = await readPrevious();
  const source = (name: "http" | "coldstart"): { result: StageResult; fromEarlierRun: boolean } | undefined => {
    const now = ctx.earlier(name);
    if (now && now.status !== "failed" && now.status !== "skipped") return { result: now, fromEarlierRun: false };
    const before = previous?.stages[name];
    return before && before.status !== "failed" && before.status !== "skipped" ? { result: before, fromEarlierRun: true } : undefined;
  };
  const http = source("http");
  const coldstart = source("coldstart");
  if (!http && !coldstart) ctx.skip("no samples: run the http and coldstart stages (this stage reports the memory they sampled)");

  if (http) {
    const runs = (http.result.data.runs ?? []) as HttpRun[];
    const idle = http.result.data.idleRss as { product: number; raw: number } | undefined;
    if (http.fromEarlierRun) ctx.note(`runtime samples from the http stage of ${http.result.startedAt} (${http.result.mode})`);
    const rows = runs
      .filter((r) => r.target === "product")
      .map((p) => {
        const raw = runs.find((r) => r.scenario === p.scenario && r.connections === p.connections && r.target === "raw");
        return [p.route, p.connections, mb(p.peakRss), raw ? mb(raw.peakRss) : "–", raw ? ratio(p.peakRss / raw.peakRss) : "–"];
      });
    const peak = Math.max(...runs.filter((r) => r.target === "product").map((r) => r.peakRss));
    const rawPeak = Math.max(...runs.filter((r) => r.target === "raw").map((r) => r.peakRss));
    ctx.table({
      title: "Peak RSS of the local runtime process during each load run of stage 2 (sampled every 20 ms in the process)",
      columns: ["route", "conns", "runtime peak RSS", "raw baseline peak RSS", "runtime / raw"],
      rows: [
        ...rows,
        ["all runs", "", mb(peak), mb(rawPeak), ratio(peak / rawPeak)],
        ...(idle ? [["idle, after start", "", mb(idle.product), mb(idle.raw), ratio(idle.product / idle.raw)]] : []),
      ],
      notes: [
        "The runtime process holds the API, the pg-boss queue and the Stripe sandbox (npm start's shape; the local scheduler is off in the bench); the raw baseline holds node:http, pg and its own sandbox. PostgreSQL is a separate process in both cases and not counted.",
      ],
    });
    ctx.data.runtimePeakRss = peak;
    ctx.check({
      name: "memory: runtime peak RSS under the stage 2 load",
      measured: `${mb(peak)} (${ratio(peak / rawPeak)} of the raw baseline's ${mb(rawPeak)})`,
      target: "reported (no target)",
      pass: null,
    });
  } else ctx.skipPart("runtime under load", "the http stage has no samples yet");

  if (coldstart) {
    const bundles = (coldstart.result.data.bundles ?? []) as BundleMeasure[];
    const empty = coldstart.result.data.emptyProcess as { rssBytes: number } | undefined;
    if (coldstart.fromEarlierRun)
      ctx.note(`bundle samples from the coldstart stage of ${coldstart.result.startedAt} (${coldstart.result.mode})`);
    const naive = bundles.find((b) => b.role === "reference" && !b.stripe);
    const naiveStripe = bundles.find((b) => b.role === "reference" && b.stripe);
    ctx.table({
      title: "RSS of a fresh Node process right after importing each bundle (median of the cold-start runs)",
      columns: ["bundle", "RSS after import", "above an empty process", "heap used", "vs naive (same Stripe-ness)"],
      rows: bundles
        .filter((b) => b.role === "function" || b.role === "reference")
        .map((b) => {
          const ref = b.stripe ? naiveStripe : naive;
          return [
            b.name,
            mb(b.rssBytes),
            empty ? mb(b.rssBytes - empty.rssBytes) : "–",
            mb(b.heapBytes),
            ref ? ratio(b.rssBytes / ref.rssBytes) : "–",
          ];
        }),
      notes: empty ? [`An empty ES module in a fresh process: ${mb(empty.rssBytes)} RSS.`] : [],
    });
    const worst = bundles.filter((b) => b.role === "function").sort((a, b) => b.rssBytes - a.rssBytes)[0];
    if (worst)
      ctx.check({
        name: "memory: largest bundle RSS after import",
        measured: `${worst.name} ${mb(worst.rssBytes)}`,
        target: "reported (no target)",
        pass: null,
      });
  } else ctx.skipPart("bundles after import", "the coldstart stage has no samples yet");
}
