// A process that logs through the real logger the way a role does (no stream: stdout), then
// lingers, so a test can see what it sends anywhere besides stdout.
import { createLogger, errorFields } from '../../src/observability/logger.js';

const logger = createLogger({ level: 'info', labels: { role: 'worker' }, projectId: 'demo-project' });
logger.info('child started');
logger.error('child failed', errorFields(new Error('boom')));
logger.error('child circuit open');
setTimeout(() => logger.info('child done'), Number(process.argv[2] ?? 1_500));
