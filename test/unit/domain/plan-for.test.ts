import { describe, expect, it } from 'vitest';
import { planFor, textOf, type ContentPlan, type MessageContent } from '../../../src/domain/model/message.js';

const cases: [string, MessageContent, ContentPlan][] = [
  ['text', { type: 'text', body: 'hello' }, { action: 'complete', prompt: 'hello' }],
  ['blank text', { type: 'text', body: '  \n' }, { action: 'record-only', reason: 'empty_text' }],
  ['image with caption', { type: 'image', mediaId: 'm1', caption: 'look' }, { action: 'complete', prompt: '[image with caption] look' }],
  ['image without caption', { type: 'image', mediaId: 'm1' }, { action: 'media-reply' }],
  ['image with a blank caption', { type: 'image', mediaId: 'm1', caption: '   ' }, { action: 'media-reply' }],
  ['video with caption', { type: 'video', mediaId: 'm2', caption: 'watch' }, { action: 'complete', prompt: '[video with caption] watch' }],
  ['video without caption', { type: 'video', mediaId: 'm2' }, { action: 'media-reply' }],
  ['document with caption', { type: 'document', mediaId: 'm3', caption: 'invoice', filename: 'a.pdf' }, { action: 'complete', prompt: '[document with caption] invoice' }],
  ['document without caption', { type: 'document', mediaId: 'm3', filename: 'a.pdf' }, { action: 'media-reply' }],
  ['voice note', { type: 'audio', mediaId: 'm4', voice: true }, { action: 'media-reply' }],
  ['sticker', { type: 'sticker', mediaId: 'm5', animated: false }, { action: 'media-reply' }],
  ['named location', { type: 'location', latitude: 52.5, longitude: 13.4, name: 'Office', address: 'Main St 1' }, { action: 'complete', prompt: '[shared location] Office, Main St 1' }],
  ['bare location', { type: 'location', latitude: 52.5, longitude: 13.4 }, { action: 'complete', prompt: '[shared location] 52.5, 13.4' }],
  ['contacts', { type: 'contacts', contacts: [{ name: 'Bob', phones: ['+1'] }, { name: 'Eve', phones: [] }] }, { action: 'complete', prompt: '[shared 2 contact card(s): Bob, Eve]' }],
  ['interactive reply', { type: 'interactive', kind: 'list_reply', replyId: 'r1', title: 'Opening hours' }, { action: 'complete', prompt: '[chose option] Opening hours' }],
  ['button', { type: 'button', payload: 'P', text: 'Yes please' }, { action: 'complete', prompt: '[pressed button] Yes please' }],
  ['reaction', { type: 'reaction', messageId: 'wamid.1', emoji: '👍' }, { action: 'record-only', reason: 'reaction' }],
  ['removed reaction', { type: 'reaction', messageId: 'wamid.1' }, { action: 'record-only', reason: 'reaction_removed' }],
  ['unsupported', { type: 'unsupported', errorCode: 131051 }, { action: 'record-only', reason: 'unsupported_type' }],
];

describe('planFor', () => {
  it.each(cases)('plans correctly when the content is %s', (_, content, plan) => {
    expect(planFor(content)).toEqual(plan);
  });

  it('covers every content type when the cases above are counted', () => {
    const types = new Set(cases.map(([, content]) => content.type));
    expect([...types].toSorted()).toEqual(
      ['audio', 'button', 'contacts', 'document', 'image', 'interactive', 'location', 'reaction', 'sticker', 'text', 'unsupported', 'video'],
    );
  });
});

describe('textOf', () => {
  it('returns the prompt when the content is completable and undefined when it is not', () => {
    expect(textOf({ type: 'button', payload: 'P', text: 'Go' })).toBe('[pressed button] Go');
    expect(textOf({ type: 'sticker', mediaId: 'm', animated: true })).toBeUndefined();
    expect(textOf({ type: 'reaction', messageId: 'w', emoji: '😀' })).toBeUndefined();
  });
});
