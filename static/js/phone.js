// A figure laid out for a phone (narrowLayout): legends below, titles wrapped, panels stacked.
// Pure functions of a Plotly layout. No side effects on import.

const LINE_HEIGHT = 20; // px per line of a 14 px title
const TOOLBAR_STRIP = 44; // px at the top of a figure for Plotly's toolbar (25 px) and the title's first line to clear it
const LEGEND_ROW = 30; // px per row of the legend
const LEGEND_ITEM = 150; // px a legend entry takes across, on average
const BELOW_AXIS = 75; // px from the plot area's bottom to the legend: tick labels and the x-axis title

// A figure laid out for a phone: the legend goes under the plot (beside it, it leaves the plot a
// sliver), long titles wrap instead of running off the edge, and panels side by side are stacked
// (`stack`; small multiples such as the neuron maps keep their grid). The figure grows by what
// moved below, so that the plot keeps its size.
export function narrowLayout(layout, data, width, { stack = true } = {}) {
  const out = { ...layout, margin: { l: 60, r: 30, t: 60, b: 55, ...(layout.margin || {}) } }; // the theme's margins
  out.margin.r = Math.min(out.margin.r, 24);
  let height = layout.height || 450;
  if (stack) height += stackPanels(out, width);
  height += wrapTitle(out, width);
  height += legendBelow(out, data, width);
  out.height = Math.round(height);
  if (out.legend && out.legend.yref === "paper" && out.legend.y === "below") {
    out.legend.y = -BELOW_AXIS / (out.height - out.margin.t - out.margin.b);
  }
  wrapAxisTitles(out, width);
  narrowLabels(out);
  shortColorBars(out);
  return out;
}

// A shared colour bar keeps a readable length at the top of a tall phone figure: as a fraction of the
// height, it stretched down the whole of a stacked figure.
function shortColorBars(layout) {
  for (const key of Object.keys(layout).filter((name) => /^coloraxis\d*$/.test(name))) {
    const bar = layout[key].colorbar;
    if (!bar || layout.height < 700) continue;
    layout[key] = { ...layout[key], colorbar: { ...bar, lenmode: "pixels", len: 280, y: 1, yanchor: "top" } };
  }
}

// Labels placed at data points (a network's layer names) sit closer together on a phone: a smaller
// font, and a long line broken in two.
function narrowLabels(layout) {
  layout.annotations = (layout.annotations || []).map((note) => {
    if ((note.xref || "x") === "paper" || !note.text) return note;
    const text = note.text.split(/<br\s*\/?>/i).flatMap((line) => (/[<>]/.test(line) ? [line] : wrapWords(line, 11))).join("<br>");
    return { ...note, text, font: { ...(note.font || {}), size: Math.min(11, (note.font || {}).size || 11) } };
  });
}

// An axis title longer than its axis wraps (13 px characters, about 7.5 px each).
function wrapAxisTitles(layout, width) {
  const across = width - layout.margin.l - layout.margin.r;
  const down = layout.height - layout.margin.t - layout.margin.b;
  for (const key of Object.keys(layout).filter((name) => /^[xy]axis\d*$/.test(name))) {
    const axis = layout[key];
    const title = typeof axis.title === "string" ? { text: axis.title } : axis.title;
    if (!title || !title.text || /[<>]/.test(title.text)) continue;
    const [start, end] = axis.domain || [0, 1];
    const length = (key[0] === "x" ? across : down) * (end - start);
    const lines = wrapWords(title.text, Math.max(12, Math.floor(length / 7.5)));
    layout[key] = { ...axis, title: { ...title, text: lines.join("<br>") } };
    // A log axis's ticks (10⁻³) are wider than a linear one's: more room beside them for the title.
    const ticks = axis.type === "log" ? 74 : 60;
    if (key[0] === "y") layout.margin.l = Math.max(layout.margin.l, ticks + 18 * (lines.length - 1));
  }
  // The y axes keep to that margin: with their automatic margins, an axis whose scale is tied to
  // the other's (a square plane) makes Plotly redraw the figure over and over on a narrow screen.
  for (const key of Object.keys(layout).filter((name) => /^yaxis\d*$/.test(name))) {
    layout[key] = { ...layout[key], automargin: false };
  }
}

function wrapTitle(layout, width) {
  const title = typeof layout.title === "string" ? { text: layout.title } : layout.title;
  if (!title || !title.text) return 0;
  // Over the plot area (right of the y axis's title, which a tall plot's reaches up beside it), and
  // under the toolbar's strip: a phone shows the toolbar all the time (nothing hovers), over the top
  // right of the figure, where a title that fills the width would end.
  const text = narrowTitle(title.text, width - layout.margin.l + 20);
  layout.title = { ...title, text, x: 0, xanchor: "left", xref: "paper", yref: "container", y: 1,
    yanchor: "top", pad: { t: TOOLBAR_STRIP }, font: { ...(title.font || {}), size: 14 } };
  const lines = text.split(/<br\s*\/?>/i).length;
  const wrapped = (lines - title.text.split(/<br\s*\/?>/i).length) * LINE_HEIGHT;
  layout.margin.t += wrapped;
  // Plotly centres a title in the top margin; anchored under the strip, its middle moves down by
  // `shift`, and the plot and the panels' own titles with it, so that the gap between them stays.
  // And the plot starts at least a line under the title's last line.
  const shift = Math.max(0, Math.round(TOOLBAR_STRIP + (lines * LINE_HEIGHT) / 2 - layout.margin.t / 2),
    TOOLBAR_STRIP + (lines + 1) * LINE_HEIGHT - layout.margin.t);
  layout.margin.t += shift;
  return wrapped + shift;
}

// A title's text as a figure `width` px wide shows it on a phone: each line wrapped at the words (14 px
// characters), a line in one <span> (the scores' smaller subtitle) wrapped inside it, one span a line.
// A live update of the title wraps its new text the same way.
export function narrowTitle(text, width) {
  const perLine = Math.max(16, Math.floor((width - 20) / 7.5));
  return text.split(/<br\s*\/?>/i).flatMap((line) => {
    const span = line.match(/^(<span[^>]*>)([^<]*)<\/span>$/);
    if (span) return wrapWords(span[2], perLine).map((part) => `${span[1]}${part}</span>`);
    return /[<>]/.test(line) ? [line] : wrapWords(line, perLine);
  }).join("<br>");
}

function wrapWords(text, perLine) {
  const lines = [];
  let line = "";
  for (const word of text.split(" ")) {
    if (line && line.length + 1 + word.length > perLine) {
      lines.push(line);
      line = word;
    } else {
      line = line ? `${line} ${word}` : word;
    }
  }
  return [...lines, line];
}

function legendBelow(layout, data, width) {
  const entries = data.filter((trace) => trace.showlegend !== false && trace.name && !(trace.type === "heatmap" && trace.showlegend === undefined));
  if (layout.showlegend === false || entries.length === 0) return 0;
  const rows = Math.ceil(entries.length / Math.max(1, Math.floor((width - 20) / LEGEND_ITEM)));
  // Under the plot area and its x-axis title (y in plot heights, set once the height is known), with
  // the bottom margin grown to hold it beforehand: a legend that had to push the margins itself would
  // make Plotly redraw the figure again and again, and on every update.
  layout.legend = { ...(layout.legend || {}), orientation: "h", x: 0, xanchor: "left", xref: "paper", y: "below", yanchor: "top", yref: "paper" };
  const extra = rows * LEGEND_ROW + 50;
  layout.margin.b += extra;
  return extra;
}

// Panels in one row (make_subplots(rows=1, cols=n)) become one column, each as wide as the figure;
// subplot titles and other annotations placed on the paper move with their panel.
function stackPanels(layout, width) {
  const xs = Object.keys(layout).filter((key) => /^xaxis\d*$/.test(key) && Array.isArray(layout[key].domain));
  const ys = Object.keys(layout).filter((key) => /^yaxis\d*$/.test(key) && Array.isArray(layout[key].domain));
  if (xs.length < 2 || xs.length > 6 || ys.length !== xs.length) return 0;
  const same = (a, b) => Math.abs(a[0] - b[0]) < 1e-6 && Math.abs(a[1] - b[1]) < 1e-6;
  const row = layout[ys[0]].domain;
  if (!ys.every((key) => same(layout[key].domain, row))) return 0;
  const columns = xs.map((key) => ({ key, domain: layout[key].domain, y: `yaxis${key.slice(5)}` })).sort((a, b) => a.domain[0] - b.domain[0]);
  const n = columns.length;
  const panel = Math.min(300, width - 60);
  const gap = 110; // px between panels: the x-axis title of one and the subplot title of the next
  const plotHeight = n * panel + (n - 1) * gap;
  const oldHeight = (layout.height || 450) - layout.margin.t - layout.margin.b;
  const fraction = (px) => px / plotHeight;
  const perLine = Math.max(16, Math.floor((width - 20) / 7.5));
  const mapped = columns.map((column, i) => {
    const top = 1 - i * fraction(panel + gap);
    return { ...column, newY: [Math.max(0, top - fraction(panel)), top] };
  });
  for (const column of mapped) {
    layout[column.key] = { ...layout[column.key], domain: [0, 1] };
    layout[column.y] = { ...layout[column.y], domain: column.newY };
  }
  const scale = (value, from, to) => to[0] + ((value - from[0]) / (from[1] - from[0] || 1)) * (to[1] - to[0]);
  layout.annotations = (layout.annotations || []).map((note) => {
    if ((note.xref || "x") !== "paper" || (note.yref || "y") !== "paper") return note;
    const column = mapped.find((c) => note.x >= c.domain[0] - 1e-6 && note.x <= c.domain[1] + 1e-6);
    if (!column) return note;
    const text = /[<>]/.test(note.text || "") ? note.text : wrapWords(note.text || "", perLine).join("<br>");
    return { ...note, text, x: scale(note.x, column.domain, [0, 1]), y: scale(note.y, row, column.newY) };
  });

  return plotHeight - oldHeight;
}
