/**
 * The dashboard's only script, served as /assets/admin.js (the CSP allows no inline code): draws
 * each `canvas[data-chart]` with Chart.js, asks before destructive forms, copies a new key, keeps
 * a conversation's transcript live (polls its `data-live` fragment every 2 s and swaps it in when it
 * changed), and disables a form's button once it is submitted (the idempotency key still makes a
 * resent reply go out once).
 */
export const ADMIN_SCRIPT = `'use strict';
(function () {
  var COLORS = ['#2563eb', '#16a34a', '#dc2626', '#9333ea', '#ea580c'];

  function draw(canvas) {
    var spec = JSON.parse(canvas.getAttribute('data-chart'));
    var datasets = spec.series.map(function (s, i) {
      var color = COLORS[i % COLORS.length];
      var line = (s.type || spec.kind) === 'line';
      return {
        label: s.label, data: s.data, type: s.type, yAxisID: s.axis || 'y', order: line ? 0 : 1,
        borderColor: color, backgroundColor: line ? color : color + 'b3', borderWidth: 2,
        pointRadius: 2, spanGaps: true, tension: 0.25
      };
    });
    var scales = {
      x: { stacked: !!spec.stacked, ticks: { maxRotation: 0, autoSkipPadding: 12, callback: function (v) { return this.getLabelForValue(v).slice(5); } } },
      y: { stacked: !!spec.stacked, beginAtZero: true, ticks: { precision: 0 }, title: { display: true, text: spec.y } }
    };
    if (spec.y2) scales.y2 = { position: 'right', beginAtZero: true, grid: { drawOnChartArea: false }, title: { display: true, text: spec.y2 } };
    new window.Chart(canvas, {
      type: spec.kind,
      data: { labels: spec.labels, datasets: datasets },
      options: {
        responsive: true, maintainAspectRatio: false, animation: false,
        interaction: { mode: 'index', intersect: false },
        plugins: { legend: { position: 'bottom', labels: { boxWidth: 12 } } },
        scales: scales
      }
    });
  }

  function copy(button) {
    var target = document.getElementById(button.getAttribute('data-copy'));
    var done = function () { button.textContent = 'Copied'; };
    if (navigator.clipboard) {
      navigator.clipboard.writeText(target.textContent).then(done, function () { select(target); });
    } else {
      select(target);
    }
  }

  function select(node) {
    var range = document.createRange();
    range.selectNodeContents(node);
    var selection = window.getSelection();
    selection.removeAllRanges();
    selection.addRange(range);
  }

  var LIVE_MS = 2000;

  function live(box) {
    var src = box.getAttribute('data-live');
    var shown = null;
    function poll() {
      if (document.hidden) return setTimeout(poll, LIVE_MS);
      fetch(src, { credentials: 'same-origin', cache: 'no-store', headers: { accept: 'text/html' } }).then(function (response) {
        // Signed out (sent to the sign-in page) or gone: stop, the next reload shows why.
        if (!response.ok || response.redirected) return null;
        return response.text();
      }).then(function (html) {
        if (html === null) return;
        if (html !== shown) {
          box.innerHTML = html;
          shown = html;
        }
        setTimeout(poll, LIVE_MS);
      }, function () { setTimeout(poll, LIVE_MS * 3); });
    }
    setTimeout(poll, LIVE_MS);
  }

  document.addEventListener('DOMContentLoaded', function () {
    document.querySelectorAll('[data-live]').forEach(live);
    document.querySelectorAll('form[data-once]').forEach(function (form) {
      form.addEventListener('submit', function () {
        form.querySelectorAll('button[type=submit]').forEach(function (button) { setTimeout(function () { button.disabled = true; }, 0); });
      });
    });
    if (window.Chart) document.querySelectorAll('canvas[data-chart]').forEach(draw);
    document.querySelectorAll('form[data-confirm]').forEach(function (form) {
      form.addEventListener('submit', function (event) {
        if (!window.confirm(form.getAttribute('data-confirm'))) event.preventDefault();
      });
    });
    document.querySelectorAll('button[data-copy]').forEach(function (button) {
      button.addEventListener('click', function () { copy(button); });
    });
  });
})();
`;
