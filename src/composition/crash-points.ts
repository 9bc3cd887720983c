import { writeSync } from 'node:fs';
import type { Container } from 'inversify';
import type { Completion, CompletionModel, CompletionRequest } from '../domain/ports/completion-model.js';
import type { ChatStore } from '../domain/ports/chat-store.js';
import type { ReplyChannel } from '../domain/ports/reply-channel.js';
import type { HandleInboundEvent } from '../domain/use-cases/handle-inbound-event.js';
import { TOKENS } from './tokens.js';

/** The points of the reply state machine where a crash test may kill the process. */
export const CRASH_POINTS = ['after-receive', 'after-claim', 'after-model', 'after-store-reply', 'after-send', 'after-ack'] as const;
export type CrashPoint = (typeof CRASH_POINTS)[number];

/** `FAULT_CRASH_AT`: each point with the probability of dying when the process passes it. */
export type CrashPlan = Partial<Record<CrashPoint, number>>;

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

  pass(point: CrashPoint): void {
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
    const [point, probability] = entry.split(':') as [CrashPoint, string | undefined];
    plan[point] = probability === undefined ? 1 : Number(probability);
  }
  return plan;
}

/** Wraps the worker's ports and entry point so the planned crash points are reached. */
export function installCrashPoints(container: Container, plan: CrashPlan): void {
  const crash = new CrashSwitch(plan);
  decorate<ChatStore>(container, TOKENS.ChatStore, (store) => {
    const wrapped = Object.create(store) as ChatStore;
    wrapped.register = async (message, now) => {
      const result = await store.register(message, now);
      if (result.created) crash.pass('after-claim');
      return result;
    };
    wrapped.transition = async (conversationId, messageId, expectedVersion, patch) => {
      const next = await store.transition(conversationId, messageId, expectedVersion, patch);
      if (next && patch.state === 'answered') crash.pass('after-store-reply');
      return next;
    };
    return wrapped;
  });
  decorate<CompletionModel>(container, TOKENS.CompletionModel, (model) => {
    // Derived from the model, so the start-up report still names its class.
    const wrapped = Object.create(model) as CompletionModel;
    wrapped.complete = async (request: CompletionRequest, options?: { signal?: AbortSignal }): Promise<Completion> => {
      const completion = await model.complete(request, options);
      crash.pass('after-model');
      return completion;
    };
    return wrapped;
  });
  decorate<ReplyChannel>(container, TOKENS.ReplyChannel, (channel) => {
    const wrapped = Object.create(channel) as ReplyChannel;
    wrapped.send = async (reply) => {
      const result = await channel.send(reply);
      crash.pass('after-send');
      return result;
    };
    return wrapped;
  });
  decorate<HandleInboundEvent>(container, TOKENS.HandleInboundEvent, (handler) => {
    const wrapped = Object.create(handler) as HandleInboundEvent;
    wrapped.execute = async (event) => {
      crash.pass('after-receive');
      const outcome = await handler.execute(event);
      // After the handler returns the consumer acks; die once that ack has gone out (the pull
      // client flushes acks in batches every 100 ms; a push answer goes out at once).
      setTimeout(() => crash.pass('after-ack'), 250).unref();
      return outcome;
    };
    return wrapped;
  });
}

function decorate<T>(container: Container, token: symbol, wrap: (inner: T) => T): void {
  const inner = container.get<T>(token);
  container.rebind(token).toConstantValue(wrap(inner));
}
