// Small progressive enhancements; every page works without this file.
(function () {
  "use strict";

  // After htmx swaps new content in, move focus to what needs attention
  // (the first error, else the new heading) and announce it, so keyboard and
  // screen-reader users are not left on a node that no longer exists.
  document.addEventListener("htmx:afterSettle", function (event) {
    var region = swappedRegion(event);
    if (!region || event.target !== region) return; // once per swap, not per new node
    var focusable = region.querySelector("[data-focus-first]") || region.querySelector("h1, h2");
    if (!focusable) return;
    var announcer = document.getElementById("announcer");
    var announcement = focusable.textContent.replace(/\s+/g, " ").trim();
    // A filter form updates results while the visitor is still using it (arrow
    // keys through a radio group): taking focus away would end that.
    var source = event.detail.requestConfig && event.detail.requestConfig.elt;
    if (source && source.closest && source.closest("[data-keep-focus]")) {
      if (announcer) announcer.textContent = announcement;
      return;
    }
    if (!focusable.hasAttribute("tabindex")) focusable.setAttribute("tabindex", "-1");
    focusable.focus({ preventScroll: true });
    // The page keeps the scroll position of the content it replaced (often a
    // long form's submit button), which can leave the new heading off-screen.
    var box = focusable.getBoundingClientRect();
    if (box.top < 0 || box.bottom > window.innerHeight) {
      region.scrollIntoView({ block: "start" });
      focusable.scrollIntoView({ block: "nearest" });
    }
    if (announcer) announcer.textContent = announcement;
  });

  // An outerHTML swap replaces the target: its successor with the same id is
  // what the visitor now sees.
  function swappedRegion(event) {
    var target = event.detail && event.detail.target;
    if (!target || !target.querySelector) return null;
    if (target.isConnected) return target;
    return target.id ? document.getElementById(target.id) : null;
  }

  // A form marked data-task-questions shows the questions and choices that
  // concern only some tasks (data-show-for-tasks) for those tasks alone. Without
  // this script they all show, and the server ignores answers a task does not need.
  function showForTask(form, changed) {
    var select = form.querySelector("select[name=task]");
    if (!select) return;
    form.querySelectorAll("[data-show-for-tasks]").forEach(function (part) {
      var shown = part.getAttribute("data-show-for-tasks").split(" ").indexOf(select.value) !== -1;
      if (part.hidden === !shown) return;
      part.hidden = !shown;
      // A choice hidden after the visitor changed the task must not be sent
      // unseen: unticked, so the question asks again. A whole question keeps
      // its answer for when the task comes back.
      if (!shown && changed && part.classList.contains("choice")) {
        var input = part.querySelector("input");
        if (input) input.checked = false;
      }
    });
  }

  function showForTasks(root) {
    if (!root || !root.querySelectorAll) return;
    var forms = root.matches && root.matches("form[data-task-questions]")
      ? [root] : root.querySelectorAll("form[data-task-questions]");
    forms.forEach(function (form) { showForTask(form, false); });
  }

  document.addEventListener("change", function (event) {
    var target = event.target;
    if (target.matches && target.matches("form[data-task-questions] select[name=task]")) {
      showForTask(target.form, true);
    }
  });
  document.addEventListener("DOMContentLoaded", function () { showForTasks(document); });
  // New content swapped in by htmx (a step, an invalid form shown again).
  document.addEventListener("htmx:load", function (event) { showForTasks(event.target); });

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

// The booking page's zone field: after htmx brought the week for a zone, the field
// shows the zone's name (or stays as typed, marked invalid, with the error beside it).
(function () {
  "use strict";
  document.addEventListener("htmx:afterSettle", function () {
    var feedback = document.getElementById("tz-feedback");
    var field = document.getElementById("tz");
    var group = document.getElementById("tz-group");
    if (!feedback || !field || !feedback.hasAttribute("data-invalid")) return;
    var invalid = feedback.getAttribute("data-invalid") === "true";
    var zone = feedback.getAttribute("data-zone");
    if (zone) field.value = zone;
    if (invalid) field.setAttribute("aria-invalid", "true");
    else field.removeAttribute("aria-invalid");
    if (group) group.classList.toggle("has-error", invalid);
  });
})();
