/** A failure as the user sees it: what happened, to what, and what to do next. Never a blank screen. */
import type { ReactNode } from 'react';
import type { ErrorCode, WorkbenchErrorData } from '../../../common/contract/errors.ts';

const titles: Partial<Record<ErrorCode, string>> = {
  'not-found': 'Not found',
  'permission-denied': 'Permission denied',
  'not-a-directory': 'Not a folder',
  'outside-opened-folders': 'Outside the opened folders',
  'unsupported-image': 'Unsupported image',
  'corrupt-image': 'Broken image',
  'too-large': 'Too large',
  busy: 'In use',
  'bad-request': 'Invalid request',
};

export function ErrorPanel({
  error,
  title,
  children,
  testId = 'error-panel',
}: {
  error: WorkbenchErrorData;
  title?: string;
  children?: ReactNode;
  testId?: string;
}) {
  return (
    <div className="error-panel" role="alert" data-testid={testId} data-code={error.code}>
      <div className="error-title">{title ?? titles[error.code] ?? 'Something went wrong'}</div>
      <div className="error-message">{error.message}</div>
      {error.hint && <div className="error-hint">{error.hint}</div>}
      {children && <div className="error-actions">{children}</div>}
    </div>
  );
}
