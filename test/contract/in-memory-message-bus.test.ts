import { InMemoryMessageBus } from '../../src/adapters/memory/in-memory-message-bus.js';
import { messageBusContract } from './message-bus.contract.js';

messageBusContract('InMemoryMessageBus', async (options) => {
  const bus = new InMemoryMessageBus(options);
  return {
    bus,
    subscribe: (topic, handler) => bus.subscribe(topic, handler),
    idle: () => bus.idle(),
    deadLetters: (topic) => bus.deadLetters(topic),
    failNextPublishes: (count) => bus.failNextPublishes(count),
    cleanup: () => bus.close(),
  };
});
