import { performance } from 'node:perf_hooks';
import { afterEach, describe, expect, it } from 'vitest';
import { GraphApiDouble } from '../support/graph-api-double.js';
import { OpenAiDouble } from '../support/openai-double.js';

// The fault modes of the OpenAI and Graph API doubles (HttpFaults), driven over real HTTP.

const stops: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const stop of stops.splice(0).reverse()) await stop();
});

async function anOpenAiDouble(options: ConstructorParameters<typeof OpenAiDouble>[0] = {}): Promise<OpenAiDouble> {
  const double = new OpenAiDouble(options);
  await double.start();
  stops.push(() => double.stop());
  return double;
}

async function aGraphDouble(): Promise<GraphApiDouble> {
  const double = new GraphApiDouble();
  await double.start();
  stops.push(() => double.stop());
  return double;
}

const chat = (double: OpenAiDouble, text: string) =>
  fetch(`${double.baseUrl}/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: text }] }),
  });

const send = (double: GraphApiDouble, to: string) =>
  fetch(`${double.baseUrl}/v23.0/1234567/messages`, {
    method: 'POST',
    headers: { authorization: `Bearer ${double.accessToken}`, 'content-type': 'application/json' },
    body: JSON.stringify({ messaging_product: 'whatsapp', recipient_type: 'individual', to, type: 'text', text: { body: 'hi' } }),
  });

/** The error code under fetch's `TypeError: fetch failed`, or the status when it answered. */
async function outcomeOf(request: Promise<Response>): Promise<number | string> {
  try {
    const response = await request;
    await response.arrayBuffer();
    return response.status;
  } catch (error) {
    const cause = (error as { cause?: { code?: string } }).cause;
    return cause?.code ?? 'failed';
  }
}

describe('OpenAiDouble faults', () => {
  it('answers every request after the added latency when latency is set', async () => {
    const double = await anOpenAiDouble();
    double.faults.latency(120);

    const started = performance.now();
    const statuses = await Promise.all([outcomeOf(chat(double, 'a')), outcomeOf(chat(double, 'b'))]);

    expect(statuses).toEqual([200, 200]);
    expect(performance.now() - started).toBeGreaterThanOrEqual(115);
    expect(double.faults.counters.delayed).toBe(2);
  });

  it('resets the next N requests without an answer and records them as dropped when resetNext is set', async () => {
    const double = await anOpenAiDouble();
    double.faults.resetNext(2);

    const outcomes = [await outcomeOf(chat(double, 'a')), await outcomeOf(chat(double, 'b')), await outcomeOf(chat(double, 'c'))];

    expect(outcomes.slice(0, 2).every((o) => typeof o === 'string')).toBe(true);
    expect(outcomes[2]).toBe(200);
    expect(double.chatRequests.map((r) => r.outcome.kind)).toEqual(['dropped', 'dropped', 'answered']);
    expect(double.faults.counters.reset).toBe(2);
  });

  it('resets about the given share of requests when resetRate is set', async () => {
    const double = await anOpenAiDouble();
    double.faults.resetRate(1);
    expect(typeof (await outcomeOf(chat(double, 'a')))).toBe('string');
    double.faults.resetRate(0);
    expect(await outcomeOf(chat(double, 'b'))).toBe(200);
  });

  it('refuses every request during an outage and answers again once healed', async () => {
    const double = await anOpenAiDouble();
    expect(await outcomeOf(chat(double, 'before'))).toBe(200);

    double.faults.outage();
    const during = await Promise.all([outcomeOf(chat(double, 'x')), outcomeOf(chat(double, 'y'))]);
    double.faults.heal();
    const after = await outcomeOf(chat(double, 'after'));

    expect(during.every((o) => typeof o === 'string')).toBe(true);
    expect(after).toBe(200);
    expect(double.faults.counters.refused + double.faults.counters.reset).toBeGreaterThanOrEqual(2);
    expect(double.chatRequests.filter((r) => r.outcome.kind === 'answered')).toHaveLength(2);
  });

  it('heals by itself after the given time when the outage has a duration', async () => {
    const double = await anOpenAiDouble();
    double.faults.outage(100);
    expect(double.faults.inOutage).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(double.faults.inOutage).toBe(false);
    expect(await outcomeOf(chat(double, 'later'))).toBe(200);
  });

  it('answers what compose makes of the last user message when compose is given', async () => {
    const double = await anOpenAiDouble({ compose: (text, index) => `${text} #${index}` });
    await chat(double, 'first');
    const answer = (await (await chat(double, 'second')).json()) as { choices: { message: { content: string } }[] };
    expect(answer.choices[0]!.message.content).toBe('second #1');
  });
});

describe('GraphApiDouble faults', () => {
  it('records reset sends as reset and counts only accepted ones in waitForAcceptedSends when resets are set', async () => {
    const double = await aGraphDouble();
    double.faults.resetNext(1);

    const first = await outcomeOf(send(double, '491'));
    const second = await outcomeOf(send(double, '492'));
    const accepted = await double.waitForAcceptedSends(1, 2_000);

    expect(typeof first).toBe('string');
    expect(second).toBe(200);
    expect(double.sends.map((r) => r.outcome.kind)).toEqual(['reset', 'accepted']);
    expect(accepted.map((r) => (r.body as { to: string }).to)).toEqual(['492']);
  });

  it('accepts a dropped send (a wamid, counted in waitForAcceptedSends) but closes the connection without an answer when drops are set', async () => {
    const double = await aGraphDouble();
    double.dropNext(1);
    double.faults.dropNext(1);

    const outcomes = [await outcomeOf(send(double, '491')), await outcomeOf(send(double, '492')), await outcomeOf(send(double, '493'))];
    const accepted = await double.waitForAcceptedSends(3, 2_000);

    expect(outcomes).toEqual(['UND_ERR_SOCKET', 'UND_ERR_SOCKET', 200]);
    expect(accepted.map((r) => [(r.body as { to: string }).to, r.outcome.kind, r.dropped ?? false])).toEqual([
      ['491', 'accepted', true],
      ['492', 'accepted', true],
      ['493', 'accepted', false],
    ]);
    expect(double.faults.counters.dropped).toBe(1);
  });

  it('refuses sends during an outage, accepts them after heal, and answers after the latency', async () => {
    const double = await aGraphDouble();
    double.faults.outage();
    expect(typeof (await outcomeOf(send(double, '491')))).toBe('string');
    double.faults.heal().latency(80);

    const started = performance.now();
    expect(await outcomeOf(send(double, '492'))).toBe(200);

    expect(performance.now() - started).toBeGreaterThanOrEqual(75);
    expect(double.acceptedIds).toHaveLength(1);
  });
});
