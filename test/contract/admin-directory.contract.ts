import { adminSessionsContract } from './admin-sessions.contract.js';
import type { MakeAdminDirectory } from './admin-directory.fixture.js';
import { adminUsersContract } from './admin-users.contract.js';
import { loginAttemptsContract } from './login-attempts.contract.js';

/** An admin directory adapter implements every admin port: it passes each port's suite. */
export function adminDirectoryContract(name: string, make: MakeAdminDirectory): void {
  adminUsersContract(name, make);
  adminSessionsContract(name, make);
  loginAttemptsContract(name, make);
}
