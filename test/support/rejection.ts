/** The WorkbenchError a promise rejects with; the test fails when it resolves or rejects with anything else. */
import { expect } from 'vitest';
import { WorkbenchError } from '../../src/common/contract/errors.ts';

export async function workbenchRejection(p: Promise<unknown>): Promise<WorkbenchError> {
  const e = await p.then(
    () => null,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(WorkbenchError);
  return e as WorkbenchError;
}
