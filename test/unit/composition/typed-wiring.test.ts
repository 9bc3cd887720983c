import { describe, expect, it } from 'vitest';
import { InMemoryChatStore } from '../../../src/adapters/memory/in-memory-chat-store.js';
import { InMemoryMessageBus } from '../../../src/adapters/memory/in-memory-message-bus.js';
import { SystemClock } from '../../../src/adapters/system/system-clock.js';
import { TOKENS, type Overrides } from '../../../src/composition/tokens.js';
import { wire, withOverrides, type Providers } from '../../../src/composition/wiring.js';
import type { Clock } from '../../../src/domain/ports/clock.js';
import type { MessageBus } from '../../../src/domain/ports/message-bus.js';
import { FixedClock } from '../../support/fixed-clock.js';

// The `@ts-expect-error` lines are the type-level half of these tests: `npm run typecheck` fails
// if any of them compiles, that is if a wrong binding, override or resolution were accepted.
describe('the typed wiring', () => {
  it('refuses at compile time a provider, an override or a resolution of the wrong type', () => {
    const providers: Providers = {
      // @ts-expect-error a message bus is not a clock
      [TOKENS.Clock]: () => new InMemoryMessageBus(),
      [TOKENS.MessageBus]: () => new InMemoryMessageBus(),
    };
    const overrides: Overrides = {
      // @ts-expect-error a clock is not a chat store
      [TOKENS.ChatStore]: new FixedClock(),
    };
    const wiring = wire({ [TOKENS.MessageBus]: () => new InMemoryMessageBus() });
    // @ts-expect-error the bus token resolves to a MessageBus, never to a Clock
    const clock: Clock = wiring.get(TOKENS.MessageBus);
    // @ts-expect-error a provider's dependency is resolved as its own token's type
    const dependent: Providers = { [TOKENS.ChatStore]: (resolve) => resolve(TOKENS.Clock) };

    expect([providers, overrides, clock, dependent]).toHaveLength(4);
  });

  it('resolves each token to its provider\'s instance, made once, with its dependencies resolved', () => {
    let made = 0;
    const wiring = wire({
      [TOKENS.Clock]: () => new SystemClock(),
      [TOKENS.MessageBus]: () => {
        made += 1;
        return new InMemoryMessageBus();
      },
      [TOKENS.ChatStore]: () => new InMemoryChatStore(),
    });

    const bus: MessageBus = wiring.get(TOKENS.MessageBus);

    expect(bus).toBeInstanceOf(InMemoryMessageBus);
    expect(wiring.get(TOKENS.MessageBus)).toBe(bus);
    expect(made).toBe(1);
    expect(wiring.has(TOKENS.ChatStore)).toBe(true);
    expect(wiring.has(TOKENS.Database)).toBe(false);
    expect(() => wiring.get(TOKENS.Database)).toThrow();
  });

  it('puts an override in place of the configured provider, which is then never called', () => {
    const fixed = new FixedClock(1_000);
    let configuredMade = false;
    const configured: Providers = {
      [TOKENS.Clock]: () => {
        configuredMade = true;
        return new SystemClock();
      },
    };
    const wiring = wire(withOverrides(configured, { [TOKENS.Clock]: fixed }));

    expect(wiring.get(TOKENS.Clock)).toBe(fixed);
    expect(configuredMade).toBe(false);
  });
});
