// The schedule manifest: infra/jobs.ts builds EventBridge rules from it and the local scheduler runs it.
import type { JobDef } from "./manifest";

export const schedules: readonly JobDef[] = [];
