/* mkdocs-postmortems: filter and sort incident tables without leaving the page; let the keyboard
   reach tables and charts that scroll sideways. No dependencies. */
(function () {
  "use strict";

  var slice = function (list) { return Array.prototype.slice.call(list); };

  // The state of a page's filters and sort order lives in the URL's fragment: key=value pairs.
  function readHash() {
    var state = {};
    window.location.hash.replace(/^#/, "").split("&").forEach(function (pair) {
      var bits = pair.split("=");
      if (bits.length !== 2) return;
      try {
        state[decodeURIComponent(bits[0])] = decodeURIComponent(bits[1]);
      } catch (error) { /* a malformed escape: ignore the pair */ }
    });
    return state;
  }

  function writeHash(pairs) {
    var parts = pairs.map(function (pair) { return encodeURIComponent(pair[0]) + "=" + encodeURIComponent(pair[1]); });
    var url = window.location.pathname + window.location.search + (parts.length ? "#" + parts.join("&") : "");
    window.history.replaceState(null, "", url);
  }

  function setup(root) {
    var table = root.querySelector("table.pm-incidents");
    if (!table || table.dataset.pmReady) return;
    table.dataset.pmReady = "1";
    var box = root.querySelector("[data-pm-filters]");
    var selects = box ? slice(box.querySelectorAll("select[data-pm-filter]")) : [];
    var count = box && box.querySelector("[data-pm-count]");
    var body = table.tBodies[0];
    var rows = slice(body.rows);
    var headers = slice(table.tHead.rows[0].cells);
    var columns = {};
    headers.forEach(function (cell, index) {
      if (cell.dataset.pmKey) columns[cell.dataset.pmKey] = index;
    });
    var sort = null;  // {column, key, dir}: null is the table's own order (newest first)

    // The filter values are the cells' own text: the year starts the date, each service is a span of its own
    // (a name may hold a comma or two spaces; the options carry exact values).
    // A filter without a column of its own (postmortem, status) reads the row's data-pm-KEY, a list of
    // words (an open incident is "open" and its status), else the select's data-pm-default.
    function matches(row, key, value) {
      if (columns[key] === undefined) {
        var select = box.querySelector('select[data-pm-filter="' + key + '"]');
        var have = row.getAttribute("data-pm-" + key) || (select && select.dataset.pmDefault) || "";
        return have.split(" ").indexOf(value) >= 0;
      }
      var cell = row.cells[columns[key]];
      if (!cell) return false;
      if (key === "services") {
        return slice(cell.children).some(function (span) { return span.textContent === value; });
      }
      var text = cell.textContent.trim();
      if (key === "year") return text.slice(0, 4) === value;
      return text === value;
    }

    function save() {
      var pairs = selects.filter(function (s) { return s.value !== ""; }).map(function (s) {
        return [s.dataset.pmFilter, s.value];
      });
      if (sort) pairs.push(["sort", sort.key + "-" + sort.dir]);
      writeHash(pairs);
    }

    function filter() {
      var shown = 0;
      var wanted = selects.filter(function (s) { return s.value !== ""; });
      rows.forEach(function (row) {
        var ok = wanted.every(function (s) { return matches(row, s.dataset.pmFilter, s.value); });
        row.hidden = !ok;
        if (ok) shown += 1;
      });
      if (count) count.textContent = shown === rows.length ? rows.length + " incidents" : shown + " of " + rows.length + " incidents";
    }

    // Sorting: a button in each header. A cell sorts by its data-pm-value (a number) when it has one, its
    // severity's rank (class pm-sev-N), else its text. Equal values keep the table's own order (newest
    // first) when descending, the reverse when ascending. A first click sorts dates and downtime
    // descending, the rest ascending (severity: SEV1 first).
    var keys = headers.map(function (cell) { return cell.textContent.trim().toLowerCase().replace(/\s+/g, "-"); });
    var firstDir = { date: "desc", downtime: "desc" };
    var position = new Map(rows.map(function (row, index) { return [row, rows.length - index]; }));

    function value(row, column) {
      var cell = row.cells[column];
      if (!cell) return "";
      var raw = cell.getAttribute("data-pm-value");
      var severity = /(?:^|\s)pm-sev-(\d+)(?:\s|$)/.exec(cell.className);
      if (raw === null && severity) raw = severity[1];
      return raw !== null && raw !== "" && !isNaN(Number(raw)) ? Number(raw) : cell.textContent.trim().toLowerCase();
    }

    function order() {
      var sorted = rows.slice();
      if (sort) {
        var column = sort.column;
        var values = new Map(rows.map(function (row) { return [row, value(row, column)]; }));
        sorted.sort(function (a, b) {
          var x = values.get(a), y = values.get(b), c;
          if (typeof x === "number" && typeof y === "number") c = x - y;
          else c = String(x).localeCompare(String(y), undefined, { numeric: true });
          return c || position.get(a) - position.get(b);
        });
        if (sort.dir === "desc") sorted.reverse();
      }
      sorted.forEach(function (row) { body.appendChild(row); });
      headers.forEach(function (cell, index) {
        var active = sort ? sort.column === index : keys[index] === "date";
        if (active) cell.setAttribute("aria-sort", sort && sort.dir === "asc" ? "ascending" : "descending");
        else cell.removeAttribute("aria-sort");
      });
    }

    headers.forEach(function (cell, index) {
      var button = document.createElement("button");
      button.type = "button";
      while (cell.firstChild) button.appendChild(cell.firstChild);
      cell.appendChild(button);
      button.addEventListener("click", function () {
        var current = sort ? sort : { column: keys.indexOf("date"), key: "date", dir: "desc" };
        var dir;
        if (current.column === index) dir = current.dir === "desc" ? "asc" : "desc";
        else dir = firstDir[keys[index]] || "asc";
        sort = keys[index] === "date" && dir === "desc" ? null : { column: index, key: keys[index], dir: dir };
        order();
        save();
      });
    });

    var state = readHash();
    selects.forEach(function (s) {
      var wanted = state[s.dataset.pmFilter];
      if (wanted === undefined) return;
      for (var i = 0; i < s.options.length; i++) {
        if (s.options[i].value === wanted) s.value = wanted;
      }
    });
    var asked = /^(.+)-(asc|desc)$/.exec(state.sort || "");
    if (asked && keys.indexOf(asked[1]) >= 0 && !(asked[1] === "date" && asked[2] === "desc")) {
      sort = { column: keys.indexOf(asked[1]), key: asked[1], dir: asked[2] };
    }
    selects.forEach(function (s) { s.addEventListener("change", function () { filter(); save(); }); });
    filter();
    order();
  }

  // A table or chart wider than its box scrolls sideways: with nothing in it to focus, the keyboard could
  // not scroll it, so it takes the focus itself while it is too wide.
  var FOCUSABLE = "a[href], button, input, select, textarea, [tabindex]";

  function reachable() {
    slice(document.querySelectorAll(".md-typeset table[class^='pm-'], .md-typeset table[class*=' pm-'], .pm-chart")).forEach(function (el) {
      var wide = el.scrollWidth > el.clientWidth + 1;
      if (wide && !el.hasAttribute("tabindex") && !el.querySelector(FOCUSABLE)) {
        el.setAttribute("tabindex", "0");
        el.dataset.pmScrolls = "1";
      } else if (!wide && el.dataset.pmScrolls) {
        el.removeAttribute("tabindex");
        delete el.dataset.pmScrolls;
      }
    });
  }

  var pending = false;
  window.addEventListener("resize", function () {
    if (pending) return;
    pending = true;
    window.requestAnimationFrame(function () { pending = false; reachable(); });
  });

  function start() {
    setup(document);
    reachable();
  }
  // Material's instant navigation swaps pages without reloading: listen to its document$ when present.
  if (window.document$ && typeof window.document$.subscribe === "function") {
    window.document$.subscribe(start);
  } else if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
