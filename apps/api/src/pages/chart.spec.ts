import { Decimal } from '@tollgate/money';
import { chart, niceCeiling } from './chart';

describe('chart', () => {
  const options = {
    id: 'spend',
    kind: 'bar' as const,
    title: 'Daily spend',
    description: 'Spend per day <this month>',
    labels: ['Nov 1', 'Nov 2', 'Nov 3'],
    labelHeading: 'Day',
    series: [{ name: 'Spend', values: ['1.50', '0', '3.25'] }],
    format: (v: string) => `$${v}`,
  };

  it('labels the SVG with its title and escaped description, one titled bar per point', () => {
    const out = chart(options).text;
    expect(out).toContain('role="img" aria-labelledby="spend-title spend-desc"');
    expect(out).toContain('<title id="spend-title">Daily spend</title>');
    expect(out).toContain('<desc id="spend-desc">Spend per day &lt;this month&gt;</desc>');
    expect(out.match(/<rect /g)).toHaveLength(3);
    expect(out).toContain('<title>Nov 3: $3.25</title>');
  });

  it('has a table fallback with every value, exactly as given', () => {
    const out = chart(options).text;
    expect(out).toContain('<caption>Daily spend</caption>');
    expect(out).toContain('<tr><th scope="row">Nov 1</th><td class="num">$1.50</td></tr>');
    expect(out).toContain('<td class="num">$3.25</td>');
  });

  it('draws a taller bar for a larger value, and a zero-height one for zero', () => {
    const heights = [...chart(options).text.matchAll(/<rect [^>]*height="([\d.]+)"/g)].map((m) => Number(m[1]));
    expect(heights[1]).toBe(0);
    expect(heights[2]).toBeGreaterThan(heights[0]);
  });

  it('draws lines with a legend for several series', () => {
    const out = chart({ ...options, kind: 'line', series: [...options.series, { name: 'Cap', values: ['5', '5', '5'] }] }).text;
    expect(out.match(/<polyline /g)).toHaveLength(2);
    expect(out).toContain('class="legend"');
    expect(out).toContain('<title>Nov 2: $5 (Cap)</title>');
  });

  it('refuses a series whose length differs from the labels', () => {
    expect(() => chart({ ...options, series: [{ name: 'x', values: ['1'] }] })).toThrow(/1 values for 3 labels/);
  });

  it('rounds the axis up to 1, 2 or 5 times a power of ten', () => {
    expect(niceCeiling(new Decimal('3.25')).toFixed()).toBe('5');
    expect(niceCeiling(new Decimal('0.013')).toFixed()).toBe('0.02');
    expect(niceCeiling(new Decimal('100')).toFixed()).toBe('100');
    expect(niceCeiling(new Decimal('0')).toFixed()).toBe('1');
  });
});
