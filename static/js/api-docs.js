// Starts Swagger UI (static/vendor/swagger-ui-*/) on /api/v1/docs from a file, not an inline script,
// so the page works under the site's Content-Security-Policy.
document.addEventListener("DOMContentLoaded", function () {
  "use strict";
  var root = document.getElementById("swagger-ui");
  var config = JSON.parse(document.getElementById("swagger-settings").textContent);
  if (!root || typeof SwaggerUIBundle === "undefined") { return; }
  config.dom_id = "#swagger-ui";
  config.presets = [SwaggerUIBundle.presets.apis];
  var token = root.getAttribute("data-csrf-token");
  if (token) {
    // Browser-session writes need Django's CSRF token, as the site's own forms send it.
    config.requestInterceptor = function (req) { req.headers["X-CSRFToken"] = token; return req; };
  }
  // Plain examples: the highlighter colours words with inline styles, several too pale to read.
  config.syntaxHighlight = { activated: false };
  SwaggerUIBundle(config);

  // Swagger UI's value pickers for a parameter and its copy buttons have no name: name them as the
  // panels open (axe: select-name, button-name).
  function nameFields() {
    Array.prototype.forEach.call(root.querySelectorAll("tr[data-param-name] select:not([aria-label]), tr[data-param-name] input:not([aria-label])"), function (field) {
      var row = field.closest("tr[data-param-name]");
      if (row) { field.setAttribute("aria-label", row.getAttribute("data-param-name")); }
    });
    Array.prototype.forEach.call(root.querySelectorAll(".copy-to-clipboard > button:not([aria-label])"), function (button) {
      button.setAttribute("aria-label", "Copy to clipboard"); // in the viewer's own language, English
    });
  }
  new MutationObserver(nameFields).observe(root, { childList: true, subtree: true });
});
