/**
 * An error meant for the person: it names the file (and line, where there is one), what was wrong
 * and what to do. The CLI prints `message` on one line; no stack trace unless --debug.
 */
export class UserError extends Error {
  constructor(
    message: string,
    readonly file: string | null = null,
    readonly line: number | null = null,
    readonly hint: string | null = null,
  ) {
    super(message);
    this.name = 'UserError';
  }

  /** One line: `file:line: message (hint)`. */
  format(): string {
    const where = this.file ? `${this.file}${this.line ? `:${this.line}` : ''}: ` : '';
    return `${where}${this.message}${this.hint ? ` — ${this.hint}` : ''}`;
  }
}

export function isUserError(e: unknown): e is UserError {
  return e instanceof UserError;
}
