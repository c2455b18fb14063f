// The whole schema as one Kysely `Database` interface, assembled from each domain's table file.
import type { CategoriesTable, EventCategoriesTable, EventStatusHistoryTable, EventsTable, VenuesTable } from "../events/events.table";
import type { IdempotencyKeysTable } from "../idempotency/idempotency.table";
import type { OutboxTable } from "../mail/outbox.table";
import type { JobRunsTable, PaymentHealthSnapshotsTable } from "../jobs/jobs.table";
import type {
  OrdersTable,
  PaymentAuditLogTable,
  PaymentFailuresTable,
  PaymentsTable,
  PaymentTransactionsArchiveTable,
  PaymentTransactionsTable,
  ProviderTasksTable,
  RefundsTable,
} from "../payments/payments.table";
import type {
  CheckInsTable,
  ParticipationHistoryArchiveTable,
  ParticipationHistoryTable,
  ParticipationsTable,
  PromoCodesTable,
  TicketTypesTable,
} from "../ticketing/ticketing.table";
import type { EventStaffTable, TicketsTable } from "../tickets/tickets.table";
import type { UsersTable } from "../users/users.table";
import type { WebhookEventsTable } from "../webhooks/webhooks.table";

export interface Database {
  users: UsersTable;

  venues: VenuesTable;
  categories: CategoriesTable;
  events: EventsTable;
  eventCategories: EventCategoriesTable;
  eventStatusHistory: EventStatusHistoryTable;

  ticketTypes: TicketTypesTable;
  promoCodes: PromoCodesTable;
  participations: ParticipationsTable;
  participationHistory: ParticipationHistoryTable;
  participationHistoryArchive: ParticipationHistoryArchiveTable;
  checkIns: CheckInsTable;
  tickets: TicketsTable;
  eventStaff: EventStaffTable;

  orders: OrdersTable;
  payments: PaymentsTable;
  refunds: RefundsTable;
  paymentTransactions: PaymentTransactionsTable;
  paymentTransactionsArchive: PaymentTransactionsArchiveTable;
  paymentFailures: PaymentFailuresTable;
  paymentAuditLog: PaymentAuditLogTable;
  providerTasks: ProviderTasksTable;

  webhookEvents: WebhookEventsTable;
  idempotencyKeys: IdempotencyKeysTable;

  outbox: OutboxTable;

  jobRuns: JobRunsTable;
  paymentHealthSnapshots: PaymentHealthSnapshotsTable;
}
