// What may reach a log line. Errors are logged as a fixed set of fields (never the whole object:
// pg errors carry `detail` with row values, Stripe errors `raw` with the request and its headers),
// and every string is scrubbed of the values that must never be logged: bearer tokens and JWTs,
// provider secrets, card numbers, e-mail addresses and the row values pg quotes in messages.
// The logger applies this to every value it serializes (observability.ts: jsonReplacerFn).

const REDACTED = "[redacted]";
const MAX_DEPTH = 3;

/** Keys whose values are secret or personal whatever they contain (compared lower-cased, without - and _). */
const SECRET_KEYS = new Set([
  "authorization",
  "cookie",
  "setcookie",
  "stripesignature",
  "xapikey",
  "password",
  "secret",
  "token",
  "accesstoken",
  "idtoken",
  "refreshtoken",
  "clientsecret",
  "apikey",
  "card",
  "cardnumber",
  "cvc",
  "cvv",
  "raw",
  "detail",
  "headers",
]);
const isSecretKey = (key: string) => SECRET_KEYS.has(key.toLowerCase().replace(/[-_]/g, ""));

/** Luhn's check, so only digit runs that could be card numbers are scrubbed (not ids or amounts). */
function luhn(digits: string): boolean {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = Number(digits[digits.length - 1 - i]);
    if (i % 2 === 1 && (d *= 2) > 9) d -= 9;
    sum += d;
  }
  return sum % 10 === 0;
}

const SCRUBBERS: ReadonlyArray<[RegExp, string | ((match: string, ...groups: string[]) => string)]> = [
  // pg: `Key (email)=(a@b.c) already exists.`, `Failing row contains (…).`
  [/\bKey \(([^)]*)\)=\((?:[^()]|\([^)]*\))*\)/g, (_m, columns: string) => `Key (${columns})=(${REDACTED})`],
  [/\bFailing row contains \(.*\)/g, `Failing row contains (${REDACTED})`],
  // pg: `invalid input syntax for type uuid: "…"`, `invalid input value for enum x: "…"`
  [/(\bfor (?:type|enum) [\w ."]+: )"(?:[^"\\]|\\.)*"/g, (_m, lead: string) => `${lead}"${REDACTED}"`],
  [/\bBearer\s+[\w~+/.=-]+/gi, `Bearer ${REDACTED}`],
  [/\beyJ[\w-]+\.[\w-]+\.[\w-]*/g, REDACTED], // JWT / JWS
  [/\b(?:sk|rk|pk)_(?:live|test)_\w+/g, REDACTED], // Stripe API keys
  [/\bwhsec_\w+/g, REDACTED],
  [/\b\w+_secret_\w+/g, REDACTED], // PaymentIntent / SetupIntent client secrets
  [/[\w.+-]+@[\w-]+(?:\.[\w-]+)+/g, REDACTED], // e-mail addresses
  [/\b\d(?:[ -]?\d){12,18}\b/g, (m) => (luhn(m.replace(/\D/g, "")) ? REDACTED : m)],
];

/** The text with every value above replaced by `[redacted]`. */
export function scrubText(text: string): string {
  return SCRUBBERS.reduce((out, [pattern, replacement]) => out.replace(pattern, replacement as string), text);
}

const fieldOf = (error: object, key: string): unknown => (error as Record<string, unknown>)[key];
const scalar = (value: unknown): string | number | undefined =>
  typeof value === "string" ? scrubText(value) : typeof value === "number" ? value : undefined;

/**
 * An error as it may be logged: name, message and stack (scrubbed), and only the fields that
 * identify a fault without carrying data: code, pg's SQLSTATE, constraint, table and column,
 * Stripe's type, status and request id; the cause likewise. Everything else is dropped.
 */
export function redactError(error: unknown, depth = 0): Record<string, unknown> {
  if (!(error instanceof Error)) return { name: "NonError", message: scrubText(String(error)) };
  const code = fieldOf(error, "code");
  // pg's DatabaseError keeps the SQLSTATE in `code` and names its severity.
  const isPg = typeof fieldOf(error, "severity") === "string" && typeof code === "string" && /^[0-9A-Z]{5}$/.test(code);
  const fields: Record<string, unknown> = {
    name: error.name,
    message: scrubText(error.message),
    code: scalar(code),
    sqlState: isPg ? code : undefined,
    constraint: scalar(fieldOf(error, "constraint")),
    table: scalar(fieldOf(error, "table")),
    column: scalar(fieldOf(error, "column")),
    type: scalar(fieldOf(error, "type")),
    statusCode: scalar(fieldOf(error, "statusCode")),
    requestId: scalar(fieldOf(error, "requestId")),
    stack: typeof error.stack === "string" ? scrubText(error.stack) : undefined,
    cause: error.cause !== undefined && depth < MAX_DEPTH ? redactError(error.cause, depth + 1) : undefined,
  };
  return Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== undefined));
}

/**
 * The logger's JSON replacer: an error becomes redactError's fields, a secret key's value is
 * replaced, every string is scrubbed. Applied at every depth of every log line.
 */
export function redactLogValue(key: string, value: unknown): unknown {
  if (value instanceof Error) return redactError(value);
  if (key !== "" && isSecretKey(key) && value !== undefined && value !== null) return REDACTED;
  return typeof value === "string" ? scrubText(value) : value;
}
