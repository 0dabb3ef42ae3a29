import { Decimal } from '@tollgate/money';
import { html, type Html } from './html';

export interface ChartSeries {
  name: string;
  /** One decimal string per label. */
  values: readonly string[];
}

export interface ChartOptions {
  /** Unique on the page: the SVG's <title>/<desc> ids derive from it. */
  id: string;
  kind: 'bar' | 'line';
  /** Short: the SVG's <title> and the table's caption. */
  title: string;
  /** What the chart shows, for screen readers (the SVG's <desc>). */
  description: string;
  /** The x axis: one label per point (days, models). */
  labels: readonly string[];
  /** The first column's heading in the table ("Day"). */
  labelHeading: string;
  series: readonly ChartSeries[];
  /** How a value reads (money, tokens); it is given the value's decimal string. */
  format?: (value: string) => string;
}

const WIDTH = 640;
const HEIGHT = 260;
const LEFT = 72;
const RIGHT = 12;
const TOP = 12;
const BOTTOM = 36;
const TICKS = 4;
// Distinguishable, each above 3:1 against the chart's background.
const COLOURS = ['#0b57d0', '#b3261e', '#146c2e', '#8a4baf', '#7a5900'];

/** The smallest 1, 2 or 5 × 10^k at or above the value (so ticks are round numbers). */
export function niceCeiling(value: Decimal): Decimal {
  if (value.lte(0)) return new Decimal(1);
  const power = Decimal.pow(10, Math.floor(Decimal.log10(value).toNumber()));
  for (const step of [1, 2, 5, 10]) {
    const candidate = power.mul(step);
    if (candidate.gte(value)) return candidate;
  }
  return power.mul(10);
}

const px = (n: number) => Math.round(n * 10) / 10;

/**
 * A chart drawn on the server as SVG (no script), with a <title> and <desc>, each point's value in a <title>
 * of its own, and the same figures as a table beside it: the table is the fallback and what assistive
 * technology reads. Values are decimal strings; only pixel positions go through floats.
 */
export function chart(options: ChartOptions): Html {
  const { id, kind, title, description, labels, labelHeading, series } = options;
  const format = options.format ?? ((v: string) => v);
  for (const s of series) {
    if (s.values.length !== labels.length) throw new Error(`series "${s.name}" has ${s.values.length} values for ${labels.length} labels`);
  }
  const all = series.flatMap((s) => s.values.map((v) => new Decimal(v)));
  const top = niceCeiling(Decimal.max(0, ...all));
  const bottom = Decimal.min(0, ...all).isZero() ? new Decimal(0) : niceCeiling(Decimal.min(0, ...all).neg()).neg();
  const span = top.minus(bottom);
  const plotW = WIDTH - LEFT - RIGHT;
  const plotH = HEIGHT - TOP - BOTTOM;
  const y = (v: Decimal) => TOP + plotH - v.minus(bottom).div(span).toNumber() * plotH;
  const slot = labels.length > 0 ? plotW / labels.length : plotW;
  const xCentre = (i: number) => LEFT + slot * (i + 0.5);
  const every = Math.max(1, Math.ceil(labels.length / 12));

  const ticks = Array.from({ length: TICKS + 1 }, (_, i) => bottom.plus(span.mul(i).div(TICKS)));
  const grid = ticks.map(
    (t) =>
      html`<line class="axis" x1="${LEFT}" x2="${WIDTH - RIGHT}" y1="${px(y(t))}" y2="${px(y(t))}" stroke-opacity="${t.isZero() ? 1 : 0.25}"/><text x="${LEFT - 6}" y="${px(y(t) + 4)}" text-anchor="end">${format(t.toFixed())}</text>`,
  );
  const xLabels = labels.map((label, i) =>
    i % every === 0 ? html`<text x="${px(xCentre(i))}" y="${HEIGHT - BOTTOM + 16}" text-anchor="middle">${label}</text>` : '',
  );
  const pointTitle = (s: ChartSeries, i: number) => `${labels[i]}: ${format(s.values[i])}${series.length > 1 ? ` (${s.name})` : ''}`;

  const marks = series.map((s, k) => {
    const colour = COLOURS[k % COLOURS.length];
    if (kind === 'bar') {
      const barW = (slot * 0.8) / series.length;
      const bars = s.values.map((v, i) => {
        const value = new Decimal(v);
        const x0 = LEFT + slot * i + slot * 0.1 + barW * k;
        const y0 = y(Decimal.max(value, 0));
        const h = Math.abs(y(value) - y(new Decimal(0)));
        return html`<rect x="${px(x0)}" y="${px(y0)}" width="${px(barW)}" height="${px(h)}"><title>${pointTitle(s, i)}</title></rect>`;
      });
      return html`<g fill="${colour}">${bars}</g>`;
    }
    const points = s.values.map((v, i) => `${px(xCentre(i))},${px(y(new Decimal(v)))}`).join(' ');
    const dots = s.values.map(
      (v, i) =>
        html`<circle cx="${px(xCentre(i))}" cy="${px(y(new Decimal(v)))}" r="3" fill="${colour}"><title>${pointTitle(s, i)}</title></circle>`,
    );
    return html`<g><polyline fill="none" stroke="${colour}" stroke-width="2" points="${points}"/>${dots}</g>`;
  });

  const legend =
    series.length > 1
      ? html`<ul class="legend">${series.map(
          (s, k) =>
            html`<li><svg width="12" height="12" aria-hidden="true" focusable="false"><rect width="12" height="12" fill="${COLOURS[k % COLOURS.length]}"/></svg> ${s.name}</li>`,
        )}</ul>`
      : '';
  const rows = labels.map(
    (label, i) => html`<tr><th scope="row">${label}</th>${series.map((s) => html`<td class="num">${format(s.values[i])}</td>`)}</tr>`,
  );

  return html`<figure class="chart" id="${id}">
<svg viewBox="0 0 ${WIDTH} ${HEIGHT}" width="${WIDTH}" height="${HEIGHT}" role="img" aria-labelledby="${id}-title ${id}-desc">
<title id="${id}-title">${title}</title>
<desc id="${id}-desc">${description}</desc>
${grid}${xLabels}${marks}
</svg>
${legend}
<table>
<caption>${title}</caption>
<thead><tr><th scope="col">${labelHeading}</th>${series.map((s) => html`<th scope="col" class="num">${s.name}</th>`)}</tr></thead>
<tbody>${rows}</tbody>
</table>
</figure>`;
}
