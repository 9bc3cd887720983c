import { writeSync } from 'node:fs';
import type { Completion, CompletionModel, CompletionRequest } from '../domain/ports/completion-model.js';
import type { ChatStore } from '../domain/ports/chat-store.js';
import type { MessageBus } from '../domain/ports/message-bus.js';
import type { ReplyChannel } from '../domain/ports/reply-channel.js';
import type { HandleInboundEvent } from '../domain/use-cases/handle-inbound-event.js';
import { TOKENS, type Registry, type Token } from './tokens.js';
import type { Providers, Resolve } from './wiring.js';

/** The points of the reply state machine where a crash test may kill the process. */
export const CRASH_POINTS = ['after-receive', 'after-claim', 'after-model', 'after-store-reply', 'after-send', 'after-ack'] as const;
export type CrashPoint = (typeof CRASH_POINTS)[number];

/**
 * Where a process that also listens (ROLE=all, or a listener) may be killed: the reply state
 * machine's points and `after-accept`, once the listener has answered 200 for a message that no
 * worker has handled yet. Kept apart from CRASH_POINTS: a push worker never accepts a notification.
 */
export const EMBEDDED_CRASH_POINTS = [...CRASH_POINTS, 'after-accept'] as const;

/**
 * Every point a crash test may name: also `after-tool-call`, once a channel's tool answered and
 * before its answer is stored (passed only where a channel has tools: its own crash test).
 */
export const FAULT_POINTS = [...EMBEDDED_CRASH_POINTS, 'after-tool-call'] as const;
export type FaultPoint = (typeof FAULT_POINTS)[number];

/** `FAULT_CRASH_AT`: each point with the probability of dying when the process passes it. */
export type CrashPlan = Partial<Record<FaultPoint, number>>;

/**
 * Kills the process with SIGKILL (no cleanup, no flush: a real crash) when it passes a planned
 * point and the dice say so. It writes `crash-point <name>` to stderr first, so a test can tell
 * where each process died. Only crash tests set `FAULT_CRASH_AT`.
 */
export class CrashSwitch {
  constructor(
    private readonly plan: CrashPlan,
    private readonly random: () => number = Math.random,
  ) {}

  pass(point: FaultPoint): void {
    const probability = this.plan[point];
    if (probability === undefined || this.random() >= probability) return;
    writeSync(2, `crash-point ${point}\n`);
    process.kill(process.pid, 'SIGKILL');
  }
}

/** Parses a validated `FAULT_CRASH_AT` value. */
export function crashPlanOf(setting: string): CrashPlan {
  const plan: CrashPlan = {};
  for (const entry of setting.split(',')) {
    const [point, probability] = entry.split(':') as [FaultPoint, string | undefined];
    plan[point] = probability === undefined ? 1 : Number(probability);
  }
  return plan;
}

/** Wraps the worker's ports and entry point (those it binds) so the planned crash points are reached. */
export function withCrashPoints(providers: Providers, plan: CrashPlan): Providers {
  const crash = new CrashSwitch(plan);
  const wrapped: Providers = { ...providers };
  decorate(wrapped, TOKENS.MessageBus, (bus) => {
    const publish: MessageBus['publish'] = async (topic, messages) => {
      await bus.publish(topic, messages);
      // The listener answers 200 once the publish resolved: die on the next turn of the event
      // loop, after that answer is written and before a worker could have handled the message.
      if (topic === 'inbound') setTimeout(() => crash.pass('after-accept'), 0);
    };
    // A proxy rather than a derived object: the bus keeps its own state (closing, subscriptions)
    // whoever calls it, and still answers as its class (the start-up report, in-process wiring).
    return new Proxy(bus, {
      get(target, property) {
        if (property === 'publish') return publish;
        const member: unknown = Reflect.get(target, property, target);
        if (property === 'constructor' || typeof member !== 'function') return member;
        return (member as (...args: unknown[]) => unknown).bind(target);
      },
    });
  });
  decorate(wrapped, TOKENS.ChatStore, (store) => {
    const inner = Object.create(store) as ChatStore;
    inner.register = async (message, now) => {
      const result = await store.register(message, now);
      if (result.created) crash.pass('after-claim');
      return result;
    };
    inner.transition = async (conversationId, messageId, expectedVersion, patch, settlement) => {
      const next = await store.transition(conversationId, messageId, expectedVersion, patch, settlement);
      if (next && patch.state === 'answered') crash.pass('after-store-reply');
      return next;
    };
    return inner;
  });
  decorate(wrapped, TOKENS.CompletionModel, (model) => {
    // Derived from the model, so the start-up report still names its class.
    const inner = Object.create(model) as CompletionModel;
    inner.complete = async (request: CompletionRequest, options?: { signal?: AbortSignal }): Promise<Completion> => {
      const completion = await model.complete(request, options);
      crash.pass('after-model');
      return completion;
    };
    return inner;
  });
  decorate(wrapped, TOKENS.ToolKit, (kit) => ({
    ...kit,
    // Between a tool's answer and its record: the call was made, and its outcome is not stored.
    runner: {
      call: async (request, options) => {
        const answer = await kit.runner.call(request, options);
        crash.pass('after-tool-call');
        return answer;
      },
    },
  }));
  decorate(wrapped, TOKENS.ReplyChannel, (channel) => {
    const inner = Object.create(channel) as ReplyChannel;
    inner.send = async (reply) => {
      const result = await channel.send(reply);
      crash.pass('after-send');
      return result;
    };
    return inner;
  });
  decorate(wrapped, TOKENS.HandleInboundEvent, (handler) => {
    const inner = Object.create(handler) as HandleInboundEvent;
    inner.execute = async (event) => {
      crash.pass('after-receive');
      const outcome = await handler.execute(event);
      // After the handler returns the consumer acks; die once that ack has gone out (the pull
      // client flushes acks in batches every 100 ms; a push answer goes out at once).
      setTimeout(() => crash.pass('after-ack'), 250).unref();
      return outcome;
    };
    return inner;
  });
  return wrapped;
}

/** Wraps what the token's provider makes, when the role binds that token at all. */
function decorate<K extends Token>(providers: Providers, token: K, wrap: (inner: Registry[K]) => Registry[K]): void {
  const provide = providers[token] as ((resolve: Resolve) => Registry[K]) | undefined;
  if (provide) (providers as Record<K, (resolve: Resolve) => Registry[K]>)[token] = (resolve) => wrap(provide(resolve));
}
