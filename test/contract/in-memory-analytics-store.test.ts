import { InMemoryAnalyticsStore } from '../../src/adapters/memory/in-memory-analytics-store.js';
import { analyticsStoreContract } from './analytics-store.contract.js';

analyticsStoreContract('InMemoryAnalyticsStore', async () => ({ store: new InMemoryAnalyticsStore() }));
