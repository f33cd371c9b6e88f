/**
 * The benchmark's table: one row per request and connection count, (a) (b) (c) side by side with the
 * ratios, as markdown (printed, and written to bench-results/), then `worst c/b: X` as the last line.
 */
import type { Measure } from './load.ts';

export type Row = {
  label: string;
  connections: number;
  /** pgbench's figures, or why there are none. */
  a: Measure | string;
  b: Measure;
  c: Measure;
  /** The API's largest resident memory during (c), bytes. */
  cRss: number;
};

const integer = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });
const rate = (measure: Measure) =>
  `${integer.format(measure.rps)}${measure.errors > 0 ? ` (${integer.format(measure.errors)} failed)` : ''}`;
const ms = (value: number) => (Number.isNaN(value) ? '–' : value < 10 ? value.toFixed(2) : value.toFixed(1));
const ratio = (over: Measure, under: Measure | string) =>
  typeof under === 'string' || under.rps === 0 ? '–' : (over.rps / under.rps).toFixed(2);
export const megabytes = (bytes: number) => `${Math.round(bytes / 1024 / 1024)} MB`;

export function tableOf(rows: Row[]): string[] {
  const header = [
    'request',
    'conns',
    'a req/s',
    'a p50',
    'a p99',
    'b req/s',
    'b p50',
    'b p99',
    'c req/s',
    'c p50',
    'c p99',
    'c/b',
    'c/a',
    'API RSS',
  ];
  const cells = rows.map((row) => {
    const a = typeof row.a === 'string' ? [row.a, '–', '–'] : [rate(row.a), ms(row.a.p50), ms(row.a.p99)];
    return [
      row.label,
      String(row.connections),
      ...a,
      rate(row.b),
      ms(row.b.p50),
      ms(row.b.p99),
      rate(row.c),
      ms(row.c.p50),
      ms(row.c.p99),
      ratio(row.c, row.b),
      ratio(row.c, row.a),
      megabytes(row.cRss),
    ];
  });
  const widths = header.map((title, i) => Math.max(title.length, ...cells.map((line) => line[i]?.length ?? 0)));
  const isText = (i: number) => i === 0;
  const line = (values: string[]) =>
    `| ${values.map((value, i) => (isText(i) ? value.padEnd(widths[i] ?? 0) : value.padStart(widths[i] ?? 0))).join(' | ')} |`;
  const rule = `| ${widths.map((width, i) => (isText(i) ? '-'.repeat(width) : `${'-'.repeat(width - 1)}:`)).join(' | ')} |`;
  return [line(header), rule, ...cells.map(line)];
}

/** The row with the lowest c/b. */
export function worstOf(rows: Row[]): { row: Row; ratio: number } | null {
  let worst: { row: Row; ratio: number } | null = null;
  for (const row of rows) {
    if (row.b.rps === 0) continue;
    const value = row.c.rps / row.b.rps;
    if (!worst || value < worst.ratio) worst = { row, ratio: value };
  }
  return worst;
}
