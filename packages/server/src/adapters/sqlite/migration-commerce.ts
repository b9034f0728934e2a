/**
 * Migration 6: customer service (shops, agents, routing state of service
 * conversations) and item conversations (issue #15). The conversations
 * themselves are ordinary rows of `conversations` / `members`.
 */
export const COMMERCE_MIGRATION = `
  CREATE TABLE shops (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    name       TEXT NOT NULL,
    admin_id   INTEGER NOT NULL REFERENCES users(id),
    skills     TEXT NOT NULL,              -- JSON array
    version    INTEGER NOT NULL DEFAULT 0, -- routing fence (compare-and-swap)
    created_at INTEGER NOT NULL
  );

  CREATE TABLE shop_agents (
    shop_id   INTEGER NOT NULL REFERENCES shops(id),
    user_id   INTEGER NOT NULL REFERENCES users(id),
    skills    TEXT NOT NULL,               -- JSON array
    capacity  INTEGER NOT NULL,
    available INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (shop_id, user_id)
  ) WITHOUT ROWID;
  CREATE INDEX shop_agents_by_user ON shop_agents(user_id);

  CREATE TABLE service_conversations (
    conversation_id INTEGER PRIMARY KEY REFERENCES conversations(id),
    shop_id         INTEGER NOT NULL REFERENCES shops(id),
    customer_id     INTEGER NOT NULL REFERENCES users(id),
    status          TEXT NOT NULL,
    agent_id        INTEGER NOT NULL DEFAULT 0,
    last_agent_id   INTEGER NOT NULL DEFAULT 0,
    skip_agent_id   INTEGER NOT NULL DEFAULT 0,
    skill           TEXT NOT NULL DEFAULT '',
    item_id         TEXT NOT NULL DEFAULT '',
    order_id        TEXT NOT NULL DEFAULT '',
    session         INTEGER NOT NULL DEFAULT 0,
    opened_at       INTEGER NOT NULL,
    queued_at       INTEGER NOT NULL DEFAULT 0,
    assigned_at     INTEGER NOT NULL DEFAULT 0,
    assigned_seq    INTEGER NOT NULL DEFAULT 0,
    answered        INTEGER NOT NULL DEFAULT 0,
    closed_at       INTEGER NOT NULL DEFAULT 0,
    rating          INTEGER NOT NULL DEFAULT 0,
    rating_comment  TEXT NOT NULL DEFAULT ''
  );
  CREATE UNIQUE INDEX service_by_customer ON service_conversations(shop_id, customer_id);
  CREATE INDEX service_open ON service_conversations(shop_id, queued_at) WHERE status <> 'closed';

  CREATE TABLE item_conversations (
    conversation_id INTEGER PRIMARY KEY REFERENCES conversations(id),
    buyer_id        INTEGER NOT NULL REFERENCES users(id),
    seller_id       INTEGER NOT NULL REFERENCES users(id),
    item_id         TEXT NOT NULL,
    title           TEXT NOT NULL,
    price           TEXT NOT NULL,
    currency        TEXT NOT NULL,
    image_url       TEXT NOT NULL,
    media_id        TEXT NOT NULL,
    link            TEXT NOT NULL,
    created_at      INTEGER NOT NULL
  );
  CREATE UNIQUE INDEX item_conversations_key ON item_conversations(buyer_id, seller_id, item_id);
  CREATE INDEX item_conversations_seller ON item_conversations(seller_id);
`;
