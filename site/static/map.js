/* The home page's map: one circle marker per province at its capital, labelled, linking to its page.
   Leaflet is datasette-leaflet's ES module (served locally, URL in data-leaflet); only the tiles come
   from the network. */
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    var el = document.getElementById("province-map");
    var data = document.getElementById("province-points");
    if (!el || !data) { return; }
    import(el.getAttribute("data-leaflet")).then(function (L) { draw(L, el, JSON.parse(data.textContent)); });
  });

  function draw(L, el, points) {
    var map = L.map(el, { scrollWheelZoom: false, attributionControl: true });
    L.tileLayer("https://tile.openstreetmap.org/{z}/{x}/{y}.png", {
      maxZoom: 12,
      attribution: '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a>'
    }).addTo(map);
    var bounds = [];
    points.forEach(function (p) {
      var marker = L.circleMarker([p.lat, p.lon], {
        radius: 7 + Math.sqrt(p.targets || 0), color: "#08519c", weight: 2,
        fillColor: "#2c7fb8", fillOpacity: 0.75, className: "province-marker province-" + p.id
      }).addTo(map);
      var rank = p.dti_rank ? " · DTI " + p.dti_year + ": " + p.dti_rank + "/63" : "";
      var label = p.name_vi.replace(/^Tỉnh /, "") + " (" + p.targets + (p.dti_rank ? " · DTI " + p.dti_rank + " (" + p.dti_year + ")" : "") + ")";
      marker.bindTooltip(label, {
        permanent: true, direction: "right", className: "province-label"
      });
      marker.bindPopup('<a href="' + p.href + '"><strong>' + p.name_vi + "</strong></a><br>" + p.name_en +
        "<br>" + p.targets + " mục tiêu / targets" + rank);
      marker.on("click", function () { window.location.href = p.href; });
      bounds.push([p.lat, p.lon]);
    });
    if (bounds.length) { map.fitBounds(bounds, { padding: [40, 40] }); }
    el.setAttribute("data-markers", String(points.length));
  }
})();
