/* Maps of what a page lists (places/_map.html): the places' boundaries and points, drawn with
 * Leaflet (vendor/leaflet) on a plain background, or over the tiles of MAP_TILE_URL when the
 * site configures one. Data comes from a json_script element (no inline script: strict CSP).
 * The map is an extra: the page's list or table says the same and works without it.
 */
(function () {
  "use strict";

  var ACCENT = "#0b5cad";
  var FOCUS = "#12263f";

  function largestCount(features) {
    return features.reduce(function (max, feature) {
      var count = feature.properties.count;
      return typeof count === "number" && count > max ? count : max;
    }, 0);
  }

  // Places with more organisations are shaded darker; without counts, all alike.
  function shade(properties, max) {
    if (typeof properties.count !== "number" || max === 0) {
      return 0.35;
    }
    return 0.1 + 0.65 * (properties.count / max);
  }

  function style(max) {
    return function (feature) {
      var properties = feature.properties;
      if (properties.focus) {
        return { color: FOCUS, weight: 2, dashArray: "6 4", fillOpacity: 0.04, interactive: false };
      }
      return { color: ACCENT, weight: 1.5, fillColor: ACCENT, fillOpacity: shade(properties, max) };
    };
  }

  function point(max) {
    return function (feature, latlng) {
      var count = feature.properties.count;
      var radius = typeof count === "number" && max > 0 ? 5 + 10 * Math.sqrt(count / max) : 7;
      return L.circleMarker(latlng, { radius: radius });
    };
  }

  function linkEach(feature, layer) {
    var properties = feature.properties;
    if (properties.label) {
      layer.bindTooltip(properties.label, { sticky: true });
    }
    if (properties.url) {
      layer.on("click", function () { window.location.assign(properties.url); });
    }
  }

  function draw(element) {
    var source = document.getElementById(element.getAttribute("data-map-source"));
    var section = element.closest("[data-map-section]");
    if (!source || !window.L || !section) {
      return;
    }
    var data = JSON.parse(source.textContent);
    section.hidden = false;
    var tiles = element.getAttribute("data-tile-url");
    var map = L.map(element, { attributionControl: Boolean(tiles), scrollWheelZoom: false, zoomSnap: 0.25 });
    if (tiles) {
      L.tileLayer(tiles, { attribution: element.getAttribute("data-tile-attribution") || "", maxZoom: 18 }).addTo(map);
    }
    var max = largestCount(data.features);
    var layer = L.geoJSON(data, { style: style(max), pointToLayer: point(max), onEachFeature: linkEach }).addTo(map);
    var bounds = layer.getBounds();
    if (bounds.isValid()) {
      map.fitBounds(bounds, { padding: [12, 12], maxZoom: 13 });
    } else {
      map.setView([0, 0], 1);
    }
    // The paths exist once the map has a view. Chromium lets Tab stop on every SVG path: two
    // hundred districts would be two hundred stops. The page's list holds the same links for
    // the keyboard, so the map is left in one step after its zoom buttons.
    layer.eachLayer(function (shape) {
      var path = shape.getElement && shape.getElement();
      if (path) {
        path.setAttribute("tabindex", "-1");
      }
    });
    element.setAttribute("data-map-drawn", String(data.features.length));
  }

  function drawAll() {
    Array.prototype.forEach.call(document.querySelectorAll("[data-map-source]"), draw);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", drawAll);
  } else {
    drawAll();
  }
})();
