// Failpoints: off by default, armed by tests or FAILPOINTS, counted, and compiled out of Lambda bundles.
import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import esbuild from "esbuild";
import { afterEach, describe, expect, it } from "vitest";
import {
  disableFailpoints,
  enableFailpoint,
  failpoint,
  FailpointError,
  failpointHits,
  parseFailpoints,
  resetFailpointHits,
} from "@evently/core/shared/failpoints";
import { configureApp } from "../../sst.config";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));

afterEach(() => {
  disableFailpoints();
  resetFailpointHits();
});

describe("failpoints", () => {
  it("do nothing until armed, and count every hit", async () => {
    expect(failpoint("order.after-commit")).toBeUndefined();
    await failpoint("order.after-commit");
    expect(failpointHits()).toEqual({ "order.after-commit": { hits: 2, fired: 0 } });
  });

  it("throw a FailpointError naming the point, only for that point", () => {
    enableFailpoint("refund.after-provider", "throw");
    expect(failpoint("order.after-commit")).toBeUndefined();
    let thrown: unknown;
    try {
      void failpoint("refund.after-provider");
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(FailpointError);
    expect(thrown).toMatchObject({ failpoint: "refund.after-provider", message: "failpoint refund.after-provider fired" });
    expect(() => failpoint("refund.after-provider")).toThrow(FailpointError);
    expect(failpointHits()["refund.after-provider"]).toEqual({ hits: 2, fired: 2 });
  });

  it("honour a count: later hits pass through", () => {
    enableFailpoint("p", "throw", { count: 1 });
    expect(() => failpoint("p")).toThrow(FailpointError);
    expect(failpoint("p")).toBeUndefined();
    expect(failpointHits().p).toEqual({ hits: 2, fired: 1 });
  });

  it("delay for the given time, then continue", async () => {
    enableFailpoint("slow", { delayMs: 60 });
    const started = performance.now();
    await failpoint("slow");
    expect(performance.now() - started).toBeGreaterThanOrEqual(55);
  });

  it("are disarmed by disableFailpoints, which keeps the counters", () => {
    enableFailpoint("p", "throw");
    disableFailpoints();
    expect(failpoint("p")).toBeUndefined();
    expect(failpointHits().p).toEqual({ hits: 1, fired: 0 });
  });

  it("parse the FAILPOINTS syntax and refuse what they cannot parse", () => {
    expect(parseFailpoints("order.after-commit=throw, refund.after-provider=exit*1,pay=delay(250)*3")).toEqual([
      { name: "order.after-commit", action: "throw" },
      { name: "refund.after-provider", action: "exit", count: 1 },
      { name: "pay", action: { delayMs: 250 }, count: 3 },
    ]);
    expect(parseFailpoints("")).toEqual([]);
    expect(() => parseFailpoints("order.after-commit=explode")).toThrow(/cannot parse "order.after-commit=explode"/);
    expect(() => parseFailpoints("order.after-commit")).toThrow(/cannot parse/);
    expect(() => enableFailpoint("p", "throw", { count: 0 })).toThrow(/count/);
    expect(() => enableFailpoint("p", { delayMs: -1 })).toThrow(/delay/);
  });

  it("kill the process at once with exit, as armed by the FAILPOINTS variable", async () => {
    const script = [
      'const { failpoint } = await import("@evently/core/shared/failpoints");',
      'process.stdout.write("before\\n");',
      'await failpoint("crash.here");',
      'process.stdout.write("after\\n");',
    ].join("\n");
    const result = await new Promise<{ signal: NodeJS.Signals | null; stdout: string }>((resolve) => {
      execFile(
        process.execPath,
        // node itself, not the tsx wrapper, so the signal that ended the process is what we observe.
        ["--import", "tsx", "--input-type=module", "--eval", script],
        { cwd: ROOT, env: { ...process.env, FAILPOINTS: "crash.here=exit*1" }, timeout: 20_000 },
        (error, stdout) => resolve({ signal: (error as { signal?: NodeJS.Signals } | null)?.signal ?? null, stdout }),
      );
    });
    expect(result).toEqual({ signal: "SIGKILL", stdout: "before\n" });
  });
});

describe("failpoints in Lambda bundles", () => {
  // The function defaults every Lambda gets, read from the real app configuration.
  function lambdaEsbuildOptions() {
    let props: { nodejs?: { minify?: boolean; esbuild?: esbuild.BuildOptions } } = {};
    configureApp({
      stage: "test",
      setDefaultFunctionProps: (p: typeof props) => (props = p),
      setDefaultRemovalPolicy: () => undefined,
    } as unknown as Parameters<typeof configureApp>[0]);
    return props.nodejs ?? {};
  }

  async function bundle(define: Record<string, string> | undefined): Promise<string> {
    const nodejs = lambdaEsbuildOptions();
    const result = await esbuild.build({
      stdin: {
        contents: [
          'import { failpoint } from "@evently/core/shared/failpoints";',
          'export async function pay() { await failpoint("probe.after-commit"); return 1; }',
        ].join("\n"),
        resolveDir: ROOT,
        loader: "ts",
      },
      bundle: true,
      write: false,
      format: "esm",
      platform: "node",
      minify: nodejs.minify,
      define,
    });
    return result.outputFiles[0]?.text ?? "";
  }

  it("leave no point name and no FAILPOINTS parsing in a bundle built with the Lambda defaults", async () => {
    const define = lambdaEsbuildOptions().esbuild?.define;
    expect(define).toEqual({ __EVENTLY_FAILPOINTS__: "false" });
    const lambda = await bundle(define);
    expect(lambda).not.toContain("probe.after-commit");
    expect(lambda).not.toContain("FAILPOINTS");
    // Without the define the same build keeps them, so the assertion above can fail.
    const local = await bundle(undefined);
    expect(local).toContain("probe.after-commit");
    expect(local).toContain("FAILPOINTS");
  });
});
