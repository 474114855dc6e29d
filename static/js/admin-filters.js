"use strict";
// A list's filters on a phone: above the list, folded to one line unless a filter is
// in use, so the bookings come first. Wide screens keep them open beside the list.
{
  const panel = document.querySelector("#changelist-filter details.filter-panel");
  if (
    panel &&
    !("active" in panel.dataset) &&
    window.matchMedia("(max-width: 767px)").matches
  ) {
    panel.open = false;
  }
}
