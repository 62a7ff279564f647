/** Every user-facing failure carries a stable code; the CLI maps codes to exit statuses. */
export type ErrorCode =
  | 'RB_USAGE'
  | 'RB_VALIDATION'
  | 'RB_CONNECT'
  | 'RB_HOSTKEY'
  | 'RB_AUTH'
  | 'RB_BECOME'
  | 'RB_COMMAND_FAILED'
  | 'RB_TIMEOUT'
  | 'RB_TEMPLATE'
  | 'RB_SHELL'
  | 'RB_SANDBOX'
  | 'RB_INTERNAL';

export class RunbookError extends Error {
  readonly code: ErrorCode;
  readonly hint: string | undefined;

  constructor(code: ErrorCode, message: string, options: { hint?: string; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'RunbookError';
    this.code = code;
    this.hint = options.hint;
  }
}

/** A position in a source file, 1-based line and column. */
export interface SourcePosition {
  file: string;
  line: number;
  col: number;
  endLine?: number;
  endCol?: number;
}

/** One problem found while loading; collected as data, thrown once as a ValidationError. */
export interface Issue extends SourcePosition {
  code: string;
  message: string;
  hint?: string;
  severity: 'error' | 'warning';
}

export class ValidationError extends RunbookError {
  readonly issues: readonly Issue[];

  constructor(issues: readonly Issue[]) {
    const errors = issues.filter((issue) => issue.severity === 'error').length;
    super('RB_VALIDATION', `${errors} problem${errors === 1 ? '' : 's'} found; no host was contacted`);
    this.name = 'ValidationError';
    this.issues = issues;
  }
}
