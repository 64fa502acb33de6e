// The console's only script of its own (the CSP allows no inline script): the viewer's time zone for the
// server, live SLA countdowns, and charts drawn by Chart.js from the data-chart attribute of a canvas.
(function () {
  "use strict";

  function rememberZone() {
    var zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
    if (!zone) return;
    var secure = location.protocol === "https:" ? "; Secure" : "";
    document.cookie = "labelops_tz=" + encodeURIComponent(zone) + "; Path=/; Max-Age=31536000; SameSite=Strict" + secure;
  }

  function countdownText(seconds) {
    var magnitude = Math.abs(seconds);
    var hours = Math.floor(magnitude / 3600);
    var minutes = Math.floor((magnitude % 3600) / 60);
    var text = hours ? hours + "h " + String(minutes).padStart(2, "0") + "m" : minutes + "m";
    return seconds < 0 ? text + " overdue" : "in " + text;
  }

  function tick(root) {
    (root || document).querySelectorAll("time.countdown[datetime]").forEach(function (el) {
      var seconds = Math.floor((Date.parse(el.getAttribute("datetime")) - Date.now()) / 1000);
      el.textContent = countdownText(seconds);
      el.classList.toggle("overdue", seconds < 0);
    });
  }

  function drawCharts(root) {
    if (typeof Chart === "undefined") return;
    (root || document).querySelectorAll("canvas[data-chart]").forEach(function (canvas) {
      if (canvas.dataset.drawn) return;
      canvas.dataset.drawn = "1";
      var spec = JSON.parse(canvas.dataset.chart);
      new Chart(canvas, {
        type: spec.type || "line",
        data: { labels: spec.labels, datasets: spec.datasets },
        options: { responsive: true, maintainAspectRatio: false, animation: false,
                   scales: { y: { beginAtZero: true } },
                   plugins: { legend: { position: "bottom" } } }
      });
    });
  }

  rememberZone();
  document.addEventListener("DOMContentLoaded", function () {
    tick();
    drawCharts();
    setInterval(tick, 30000);
  });
  // The console answers a refused or failed htmx request with a short message (a refusal, the service
  // unavailable, an error with its request id): it goes to the page's flash area, leaving the part the
  // request meant to replace as it was.
  document.addEventListener("htmx:beforeSwap", function (event) {
    var status = event.detail.xhr.status;
    var flash = document.getElementById("flash");
    if (status >= 400 && flash) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
      event.detail.target = flash;
      event.detail.swapOverride = "innerHTML";
    }
  });
  document.addEventListener("htmx:afterSwap", function (event) {
    tick(event.target);
    drawCharts(event.target);
  });
})();
