import { describe, expect, it } from 'vitest';
import { ChatStoreRejectedError, ChatStoreUnavailableError } from '../../../src/adapters/chat-store-errors.js';
import { translateSqlError } from '../../../src/adapters/postgres/postgres-chat-sql.js';
import { isRetryable } from '../../../src/domain/model/errors.js';

const caught = (error: unknown): unknown => {
  try {
    translateSqlError('register', error);
  } catch (thrown) {
    return thrown;
  }
};
const driverError = (code: string, message = 'driver says so') => Object.assign(new Error(message), { code });

describe('translateSqlError', () => {
  it('becomes a retryable ChatStoreUnavailableError when the connection, the server or a transaction conflict is at fault', () => {
    const transient = [driverError('08006'), driverError('08P01'), driverError('40001'), driverError('40P01'), driverError('53300'), driverError('57P01'), driverError('ECONNREFUSED'), driverError('ECONNRESET')];
    for (const error of [...transient, new Error('Connection terminated unexpectedly')]) {
      const translated = caught(error);
      expect(translated).toBeInstanceOf(ChatStoreUnavailableError);
      expect(translated).toMatchObject({ code: 'chat_store_unavailable', retryable: true, cause: error });
    }
  });

  it('becomes a permanent ChatStoreRejectedError that quotes nothing of the row when PostgreSQL refuses a value', () => {
    for (const code of ['22P05', '22021', '54000']) {
      const translated = caught(driverError(code, 'index row size exceeds maximum for "wamid.secret words"'));
      expect(translated).toBeInstanceOf(ChatStoreRejectedError);
      expect(isRetryable(translated)).toBe(false);
      expect((translated as Error).message).toContain(code);
      expect((translated as Error).message).not.toContain('secret words');
      expect((translated as Error).cause).toBeUndefined();
    }
  });

  it('rethrows anything else unchanged', () => {
    for (const error of [driverError('42601'), driverError('23505'), new Error('something else'), 'not an error']) {
      expect(caught(error)).toBe(error);
    }
  });
});
