// The browser's time zone goes with the sign-in, so that staff who are not consultants
// (whose zone is on their profile) read the admin's times on their own clock too.
document.addEventListener("DOMContentLoaded", function () {
  var form = document.getElementById("login-form");
  if (!form) { return; }
  var zone;
  try { zone = Intl.DateTimeFormat().resolvedOptions().timeZone; } catch (e) { return; }
  if (!zone) { return; }
  var input = document.createElement("input");
  input.type = "hidden";
  input.name = "tz";
  input.value = zone;
  form.appendChild(input);
});
