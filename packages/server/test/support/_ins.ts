import postgres from 'postgres';
import { openPostgresAdapters } from '../../src/adapters/postgres/index.js';
import { startPostgres } from './services.js';
const pg = await startPostgres();
const stores = await openPostgresAdapters({ url: pg.url, poolSize: 1 });
const sql = postgres(pg.url, { max: 1, onnotice: () => {} });
await sql`INSERT INTO conversations (kind, created_at, updated_at) SELECT 'direct', 1, 1 FROM generate_series(1, 1000)`;
let base = 7530225713526343633n;
const run = async (label: string, q: string) => {
  for (let rep = 0; rep < 3; rep++) {
    const plan = await sql.unsafe(`EXPLAIN (ANALYZE, BUFFERS) ${q.replaceAll('BASE', String(base))}`);
    base += 1000n;
    const lines = plan.map((r) => r['QUERY PLAN'] as string);
    console.log(label, lines.filter((l) => /Insert on|Execution Time|Trigger/.test(l)).map((l) => l.trim()).join(' | '));
  }
};
await run('plain', `INSERT INTO messages (conversation_id, seq, id, sender_id, client_msg_id, server_time, content) SELECT g, (BASE % 1000000) + g, BASE + g, g, 'c' || (BASE + g), 1, '\\x00' FROM generate_series(1, 100) g`);
await run('with arrays', `INSERT INTO messages (conversation_id, seq, id, sender_id, client_msg_id, server_time, content, mentions, visible_to) SELECT g, (BASE % 1000000) + g, BASE + g, g, 'c' || (BASE + g), 1, '\\x00', '{}'::text::int8[], '{}'::text::int8[] FROM generate_series(1, 100) g`);
await sql.end(); await stores.close(); await pg.stop();
