import { describe, expect, it } from 'vitest';
import { channelSettingsProblems } from '../../../src/domain/model/channel-settings-rules.js';
import type { ChannelTool } from '../../../src/domain/model/tool-call.js';
import type { ArgumentSchemas } from '../../../src/domain/ports/argument-schemas.js';

const aTool = (overrides: Record<string, unknown> = {}): ChannelTool =>
  ({
    name: 'order_status',
    description: 'The status of an order',
    parameters: { type: 'object', properties: { orderNumber: { type: 'string' } }, required: ['orderNumber'] },
    url: 'https://shop.example.com/tools/order-status',
    ...overrides,
  }) as ChannelTool;

const toolsProblemOf = (tools: unknown, schemas?: ArgumentSchemas) => channelSettingsProblems({ accountId: 'phone-1', tools: tools as ChannelTool[], updatedAt: 0 }, schemas).tools;

describe('channelSettingsProblems on tools', () => {
  it('accepts valid tools, none, and the bounds themselves', () => {
    expect(toolsProblemOf([aTool(), aTool({ name: 'B-2', timeoutMs: 100 }), aTool({ name: 'x'.repeat(64), timeoutMs: 60_000, url: 'http://10.0.0.1:8080/t' })])).toBeUndefined();
    expect(toolsProblemOf([])).toBeUndefined();
    expect(toolsProblemOf(Array.from({ length: 10 }, (_, i) => aTool({ name: `tool_${i}` })))).toBeUndefined();
    expect(toolsProblemOf([aTool({ description: 'd'.repeat(1024) })])).toBeUndefined();
    expect(channelSettingsProblems({ accountId: 'phone-1', updatedAt: 0 })).toEqual({});
  });

  it('refuses what is not a list, and more than 10 tools', () => {
    expect(toolsProblemOf({ name: 'x' })).toBe('must be a list of at most 10 tools');
    expect(toolsProblemOf(Array.from({ length: 11 }, (_, i) => aTool({ name: `tool_${i}` })))).toBe('must be a list of at most 10 tools');
  });

  it('refuses a bad, duplicate or reserved name, naming the tool', () => {
    expect(toolsProblemOf([aTool({ name: 'has space' })])).toBe('tool "has space": name must be 1 to 64 letters, digits, _ or -');
    expect(toolsProblemOf([aTool({ name: 'x'.repeat(65) })])).toContain('name must be 1 to 64');
    expect(toolsProblemOf([aTool({ name: '' })])).toBe('tool 1: name must be 1 to 64 letters, digits, _ or -');
    expect(toolsProblemOf([aTool(), aTool()])).toBe('tool "order_status": the name is used by another tool');
    expect(toolsProblemOf([aTool({ name: 'request_human' })])).toBe('tool "request_human": the name is reserved for the built-in handoff tool');
  });

  it('refuses a missing, blank or too long description', () => {
    for (const description of [undefined, '  ', 'd'.repeat(1025), 7]) {
      expect(toolsProblemOf([aTool({ description })]), String(description)).toBe('tool "order_status": description must be 1 to 1,024 characters');
    }
  });

  it('refuses parameters that are not an object schema, or over 16 KiB', () => {
    for (const parameters of [undefined, 'object', [], { type: 'string' }, { properties: {} }]) {
      expect(toolsProblemOf([aTool({ parameters })]), JSON.stringify(parameters)).toBe('tool "order_status": parameters must be a JSON Schema whose type is "object"');
    }
    const big = { type: 'object', description: 'x'.repeat(16 * 1024) };
    expect(toolsProblemOf([aTool({ parameters: big })])).toBe('tool "order_status": parameters must be at most 16 KiB as JSON');
  });

  it('asks the schema checker, when given one, and reports its reason', () => {
    const asked: unknown[] = [];
    const schemas: ArgumentSchemas = {
      schemaProblem: (schema) => (asked.push(schema), schema.properties === 'broken' ? 'properties must be object' : null),
      problems: () => [],
    };
    expect(toolsProblemOf([aTool()], schemas)).toBeUndefined();
    expect(asked).toEqual([aTool().parameters]);
    expect(toolsProblemOf([aTool({ parameters: { type: 'object', properties: 'broken' } })], schemas)).toBe('tool "order_status": parameters is not a usable JSON Schema: properties must be object');
    expect(toolsProblemOf([aTool({ parameters: { type: 'object', properties: 'broken' } })])).toBeUndefined();
  });

  it('refuses a url that is not http(s) or too long, and a timeout out of bounds', () => {
    for (const url of ['ftp://shop.example.com', 'not a url', `https://shop.example.com/${'a'.repeat(2048)}`, undefined]) {
      expect(toolsProblemOf([aTool({ url })]), String(url)).toBe('tool "order_status": url must be an http(s) URL of at most 2,048 characters');
    }
    for (const timeoutMs of [99, 60_001, 1500.5, '5000']) {
      expect(toolsProblemOf([aTool({ timeoutMs })]), String(timeoutMs)).toBe('tool "order_status": timeoutMs must be a whole number from 100 to 60,000');
    }
  });

  it('refuses an entry that is not an object or has an unknown field, and reports every tool that is wrong', () => {
    expect(toolsProblemOf(['order_status'])).toBe('tool 1: must be an object {name, description, parameters, url, timeoutMs?}');
    expect(toolsProblemOf([aTool({ timeout: 5000 })])).toContain('tool "order_status": unknown field "timeout"');
    expect(toolsProblemOf([aTool({ name: 'a', url: 'ftp://x' }), aTool({ name: 'b' }), aTool({ name: 'c', timeoutMs: 1 })])).toBe(
      'tool "a": url must be an http(s) URL of at most 2,048 characters; tool "c": timeoutMs must be a whole number from 100 to 60,000',
    );
  });
});
