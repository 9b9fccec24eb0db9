/* Charts of the site's pages, drawn with Vega-Lite (site/static/vendor, served locally).
   vnTargetsChart(element, rows, options): one bar per jurisdiction, the national programme's bar
   in its own colour and its value as a dashed rule. rows: [{label, value, text, national, href}]. */
(function () {
  "use strict";
  var FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, 'Noto Sans', sans-serif";

  function targetsSpec(rows, options) {
    var national = rows.filter(function (r) { return r.national; });
    var unit = options.unit || "";
    var lowerIsBetter = options.direction === "lower";
    var y = { field: "label", type: "nominal", sort: { field: "value", op: "max", order: lowerIsBetter ? "ascending" : "descending" }, title: null };
    var x = {
      field: "value", type: "quantitative",
      title: (options.title || "") + (unit ? " (" + unit + ")" : ""),
      // room on the right for the labels ('≥ 10%')
      scale: { zero: true, nice: false, domainMax: Math.max.apply(null, rows.map(function (r) { return r.value; })) * 1.18 }
    };
    var layers = [
      {
        mark: { type: "bar", cornerRadiusEnd: 2, cursor: "pointer" },
        encoding: {
          y: y, x: x,
          color: {
            field: "kind", type: "nominal",
            scale: { domain: ["tỉnh / province", "quốc gia / national"], range: ["#2c7fb8", "#d95f0e"] },
            legend: { orient: "bottom", title: null, labelFontSize: 12 }
          },
          href: { field: "href" },
          tooltip: [
            { field: "label", title: "Nơi / Where" },
            { field: "text", title: "Mục tiêu / Target" },
            { field: "quote", title: "Trích dẫn / Quote" }
          ]
        }
      },
      {
        mark: { type: "text", align: "left", dx: 4, fontSize: 12, font: FONT },
        encoding: { y: y, x: x, text: { field: "text" } }
      }
    ];
    if (national.length) {
      layers.push({
        data: { values: [{ value: national[0].value }] },
        mark: { type: "rule", strokeDash: [5, 4], color: "#d95f0e", strokeWidth: 1.5 },
        encoding: { x: { field: "value", type: "quantitative" } }
      });
    }
    return {
      $schema: "https://vega.github.io/schema/vega-lite/v6.json",
      width: "container",
      height: { step: 30 },
      config: { font: FONT, axis: { labelFontSize: 12, titleFontSize: 12, labelLimit: 170 }, view: { stroke: null } },
      data: {
        values: rows.map(function (r) {
          return Object.assign({ kind: r.national ? "quốc gia / national" : "tỉnh / province" }, r);
        })
      },
      layer: layers
    };
  }

  /* DTI ranks over time: the ranks reported (points joined by a line) and the ranks aimed for (hollow points);
     rank 1 at the top. rows: [{year, value, kind: 'observed' | 'target', text}]. */
  function rankSpec(rows) {
    var x = { field: "year", type: "ordinal", title: null, axis: { labelAngle: 0 } };
    var y = { field: "value", type: "quantitative", title: "Hạng / Rank (1–63)",
              scale: { reverse: true, domain: [1, 63] } };
    var color = { field: "kind", type: "nominal", title: null, legend: { orient: "bottom" },
                  scale: { domain: ["kết quả / outcome", "mục tiêu / target"], range: ["#2c7fb8", "#d95f0e"] } };
    return {
      $schema: "https://vega.github.io/schema/vega-lite/v6.json",
      width: "container", height: 160,
      config: { font: FONT, axis: { labelFontSize: 12, titleFontSize: 12 }, view: { stroke: null } },
      data: { values: rows },
      layer: [
        { transform: [{ filter: "datum.kind === 'kết quả / outcome'" }],
          mark: { type: "line", color: "#2c7fb8" }, encoding: { x: x, y: y } },
        { mark: { type: "point", size: 70, filled: true },
          encoding: { x: x, y: y, color: color, tooltip: [{ field: "year", title: "Năm / Year" }, { field: "text", title: "Hạng / Rank" }] } },
        { mark: { type: "text", dy: -12, fontSize: 11 }, encoding: { x: x, y: y, text: { field: "text" } } }
      ]
    };
  }

  window.vnRankChart = function (element, rows) {
    if (!rows.length) { return Promise.resolve(null); }
    return vegaEmbed(element, rankSpec(rows), { renderer: "svg", actions: false })
      .then(function (result) { element.setAttribute("data-rendered", "true"); return result; });
  };

  function readJSON(id) {
    var el = document.getElementById(id);
    return el ? JSON.parse(el.textContent) : [];
  }

  window.vnTargetsChart = function (element, rows, options) {
    if (!rows.length) { return Promise.resolve(null); }
    return vegaEmbed(element, targetsSpec(rows, options || {}), { renderer: "svg", actions: false })
      .then(function (result) { element.setAttribute("data-rendered", "true"); return result; });
  };

  /* Every <div class="vn-chart" data-source="ID" ...> on the page, with its rows in <script id="ID">. */
  document.addEventListener("DOMContentLoaded", function () {
    Array.prototype.forEach.call(document.querySelectorAll(".vn-rank-chart"), function (el) {
      window.vnRankChart(el, readJSON(el.getAttribute("data-source")));
    });
    Array.prototype.forEach.call(document.querySelectorAll(".vn-chart"), function (el) {
      var rows = readJSON(el.getAttribute("data-source"));
      var year = el.getAttribute("data-year");
      if (year) { rows = rows.filter(function (r) { return String(r.year) === year; }); }
      window.vnTargetsChart(el, rows, {
        unit: el.getAttribute("data-unit"), direction: el.getAttribute("data-direction"),
        title: el.getAttribute("data-title")
      });
    });
  });
})();
