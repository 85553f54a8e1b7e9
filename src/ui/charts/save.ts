/** Saving a chart as a person sees it: its SVG as drawn, or a PNG rendered from that SVG. */
import { download } from '../../util/download';
import { FRAME } from './theme';

/** The chart's SVG as a standalone document, with the page's background behind it. */
export function standaloneSvg(svg: SVGSVGElement): string {
  const copy = svg.cloneNode(true) as SVGSVGElement;
  copy.setAttribute('xmlns', 'http://www.w3.org/2000/svg');
  const { width, height } = svg.getBoundingClientRect();
  copy.setAttribute('width', String(Math.round(width)));
  copy.setAttribute('height', String(Math.round(height)));
  const bg = document.createElementNS('http://www.w3.org/2000/svg', 'rect');
  bg.setAttribute('width', '100%');
  bg.setAttribute('height', '100%');
  bg.setAttribute('fill', FRAME.background);
  copy.insertBefore(bg, copy.firstChild);
  // Text takes the page's colour through CSS, which a standalone file does not have.
  for (const t of copy.querySelectorAll('text')) if (!t.getAttribute('fill')) t.setAttribute('fill', FRAME.text);
  return new XMLSerializer().serializeToString(copy);
}

export function saveSvg(svg: SVGSVGElement, name: string): void {
  download(`${name}.svg`, new Blob([standaloneSvg(svg)], { type: 'image/svg+xml' }));
}

export async function savePng(svg: SVGSVGElement, name: string, scale = 2): Promise<void> {
  const url = URL.createObjectURL(new Blob([standaloneSvg(svg)], { type: 'image/svg+xml' }));
  try {
    const img = new Image();
    await new Promise<void>((resolve, reject) => {
      img.onload = () => resolve();
      img.onerror = () => reject(new Error('the chart could not be drawn as an image'));
      img.src = url;
    });
    const canvas = document.createElement('canvas');
    canvas.width = Math.max(1, Math.round(img.width * scale));
    canvas.height = Math.max(1, Math.round(img.height * scale));
    const ctx = canvas.getContext('2d');
    if (!ctx) throw new Error('no 2D canvas to draw the chart on');
    ctx.scale(scale, scale);
    ctx.drawImage(img, 0, 0);
    const blob = await new Promise<Blob | null>((resolve) => canvas.toBlob(resolve, 'image/png'));
    if (!blob) throw new Error('the chart could not be encoded as PNG');
    download(`${name}.png`, blob);
  } finally {
    URL.revokeObjectURL(url);
  }
}
