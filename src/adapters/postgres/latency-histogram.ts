// Reply latencies are counted in buckets instead of kept sorted: exact below 100 ms, then
// logarithmic with a width of 1 %, so any value in a bucket is within 1 % of its lowest whole
// millisecond, which is what a percentile reports (PERCENTILE_RELATIVE_ERROR).

const EXACT_BELOW = 100;
const GROWTH = 1.01;

// The bucket of `latency_ms`, as a SQL expression over a row of `interaction`.
export const LATENCY_BUCKET_SQL = `(case when latency_ms < ${EXACT_BELOW} then latency_ms else ${EXACT_BELOW} + floor(ln(latency_ms::float8 / ${EXACT_BELOW}) / ln(${GROWTH}::float8))::integer end)`;

// Which rows have a reply latency at all (the same rule as the in-memory store).
export const HAS_LATENCY_SQL = `(latency_ms is not null and outcome <> 'skipped')`;

// The smallest whole millisecond of a bucket: within 1 % (at least 1 ms) of every value in it.
export function bucketValue(bucket: number): number {
  return bucket < EXACT_BELOW ? bucket : Math.ceil(EXACT_BELOW * GROWTH ** (bucket - EXACT_BELOW));
}

// The nearest rank of the domain's `percentile`, with the same floating-point steps.
export function nearestRank(p: number, count: number): number {
  return Math.max(1, Math.ceil((p / 100) * count));
}

// Nearest-rank percentile over `(bucket, count)` pairs sorted by bucket; null when empty.
export function histogramPercentile(histogram: readonly { bucket: number; count: number }[], p: number): number | null {
  const total = histogram.reduce((sum, h) => sum + h.count, 0);
  if (total === 0) return null;
  const rank = nearestRank(p, total);
  let seen = 0;
  for (const { bucket, count } of histogram) {
    seen += count;
    if (seen >= rank) return bucketValue(bucket);
  }
  return null;
}
