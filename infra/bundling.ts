// How every Lambda is bundled and started, per stage: sst.config.ts applies it and the cold-start bench builds with it.
import type { NodeJSProps } from "sst/constructs";
import { isProdStage } from "./stage";

/**
 * Dev and personal stages are where stack traces get read line by line; prod runs lean. Node's
 * --enable-source-maps reads and parses every loaded file's source map at import (it cost http/events/get
 * about 15 % of its cold start), so it is turned on only here.
 */
function isDebugStage(stage: string): boolean {
  return !isProdStage(stage);
}

export interface Bundling {
  nodejs: NodeJSProps;
  /** Environment every function gets for the bundle to start as intended. */
  environment: Record<string, string>;
}

export function bundlingFor(stage: string): Bundling {
  const debug = isDebugStage(stage);
  return {
    nodejs: {
      format: "esm",
      minify: true,
      // Debug stages ship each file's map beside it, for --enable-source-maps below. Elsewhere SST's
      // default applies: it still builds the maps but uploads the entry's to its bucket for the SST
      // Console instead of shipping it, so traces stay mappable without Node parsing them at start.
      ...(debug ? { sourcemap: true } : {}),
      // Lazily imported code (Stripe, the AWS SDK behind Powertools) becomes its own chunk, loaded
      // on first use instead of parsed at every cold start (docs/PERFORMANCE.md).
      splitting: true,
      // pg's optional native binding: left external (and not installed) or SST would try to
      // `npm install pg-native` into every bundle, which needs libpq to compile. The AWS SDK v3
      // clients and their shared core ship with the nodejs22.x runtime: bundling them added
      // ~400 KB to every function that can read a secret (docs/PERFORMANCE.md). The runtime does
      // not promise @aws-sdk/rds-signer, so that one (a few KB, database functions only) is bundled.
      // __EVENTLY_FAILPOINTS__=false empties core's failpoint(), so minification drops every call to it.
      esbuild: { external: ["pg-native", "@aws-sdk/client-*", "@aws-sdk/core"], define: { __EVENTLY_FAILPOINTS__: "false" } },
    },
    environment: debug ? { NODE_OPTIONS: "--enable-source-maps" } : {},
  };
}
