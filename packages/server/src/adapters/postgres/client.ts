import postgres from 'postgres';

/**
 * The postgres.js client type used by the adapters. int8 columns parse to JS
 * numbers: user/conversation ids, seqs and ms timestamps all stay below 2^53.
 * Message ids are the one exception; queries select them as text.
 */
export type Sql = postgres.Sql<{ int8: number }>;
export type TransactionSql = postgres.TransactionSql<{ int8: number }>;

const INT8_OID = 20;

export interface PostgresClientOptions {
  readonly url: string;
  /** Connections in the pool. */
  readonly poolSize?: number;
  /** Schema to use instead of `public` (created if missing): tests, or several deployments in one database. */
  readonly schema?: string;
}

export function createClient(options: PostgresClientOptions): Sql {
  return postgres(options.url, {
    max: options.poolSize ?? 10,
    onnotice: () => {},
    // Connections that sit idle are closed; the pool reopens them on demand.
    idle_timeout: 60,
    connect_timeout: 10,
    connection: options.schema ? { search_path: options.schema } : {},
    types: {
      int8: {
        to: INT8_OID,
        from: [INT8_OID],
        serialize: (value: number | bigint | string) => String(value),
        parse: (value: string) => Number(value),
      },
    },
  }) as unknown as Sql;
}

/** Validates a schema name so it can be spliced into DDL. */
export function checkSchemaName(schema: string): string {
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(schema)) throw new Error(`invalid schema name ${JSON.stringify(schema)}`);
  return schema;
}
