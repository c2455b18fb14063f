// The mail provider as the domain sees it: SES in AWS (functions/lib/ses-mailer.ts), the mail sink locally.
export interface OutgoingMail {
  /** The outbox id: a provider that honours a dedupe key delivers one message per id. */
  id: string;
  to: string;
  subject: string;
  text: string;
  html: string;
  kind: string;
  refs: { eventId?: string; participationId?: string; orderId?: string; refundId?: string };
}

export interface Mailer {
  /**
   * True when a second send with the same `id` delivers nothing new (the local sink). SES has no
   * such key: the sender counts a resend after an unrecorded attempt as a possible duplicate.
   */
  readonly dedupesById: boolean;
  send(mail: OutgoingMail): Promise<{ providerMessageId: string }>;
}
