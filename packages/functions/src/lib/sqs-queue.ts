// The Queue port over Amazon SQS: what the webhook ingest uses in AWS (WEBHOOK_QUEUE_URL).
import { SendMessageCommand, SQSClient, type MessageAttributeValue } from "@aws-sdk/client-sqs";
import type { Queue, QueueMessage } from "@evently/core/ports/queue";
import { traced } from "./tracing";

export function toAttributes(attributes: QueueMessage["attributes"]): Record<string, MessageAttributeValue> | undefined {
  const entries = Object.entries(attributes ?? {}).filter(([, value]) => value !== "");
  // SQS rejects a String attribute with an empty value, and an empty map is the same as none.
  if (entries.length === 0) return undefined;
  return Object.fromEntries(entries.map(([name, value]) => [name, { DataType: "String", StringValue: value }]));
}

/** Sends each message with its attributes; an SQS error propagates so the caller never answers 2xx. */
export function createSqsQueue(queueUrl: string, client: SQSClient = traced(new SQSClient({}))): Queue {
  return {
    async send(message) {
      const attributes = toAttributes(message.attributes);
      await client.send(
        new SendMessageCommand({
          QueueUrl: queueUrl,
          MessageBody: message.body,
          ...(attributes ? { MessageAttributes: attributes } : {}),
        }),
      );
    },
  };
}
