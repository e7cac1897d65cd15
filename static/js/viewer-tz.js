// The browser's time zone, so meeting times can be shown on the visitor's own clock (decision 0019).
// Progressive enhancement only: without it, pages use the profile's zone, else a guess from the
// country (and name the zone they used). It fills the directory form's hidden `tz` field and keeps
// the zone in a cookie for pages without a form. The server checks the name against its zone list.
(function () {
  "use strict";
  var tz = "";
  try {
    tz = Intl.DateTimeFormat().resolvedOptions().timeZone || "";
  } catch (error) {
    return;
  }
  if (!/^[A-Za-z0-9_+\/-]{1,64}$/.test(tz)) { return; }
  var cookie = "mutua_tz=" + tz;
  if (document.cookie.split("; ").indexOf(cookie) === -1) {
    document.cookie = cookie + "; path=/; max-age=31536000; SameSite=Lax" +
      (window.location.protocol === "https:" ? "; Secure" : "");
  }
  document.addEventListener("DOMContentLoaded", function () {
    Array.prototype.forEach.call(document.querySelectorAll("input[data-viewer-tz]"), function (input) {
      if (!input.value) { input.value = tz; }
    });
  });
})();
