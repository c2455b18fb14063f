// Turns pg-boss jobs into the SQS records Lambda's event source mapping hands a consumer, so the
// same handler module runs locally and in AWS (attributes, md5s and ARNs as SQS writes them).
import { createHash, randomBytes } from "node:crypto";
import type { SQSMessageAttributes, SQSRecord } from "aws-lambda";

/** What the local queue stores per message (pg-boss job data). */
export interface MessageData {
  /** Also the pg-boss job id: kept in the data so a dead letter still names its message. */
  id: string;
  body: string;
  attributes: Record<string, string>;
  /** Epoch milliseconds of the send. */
  sentAt: number;
}

export interface Receipt {
  data: MessageData;
  /** 1 on the first delivery, like ApproximateReceiveCount. */
  receiveCount: number;
  firstReceivedAt: number;
}

const md5 = (data: Buffer | string) => createHash("md5").update(data).digest("hex");

// SQS's digest of message attributes: per attribute, sorted by name, length-prefixed name, data
// type and value with a transport byte (1 = string). Consumers that check it get the same answer.
function md5OfAttributes(attributes: Record<string, string>): string | undefined {
  const names = Object.keys(attributes).sort();
  if (names.length === 0) return undefined;
  const parts: Buffer[] = [];
  const field = (value: string) => {
    const bytes = Buffer.from(value, "utf8");
    const length = Buffer.alloc(4);
    length.writeUInt32BE(bytes.length);
    parts.push(length, bytes);
  };
  for (const name of names) {
    field(name);
    field("String");
    parts.push(Buffer.from([1]));
    field(attributes[name] ?? "");
  }
  return md5(Buffer.concat(parts));
}

export function toSqsRecord(receipt: Receipt, queueName: string, region: string): SQSRecord {
  const { data } = receipt;
  const messageAttributes: SQSMessageAttributes = {};
  for (const [name, value] of Object.entries(data.attributes)) {
    messageAttributes[name] = { stringValue: value, stringListValues: [], binaryListValues: [], dataType: "String" };
  }
  const attributesMd5 = md5OfAttributes(data.attributes);
  return {
    messageId: data.id,
    // A fresh handle per receive, as SQS issues one.
    receiptHandle: Buffer.from(`${data.id}:${receipt.receiveCount}:${randomBytes(8).toString("hex")}`).toString("base64"),
    body: data.body,
    attributes: {
      ApproximateReceiveCount: String(receipt.receiveCount),
      SentTimestamp: String(data.sentAt),
      SenderId: "LOCAL",
      ApproximateFirstReceiveTimestamp: String(receipt.firstReceivedAt),
    },
    messageAttributes,
    md5OfBody: md5(data.body),
    ...(attributesMd5 ? { md5OfMessageAttributes: attributesMd5 } : {}),
    eventSource: "aws:sqs",
    eventSourceARN: `arn:aws:sqs:${region}:000000000000:${queueName}`,
    awsRegion: region,
  };
}
