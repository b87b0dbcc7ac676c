(function () {
  "use strict";
  var table = document.getElementById("findings");
  var bar = document.getElementById("filters");
  if (!table || !bar) { return; }
  var body = table.tBodies[0];
  var rows = Array.prototype.slice.call(body.rows);
  var selects = Array.prototype.slice.call(bar.querySelectorAll("select"));
  var counter = document.getElementById("shown");
  var tokens = new WeakMap();
  bar.hidden = false;

  // A row's filter values, read once from its cells: severity text, status class, category
  // text and the comma-separated platforms (the same values the filter options carry).
  function tokensOf(row) {
    var cells = row.cells;
    var found = [
      "s:" + cells[0].textContent.trim(),
      "t:" + cells[1].className,
      "c:" + cells[2].textContent.trim()
    ];
    cells[3].textContent.split(",").forEach(function (p) { found.push("p:" + p.trim()); });
    return found;
  }
  rows.forEach(function (row) { tokens.set(row, tokensOf(row)); });

  function apply() {
    var wanted = selects.filter(function (s) { return s.value !== ""; });
    var shown = 0;
    rows.forEach(function (row) {
      var ok = wanted.every(function (s) {
        return tokens.get(row).indexOf(s.value) !== -1;
      });
      row.hidden = !ok;
      if (ok) { shown += 1; }
    });
    counter.textContent = shown + " of " + rows.length + " rows shown";
  }

  var RANK = { critical: 4, high: 3, medium: 2, low: 1 };

  function key(row, index) {
    var text = row.cells[index].textContent.trim().toLowerCase();
    return index === 0 && RANK[text] ? RANK[text] : text;
  }

  function sortBy(th, index) {
    var ascending = th.getAttribute("aria-sort") !== "ascending";
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (h) {
      h.removeAttribute("aria-sort");
    });
    th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
    var keyed = rows.map(function (row, position) {
      return { row: row, k: key(row, index), p: position };
    });
    keyed.sort(function (a, b) {
      if (a.k < b.k) { return ascending ? -1 : 1; }
      if (a.k > b.k) { return ascending ? 1 : -1; }
      return a.p - b.p;
    });
    var fragment = document.createDocumentFragment();
    keyed.forEach(function (item) { fragment.appendChild(item.row); });
    body.appendChild(fragment);
    rows = keyed.map(function (item) { return item.row; });
  }

  Array.prototype.forEach.call(table.tHead.rows[0].cells, function (th, index) {
    var button = document.createElement("button");
    button.type = "button";
    button.textContent = th.textContent;
    th.textContent = "";
    th.appendChild(button);
    button.addEventListener("click", function () { sortBy(th, index); });
  });
  selects.forEach(function (s) { s.addEventListener("change", apply); });

  // One evidence toggle per row (without the script, one checkbox shows every row's evidence).
  rows.forEach(function (row) {
    var cell = row.cells[row.cells.length - 1];
    var block = cell.lastElementChild;
    if (!block || block.tagName !== "DIV" || block.textContent.trim() === "") { return; }
    var toggle = document.createElement("button");
    toggle.type = "button";
    toggle.className = "ev";
    toggle.textContent = "evidence";
    toggle.setAttribute("aria-expanded", "false");
    cell.insertBefore(toggle, block);
  });
  body.addEventListener("click", function (event) {
    var toggle = event.target.closest("button.ev");
    if (!toggle) { return; }
    var open = toggle.getAttribute("aria-expanded") !== "true";
    toggle.setAttribute("aria-expanded", open ? "true" : "false");
    toggle.nextElementSibling.classList.toggle("open", open);
  });
  apply();
}());
