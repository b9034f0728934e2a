import postgres from 'postgres';

/** SQLSTATE codes the adapters react to. */
export const PG = {
  uniqueViolation: '23505',
  foreignKeyViolation: '23503',
  deadlockDetected: '40P01',
  serializationFailure: '40001',
} as const;

export function pgErrorCode(error: unknown): string | undefined {
  return error instanceof postgres.PostgresError ? error.code : undefined;
}

export function pgConstraint(error: unknown): string | undefined {
  return error instanceof postgres.PostgresError ? error.constraint_name : undefined;
}

/**
 * Runs `work` again when PostgreSQL aborted it for a deadlock or a
 * serialization failure. Only for work that is one transaction (nothing
 * committed when it fails), so a retry cannot apply anything twice.
 */
export async function retryTransient<T>(work: () => Promise<T>, attempts = 5): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await work();
    } catch (error) {
      const code = pgErrorCode(error);
      const transient = code === PG.deadlockDetected || code === PG.serializationFailure;
      if (!transient || attempt >= attempts) throw error;
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 10 * attempt));
    }
  }
}

/**
 * A foreign-key violation as the other adapters word it ("user 7 does not
 * exist"); any other error is returned unchanged.
 */
export function explainForeignKey(error: unknown): unknown {
  if (pgErrorCode(error) !== PG.foreignKeyViolation) return error;
  const detail = (error as { detail?: string }).detail ?? '';
  const match = /Key \((\w+)\)=\(([^)]*)\) is not present in table "(\w+)"/.exec(detail);
  if (!match) return error;
  const [, , value, table] = match;
  const noun = table === 'users' ? 'user' : table === 'conversations' ? 'conversation' : table;
  return new Error(`${noun} ${value} does not exist`, { cause: error });
}
