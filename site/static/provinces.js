/* Sortable tables (table.sortable): a click on a heading's button sorts the rows by that column's data-sort
   values, numerically for data-type="number"; empty values ("not stated in the sources we hold") always sort
   last, in either direction. Nothing is written as HTML: rows are moved, never rebuilt. */
(function () {
  "use strict";
  function sortBy(table, index, type, descending) {
    var body = table.tBodies[0];
    var rows = Array.prototype.slice.call(body.rows);
    rows.sort(function (a, b) {
      var x = a.cells[index].getAttribute("data-sort") || "";
      var y = b.cells[index].getAttribute("data-sort") || "";
      if (x === "" || y === "") { return (x === "") - (y === ""); }
      var order = type === "number" ? parseFloat(x) - parseFloat(y) : x.localeCompare(y, "vi");
      return descending ? -order : order;
    });
    rows.forEach(function (row) { body.appendChild(row); });
  }
  document.addEventListener("DOMContentLoaded", function () {
    Array.prototype.forEach.call(document.querySelectorAll("table.sortable"), function (table) {
      var headings = table.tHead.rows[0].cells;
      Array.prototype.forEach.call(headings, function (th, index) {
        var button = th.querySelector("button");
        if (!button) { return; }
        button.addEventListener("click", function () {
          var descending = th.getAttribute("aria-sort") === "ascending";
          Array.prototype.forEach.call(headings, function (h) { h.removeAttribute("aria-sort"); });
          th.setAttribute("aria-sort", descending ? "descending" : "ascending");
          sortBy(table, index, th.getAttribute("data-type"), descending);
        });
      });
      table.setAttribute("data-sortable", "ready");
    });
  });
})();
