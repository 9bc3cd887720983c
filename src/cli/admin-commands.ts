import { parseArgs } from 'node:util';
import { PostgresAdminDirectory } from '../adapters/postgres/postgres-admin-directory.js';
import type { Database } from '../adapters/postgres/database.js';
import { isPlausibleEmail } from '../domain/model/admin.js';
import { setAdminPassword } from '../http/admin/admin-password.js';

export const ADMIN_USAGE = `  admin set-password --email <email> [--password-stdin]
                                            set an admin user's password (ends their sessions); read from
                                            the first line of stdin with --password-stdin, else from
                                            ADMIN_PASSWORD, never from the command line`;

const MIN_LENGTH = 12;

export interface AdminCommand {
  problems: string[];
  run(open: () => Promise<Database>, io: { out(line: string): void }): Promise<number>;
}

/** `admin set-password`; undefined for another admin sub-command. */
export function adminCommand(sub: string | undefined, args: string[], env: Readonly<Record<string, string | undefined>>, readStdin: () => Promise<string>): AdminCommand | undefined {
  if (sub !== 'set-password') return undefined;
  const { values } = parseArgs({ args, options: { email: { type: 'string' }, 'password-stdin': { type: 'boolean' } }, strict: true });
  const email = values.email?.trim() ?? '';
  const problems = isPlausibleEmail(email) ? [] : ['--email must be an e-mail address'];
  return {
    problems,
    async run(open, io) {
      // Only the first line: `echo "$PW" | …` and a password manager's paste both end in a newline.
      const password = values['password-stdin'] ? (await readStdin()).split(/\r?\n/)[0]! : (env.ADMIN_PASSWORD ?? '');
      if (password.length < MIN_LENGTH) throw new CliProblem(`the new password must be at least ${MIN_LENGTH} characters (from ${values['password-stdin'] ? 'stdin' : 'ADMIN_PASSWORD'})`);
      const change = await setAdminPassword(new PostgresAdminDirectory((await open()).orm), email, password);
      if (change === 'no-such-user') throw new CliProblem(`no admin user with the e-mail ${email}`);
      io.out(change === 'changed' ? `Password of ${email} changed; every session of that user ended.` : `Password of ${email} unchanged (it was already this one).`);
      return 0;
    },
  };
}

/** A user error found while running (exit 2 with the usage), not a failure of the system. */
export class CliProblem extends Error {}
