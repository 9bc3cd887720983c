import type { Message, PubSub, Subscription } from '@google-cloud/pubsub';

/** Collects the wamids of the inbound events published to a topic, through a subscription of its own. */
export class PublishedCounter {
  readonly wamids = new Set<string>();
  private subscription: Subscription | undefined;

  constructor(
    private readonly pubsub: PubSub,
    private readonly topic: string,
    private readonly name: string,
  ) {}

  async start(): Promise<void> {
    await this.pubsub.topic(this.topic).createSubscription(this.name);
    this.subscription = this.pubsub.subscription(this.name, { flowControl: { maxMessages: 5_000 } });
    this.subscription.on('message', (message: Message) => {
      const event = JSON.parse(message.data.toString('utf8')) as { kind: string; message?: { id: string } };
      if (event.kind === 'message' && event.message) this.wamids.add(event.message.id);
      message.ack();
    });
  }

  /** Waits until every one of `expected` arrived (or `timeoutMs` passed) and answers how many of them did. */
  async waitForAll(expected: ReadonlySet<string>, timeoutMs: number): Promise<number> {
    const deadline = Date.now() + timeoutMs;
    const arrived = () => [...expected].filter((wamid) => this.wamids.has(wamid)).length;
    let count = arrived();
    while (count < expected.size && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 250));
      count = arrived();
    }
    return count;
  }

  async stop(): Promise<void> {
    await this.subscription?.close();
  }
}
