// Checks a real HTTP answer against the OpenAPI document: its status must be documented for the
// route and its body must match the schema documented for that status and content type.
import { Ajv2020, type ValidateFunction } from "ajv/dist/2020.js";
import addFormats from "ajv-formats";
import { buildOpenApi } from "@evently/functions/lib/openapi";
import { routes } from "@evently/functions/routes";

type JsonSchema = Record<string, unknown>;
interface MediaType {
  schema?: JsonSchema;
}
interface Operation {
  responses: Record<string, { content?: Record<string, MediaType> }>;
}
export interface OpenApiDocument {
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, JsonSchema> };
}

const BASE = "https://evently.dev/openapi/components/";

/** A checker over one document: compiles each documented body schema once, on first use. */
export function createContractChecker(doc: OpenApiDocument) {
  const ajv = new Ajv2020({ allErrors: true, strict: false });
  addFormats.default(ajv);
  // Components become schemas of their own, so `#/components/schemas/X` resolves outside the document.
  const retarget = (schema: unknown) => JSON.parse(JSON.stringify(schema).replaceAll('"#/components/schemas/', `"${BASE}`)) as JsonSchema;
  for (const [name, schema] of Object.entries(doc.components.schemas)) ajv.addSchema(retarget(schema), BASE + name);

  const templates = Object.keys(doc.paths).map((path) => ({
    path,
    pattern: new RegExp(`^${path.replace(/[.]/g, "\\.").replace(/\{[^}]+\}/g, "[^/]+")}$`),
  }));
  const compiled = new Map<string, ValidateFunction>();
  const validator = (key: string, schema: JsonSchema) => {
    let fn = compiled.get(key);
    if (!fn) compiled.set(key, (fn = ajv.compile(retarget(schema))));
    return fn;
  };

  /**
   * Returns what is wrong with an answer, or undefined when it is documented. Answers to paths or
   * methods the document does not name (the catch-all 404, a 405) are the gateway's, not a route's.
   */
  return function check(
    method: string,
    pathname: string,
    status: number,
    contentType: string | null,
    bodyText: string,
  ): string | undefined {
    const template = templates.find((t) => t.pattern.test(pathname))?.path;
    const operation = template ? doc.paths[template]?.[method.toLowerCase()] : undefined;
    if (!template || !operation) return undefined;
    const where = `${method} ${template} → ${status}`;
    const response = operation.responses[String(status)];
    if (!response) return `${where}: status not documented (documented: ${Object.keys(operation.responses).join(", ")})`;
    if (!response.content) return bodyText === "" ? undefined : `${where}: a body was sent where none is documented`;
    const mediaType = (contentType ?? "").split(";")[0]!.trim().toLowerCase();
    const schema = response.content[mediaType]?.schema;
    if (!schema) return `${where}: content type "${mediaType}" not documented (documented: ${Object.keys(response.content).join(", ")})`;
    // A JSON media type is checked as parsed JSON; any other (an SVG image, a CSV file) as its text.
    let body: unknown = bodyText;
    if (mediaType === "application/json" || mediaType.endsWith("+json")) {
      try {
        body = JSON.parse(bodyText);
      } catch {
        return `${where}: body is not JSON: ${bodyText.slice(0, 200)}`;
      }
    }
    const validate = validator(`${method} ${template} ${status} ${mediaType}`, schema);
    if (validate(body)) return undefined;
    return `${where}: body does not match the documented schema: ${ajv.errorsText(validate.errors)}\n${bodyText.slice(0, 500)}`;
  };
}

let processChecker: ReturnType<typeof createContractChecker> | undefined;

/** Throws when a response of the API is not what the OpenAPI document says it can be. */
export async function assertDocumentedResponse(method: string, url: string, res: Response): Promise<void> {
  processChecker ??= createContractChecker(buildOpenApi(routes) as OpenApiDocument);
  const problem = processChecker(method, new URL(url).pathname, res.status, res.headers.get("content-type"), await res.clone().text());
  if (problem) throw new Error(`Response outside the OpenAPI document: ${problem}`);
}
