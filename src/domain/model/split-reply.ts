/**
 * Splits a reply into parts of at most `max` UTF-16 units, preferring paragraph breaks, then line
 * breaks, then sentence ends, then spaces; a surrogate pair is never cut. Parts are trimmed and
 * never empty; joined they keep every word in order.
 */
export function splitReply(text: string, max: number): string[] {
  if (max < 2) throw new RangeError('max must be at least 2');
  const parts: string[] = [];
  let rest = text.trim();
  while (rest.length > max) {
    const cut = cutPoint(rest, max);
    const head = rest.slice(0, cut).trimEnd();
    if (head) parts.push(head);
    rest = rest.slice(cut).trimStart();
  }
  if (rest) parts.push(rest);
  return parts;
}

const BOUNDARIES = [/\n\s*\n/g, /\n/g, /[.!?…。！？]["')\]]*\s/g, /\s/g];

function cutPoint(text: string, max: number): number {
  const window = text.slice(0, max + 1);
  for (const boundary of BOUNDARIES) {
    let best = -1;
    for (const match of window.matchAll(boundary)) {
      const end = match.index + match[0].length;
      // Keep the sentence mark with its sentence; the whitespace after it may be dropped.
      const at = boundary === BOUNDARIES[2] ? match.index + match[0].trimEnd().length : match.index;
      if (at > 0 && at <= max && end > 0) best = at;
    }
    // Only accept a boundary that keeps parts reasonably full (at least half the limit).
    if (best >= max / 2) return best;
  }
  const code = text.charCodeAt(max - 1);
  return code >= 0xd800 && code <= 0xdbff ? max - 1 : max;
}
