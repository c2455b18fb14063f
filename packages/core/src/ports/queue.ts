// A message queue as the domain sees it: SQS in AWS, pg-boss locally (functions/lib, local/queue).
export interface QueueMessage {
  body: string;
  /** Becomes SQS message attributes (e.g. the provider event id and type, for logs). */
  attributes?: Record<string, string>;
}

export interface Queue {
  send(message: QueueMessage): Promise<void>;
}
