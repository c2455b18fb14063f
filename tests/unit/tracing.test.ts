// Tracer is wired into every kind of handler stack (HTTP route, webhook consumer, job), and the
// AWS SDK clients the functions make (SQS, Secrets Manager) are captured by it.
import { GetSecretValueCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { SendMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import { mockClient } from "aws-sdk-client-mock";
import { afterEach, describe, expect, it, vi } from "vitest";
import { health } from "@evently/functions/api/system";
import { http } from "@evently/functions/lib/http";
import { job } from "@evently/functions/lib/job";
import { createSqsQueue } from "@evently/functions/lib/sqs-queue";
import { tracer } from "@evently/functions/lib/tracing";
import { createProcessor } from "@evently/functions/queue/webhook-batch";
import { lambdaContext } from "@evently/local/server/apigw-event";

afterEach(() => vi.restoreAllMocks());

/** captureLambdaHandler asks the tracer first thing on every invocation. */
async function traced(invoke: () => Promise<unknown>) {
  const asked = vi.spyOn(tracer, "isTracingEnabled");
  await invoke().catch(() => undefined);
  return asked.mock.calls.length > 0;
}

describe("Tracer", () => {
  it("wraps the HTTP stack, the webhook consumer and jobs", async () => {
    vi.stubEnv("AWS_LAMBDA_FUNCTION_NAME", "evently-prod-fn");
    const route = http(health, async () => ({ status: "ok" }));
    const event = {
      version: "2.0",
      rawPath: "/health",
      headers: {},
      requestContext: { requestId: "r", http: { method: "GET" } },
      isBase64Encoded: false,
    };
    expect(await traced(() => route(event as never, lambdaContext("health")))).toBe(true);
    expect(await traced(() => createProcessor(async () => [])({ Records: [] }, lambdaContext("consumer")))).toBe(true);
    expect(await traced(() => job("expire-holds", async () => ({}))(undefined, lambdaContext("job")))).toBe(true);
    vi.unstubAllEnvs();
  });

  it("is not consulted outside Lambda or with tracing switched off", async () => {
    const route = http(health, async () => ({ status: "ok" }));
    const event = { version: "2.0", rawPath: "/health", headers: {}, requestContext: { requestId: "r", http: { method: "GET" } } };
    expect(await traced(() => route(event as never, lambdaContext("health")))).toBe(false);
    vi.stubEnv("AWS_LAMBDA_FUNCTION_NAME", "evently-prod-fn");
    vi.stubEnv("POWERTOOLS_TRACE_ENABLED", "false");
    expect(await traced(() => route(event as never, lambdaContext("health")))).toBe(false);
    vi.unstubAllEnvs();
  });

  it("captures the SQS client the webhook ingest sends with", async () => {
    const capture = vi.spyOn(tracer, "captureAWSv3Client");
    const sqs = mockClient(SQSClient);
    sqs.on(SendMessageCommand).resolves({ MessageId: "m1" });
    await createSqsQueue("https://sqs.eu-west-1.amazonaws.com/123456789012/q").send({ body: "{}" });
    expect(capture).toHaveBeenCalledWith(expect.any(SQSClient));
    expect(sqs.commandCalls(SendMessageCommand)).toHaveLength(1);
    sqs.restore();
  });

  it("captures the Secrets Manager client that reads secrets by ARN in Lambda", async () => {
    const arn = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:evently/prod/blind-index-key-AbCdEf";
    vi.stubEnv("AWS_LAMBDA_FUNCTION_NAME", "evently-prod-fn");
    vi.stubEnv("BLIND_INDEX_KEY_SECRET_ARN", arn);
    vi.resetModules();
    const tracing = await import("@evently/functions/lib/tracing");
    const capture = vi.spyOn(tracing.tracer, "captureAWSv3Client");
    const sm = mockClient(SecretsManagerClient);
    sm.on(GetSecretValueCommand, { SecretId: arn }).resolves({ SecretString: "from-secrets-manager" });
    const { getSecretValue } = await import("@evently/functions/lib/secrets");
    expect(await getSecretValue("blind-index-key")).toBe("from-secrets-manager");
    expect(capture).toHaveBeenCalledWith(expect.any(SecretsManagerClient));
    sm.restore();
    vi.unstubAllEnvs();
    vi.resetModules();
  });
});
