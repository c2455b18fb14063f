// Mail to every live participant of an event in one statement (event changes, reminders): a
// 10,000-seat event writes its messages without 10,000 round trips.
import { sql, type RawBuilder } from "kysely";
import { afterCommit, inTransaction, type Trx } from "../db/transaction";
import { dispatchMail } from "./outbox";
import type { MailKind } from "./outbox.table";

const iso = (column: RawBuilder<unknown>) => sql`to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

export interface BulkMail {
  kind: MailKind;
  /** Which participations: a condition on `p` (participations) and `e` (events). */
  where: RawBuilder<boolean>;
  /** Appended to `<kind>:<participation id>:` to name the cause. */
  causeSuffix: RawBuilder<unknown>;
  /** Extra payload members (jsonb). */
  extra?: RawBuilder<unknown>;
  limit?: number;
}

/** Writes one message per matching participation whose cause has none yet; returns how many. */
export async function enqueueForParticipants(trx: Trx, mail: BulkMail): Promise<number> {
  const { rows } = await sql<{ id: string }>`
    INSERT INTO outbox (kind, recipient, recipient_user_id, payload, dedupe_key, event_id, participation_id)
    SELECT ${mail.kind}, u.email, u.id,
      jsonb_build_object(
        'event', jsonb_build_object('id', e.id, 'title', e.title, 'startsAt', ${iso(sql`e.starts_at`)}, 'endsAt', ${iso(sql`e.ends_at`)},
          'timezone', e.timezone, 'location', e.location),
        'participation', jsonb_build_object('id', p.id, 'kind', p.kind, 'status', p.status, 'quantity', p.quantity,
          'holdExpiresAt', ${iso(sql`p.hold_expires_at`)})
      ) || ${mail.extra ?? sql`'{}'::jsonb`},
      ${mail.kind} || ':' || p.id || ':' || ${mail.causeSuffix}, e.id, p.id
    FROM participations p
    JOIN events e ON e.id = p.event_id
    JOIN users u ON u.id = p.user_id
    WHERE u.email IS NOT NULL AND ${mail.where}
      AND NOT EXISTS (SELECT 1 FROM outbox o WHERE o.dedupe_key = ${mail.kind} || ':' || p.id || ':' || ${mail.causeSuffix})
    ORDER BY p.created_at, p.id
    ${mail.limit ? sql`LIMIT ${mail.limit}` : sql``}
    ON CONFLICT (dedupe_key) DO NOTHING
    RETURNING id`.execute(trx);
  const ids = rows.map((r) => r.id);
  if (ids.length > 0 && inTransaction()) await afterCommit(() => dispatchMail(ids));
  return ids.length;
}
