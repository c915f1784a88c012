/**
 * The one error type that reaches a user. It says what was wrong, where (file, line,
 * field) and what to do; the CLI prints it without a stack trace, the app shows it in a
 * dialog. Anything else that escapes is a bug and is reported as such.
 */
export interface ErrorLocation {
  file?: string;
  line?: number;
  field?: string;
}

export class ConfidantError extends Error {
  override readonly name = 'ConfidantError';

  constructor(
    /** Stable machine-readable code, e.g. 'config.invalid' or 'store.wrong-passphrase'. */
    readonly code: string,
    message: string,
    readonly options: { where?: ErrorLocation; hint?: string; cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
  }

  /** "file:line, field" or '' when the error has no location. */
  get location(): string {
    const { file, line, field } = this.options.where ?? {};
    const place = file ? (line ? `${file}:${line}` : file) : '';
    return [place, field ? `field "${field}"` : ''].filter(Boolean).join(', ');
  }

  /** The full text a user sees: what, where, what to do. */
  describe(): string {
    const where = this.location;
    const lines = [where ? `${where}: ${this.message}` : this.message];
    if (this.options.hint) lines.push(`What to do: ${this.options.hint}`);
    return lines.join('\n');
  }
}

export function isConfidantError(error: unknown): error is ConfidantError {
  return error instanceof ConfidantError;
}
