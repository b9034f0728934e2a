import Database from 'better-sqlite3';

/**
 * Opens one of the stores that keep their own database file beside xinbox.db
 * (push tokens, event log), so their writes never hold the
 * message database's writer: WAL, the chosen durability, and a one-version
 * schema created on first open (`seed` runs in the same transaction, e.g. to
 * insert fixed rows). A file written by a newer server is refused, naming
 * `what`.
 */
export function openSideDatabase(
  path: string,
  synchronous: 'normal' | 'full',
  schema: { readonly sql: string; readonly version: number; readonly what: string; readonly seed?: (db: Database.Database) => void },
): Database.Database {
  const db = new Database(path);
  db.pragma('busy_timeout = 5000');
  db.pragma('journal_mode = WAL');
  db.pragma(`synchronous = ${synchronous === 'full' ? 'FULL' : 'NORMAL'}`);
  db.transaction(() => {
    const version = db.pragma('user_version', { simple: true }) as number;
    if (version > schema.version) throw new Error(`${schema.what} schema ${version} is newer than this server (${schema.version})`);
    if (version === 0) {
      db.exec(schema.sql);
      schema.seed?.(db);
      db.pragma(`user_version = ${schema.version}`);
    }
  }).immediate();
  return db;
}
