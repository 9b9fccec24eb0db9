/* The home page's map: one circle marker per province at its representative point, labelled, linking to its
   page. Leaflet is datasette-leaflet's ES module (served locally, URL in data-leaflet); only the tiles come
   from the network, and the markers and labels stay readable without them.
   Names come from the data: they reach the page as text nodes (textContent), never as HTML. */
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    var el = document.getElementById("province-map");
    var data = document.getElementById("province-points");
    if (!el || !data) { return; }
    import(el.getAttribute("data-leaflet")).then(function (L) { draw(L, el, JSON.parse(data.textContent)); });
  });

  function node(tag, text, attributes) {
    var element = document.createElement(tag);
    if (text !== undefined && text !== null) { element.textContent = String(text); }
    Object.keys(attributes || {}).forEach(function (name) { element.setAttribute(name, attributes[name]); });
    return element;
  }

  /* "DTI 2022: 53/63": the rank with the number ranked (63 up to DTI 2023, 34 for DTI 2024), never assumed. */
  function rankText(p) {
    if (p.dti_rank === null || p.dti_rank === undefined) { return ""; }
    return "DTI " + p.dti_year + ": " + p.dti_rank + (p.dti_denominator ? "/" + p.dti_denominator : "");
  }

  function shortName(name) { return String(name).replace(/^(Tỉnh|Thành phố) /, ""); }

  function popup(p) {
    var box = node("div");
    var link = node("a", null, { href: p.href });
    link.appendChild(node("strong", p.name_vi));
    box.appendChild(link);
    box.appendChild(node("div", p.name_en));
    box.appendChild(node("div", p.targets + " mục tiêu / targets"));
    if (rankText(p)) { box.appendChild(node("div", rankText(p))); }
    return box;
  }

  function draw(L, el, points) {
    var map = L.map(el, { scrollWheelZoom: false, attributionControl: true });
    L.tileLayer("https://tile.openstreetmap.org/{z}/{x}/{y}.png", {
      maxZoom: 12,
      attribution: '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a>'
    }).addTo(map);
    var bounds = [];
    points.forEach(function (p) {
      var marker = L.circleMarker([p.lat, p.lon], {
        radius: 4 + Math.sqrt(p.targets || 0), color: "#08519c", weight: 2,
        fillColor: p.targets ? "#2c7fb8" : "#ffffff", fillOpacity: 0.8,
        className: "province-marker province-" + p.id
      }).addTo(map);
      var rank = rankText(p);
      marker.bindTooltip(node("span", shortName(p.name_vi) + " (" + p.targets + (rank ? " · " + rank : "") + ")"), {
        permanent: points.length <= 12, direction: "right", className: "province-label"
      });
      marker.bindPopup(popup(p));  /* a click opens it: the name, the figures and the link to the page */
      bounds.push([p.lat, p.lon]);
    });
    if (bounds.length) { map.fitBounds(bounds, { padding: [20, 20] }); }
    el.setAttribute("data-markers", String(points.length));
  }
})();
