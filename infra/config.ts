// Deploy-time configuration (the environment of `sst deploy`), parsed once with zod: prod refuses to synthesize without what it needs.
import * as z from "zod";
import { isProdStage } from "./stage";

export interface DeployConfig {
  /** Origins browsers may call the API from; never "*". */
  corsOrigins: string[];
  auth: {
    /** Where Cognito's hosted sign-in may send the authorization code, and where sign-out lands. */
    callbackUrls: string[];
    logoutUrls: string[];
    /** SES sender of Cognito's mail (verification, reset codes); unset means Cognito's own 50-a-day sender. */
    emailFrom?: { address: string; name?: string };
  };
  alarmEmail?: string;
}

/** What a dev stage uses when a value is not set: a front end on the developer's machine. */
const DEV_DEFAULTS = {
  CORS_ORIGINS: "http://localhost:5173",
  AUTH_CALLBACK_URLS: "http://localhost:5173/auth/callback",
  AUTH_LOGOUT_URLS: "http://localhost:5173/",
} as const;

const PROD_REQUIRED = ["CORS_ORIGINS", "AUTH_CALLBACK_URLS", "AUTH_LOGOUT_URLS", "AUTH_EMAIL_FROM"] as const;

const list = (what: string, prod: boolean, item: (url: URL) => string | undefined) =>
  z.string().transform((value, ctx) => {
    const items = value
      .split(",")
      .map((s) => s.trim())
      .filter(Boolean);
    if (items.length === 0) ctx.addIssue({ code: "custom", message: `${what}: at least one URL` });
    for (const raw of items) {
      let url: URL;
      try {
        url = new URL(raw);
      } catch {
        ctx.addIssue({ code: "custom", message: `${what}: "${raw}" is not a URL` });
        continue;
      }
      const local = url.hostname === "localhost" || url.hostname === "127.0.0.1";
      if (url.protocol !== "https:" && (prod || !local)) ctx.addIssue({ code: "custom", message: `${what}: "${raw}" must be https` });
      const problem = item(url);
      if (problem) ctx.addIssue({ code: "custom", message: `${what}: "${raw}" ${problem}` });
    }
    return items;
  });

function schema(prod: boolean) {
  return z.object({
    // An origin is scheme://host[:port], exactly what the browser sends; a path or "*" would never match or match too much.
    CORS_ORIGINS: list("CORS_ORIGINS", prod, (url) =>
      url.href.replace(/\/$/, "") === url.origin ? undefined : "must be an origin (no path)",
    ),
    AUTH_CALLBACK_URLS: list("AUTH_CALLBACK_URLS", prod, () => undefined),
    AUTH_LOGOUT_URLS: list("AUTH_LOGOUT_URLS", prod, () => undefined),
    AUTH_EMAIL_FROM: z.email({ message: "AUTH_EMAIL_FROM must be an email address (a verified SES identity)" }).optional(),
    AUTH_EMAIL_FROM_NAME: z.string().min(1).max(100).optional(),
    ALARM_EMAIL: z.email({ message: "ALARM_EMAIL must be an email address" }).optional(),
  });
}

export function deployConfig(stage: string, env: Record<string, string | undefined> = process.env): DeployConfig {
  const prod = isProdStage(stage);
  const present = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ""));
  if (prod) {
    const missing = PROD_REQUIRED.filter((name) => !present[name]);
    if (missing.length > 0)
      throw new Error(`Stage "${stage}" needs ${missing.join(", ")} in the deploy environment (see README, Deploying)`);
  }
  const parsed = schema(prod).safeParse(prod ? present : { ...DEV_DEFAULTS, ...present });
  if (!parsed.success) {
    throw new Error(`Deploy configuration for stage "${stage}" is invalid: ${parsed.error.issues.map((i) => i.message).join("; ")}`);
  }
  const c = parsed.data;
  return {
    corsOrigins: c.CORS_ORIGINS,
    auth: {
      callbackUrls: c.AUTH_CALLBACK_URLS,
      logoutUrls: c.AUTH_LOGOUT_URLS,
      ...(c.AUTH_EMAIL_FROM
        ? { emailFrom: { address: c.AUTH_EMAIL_FROM, ...(c.AUTH_EMAIL_FROM_NAME ? { name: c.AUTH_EMAIL_FROM_NAME } : {}) } }
        : {}),
    },
    ...(c.ALARM_EMAIL ? { alarmEmail: c.ALARM_EMAIL } : {}),
  };
}
