/* mkdocs-postmortems: filter incident tables without leaving the page. No dependencies. */
(function () {
  "use strict";

  function setup(root) {
    var box = root.querySelector("[data-pm-filters]");
    if (!box || box.dataset.pmReady) return;
    box.dataset.pmReady = "1";
    var table = box.parentNode.querySelector("table.pm-incidents");
    if (!table) return;
    var selects = Array.prototype.slice.call(box.querySelectorAll("select[data-pm-filter]"));
    var count = box.querySelector("[data-pm-count]");
    var rows = Array.prototype.slice.call(table.tBodies[0].rows);
    var columns = {};
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (cell, index) {
      if (cell.dataset.pmKey) columns[cell.dataset.pmKey] = index;
    });

    // The filter values are the cells' own text: the year starts the date, each service is a span of its own
    // (a name may hold a comma or two spaces; the options carry exact values).
    // A filter without a column of its own (postmortem) reads the row's data-pm-KEY, else the select's data-pm-default.
    function matches(row, key, value) {
      if (columns[key] === undefined) {
        var select = box.querySelector('select[data-pm-filter="' + key + '"]');
        return (row.getAttribute("data-pm-" + key) || (select && select.dataset.pmDefault) || "") === value;
      }
      var cell = row.cells[columns[key]];
      if (!cell) return false;
      if (key === "services") {
        return Array.prototype.some.call(cell.children, function (span) { return span.textContent === value; });
      }
      var have = cell.textContent.trim();
      if (key === "year") return have.slice(0, 4) === value;
      return have === value;
    }

    function apply(updateHash) {
      var shown = 0;
      var wanted = selects.filter(function (s) { return s.value !== ""; });
      rows.forEach(function (row) {
        var ok = wanted.every(function (s) { return matches(row, s.dataset.pmFilter, s.value); });
        row.hidden = !ok;
        if (ok) shown += 1;
      });
      if (count) count.textContent = shown === rows.length ? rows.length + " incidents" : shown + " of " + rows.length + " incidents";
      if (updateHash) {
        var parts = wanted.map(function (s) {
          return encodeURIComponent(s.dataset.pmFilter) + "=" + encodeURIComponent(s.value);
        });
        var url = window.location.pathname + window.location.search + (parts.length ? "#" + parts.join("&") : "");
        window.history.replaceState(null, "", url);
      }
    }

    function fromHash() {
      var hash = window.location.hash.replace(/^#/, "");
      hash.split("&").forEach(function (pair) {
        var bits = pair.split("=");
        if (bits.length !== 2) return;
        var key = decodeURIComponent(bits[0]), value = decodeURIComponent(bits[1]);
        selects.forEach(function (s) {
          if (s.dataset.pmFilter !== key) return;
          for (var i = 0; i < s.options.length; i++) {
            if (s.options[i].value === value) s.value = value;
          }
        });
      });
    }

    selects.forEach(function (s) { s.addEventListener("change", function () { apply(true); }); });
    fromHash();
    apply(false);
  }

  function start() { setup(document); }
  // Material's instant navigation swaps pages without reloading: listen to its document$ when present.
  if (window.document$ && typeof window.document$.subscribe === "function") {
    window.document$.subscribe(start);
  } else if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
