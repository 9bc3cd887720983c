import { expect } from 'vitest';
import { ReplySendError } from '../../src/domain/ports/reply-channel.js';

/** The ReplySendError a send rejects with; a send that resolves, or rejects otherwise, fails the test. */
export async function sendError(promise: Promise<unknown>): Promise<ReplySendError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ReplySendError);
  return error as ReplySendError;
}
