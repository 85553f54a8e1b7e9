import type { RefObject } from 'react';
import { savePng, saveSvg } from './save';

/** SVG and PNG buttons for the chart drawn inside `figure` (its first recharts surface). */
export function SaveChart({ figure, name }: { figure: RefObject<HTMLElement | null>; name: string }) {
  const svg = () => figure.current?.querySelector<SVGSVGElement>('svg.recharts-surface') ?? null;
  return (
    <span className="save-chart">
      <button
        className="secondary small"
        data-testid="save-svg"
        onClick={() => {
          const s = svg();
          if (s) saveSvg(s, name);
        }}
      >
        SVG
      </button>
      <button
        className="secondary small"
        data-testid="save-png"
        onClick={() => {
          const s = svg();
          if (s) void savePng(s, name);
        }}
      >
        PNG
      </button>
    </span>
  );
}
