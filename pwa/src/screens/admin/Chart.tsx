// A time chart drawn with uPlot (small, fast, maintained; loaded with the admin console only). The canvas
// is a picture for the eye; the same numbers are in the legend below it and, in full, in a table that
// opens beneath, so a screen reader user loses nothing.
import type { JSX } from 'preact';
import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { useT } from '../../lib/i18n';

export interface ChartSeries {
  label: string;
  values: number[];
  /** A CSS colour variable of styles.css (so the chart follows light and dark). */
  colorVar: string;
  kind: 'bars' | 'line';
}

interface Props {
  title: string;
  /** Bucket starts, ms. */
  x: number[];
  series: ChartSeries[];
  /** The x value as people read it (a day, an hour). */
  xLabel: (ms: number) => string;
  testid?: string;
  height?: number;
}

const cssVar = (name: string) => getComputedStyle(document.documentElement).getPropertyValue(name).trim() || '#1d4ed8';

export function Chart({ title, x, series, xLabel, testid, height = 180 }: Props): JSX.Element {
  const t = useT();
  const box = useRef<HTMLDivElement>(null);
  const key = JSON.stringify([x, series.map((s) => s.values)]);

  useEffect(() => {
    const el = box.current;
    if (!el || typeof HTMLCanvasElement === 'undefined' || !document.createElement('canvas').getContext?.('2d')) return;
    const axisColor = cssVar('--muted');
    const gridColor = cssVar('--border');
    const bars = uPlot.paths.bars?.({ size: [0.7, 40] });
    const opts: uPlot.Options = {
      width: Math.max(200, el.clientWidth),
      height,
      legend: { show: false },
      cursor: { show: false },
      scales: { x: { time: true }, y: { range: (_u, _min, max) => [0, Math.max(4, max * 1.15)] } },
      axes: [
        { stroke: axisColor, grid: { show: false }, ticks: { stroke: gridColor }, values: (_u, splits) => splits.map((v) => xLabel(v * 1000)), space: 56 },
        {
          stroke: axisColor,
          grid: { stroke: gridColor, width: 1 },
          ticks: { show: false },
          size: 36,
          values: (_u, splits) => splits.map((v) => (Number.isInteger(v) ? String(v) : '')),
        },
      ],
      series: [
        {},
        ...series.map((s) => {
          const color = cssVar(s.colorVar);
          return s.kind === 'bars'
            ? { label: s.label, stroke: color, fill: color, width: 0, ...(bars && { paths: bars }), points: { show: false } }
            : { label: s.label, stroke: color, width: 2, points: { show: x.length <= 31, size: 5, fill: color } };
        }),
      ],
    };
    const plot = new uPlot(opts, [x.map((v) => v / 1000), ...series.map((s) => s.values)] as uPlot.AlignedData, el);
    const ro = typeof ResizeObserver === 'undefined' ? null : new ResizeObserver(() => plot.setSize({ width: Math.max(200, el.clientWidth), height }));
    ro?.observe(el);
    return () => {
      ro?.disconnect();
      plot.destroy();
    };
  }, [key, height]);

  const totals = series.map((s) => s.values.reduce((a, v) => a + v, 0));
  return (
    <figure class="chart" data-testid={testid}>
      <figcaption>
        <h3>{title}</h3>
      </figcaption>
      <div ref={box} class="chart-canvas" aria-hidden="true" />
      <ul class="chart-legend">
        {series.map((s, i) => (
          <li key={s.label}>
            <span class={`swatch ${s.kind}`} style={{ background: `var(${s.colorVar})` }} aria-hidden="true" />
            {s.label}: <strong>{s.kind === 'bars' ? totals[i] : (s.values.at(-1) ?? 0)}</strong>
          </li>
        ))}
      </ul>
      <details class="chart-table">
        <summary>{t('mon.asTable')}</summary>
        <div class="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">{t('mon.when')}</th>
                {series.map((s) => (
                  <th key={s.label} scope="col">
                    {s.label}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {x.map((v, i) => (
                <tr key={v}>
                  <th scope="row">{xLabel(v)}</th>
                  {series.map((s) => (
                    <td key={s.label}>{s.values[i]}</td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </details>
    </figure>
  );
}
