import type { Sql } from './client.js';

export interface Migration {
  readonly version: number;
  readonly name: string;
  readonly sql: string;
}

/**
 * Schema migrations, applied in order at start. Never edit a released one:
 * append a new version. Times are ms since the epoch (bigint); message ids
 * are snowflakes stored as signed bigint (see message-id.ts).
 */
export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'initial schema',
    sql: `
    CREATE TABLE users (
      id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, -- a sequence: ids are never reused
      username      text COLLATE "C" NOT NULL UNIQUE,                -- byte order: case-sensitive
      password_hash text NOT NULL,
      created_at    bigint NOT NULL
    );

    CREATE TABLE devices (
      user_id   bigint NOT NULL REFERENCES users (id),
      device_id text NOT NULL,
      platform  text NOT NULL,
      last_seen bigint NOT NULL,
      PRIMARY KEY (user_id, device_id)
    );

    CREATE TABLE sessions (
      id                 text PRIMARY KEY,
      user_id            bigint NOT NULL REFERENCES users (id),
      device_id          text NOT NULL,
      platform           text NOT NULL,
      refresh_hash       text NOT NULL,
      refresh_expires_at bigint NOT NULL,
      created_at         bigint NOT NULL,
      revoked            boolean NOT NULL DEFAULT false
    );
    CREATE INDEX sessions_by_device ON sessions (user_id, device_id);

    CREATE TABLE conversations (
      id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      kind            text NOT NULL CHECK (kind IN ('direct', 'group')),
      created_at      bigint NOT NULL,
      last_seq        bigint NOT NULL DEFAULT 0,
      last_message_id bigint,
      updated_at      bigint NOT NULL,
      member_count    integer NOT NULL DEFAULT 0,
      large           boolean NOT NULL DEFAULT false
    );

    CREATE TABLE direct_pairs (
      user_lo         bigint NOT NULL,
      user_hi         bigint NOT NULL,
      conversation_id bigint NOT NULL UNIQUE REFERENCES conversations (id),
      PRIMARY KEY (user_lo, user_hi)
    );

    CREATE TABLE groups (
      conversation_id bigint PRIMARY KEY REFERENCES conversations (id),
      name            text NOT NULL,
      avatar_url      text NOT NULL,
      announcement    text NOT NULL,
      owner_id        bigint NOT NULL,
      join_policy     text NOT NULL,
      muted_all       boolean NOT NULL DEFAULT false,
      dissolved       boolean NOT NULL DEFAULT false
    );

    CREATE TABLE members (
      conversation_id bigint NOT NULL REFERENCES conversations (id),
      user_id         bigint NOT NULL REFERENCES users (id),
      role            text NOT NULL,
      read_seq        bigint NOT NULL DEFAULT 0,
      first_seq       bigint NOT NULL DEFAULT 1,
      joined_at       bigint NOT NULL,
      muted_until     bigint NOT NULL DEFAULT 0,
      dnd             boolean NOT NULL DEFAULT false,
      PRIMARY KEY (conversation_id, user_id)
    );
    CREATE INDEX members_by_user ON members (user_id, conversation_id);

    -- (conversation_id, seq) is the key: a stale owner's write of a taken seq
    -- fails with a unique violation (SeqConflictError).
    CREATE TABLE messages (
      conversation_id bigint NOT NULL REFERENCES conversations (id),
      seq             bigint NOT NULL,
      id              bigint NOT NULL,
      sender_id       bigint NOT NULL,
      client_msg_id   text NOT NULL,
      server_time     bigint NOT NULL,
      content         bytea NOT NULL,
      mentions        bigint[] NOT NULL DEFAULT '{}',
      mention_all     boolean NOT NULL DEFAULT false,
      visible_to      bigint[] NOT NULL DEFAULT '{}', -- empty: everyone
      CONSTRAINT messages_pkey PRIMARY KEY (conversation_id, seq),
      CONSTRAINT messages_id_key UNIQUE (id),
      CONSTRAINT messages_client_msg_id_key UNIQUE (sender_id, client_msg_id)
    );

    -- A user's sync timeline. No foreign keys: rows are written in the same
    -- statement as their message, and the checks would cost the fan-out path.
    CREATE TABLE timeline (
      user_id         bigint NOT NULL,
      sync_seq        bigint NOT NULL,
      conversation_id bigint NOT NULL,
      seq             bigint NOT NULL,
      PRIMARY KEY (user_id, sync_seq)
    );

    -- The last sync seq handed out per user. Appends allocate by UPDATE ...
    -- RETURNING on this row: its lock, held to commit, makes commit order
    -- equal sync seq order per user, across every node. Trimming the timeline
    -- leaves it alone, so no sync seq is issued twice.
    CREATE TABLE user_heads (
      user_id  bigint PRIMARY KEY,
      sync_seq bigint NOT NULL
    );

    -- user_id 0 means @all (every member except sender_id).
    CREATE TABLE mentions (
      conversation_id bigint NOT NULL,
      user_id         bigint NOT NULL,
      seq             bigint NOT NULL,
      sender_id       bigint NOT NULL,
      PRIMARY KEY (conversation_id, user_id, seq)
    );

    CREATE TABLE join_requests (
      conversation_id bigint NOT NULL REFERENCES conversations (id),
      user_id         bigint NOT NULL REFERENCES users (id),
      requested_at    bigint NOT NULL,
      PRIMARY KEY (conversation_id, user_id)
    );

    CREATE TABLE id_blocks (
      name    text PRIMARY KEY,
      next_id bigint NOT NULL
    );

    CREATE TABLE node_leases (
      node_number integer PRIMARY KEY,
      holder      text NOT NULL,
      expires_at  bigint NOT NULL
    );
    `,
  },
  {
    version: 2,
    name: 'live rooms',
    // Issue #7. Only durable room state: the room, its reliable messages and
    // the host's restrictions (audiences live in gateway memory; ordinary
    // messages are never stored). Same shape as the SQLite schema
    // (sqlite/migration-rooms.ts). Room ids are chosen by clients and compared
    // byte for byte (COLLATE "C"). No foreign keys to users: rooms must not
    // block anything that happens to users.
    sql: `
    -- last_seq is the room's seq allocator: an append locks this row, so
    -- seqs stay 1, 2, 3, ... in commit order across every node.
    CREATE TABLE rooms (
      id         text COLLATE "C" PRIMARY KEY,
      host_id    bigint NOT NULL,
      created_at bigint NOT NULL,
      last_seq   bigint NOT NULL DEFAULT 0,
      pinned_seq bigint NOT NULL DEFAULT 0,
      closed     boolean NOT NULL DEFAULT false
    );

    -- Keyed by (room, seq) so range reads are one index walk. id is the
    -- snowflake stored as signed bigint (see message-id.ts).
    CREATE TABLE room_messages (
      room_id       text COLLATE "C" NOT NULL REFERENCES rooms (id),
      seq           bigint NOT NULL,
      id            bigint NOT NULL,
      sender_id     bigint NOT NULL,
      client_msg_id text NOT NULL,
      server_time   bigint NOT NULL,
      content       bytea NOT NULL,
      PRIMARY KEY (room_id, seq)
    );
    -- Dedupe of retried reliable sends; empty client ids are never deduplicated.
    CREATE UNIQUE INDEX room_messages_by_client_msg_id ON room_messages (room_id, sender_id, client_msg_id) WHERE client_msg_id <> '';

    CREATE TABLE room_restrictions (
      room_id text COLLATE "C" NOT NULL REFERENCES rooms (id),
      user_id bigint NOT NULL,
      kind    text NOT NULL CHECK (kind IN ('mute', 'kick')),
      until   bigint NOT NULL, -- ms since the epoch; 0 = for the life of the room
      PRIMARY KEY (room_id, user_id, kind)
    );
    `,
  },
  {
    version: 3,
    name: 'webhook outbox',
    // Issue 16: webhook events wait here until the receiver acknowledged
    // them (see webhook-outbox.ts). One row per lane holds the delivery
    // lease and the retry state of the lane's head.
    sql: `
    CREATE TABLE webhook_events (
      position   bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      lane       integer NOT NULL,
      id         text NOT NULL,
      type       text NOT NULL,
      order_key  text NOT NULL,
      json       text NOT NULL,
      created_at bigint NOT NULL
    );
    CREATE INDEX webhook_events_by_lane ON webhook_events (lane, position);
    CREATE TABLE webhook_lanes (
      lane            integer PRIMARY KEY,
      holder          text NOT NULL DEFAULT '',
      lease_until     bigint NOT NULL DEFAULT 0,
      claimed_at      timestamptz NOT NULL DEFAULT '-infinity',
      attempts        integer NOT NULL DEFAULT 0,
      next_attempt_at bigint NOT NULL DEFAULT 0,
      last_error      text NOT NULL DEFAULT ''
    );
    INSERT INTO webhook_lanes (lane) SELECT generate_series(0, 31); -- WEBHOOK_LANES = 32, fixed
    `,
  },
  {
    version: 4,
    name: 'profiles, privacy and relationships',
    // Issue #15. Same shape as the SQLite schema (sqlite/migration-social.ts).
    sql: `
    CREATE TABLE profiles (
      user_id             bigint PRIMARY KEY REFERENCES users (id),
      display_name        text NOT NULL,
      avatar_url          text NOT NULL,
      bio                 text NOT NULL,
      message_from        text NOT NULL,
      group_invite_from   text NOT NULL,
      presence_to         text NOT NULL,
      friend_request_from text NOT NULL,
      updated_at          bigint NOT NULL
    );
    CREATE TABLE relations (
      owner_id   bigint NOT NULL REFERENCES users (id),
      peer_id    bigint NOT NULL REFERENCES users (id),
      friend     boolean NOT NULL DEFAULT false,
      following  boolean NOT NULL DEFAULT false,
      blocked    boolean NOT NULL DEFAULT false,
      remark     text NOT NULL DEFAULT '',
      updated_at bigint NOT NULL,
      PRIMARY KEY (owner_id, peer_id)
    );
    CREATE INDEX relations_inbound ON relations (peer_id) WHERE following OR friend;
    CREATE TABLE friend_requests (
      id         text COLLATE "C" PRIMARY KEY,
      from_id    bigint NOT NULL REFERENCES users (id),
      to_id      bigint NOT NULL REFERENCES users (id),
      note       text NOT NULL,
      status     text NOT NULL,
      created_at bigint NOT NULL,
      expires_at bigint NOT NULL,
      updated_at bigint NOT NULL
    );
    -- At most one pending request per (sender, recipient): the insert guard.
    CREATE UNIQUE INDEX friend_requests_pending ON friend_requests (from_id, to_id) WHERE status = 'pending';
    CREATE INDEX friend_requests_to ON friend_requests (to_id) WHERE status = 'pending';
    -- head is the feed's seq allocator: a commit locks the row, so seqs are
    -- 1, 2, 3, ... in commit order across nodes.
    CREATE TABLE relation_feed_heads (
      user_id bigint PRIMARY KEY,
      head    bigint NOT NULL
    );
    CREATE TABLE relation_feed (
      user_id bigint NOT NULL,
      seq     bigint NOT NULL,
      at      bigint NOT NULL,
      kind    text NOT NULL,
      key     text NOT NULL,
      PRIMARY KEY (user_id, seq)
    );
    `,
  },
  {
    version: 5,
    name: 'moderation',
    // Issue #15. Same shape as the SQLite schema (sqlite/migration-moderation.ts).
    sql: `
    CREATE TABLE reports (
      id              text COLLATE "C" PRIMARY KEY,
      message_id      text NOT NULL,
      conversation_id bigint NOT NULL,
      sender_id       bigint NOT NULL,
      reporter_id     bigint NOT NULL,
      reason          text NOT NULL,
      excerpt         text NOT NULL,
      status          text NOT NULL,
      created_at      bigint NOT NULL,
      resolved_by     bigint NOT NULL DEFAULT 0,
      resolution      text NOT NULL DEFAULT '',
      resolved_at     bigint NOT NULL DEFAULT 0
    );
    CREATE INDEX reports_by_status ON reports (status, created_at);
    CREATE TABLE restrictions (
      user_id     bigint PRIMARY KEY,
      muted_until bigint NOT NULL,
      banned      boolean NOT NULL,
      updated_at  bigint NOT NULL
    );
    -- One row: the audit seq allocator (gapless, commit-ordered under its row lock).
    CREATE TABLE moderation_audit_head (head bigint NOT NULL);
    INSERT INTO moderation_audit_head VALUES (0);
    CREATE TABLE moderation_audit (
      seq            bigint PRIMARY KEY,
      at             bigint NOT NULL,
      actor_id       bigint NOT NULL,
      action         text NOT NULL,
      target_user_id bigint NOT NULL,
      report_id      text NOT NULL,
      detail         text NOT NULL
    );
    `,
  },
  {
    version: 6,
    name: 'media catalog',
    // Issue #13: uploaded media and the conversations it was sent in; the
    // bytes are in the MediaStore (S3 in a cluster), keyed by sha256.
    sql: `
    CREATE TABLE media (
      id          text COLLATE "C" PRIMARY KEY,
      owner_id    bigint NOT NULL,
      sha256      text NOT NULL,
      size        bigint NOT NULL,
      mime_type   text NOT NULL,
      kind        text NOT NULL CHECK (kind IN ('image', 'video', 'audio', 'file')),
      name        text NOT NULL,
      width       integer NOT NULL,
      height      integer NOT NULL,
      duration_ms bigint NOT NULL,
      placeholder bytea NOT NULL,
      variants    text NOT NULL,
      created_at  bigint NOT NULL,
      referenced  boolean NOT NULL DEFAULT false
    );
    CREATE INDEX media_by_sha256 ON media (sha256);
    CREATE INDEX media_by_owner ON media (owner_id);
    CREATE INDEX media_unreferenced ON media (created_at) WHERE NOT referenced;

    CREATE TABLE media_refs (
      media_id        text COLLATE "C" NOT NULL REFERENCES media (id) ON DELETE CASCADE,
      conversation_id bigint NOT NULL,
      created_at      bigint NOT NULL,
      PRIMARY KEY (media_id, conversation_id)
    );
    `,
  },
  {
    version: 7,
    name: 'push tokens',
    // Issue 16: where offline devices get notifications. A token belongs to
    // one (user, device) at a time (the unique index), so a phone that
    // changes accounts stops getting the old account's notifications.
    sql: `
    CREATE TABLE push_tokens (
      user_id    bigint NOT NULL,
      device_id  text NOT NULL,
      provider   text NOT NULL,
      token      text NOT NULL,
      preview    boolean NOT NULL,
      updated_at bigint NOT NULL,
      PRIMARY KEY (user_id, device_id)
    );
    CREATE UNIQUE INDEX push_tokens_by_token ON push_tokens (provider, token);
    `,
  },
  {
    version: 8,
    name: 'user event log',
    // Issue 16 (seed 004): login, logout, connection open and close per user
    // and device, pruned after the retention period (eventLogRetentionDays).
    sql: `
    CREATE TABLE user_events (
      id        bigserial PRIMARY KEY,
      user_id   bigint NOT NULL,
      device_id text NOT NULL,
      type      text NOT NULL,
      at        bigint NOT NULL,
      platform  text NOT NULL,
      ip        text NOT NULL,
      node_id   text NOT NULL,
      detail    text NOT NULL
    );
    CREATE INDEX user_events_by_user ON user_events (user_id, id);
    CREATE INDEX user_events_by_time ON user_events (at);
    `,
  },
  {
    version: 9,
    name: 'customer service and item conversations',
    // Issue #15. Same shape as the SQLite schema (sqlite/migration-commerce.ts).
    sql: `
    CREATE TABLE shops (
      id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      name       text NOT NULL,
      admin_id   bigint NOT NULL REFERENCES users (id),
      skills     text NOT NULL, -- JSON array
      version    bigint NOT NULL DEFAULT 0,
      created_at bigint NOT NULL
    );
    CREATE TABLE shop_agents (
      shop_id   bigint NOT NULL REFERENCES shops (id),
      user_id   bigint NOT NULL REFERENCES users (id),
      skills    text NOT NULL, -- JSON array
      capacity  integer NOT NULL,
      available boolean NOT NULL DEFAULT false,
      PRIMARY KEY (shop_id, user_id)
    );
    CREATE INDEX shop_agents_by_user ON shop_agents (user_id);
    CREATE TABLE service_conversations (
      conversation_id bigint PRIMARY KEY REFERENCES conversations (id),
      shop_id         bigint NOT NULL REFERENCES shops (id),
      customer_id     bigint NOT NULL REFERENCES users (id),
      status          text NOT NULL,
      agent_id        bigint NOT NULL DEFAULT 0,
      last_agent_id   bigint NOT NULL DEFAULT 0,
      skip_agent_id   bigint NOT NULL DEFAULT 0,
      skill           text NOT NULL DEFAULT '',
      item_id         text NOT NULL DEFAULT '',
      order_id        text NOT NULL DEFAULT '',
      session         integer NOT NULL DEFAULT 0,
      opened_at       bigint NOT NULL,
      queued_at       bigint NOT NULL DEFAULT 0,
      assigned_at     bigint NOT NULL DEFAULT 0,
      assigned_seq    bigint NOT NULL DEFAULT 0,
      answered        boolean NOT NULL DEFAULT false,
      closed_at       bigint NOT NULL DEFAULT 0,
      rating          integer NOT NULL DEFAULT 0,
      rating_comment  text NOT NULL DEFAULT ''
    );
    CREATE UNIQUE INDEX service_by_customer ON service_conversations (shop_id, customer_id);
    CREATE INDEX service_open ON service_conversations (shop_id, queued_at) WHERE status <> 'closed';
    CREATE TABLE item_conversations (
      conversation_id bigint PRIMARY KEY REFERENCES conversations (id),
      buyer_id        bigint NOT NULL REFERENCES users (id),
      seller_id       bigint NOT NULL REFERENCES users (id),
      item_id         text NOT NULL,
      title           text NOT NULL,
      price           text NOT NULL,
      currency        text NOT NULL,
      image_url       text NOT NULL,
      media_id        text NOT NULL,
      link            text NOT NULL,
      created_at      bigint NOT NULL
    );
    CREATE UNIQUE INDEX item_conversations_key ON item_conversations (buyer_id, seller_id, item_id);
    CREATE INDEX item_conversations_seller ON item_conversations (seller_id);
    `,
  },
  {
    version: 10,
    name: 'timed bans',
    // `xinbox user ban --minutes N`: when a ban ends; 0 = until unbanned.
    sql: 'ALTER TABLE restrictions ADD COLUMN banned_until bigint NOT NULL DEFAULT 0;',
  },
  {
    version: 11,
    name: 'full-text search',
    // Issue 14 (ADR 0012): message text in a table of its own,
    // written by the append statement, with a pg_trgm GIN index for
    // case-insensitive substring search (ILIKE) in any language. The
    // extension is database-wide: it lives in public (one lock for every
    // schema migrating at once) and the operator class is named with it.
    // pg_trgm extracts trigrams from characters the database's LC_CTYPE
    // calls alphanumeric: with a UTF-8 LC_CTYPE (C.UTF-8, en_US.UTF-8) CJK
    // text is indexed; under LC_CTYPE=C it is still found, by a slower scan.
    sql: `
    SELECT pg_advisory_xact_lock(hashtext('xinbox.extension:pg_trgm'));
    CREATE EXTENSION IF NOT EXISTS pg_trgm WITH SCHEMA public;
    CREATE TABLE message_search (
      id              bigint PRIMARY KEY,
      conversation_id bigint NOT NULL,
      seq             bigint NOT NULL,
      body            text NOT NULL,
      UNIQUE (conversation_id, seq)
    );
    CREATE INDEX message_search_trgm ON message_search USING gin (body public.gin_trgm_ops);
    `,
  },
  {
    // Message operations (issue #14): one row per operation event, written in
    // the append statement. Unread subtracts the rows above a member's read
    // seq; a recall finds its target's edits here to redact them.
    version: 12,
    name: 'message operations',
    sql: `
    CREATE TABLE message_ops (
      conversation_id bigint NOT NULL,
      seq             bigint NOT NULL,
      kind            text NOT NULL,
      target_seq      bigint NOT NULL,
      PRIMARY KEY (conversation_id, seq)
    );
    CREATE INDEX message_ops_target ON message_ops (conversation_id, target_seq);
    `,
  },
  {
    version: 13,
    name: 'webhook delivery log',
    // Issue 16: the admin console's webhook delivery log, one row per
    // attempt, trimmed to the newest WEBHOOK_DELIVERY_LOG_SIZE by the insert
    // (webhook-outbox.ts). The types column is ',type,type,' for one LIKE per filter.
    sql: `
    CREATE TABLE webhook_deliveries (
      seq             bigserial PRIMARY KEY,
      lane            integer NOT NULL,
      at              bigint NOT NULL,
      status          text NOT NULL,
      attempt         integer NOT NULL,
      events          text NOT NULL,
      types           text NOT NULL,
      error           text NOT NULL,
      next_attempt_at bigint NOT NULL
    );
    `,
  },
  {
    // The conversations' current pins (issue #14), kept in the append
    // statement from PinChange events: pin upserts, unpin and a recall of the
    // target delete; MessageStore.listPins pages it by pin_seq. Pins stored
    // before this migration come from message_ops: the latest pin event per
    // target decides, and a canonically encoded PinChange ends with the bytes
    // 10 01 exactly when pinned; recalled targets (first byte 0x62) are left out.
    version: 14,
    name: 'pins',
    sql: `
    CREATE TABLE pins (
      conversation_id bigint NOT NULL,
      target_seq      bigint NOT NULL,
      pin_seq         bigint NOT NULL,
      pinned_by       bigint NOT NULL,
      pinned_at       bigint NOT NULL,
      PRIMARY KEY (conversation_id, target_seq)
    );
    CREATE INDEX pins_order ON pins (conversation_id, pin_seq);
    INSERT INTO pins (conversation_id, target_seq, pin_seq, pinned_by, pinned_at)
    SELECT DISTINCT ON (o.conversation_id, o.target_seq) o.conversation_id, o.target_seq, o.seq, p.sender_id, p.server_time
    FROM message_ops o
    JOIN messages p ON p.conversation_id = o.conversation_id AND p.seq = o.seq
    WHERE o.kind = 'pin'
    ORDER BY o.conversation_id, o.target_seq, o.seq DESC;
    DELETE FROM pins x USING messages p, messages t
    WHERE p.conversation_id = x.conversation_id AND p.seq = x.pin_seq
      AND t.conversation_id = x.conversation_id AND t.seq = x.target_seq
      AND (substring(p.content FROM length(p.content) - 1) <> decode('1001', 'hex') OR substring(t.content FROM 1 FOR 1) = decode('62', 'hex'));
    `,
  },
  {
    // The search index backfill's cursor (SearchIndex.backfill): one row;
    // messages below before_id without an index row are indexed by the
    // background job, newest first. It starts above the newest message
    // stored now (later ones are indexed by the append statement). A rebuild
    // empties message_search and resets the row (docs/operations.md).
    version: 15,
    name: 'search backfill cursor',
    sql: `
    CREATE TABLE search_backfill (
      id        int PRIMARY KEY CHECK (id = 1),
      before_id bigint,
      done      boolean NOT NULL DEFAULT false
    );
    INSERT INTO search_backfill (id, before_id, done) SELECT 1, max(id) + 1, false FROM messages;
    `,
  },
  {
    // Per-user conversation settings (issue #14 item 2): pin, mute, archive,
    // mark-unread and draft; changes ride the user's relation_feed.
    version: 16,
    name: 'conversation settings',
    sql: `
    CREATE TABLE conversation_settings (
      user_id               bigint NOT NULL,
      conversation_id       bigint NOT NULL,
      pinned_at             bigint NOT NULL,
      muted                 boolean NOT NULL,
      muted_counts_in_badge boolean NOT NULL,
      archived              boolean NOT NULL,
      marked_unread         boolean NOT NULL,
      draft                 text NOT NULL,
      draft_at              bigint NOT NULL,
      updated_at            bigint NOT NULL,
      PRIMARY KEY (user_id, conversation_id)
    );
    CREATE TABLE hidden_messages (
      user_id         bigint NOT NULL,
      conversation_id bigint NOT NULL,
      seq             bigint NOT NULL,
      PRIMARY KEY (user_id, conversation_id, seq)
    );
    `,
  },
  {
    // Apps (ADR 0013): only operator-created ones; `default` comes from the
    // config. Secrets are SHA-256 digests, one app per digest.
    version: 17,
    name: 'apps',
    sql: `
    CREATE TABLE apps (
      id         text COLLATE "C" PRIMARY KEY,
      name       text NOT NULL,
      created_at bigint NOT NULL,
      webhook    jsonb,
      push       jsonb NOT NULL,
      limits     jsonb NOT NULL,
      version    bigint NOT NULL
    );
    CREATE TABLE app_secrets (
      digest   text COLLATE "C" PRIMARY KEY,
      app_id   text COLLATE "C" NOT NULL REFERENCES apps (id) ON DELETE CASCADE,
      added_at bigint GENERATED ALWAYS AS IDENTITY -- the order secrets were added
    );
    CREATE INDEX app_secrets_by_app ON app_secrets (app_id, added_at);
    `,
  },
  {
    // Users belong to one app (ADR 0013): existing users land in `default`;
    // usernames are unique per app instead of globally.
    version: 18,
    name: 'users per app',
    sql: `
    ALTER TABLE users ADD COLUMN app_id text COLLATE "C" NOT NULL DEFAULT 'default';
    ALTER TABLE users DROP CONSTRAINT users_username_key;
    CREATE UNIQUE INDEX users_by_app_username ON users (app_id, username);
    `,
  },
  {
    // Apps (ADR 0013): each webhook event is delivered to its app's
    // receiver; events stored before apps belong to the default app.
    version: 19,
    name: 'webhook outbox app',
    sql: `
    ALTER TABLE webhook_events ADD COLUMN app_id text NOT NULL DEFAULT 'default';
    `,
  },
];

/**
 * Brings the schema (the first one on the connection's search_path) to the
 * latest version. Each migration runs in its own transaction that first
 * takes a transaction-scoped advisory lock keyed by the schema, so nodes
 * starting at once apply each migration exactly once: the others wait,
 * then see it recorded and skip it.
 */
export async function migrate(sql: Sql, migrations: readonly Migration[] = MIGRATIONS): Promise<{ applied: number[] }> {
  const applied: number[] = [];
  const latest = migrations.at(-1)?.version ?? 0;
  for (const migration of migrations) {
    const ran = await sql.begin(async (tx) => {
      await tx`SELECT pg_advisory_xact_lock(hashtext('xinbox.migrate:' || current_schema()))`;
      await tx.unsafe(`CREATE TABLE IF NOT EXISTS schema_migrations (
        version    integer PRIMARY KEY,
        name       text NOT NULL,
        applied_at timestamptz NOT NULL DEFAULT now()
      )`);
      const [row] = await tx<Array<{ max: number | null }>>`SELECT max(version) AS max FROM schema_migrations`;
      const current = row?.max ?? 0;
      if (current > latest) {
        throw new Error(`database schema version ${current} is newer than this server (${latest})`);
      }
      const done = await tx`SELECT 1 FROM schema_migrations WHERE version = ${migration.version}`;
      if (done.length > 0) return false;
      await tx.unsafe(migration.sql);
      await tx`INSERT INTO schema_migrations (version, name) VALUES (${migration.version}, ${migration.name})`;
      return true;
    });
    if (ran) applied.push(migration.version);
  }
  return { applied };
}
