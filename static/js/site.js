// Small progressive enhancements; every page works without this file.
(function () {
  "use strict";

  // After htmx swaps new content in, move focus to what needs attention
  // (the first error, else the new heading) and announce it, so keyboard and
  // screen-reader users are not left on a node that no longer exists.
  document.addEventListener("htmx:afterSettle", function (event) {
    var target = event.detail && event.detail.target;
    if (!target || !target.querySelector) return;
    var focusable = target.querySelector("[data-focus-first]") || target.querySelector("h1, h2");
    if (!focusable) return;
    if (!focusable.hasAttribute("tabindex")) focusable.setAttribute("tabindex", "-1");
    focusable.focus({ preventScroll: false });
    var announcer = document.getElementById("announcer");
    if (announcer) announcer.textContent = focusable.textContent.trim();
  });

  // Fill empty time-zone fields with the browser's zone; the server still
  // validates it and the visitor can change it.
  document.addEventListener("DOMContentLoaded", function () {
    var zone;
    try { zone = Intl.DateTimeFormat().resolvedOptions().timeZone; } catch (e) { return; }
    if (!zone) return;
    document.querySelectorAll("[data-detect-timezone]").forEach(function (field) {
      if (!field.value) field.value = zone;
    });
  });
})();
