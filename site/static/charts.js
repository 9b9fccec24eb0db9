/* Charts of the site's pages, drawn with Vega-Lite (site/static/vendor, served locally).
   vnTargetsChart(element, rows, options): one bar per jurisdiction, the national programme's bar
   in its own colour and its value as a dashed rule. rows: [{label, value, text, national, href, others}] (others:
   the jurisdiction's other targets for the year, shown in the tooltip: one bar per jurisdiction). */
(function () {
  "use strict";
  var FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, 'Noto Sans', sans-serif";

  /* Data never becomes HTML: a link only to a path of this site, and tooltips written as text nodes. */
  function safeHref(href) {
    return typeof href === "string" && /^\/(?![\/\\])/.test(href) ? href : null;
  }

  function clean(rows) {
    return rows.map(function (r) {
      var copy = Object.assign({}, r);
      if ("href" in copy) { copy.href = safeHref(copy.href); }
      return copy;
    });
  }

  var tip = null;
  function textTooltip(handler, event, item, value) {
    if (!tip) {
      tip = document.createElement("div");
      tip.className = "vn-tooltip";
      tip.setAttribute("role", "tooltip");
      document.body.appendChild(tip);
    }
    while (tip.firstChild) { tip.removeChild(tip.firstChild); }
    if (value === null || value === undefined || value === "") { tip.style.display = "none"; return; }
    var entries = typeof value === "object" ? Object.keys(value).map(function (k) { return [k, value[k]]; }) : [["", value]];
    entries.forEach(function (entry) {
      var line = document.createElement("div");
      if (entry[0]) {
        var key = document.createElement("strong");
        key.textContent = entry[0] + ": ";
        line.appendChild(key);
      }
      line.appendChild(document.createTextNode(entry[1] === null || entry[1] === undefined ? "" : String(entry[1])));
      tip.appendChild(line);
    });
    tip.style.display = "block";
    var x = Math.min(event.clientX + 12, window.innerWidth - tip.offsetWidth - 8);
    tip.style.left = Math.max(4, x) + window.scrollX + "px";
    tip.style.top = event.clientY + 12 + window.scrollY + "px";
  }
  var EMBED = { renderer: "svg", actions: false, tooltip: textTooltip };

  function targetsSpec(rows, options) {
    var unit = options.unit || "";
    if (options.direction === "lower") { return lowerSpec(rows, options); }
    var y = { field: "label", type: "nominal", sort: { field: "value", op: "max", order: "descending" }, title: null };
    var x = {
      field: "value", type: "quantitative",
      title: (options.title || "") + (unit ? " (" + unit + ")" : ""),
      // room on the right for the labels ('≥ 10%')
      scale: { zero: true, nice: false, domainMax: Math.max.apply(null, rows.map(function (r) { return r.value; })) * 1.18 }
    };
    return jurisdictionsSpec(rows, x, y, { type: "bar", cornerRadiusEnd: 2, cursor: "pointer" }, 4);
  }

  /* Targets where lower is more ambitious (ranks: '≤ 15' beats '≤ 30'): a point per jurisdiction on an axis whose
     best end (1) is on the right, so that farther right is more ambitious, as with the bars of other indicators. */
  function lowerSpec(rows, options) {
    var unit = options.unit && options.unit !== "rank" ? " (" + options.unit + ")" : "";
    var y = { field: "label", type: "nominal", sort: { field: "value", op: "min", order: "ascending" }, title: null };
    var x = {
      field: "value", type: "quantitative",
      title: (options.title || "") + unit + " · 1 = cao nhất / best",
      scale: { reverse: true, zero: false, nice: true, domainMin: 1 }
    };
    return jurisdictionsSpec(rows, x, y, { type: "point", filled: true, size: 120, cursor: "pointer" }, 9);
  }

  /* One mark per jurisdiction (bar or point), its value as a label, the national programme's in its own colour and
     as a dashed rule. */
  function jurisdictionsSpec(rows, x, y, mark, labelDx) {
    var national = rows.filter(function (r) { return r.national; });
    var layers = [
      {
        mark: mark,
        encoding: {
          y: y, x: x,
          color: {
            field: "kind", type: "nominal",
            scale: { domain: ["tỉnh / province", "quốc gia / national"], range: ["#2c7fb8", "#d95f0e"] },
            legend: { orient: "bottom", title: null, labelFontSize: 12 }
          },
          tooltip: [
            { field: "label", title: "Nơi / Where" },
            { field: "text", title: "Mục tiêu / Target" },
            { field: "quote", title: "Trích dẫn / Quote" }
          ].concat(rows.some(function (r) { return r.others; })
            ? [{ field: "others", title: "Nguồn khác nêu / Also stated" }] : [])
        }
      },
      {
        mark: { type: "text", align: "left", dx: labelDx, fontSize: 12, font: FONT },
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

  /* DTI ranks over time: the ranks reported (points joined by a line) and the ranks aimed for (diamonds); rank 1 at
     the top. Ranks out of different totals (63 provinces; 34 after the 2025 merger) are separate series in their own
     colour: a line joins only ranks out of the same total. rows: [{year, value, denominator, kind, text}]. */
  function rankSpec(rows) {
    var totals = [];
    rows.forEach(function (r) { if (r.denominator && totals.indexOf(r.denominator) < 0) { totals.push(r.denominator); } });
    totals.sort(function (a, b) { return b - a; });
    var data = rows.map(function (r) {
      return Object.assign({}, r, { series: r.denominator ? "trên / of " + r.denominator : "(không rõ / total not given)" });
    });
    var series = totals.map(function (t) { return "trên / of " + t; });
    var x = { field: "year", type: "ordinal", title: null, axis: { labelAngle: 0 } };
    var top = totals.length ? totals[0] : Math.max.apply(null, rows.map(function (r) { return r.value; }));
    var y = { field: "value", type: "quantitative", title: "Hạng / Rank (1 = cao nhất / best)",
              scale: { reverse: true, domain: [1, top] } };
    var color = { field: "series", type: "nominal", title: null, legend: { orient: "bottom" },
                  scale: { domain: series.length ? series : undefined, range: ["#2c7fb8", "#7a0177", "#41ab5d"] } };
    var shape = { field: "kind", type: "nominal", title: null, legend: { orient: "bottom" },
                  scale: { domain: ["kết quả / outcome", "mục tiêu / target"], range: ["circle", "diamond"] } };
    return {
      $schema: "https://vega.github.io/schema/vega-lite/v6.json",
      width: "container", height: 170,
      config: { font: FONT, axis: { labelFontSize: 12, titleFontSize: 12 }, view: { stroke: null } },
      data: { values: data },
      layer: [
        { transform: [{ filter: "datum.kind === 'kết quả / outcome'" }],
          mark: { type: "line" }, encoding: { x: x, y: y, color: color, detail: { field: "series" } } },
        { mark: { type: "point", size: 70, filled: true },
          encoding: { x: x, y: y, color: color, shape: shape,
                      tooltip: [{ field: "year", title: "Năm / Year" }, { field: "text", title: "Hạng / Rank" },
                                { field: "kind", title: "Loại / Kind" }] } },
        { mark: { type: "text", dy: -12, fontSize: 11 }, encoding: { x: x, y: y, text: { field: "text" } } }
      ]
    };
  }

  window.vnRankChart = function (element, rows) {
    if (!rows.length) { return Promise.resolve(null); }
    return vegaEmbed(element, rankSpec(clean(rows)), EMBED)
      .then(function (result) { element.setAttribute("data-rendered", "true"); return result; });
  };

  function readJSON(id) {
    var el = document.getElementById(id);
    return el ? JSON.parse(el.textContent) : [];
  }

  /* A click on a mark opens its row's page: only a path of this site (safeHref), never what the data says. */
  function followLinks(result) {
    result.view.addEventListener("click", function (event, item) {
      var href = item && item.datum ? safeHref(item.datum.href) : null;
      if (href) { window.location.assign(href); }
    });
    return result;
  }

  window.vnTargetsChart = function (element, rows, options) {
    if (!rows.length) { return Promise.resolve(null); }
    return vegaEmbed(element, targetsSpec(clean(rows), options || {}), EMBED).then(followLinks)
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
