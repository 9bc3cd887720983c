import type { ChartSpec } from '../overview-data.js';

/** A canvas whose chart the page script draws from the JSON in `data-chart` (escaped as an attribute). */
export function ChartCard({ chart }: { chart: ChartSpec }) {
  return (
    <figure class="card chart">
      <figcaption>{chart.title}</figcaption>
      <div class="chart-box">
        <canvas id={`chart-${chart.id}`} data-chart={JSON.stringify(chart)} role="img" aria-label={chart.title} />
      </div>
    </figure>
  );
}
