/**
 * Media catalog (issue #13): uploaded items and the conversations they were
 * sent in. The bytes live in the MediaStore (a directory or S3), keyed by
 * sha256; identical content shares one object, hence the sha256 index.
 */
export const MEDIA_MIGRATION = `
  CREATE TABLE media (
    id           TEXT PRIMARY KEY,
    owner_id     INTEGER NOT NULL,
    sha256       TEXT NOT NULL,
    size         INTEGER NOT NULL,
    mime_type    TEXT NOT NULL,
    kind         TEXT NOT NULL CHECK (kind IN ('image', 'video', 'audio', 'file')),
    name         TEXT NOT NULL,
    width        INTEGER NOT NULL,
    height       INTEGER NOT NULL,
    duration_ms  INTEGER NOT NULL,
    placeholder  BLOB NOT NULL,
    variants     TEXT NOT NULL, -- comma list
    created_at   INTEGER NOT NULL,
    referenced   INTEGER NOT NULL DEFAULT 0
  );
  CREATE INDEX media_by_sha256 ON media(sha256);
  CREATE INDEX media_by_owner ON media(owner_id);
  CREATE INDEX media_unreferenced ON media(created_at) WHERE referenced = 0;

  CREATE TABLE media_refs (
    media_id        TEXT NOT NULL REFERENCES media(id) ON DELETE CASCADE,
    conversation_id INTEGER NOT NULL,
    created_at      INTEGER NOT NULL,
    PRIMARY KEY (media_id, conversation_id)
  ) WITHOUT ROWID;
`;
