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
