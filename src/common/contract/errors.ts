/**
 * Errors that cross the API boundary. Every failure a user can cause (a missing folder, a corrupt
 * image, a bad request) is a WorkbenchError with a code the UI can branch on, a message that says
 * what happened and to what, and a hint that says what to do next.
 */
export const errorCodes = [
  'bad-request',
  'unknown-method',
  'not-found',
  'permission-denied',
  'not-a-directory',
  'outside-opened-folders',
  'unsupported-image',
  'corrupt-image',
  'too-large',
  // The disk (or the user's quota) is full while writing an output.
  'disk-full',
  // Held by another process (a compile of the same bundle folder): wait, or use another target.
  'busy',
  'invalid-checkpoint',
  'unsupported-model',
  'invalid-bundle',
  'missing-tokenizer',
  'cancelled',
  'internal',
] as const;

export type ErrorCode = (typeof errorCodes)[number];

export interface WorkbenchErrorData {
  code: ErrorCode;
  message: string;
  hint?: string;
}

export class WorkbenchError extends Error {
  readonly code: ErrorCode;
  readonly hint?: string;

  constructor(code: ErrorCode, message: string, hint?: string) {
    super(message);
    this.name = 'WorkbenchError';
    this.code = code;
    this.hint = hint;
  }

  toData(): WorkbenchErrorData {
    return this.hint === undefined ? { code: this.code, message: this.message } : { code: this.code, message: this.message, hint: this.hint };
  }

  static fromData(data: WorkbenchErrorData): WorkbenchError {
    return new WorkbenchError(data.code, data.message, data.hint);
  }
}

export function isWorkbenchError(e: unknown): e is WorkbenchError {
  return e instanceof WorkbenchError;
}

/** Turns anything thrown into data that can cross a process boundary without losing the reason. */
export function toErrorData(e: unknown): WorkbenchErrorData {
  if (e instanceof WorkbenchError) return e.toData();
  if (e instanceof Error && e.name === 'AbortError') return { code: 'cancelled', message: 'Cancelled.' };
  const message = e instanceof Error ? e.message : String(e);
  return { code: 'internal', message: `Unexpected error: ${message}`, hint: 'This is a bug; please report it with the steps that led here.' };
}

export function cancelledError(): WorkbenchError {
  return new WorkbenchError('cancelled', 'Cancelled.');
}
