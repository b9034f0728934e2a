/** Runs a form's async action with a busy flag and an error message. */
import { useState } from 'preact/hooks';

export function useAsyncAction<A extends unknown[]>(action: (...args: A) => Promise<void>) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState('');
  const run = async (...args: A): Promise<void> => {
    if (busy) return;
    setBusy(true);
    setError('');
    try {
      await action(...args);
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    } finally {
      setBusy(false);
    }
  };
  return { busy, error, run };
}

/** "alice, bob carol" -> ['alice', 'bob', 'carol'] */
export function splitNames(text: string): string[] {
  return text
    .split(/[\s,;]+/)
    .map((s) => s.trim())
    .filter(Boolean);
}
