// Typed readers for parsed form params, with the validation errors Stripe returns for bad input.
import { invalidRequest } from "./errors";
import { type Param, type Params } from "./form";

export type Metadata = Record<string, string>;

// Stripe rejects parameters it does not know, which catches typos in the product's calls early.
export function allowOnly(params: Params, allowed: readonly string[]): void {
  for (const key of Object.keys(params)) {
    if (!allowed.includes(key)) {
      throw invalidRequest(`Received unknown parameter: ${key}`, { code: "parameter_unknown", param: key });
    }
  }
}

function scalar(params: Params, name: string): string | undefined {
  const value: Param | undefined = params[name];
  if (value === undefined) return undefined;
  if (typeof value !== "string") {
    throw invalidRequest(`Invalid ${name}: must be a string`, { code: "parameter_invalid_string", param: name });
  }
  return value;
}

export function optString(params: Params, name: string): string | undefined {
  const value = scalar(params, name);
  return value === "" ? undefined : value;
}

export function reqString(params: Params, name: string): string {
  const value = optString(params, name);
  if (value === undefined) {
    throw invalidRequest(`Missing required param: ${name}.`, { code: "parameter_missing", param: name });
  }
  return value;
}

export function optInt(params: Params, name: string, min = 0, max = 99_999_999): number | undefined {
  const raw = optString(params, name);
  if (raw === undefined) return undefined;
  if (!/^-?\d+$/.test(raw)) {
    throw invalidRequest(`Invalid integer: ${raw}`, { code: "parameter_invalid_integer", param: name });
  }
  const value = Number(raw);
  if (value < min || value > max) {
    throw invalidRequest(`Invalid ${name}: must be between ${min} and ${max}`, {
      code: "parameter_invalid_integer",
      param: name,
    });
  }
  return value;
}

export function reqInt(params: Params, name: string, min = 0): number {
  const value = optInt(params, name, min);
  if (value === undefined) {
    throw invalidRequest(`Missing required param: ${name}.`, { code: "parameter_missing", param: name });
  }
  return value;
}

export function optBool(params: Params, name: string): boolean | undefined {
  const raw = optString(params, name);
  if (raw === undefined) return undefined;
  if (raw !== "true" && raw !== "false") {
    throw invalidRequest(`Invalid boolean: ${raw}`, { code: "parameter_invalid_boolean", param: name });
  }
  return raw === "true";
}

export function optEnum<T extends string>(params: Params, name: string, values: readonly T[]): T | undefined {
  const raw = optString(params, name);
  if (raw === undefined) return undefined;
  if (!(values as readonly string[]).includes(raw)) {
    throw invalidRequest(`Invalid ${name}: must be one of ${values.join(", ")}`, { param: name });
  }
  return raw as T;
}

export function optObject(params: Params, name: string): Params | undefined {
  const value = params[name];
  if (value === undefined || value === "") return undefined;
  if (typeof value !== "object" || Array.isArray(value)) {
    throw invalidRequest(`Invalid object`, { code: "parameter_invalid_object", param: name });
  }
  return value;
}

// Merges like Stripe: an empty string unsets a key; `metadata=` clears everything.
export function applyMetadata(current: Metadata, params: Params): Metadata {
  if (params.metadata === "") return {};
  const update = optObject(params, "metadata");
  if (!update) return current;
  const next = { ...current };
  for (const [key, value] of Object.entries(update)) {
    if (typeof value !== "string") throw invalidRequest("Invalid metadata", { param: `metadata[${key}]` });
    if (key.length > 40 || value.length > 500) {
      throw invalidRequest("Metadata keys are limited to 40 characters and values to 500", {
        param: `metadata[${key}]`,
      });
    }
    if (value === "") delete next[key];
    else next[key] = value;
  }
  if (Object.keys(next).length > 50) throw invalidRequest("Metadata is limited to 50 keys", { param: "metadata" });
  return next;
}

export function expandList(params: Params): string[] {
  const value = params.expand;
  if (value === undefined) return [];
  const list = Array.isArray(value) ? value : [value];
  return list.map((item) => {
    if (typeof item !== "string") throw invalidRequest("Invalid array", { param: "expand" });
    return item;
  });
}
