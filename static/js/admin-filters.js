"use strict";
// A list's filters on a phone: above the list, folded to one line (which says when a
// filter is in use), so the rows come first. Wide screens keep them open beside it.
{
  const panel = document.querySelector("#changelist-filter details.filter-panel");
  if (panel && window.matchMedia("(max-width: 767px)").matches) {
    panel.open = false;
  }
}
