// The Mail stack: SES identity from configuration, a send-only grant on it for the sender alone,
// the sender's queue with a DLQ and partial batch failures, its alarms, and MAIL_QUEUE_URL + send
// rights for every function whose manifest entry names "mail-queue".
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { consumers } from "@evently/functions/consumers";
import { handlerPath } from "@evently/functions/manifest";
import { routes } from "@evently/functions/routes";
import { schedules } from "@evently/functions/schedules";
import { MAIL_MAX_RECEIVE_COUNT, MAIL_SENDER, MAIL_VISIBILITY_SECONDS, mailConfig } from "../../infra/mail";
import { actionsOf, address, functionsByHandler, resourcesIn, resourcesOf, statementsByRole, target, type AlarmProps } from "./cfn";
import { synthesize, type Synthesized } from "./synth";

let synth: Synthesized;
beforeAll(async () => {
  process.env.MAIL_FROM = "tickets@mail.evently.test";
  synth = await synthesize();
});
afterAll(() => {
  delete process.env.MAIL_FROM;
});

const SENDER = handlerPath(MAIL_SENDER.handler);

describe("Mail stack", () => {
  it("verifies the configured domain as the SES identity and hands the sender its From address", () => {
    const [identity] = resourcesOf<{ EmailIdentity: string }>(synth, "AWS::SES::EmailIdentity", "Mail");
    expect(identity!.props.EmailIdentity).toBe("mail.evently.test");
    const sender = functionsByHandler(synth).get(SENDER)!;
    expect(sender.props.Environment?.Variables).toMatchObject({ MAIL_FROM: "tickets@mail.evently.test" });
    // order_confirmed signs its tickets' codes at send time.
    expect(sender.props.Environment?.Variables).toHaveProperty("TICKET_KEY_SECRET_ARN");
    expect(sender.props.Timeout).toBe(MAIL_SENDER.timeoutSeconds);
  });

  it("only the sender may send mail, and only ses:SendEmail on that identity", () => {
    const sender = functionsByHandler(synth).get(SENDER)!;
    const senderRole = target(synth, sender.stack, sender.props.Role);
    const sesStatements = statementsByRole(synth).filter((s) => actionsOf(s.statement).some((a) => a.startsWith("ses:")));
    expect(sesStatements).toHaveLength(1);
    expect(actionsOf(sesStatements[0]!.statement)).toEqual(["ses:SendEmail"]);
    expect(sesStatements[0]!.roles).toEqual([senderRole]);
    expect(JSON.stringify(resourcesIn(sesStatements[0]!.statement))).toContain(":identity/");
  });

  it("the queue dead-letters after five receives, hides messages for six sender timeouts, and the sender reports batch item failures", () => {
    const queues = resourcesOf<{ VisibilityTimeout?: number; RedrivePolicy?: { maxReceiveCount: number } }>(
      synth,
      "AWS::SQS::Queue",
      "Mail",
    );
    expect(queues).toHaveLength(2);
    const queue = queues.find((q) => q.props.RedrivePolicy)!;
    expect(queue.props).toMatchObject({
      VisibilityTimeout: MAIL_VISIBILITY_SECONDS,
      RedrivePolicy: { maxReceiveCount: MAIL_MAX_RECEIVE_COUNT },
    });
    const [mapping] = resourcesOf<{ FunctionResponseTypes?: string[]; FunctionName: unknown; EventSourceArn: unknown }>(
      synth,
      "AWS::Lambda::EventSourceMapping",
      "Mail",
    );
    expect(mapping!.props.FunctionResponseTypes).toEqual(["ReportBatchItemFailures"]);
    expect(target(synth, "Mail", mapping!.props.EventSourceArn)).toBe(address(queue));
  });

  it("alarms on dead letters, mail that failed for good, and bursts of possible duplicates", () => {
    const names = resourcesOf<AlarmProps>(synth, "AWS::CloudWatch::Alarm", "Mail").map((a) => a.props.AlarmName);
    expect(names.some((n) => n.includes("mail-dead-letter-queue"))).toBe(true);
    expect(names.some((n) => n.includes("MailFailed"))).toBe(true);
    expect(names.some((n) => n.includes("MailPossibleDuplicate"))).toBe(true);
  });

  it("every route, job and queue consumer naming mail-queue gets MAIL_QUEUE_URL and sqs:SendMessage on the mail queue", () => {
    const functions = functionsByHandler(synth);
    const [queue] = resourcesOf(synth, "AWS::SQS::Queue", "Mail").filter((q) => (q.props as { RedrivePolicy?: unknown }).RedrivePolicy);
    const entries = [...routes, ...schedules, ...consumers].filter((e) => e.resources.includes("mail-queue"));
    // The payment consumers write receipts and refund mail: without the queue it waits for the relay.
    expect(consumers.filter((c) => c.resources.includes("mail-queue")).map((c) => c.handler)).toEqual([
      "queue/webhook-processor",
      "queue/provider-tasks",
    ]);
    expect(entries.length).toBeGreaterThan(5);
    const senders = new Set(
      statementsByRole(synth)
        .filter(
          (s) =>
            actionsOf(s.statement).includes("sqs:SendMessage") &&
            resourcesIn(s.statement).some((r) => target(synth, s.source.split("/")[0] as never, r) === address(queue!)),
        )
        .flatMap((s) => s.roles),
    );
    for (const e of entries) {
      const fn = functions.get(handlerPath(e.handler))!;
      expect(fn.props.Environment?.Variables, e.handler).toHaveProperty("MAIL_QUEUE_URL");
      expect(senders.has(target(synth, fn.stack, fn.props.Role)!), e.handler).toBe(true);
    }
  });

  it("the prod stage refuses to synthesize without MAIL_FROM", () => {
    const saved = process.env.MAIL_FROM;
    delete process.env.MAIL_FROM;
    try {
      expect(() => mailConfig("prod")).toThrow("MAIL_FROM");
      expect(mailConfig("dev").from).toContain("@dev.");
    } finally {
      process.env.MAIL_FROM = saved;
    }
  });
});
