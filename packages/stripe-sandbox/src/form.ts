// Parses Stripe's application/x-www-form-urlencoded bracket syntax (metadata[k]=v, expand[0]=x, expand[]=x).
import { invalidRequest } from "./errors";

export type Param = string | Param[] | { [key: string]: Param };
export type Params = { [key: string]: Param };

// Keys that would reach Object.prototype if assigned on a plain object.
const FORBIDDEN = new Set(["__proto__", "constructor", "prototype"]);

export function decode(part: string): string {
  try {
    return decodeURIComponent(part.replace(/\+/g, " "));
  } catch {
    throw invalidRequest(`Invalid URL encoding: ${part}`);
  }
}

function splitKey(key: string): string[] {
  const first = key.indexOf("[");
  if (first <= 0) return [key];
  const segments = [key.slice(0, first)];
  for (const match of key.slice(first).matchAll(/\[([^\]]*)\]/g)) segments.push(match[1] ?? "");
  return segments;
}

type Tree = { [key: string]: Tree | string };

function assign(root: Tree, path: string[], value: string, rawKey: string): void {
  let node = root;
  path.forEach((segment, i) => {
    if (FORBIDDEN.has(segment)) throw invalidRequest(`Invalid parameter: ${rawKey}`);
    // `a[]` appends: give it the next free numeric index so it becomes an array below.
    const key = segment === "" ? String(Object.keys(node).length) : segment;
    if (i === path.length - 1) {
      if (typeof node[key] === "object") throw invalidRequest(`Invalid parameter: ${rawKey}`, { param: rawKey });
      node[key] = value;
      return;
    }
    const next = node[key] ?? {};
    if (typeof next === "string") throw invalidRequest(`Invalid parameter: ${rawKey}`, { param: rawKey });
    node[key] = next;
    node = next;
  });
}

// Objects whose keys are all indices are arrays on the wire (the SDK sends expand[0]=...).
function normalise(value: Tree | string): Param {
  if (typeof value === "string") return value;
  const keys = Object.keys(value);
  if (keys.length > 0 && keys.every((k) => /^\d+$/.test(k))) {
    return keys
      .map(Number)
      .sort((a, b) => a - b)
      .map((k) => normalise(value[String(k)] as Tree | string));
  }
  const out: Params = {};
  for (const key of keys) out[key] = normalise(value[key] as Tree | string);
  return out;
}

export function parseForm(raw: string): Params {
  const root: Tree = {};
  for (const pair of raw.split("&")) {
    if (pair === "") continue;
    const eq = pair.indexOf("=");
    const key = decode(eq < 0 ? pair : pair.slice(0, eq));
    const value = eq < 0 ? "" : decode(pair.slice(eq + 1));
    assign(root, splitKey(key), value, key);
  }
  const params: Params = {};
  for (const key of Object.keys(root)) params[key] = normalise(root[key] as Tree | string);
  return params;
}
