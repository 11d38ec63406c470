// Measures what a reader sees on the page, for tests/test_look.py (run in the page by Playwright).
// Returns {overflow, tables, contrast, charts, brokenWords, scheme}: each list holds the failures only.
// "The plugin's blocks" are the elements whose class starts with pm-, and everything inside them.
(() => {
  "use strict";
  const BLOCKS = '[class^="pm-"], [class*=" pm-"]';

  function parse(text) {
    let m = text.match(/^rgba?\(\s*([\d.]+)[,\s]+([\d.]+)[,\s]+([\d.]+)(?:\s*[,/]\s*([\d.]+)(%?))?\s*\)$/);
    if (m) {
      const alpha = m[4] === undefined ? 1 : parseFloat(m[4]) / (m[5] ? 100 : 1);
      return [parseFloat(m[1]), parseFloat(m[2]), parseFloat(m[3]), alpha];
    }
    m = text.match(/^color\(srgb\s+([\d.e-]+)\s+([\d.e-]+)\s+([\d.e-]+)(?:\s*\/\s*([\d.]+))?\)$/);
    if (m) return [m[1] * 255, m[2] * 255, m[3] * 255, m[4] === undefined ? 1 : parseFloat(m[4])];
    throw new Error("a colour this test cannot read: " + text);
  }

  function over(top, bottom) {  // top composited over an opaque bottom
    const a = top[3];
    return [0, 1, 2].map((i) => top[i] * a + bottom[i] * (1 - a)).concat([1]);
  }

  function luminance(c) {
    const [r, g, b] = c.slice(0, 3).map((v) => {
      v /= 255;
      return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4);
    });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  }

  function ratio(a, b) {
    const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
    return (hi + 0.05) / (lo + 0.05);
  }

  // The opaque colour behind an element: its own background and its ancestors', composited, on white.
  function background(element) {
    const layers = [];
    for (let el = element; el; el = el.parentElement) {
      const style = getComputedStyle(el);
      if (style.backgroundImage !== "none" && !(el instanceof SVGElement)) {
        throw new Error("a background image behind text: " + describe(el));
      }
      const colour = parse(style.backgroundColor);
      if (colour[3] > 0) layers.push(colour);
      if (colour[3] >= 1) break;
    }
    return layers.reverse().reduce((below, layer) => over(layer, below), [255, 255, 255, 1]);
  }

  function opacity(element) {
    let value = 1;
    for (let el = element; el; el = el.parentElement) value *= parseFloat(getComputedStyle(el).opacity);
    return value;
  }

  function describe(el) {
    const parts = [];
    for (let node = el; node && node !== document.body && parts.length < 4; node = node.parentElement) {
      const cls = (node.getAttribute("class") || "").trim().split(/\s+/).filter(Boolean).slice(0, 2).join(".");
      parts.unshift(node.tagName.toLowerCase() + (cls ? "." + cls : ""));
    }
    return parts.join(" > ");
  }

  function shown(element) {
    if (!element.checkVisibility({ visibilityProperty: true, opacityProperty: true })) return false;
    return element.getClientRects().length > 0;
  }

  function roots() {
    return Array.from(document.querySelectorAll(BLOCKS)).filter((el) => !el.parentElement.closest(BLOCKS));
  }

  function textNodes(root) {
    const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    const found = [];
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const parent = node.parentElement;
      if (!node.data.trim() || parent.closest("title, option, script, style, desc")) continue;
      found.push(node);
    }
    return found;
  }

  // Every text node in the plugin's blocks (and each select's shown value): its contrast on its background.
  function contrast() {
    const failures = [];
    let checked = 0;
    const check = (el, text, colourProperty) => {
      if (!shown(el)) return;
      const style = getComputedStyle(el);
      if (colourProperty === "fill" && style.fill === "none") return;
      const colour = parse(colourProperty === "fill" ? style.fill : style.color);
      colour[3] *= opacity(el) * (colourProperty === "fill" ? parseFloat(style.fillOpacity) : 1);
      const bg = background(el instanceof SVGElement ? el.ownerSVGElement.parentElement : el);
      const value = ratio(over(colour, bg), bg);
      let size = parseFloat(style.fontSize);
      if (el instanceof SVGElement) size *= el.getScreenCTM().a;
      const large = size >= 24 || (size >= 18.66 && parseInt(style.fontWeight, 10) >= 700);
      const needed = large ? 3 : 4.5;
      checked += 1;
      if (value < needed - 0.005) {
        failures.push({ where: describe(el), text: text.trim().slice(0, 40), ratio: Math.round(value * 100) / 100, needed });
      }
    };
    for (const root of roots()) {
      for (const node of textNodes(root)) {
        const el = node.parentElement;
        if (el.closest("select")) continue;
        check(el, node.data, el instanceof SVGElement ? "fill" : "color");
      }
      root.querySelectorAll("select").forEach((select) => check(select, select.value || "(all)", "color"));
    }
    return { failures, checked };
  }

  // Text drawn in the plugin's SVG charts, in CSS pixels as shown.
  function chartText() {
    const small = [];
    let checked = 0;
    document.querySelectorAll("svg[class*='pm-'] text").forEach((t) => {
      if (!shown(t)) return;
      const size = parseFloat(getComputedStyle(t).fontSize) * t.getScreenCTM().a;
      checked += 1;
      if (size < 11 - 0.01) small.push({ where: describe(t), text: t.textContent.slice(0, 20), size: Math.round(size * 10) / 10 });
    });
    return { small, checked };
  }

  // A table is clipped when it reaches past a box that hides overflow, or past the window, with no
  // scrolling box (itself or an ancestor) to reach it by.
  function tables() {
    const clipped = [];
    const width = document.documentElement.clientWidth;
    document.querySelectorAll(".md-content table").forEach((table) => {
      if (!shown(table)) return;
      const box = table.getBoundingClientRect();
      const right = Math.max(box.right, box.left + table.scrollWidth);
      for (let el = table; el && el !== document.body; el = el.parentElement) {
        const style = getComputedStyle(el);
        const scrolls = ["auto", "scroll"].includes(style.overflowX);
        if (scrolls) return;  // a reader scrolls this box to reach the rest
        const outer = el.getBoundingClientRect();
        if (el !== table && ["hidden", "clip"].includes(style.overflowX) && right > outer.right + 1) {
          clipped.push({ table: describe(table), by: describe(el), past: Math.round(right - outer.right) });
          return;
        }
      }
      if (right > width + 1) clipped.push({ table: describe(table), by: "the window", past: Math.round(right - width) });
    });
    return clipped;
  }

  // Words broken across lines inside the plugin's table cells ("maintenan/ce"); hyphens and spaces may break.
  function brokenWords() {
    const broken = [];
    document.querySelectorAll("table[class^='pm-'] td, table[class^='pm-'] th").forEach((cell) => {
      if (!shown(cell)) return;
      const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
      for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        const re = /[^\s\-–—]+/g;
        let m;
        while ((m = re.exec(node.data))) {
          if (m[0].length < 2) continue;
          const range = document.createRange();
          range.setStart(node, m.index);
          range.setEnd(node, m.index + m[0].length);
          const tops = new Set(Array.from(range.getClientRects()).filter((r) => r.width > 0).map((r) => Math.round(r.top)));
          if (tops.size > 1) broken.push({ where: describe(cell), word: m[0] });
        }
      }
    });
    return broken;
  }

  const doc = document.documentElement;
  return {
    scheme: document.body.getAttribute("data-md-color-scheme"),
    overflow: Math.max(doc.scrollWidth, document.body.scrollWidth) - doc.clientWidth,
    contrast: contrast(),
    charts: chartText(),
    tables: tables(),
    brokenWords: brokenWords(),
  };
})()
