/**
 * A loss curve as a small inline SVG line (decorative: the numbers are in the text next to it).
 * @module
 */

const SVG = 'http://www.w3.org/2000/svg';

/**
 * Draws `values` into `svg` (its viewBox is `0 0 width height`), scaled to fill it; nothing for fewer
 * than two values.
 * @param {SVGSVGElement} svg
 * @param {readonly number[]} values
 */
export function renderSparkline(svg, values) {
  const [width, height] = [svg.viewBox.baseVal.width || 200, svg.viewBox.baseVal.height || 40];
  if (values.length < 2) {
    svg.replaceChildren();
    return;
  }
  const lo = Math.min(...values);
  const span = Math.max(...values) - lo || 1;
  const points = values.map((v, i) => {
    const x = (i / (values.length - 1)) * width;
    const y = height - 2 - ((v - lo) / span) * (height - 4);
    return `${x.toFixed(1)},${y.toFixed(1)}`;
  });
  const line = document.createElementNS(SVG, 'polyline');
  line.setAttribute('points', points.join(' '));
  line.setAttribute('class', 'loss-line');
  svg.replaceChildren(line);
}
