/**
 * A failure to start that the operator can fix, with a one-line message
 * naming the setting to look at (e.g. XINBOX_POSTGRES_URL). The CLI prints
 * the message alone, without a stack trace.
 */
export class StartupError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'StartupError';
  }
}

/** A connection URL without its password, for messages and `xinbox config`. */
export function redactUrl(url: string): string {
  if (!url) return url;
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '(unparsable url)';
  }
}
