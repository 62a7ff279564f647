// A small SVG line plot with logarithmic axes, written by hand: wall time (s) against hosts (N).

const WIDTH = 640;
const HEIGHT = 400;
const MARGIN = { left: 64, right: 170, top: 36, bottom: 48 };
const COLOURS = ['#d62728', '#1f77b4', '#2ca02c', '#9467bd', '#ff7f0e', '#7f7f7f', '#8c564b'];

const escape = (text) => String(text).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const decades = (min, max) => {
  const ticks = [];
  for (let power = Math.floor(Math.log10(min)); power <= Math.ceil(Math.log10(max)); power += 1) ticks.push(10 ** power);
  return ticks;
};
const label = (value) => (value >= 1 ? String(value) : String(Number(value.toPrecision(1))));

/** `series`: [{ label, points: [[hosts, milliseconds]] }]; returns the SVG document. */
export function logLogPlot({ title, series }) {
  const points = series.flatMap((entry) => entry.points);
  if (points.length === 0) return `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="60"><text x="10" y="30">${escape(title)}: no figures</text></svg>\n`;
  const xTicks = decades(Math.min(...points.map(([hosts]) => hosts)), Math.max(...points.map(([hosts]) => hosts)));
  const yTicks = decades(Math.min(...points.map(([, ms]) => ms / 1000)), Math.max(...points.map(([, ms]) => ms / 1000)));
  const [xMin, xMax] = [Math.log10(xTicks[0]), Math.log10(xTicks.at(-1)) || 1];
  const [yMin, yMax] = [Math.log10(yTicks[0]), Math.log10(yTicks.at(-1))];
  const plotWidth = WIDTH - MARGIN.left - MARGIN.right;
  const plotHeight = HEIGHT - MARGIN.top - MARGIN.bottom;
  const x = (hosts) => MARGIN.left + ((Math.log10(hosts) - xMin) / (xMax - xMin || 1)) * plotWidth;
  const y = (seconds) => MARGIN.top + plotHeight - ((Math.log10(seconds) - yMin) / (yMax - yMin || 1)) * plotHeight;
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}" viewBox="0 0 ${WIDTH} ${HEIGHT}" font-family="sans-serif" font-size="12">`,
    `<rect width="${WIDTH}" height="${HEIGHT}" fill="white"/>`,
    `<text x="${MARGIN.left}" y="20" font-size="14" font-weight="bold">${escape(title)}</text>`,
  ];
  for (const tick of xTicks) {
    parts.push(`<line x1="${x(tick)}" y1="${MARGIN.top}" x2="${x(tick)}" y2="${MARGIN.top + plotHeight}" stroke="#ddd"/>`);
    parts.push(`<text x="${x(tick)}" y="${MARGIN.top + plotHeight + 16}" text-anchor="middle">${label(tick)}</text>`);
  }
  for (const tick of yTicks) {
    parts.push(`<line x1="${MARGIN.left}" y1="${y(tick)}" x2="${MARGIN.left + plotWidth}" y2="${y(tick)}" stroke="#ddd"/>`);
    parts.push(`<text x="${MARGIN.left - 6}" y="${y(tick) + 4}" text-anchor="end">${label(tick)}</text>`);
  }
  parts.push(
    `<rect x="${MARGIN.left}" y="${MARGIN.top}" width="${plotWidth}" height="${plotHeight}" fill="none" stroke="#333"/>`,
    `<text x="${MARGIN.left + plotWidth / 2}" y="${HEIGHT - 10}" text-anchor="middle">hosts (N, log scale)</text>`,
    `<text transform="translate(16 ${MARGIN.top + plotHeight / 2}) rotate(-90)" text-anchor="middle">wall time, s (log scale)</text>`,
  );
  series.forEach((entry, index) => {
    const colour = COLOURS[index % COLOURS.length];
    const coordinates = entry.points.map(([hosts, ms]) => `${x(hosts).toFixed(1)},${y(ms / 1000).toFixed(1)}`);
    parts.push(`<polyline points="${coordinates.join(' ')}" fill="none" stroke="${colour}" stroke-width="2"/>`);
    for (const point of coordinates) parts.push(`<circle cx="${point.split(',')[0]}" cy="${point.split(',')[1]}" r="3" fill="${colour}"/>`);
    const legendY = MARGIN.top + 10 + index * 18;
    parts.push(
      `<line x1="${MARGIN.left + plotWidth + 12}" y1="${legendY}" x2="${MARGIN.left + plotWidth + 32}" y2="${legendY}" stroke="${colour}" stroke-width="2"/>`,
      `<text x="${MARGIN.left + plotWidth + 38}" y="${legendY + 4}">${escape(entry.label)}</text>`,
    );
  });
  parts.push('</svg>');
  return `${parts.join('\n')}\n`;
}
