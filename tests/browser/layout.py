"""What a reader of a page would call broken layout, found in the page as drawn: pieces of text drawn
over each other, boxes running out of their card, select boxes too narrow for their own choice, and
Plotly's toolbar over a chart's text.

Each check returns a list of findings (empty when the page is clean), worded so that an assertion
message says where to look.
"""

from __future__ import annotations

import time

# Every visible piece of text, as the reader sees it: HTML text by the boxes of its lines, SVG <text>
# (Plotly's titles, ticks, legends and annotations) by its box, both cut to what their scrolling or
# clipping ancestors let show. Two pieces overlapping by more than 6 px each way are a finding (a
# glyph box's corner over another's, a tick label's top by a title's descenders, is not a collision
# a reader sees); a piece inside another's element (a <tspan> in its <text>) is not.
_TEXT_BOXES = """
() => {
  const shown = (el) => {
    // A closed <details> keeps its content laid out (Chromium hides it with content-visibility), so
    // its boxes report positions where nothing is drawn.
    const closed = el.closest("details:not([open])");
    if (closed && !el.closest("summary")) return false;
    for (let a = el; a && a !== document.documentElement; a = a.parentElement) {
      const s = getComputedStyle(a);
      if (s.visibility === "hidden" || s.display === "none" || parseFloat(s.opacity || "1") < 0.05) return false;
    }
    return true;
  };
  const clip = (el, r) => {
    let { left, right, top, bottom } = r;
    for (let a = el.parentElement; a && a !== document.body; a = a.parentElement) {
      if (a instanceof SVGElement) continue;
      const s = getComputedStyle(a);
      if (s.overflowX !== "visible" || s.overflowY !== "visible") {
        const c = a.getBoundingClientRect();
        left = Math.max(left, c.left); right = Math.min(right, c.right);
        top = Math.max(top, c.top); bottom = Math.min(bottom, c.bottom);
      }
    }
    return { left, right, top, bottom };
  };
  const boxes = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const text = node.textContent.trim();
    const el = node.parentElement;
    const skipped = "svg, script, style, template, option, .sr-only, .visually-hidden";
    if (!text || !el || el.closest(skipped) || !shown(el)) continue;
    const range = document.createRange();
    range.selectNodeContents(node);
    for (const r of range.getClientRects()) boxes.push({ text, el, r: clip(el, r) });
  }
  for (const el of document.querySelectorAll("svg text")) {
    const text = el.textContent.trim();
    if (text && shown(el)) boxes.push({ text, el, r: clip(el, el.getBoundingClientRect()) });
  }
  return boxes.filter((b) => b.r.right - b.r.left > 1 && b.r.bottom - b.r.top > 1);
}
"""

OVERLAPPING_TEXT = f"""
() => {{
  window.scrollTo(0, 0);  // the sticky header over scrolled content is not an overlap
  const boxes = ({_TEXT_BOXES})();
  const found = [];
  for (let i = 0; i < boxes.length; i++) for (let j = i + 1; j < boxes.length; j++) {{
    const a = boxes[i], b = boxes[j];
    if (a.el === b.el || a.el.contains(b.el) || b.el.contains(a.el)) continue;
    const w = Math.min(a.r.right, b.r.right) - Math.max(a.r.left, b.r.left);
    const h = Math.min(a.r.bottom, b.r.bottom) - Math.max(a.r.top, b.r.top);
    if (w > 6 && h > 6) {{
      const size = `${{Math.round(w)}} x ${{Math.round(h)}} px`;
      found.push(`"${{a.text.slice(0, 50)}}" and "${{b.text.slice(0, 50)}}" (${{size}})`);
    }}
  }}
  return found;
}}
"""

# A box wider than its card, outside a scrolling region, or a page that scrolls sideways.
OUT_OF_CARD = """
() => {
  const found = [];
  for (const card of document.querySelectorAll(".card")) {
    const c = card.getBoundingClientRect();
    if (c.width === 0) continue;
    for (const el of card.querySelectorAll("table, pre, img, canvas, .plot, .field, .button-row, .field-row")) {
      if (el.closest(".table-wrap, .scroll-x, [hidden]")) continue;
      const r = el.getBoundingClientRect();
      if (r.width === 0) continue;
      const past = Math.max(r.right - c.right, c.left - r.left);
      const name = `${el.tagName.toLowerCase()}${el.id ? "#" + el.id : ""}`;
      if (past > 1) found.push(`${name} runs ${Math.round(past)} px out of its card`);
    }
  }
  const wide = document.documentElement.scrollWidth - window.innerWidth;
  if (wide > 1) found.push(`the page scrolls ${wide} px sideways`);
  return found;
}
"""

# A select whose chosen option's text is wider than the box shows it: "watch it learn (slo".
CUT_SELECTS = """
() => {
  const context = document.createElement("canvas").getContext("2d");
  const found = [];
  for (const select of document.querySelectorAll("select")) {
    const option = select.selectedOptions[0];
    if (!option || select.offsetParent === null) continue;
    const s = getComputedStyle(select);
    context.font = `${s.fontWeight} ${s.fontSize} ${s.fontFamily}`;
    // The room for text (px): the box less its padding and the drop-down arrow (about 20 px in Chromium).
    const room = select.clientWidth - parseFloat(s.paddingLeft) - parseFloat(s.paddingRight) - 20;
    const text = option.textContent.trim();
    const needed = context.measureText(text).width;
    if (needed > room + 1) found.push(`#${select.id}: "${text}" needs ${Math.round(needed)}, has ${Math.round(room)}`);
  }
  return found;
}
"""

# Plotly's toolbar (shown on a phone, where nothing hovers) drawn over a chart's title or legend.
TOOLBAR_OVER_TEXT = f"""
() => {{
  const boxes = ({_TEXT_BOXES})().filter((b) => b.el.closest(".js-plotly-plot"));
  const found = [];
  for (const bar of document.querySelectorAll(".js-plotly-plot .modebar")) {{
    const s = getComputedStyle(bar);
    if (s.display === "none" || s.visibility === "hidden") continue;
    for (const group of bar.querySelectorAll(".modebar-group")) {{
      if (parseFloat(getComputedStyle(group).opacity || "1") < 0.05) continue;
      const r = group.getBoundingClientRect();
      for (const b of boxes) {{
        if (!bar.closest(".js-plotly-plot").contains(b.el)) continue;
        const w = Math.min(r.right, b.r.right) - Math.max(r.left, b.r.left);
        const h = Math.min(r.bottom, b.r.bottom) - Math.max(r.top, b.r.top);
        if (w > 2 && h > 2) found.push(`the plot toolbar covers "${{b.text.slice(0, 50)}}"`);
      }}
    }}
  }}
  return found;
}}
"""


def layout_problems(page, settle: float = 10.0) -> list[str]:
    """Everything the checks above find on the page, once it has settled: a figure redrawn at a new
    size (after a resize, or one still being drawn) leaves text over text for a moment, so findings
    are looked for again, each second, for up to ``settle`` seconds; what stays is broken layout."""
    deadline = time.monotonic() + settle
    while True:
        found = [*page.evaluate(OVERLAPPING_TEXT), *page.evaluate(OUT_OF_CARD), *page.evaluate(CUT_SELECTS),
                 *page.evaluate(TOOLBAR_OVER_TEXT)]
        if not found or time.monotonic() > deadline:
            return found
        page.wait_for_timeout(1000)
