import { InMemoryAdminDirectory } from '../../src/adapters/memory/in-memory-admin-directory.js';
import { adminDirectoryContract } from './admin-directory.contract.js';

adminDirectoryContract('InMemoryAdminDirectory', async () => new InMemoryAdminDirectory());
