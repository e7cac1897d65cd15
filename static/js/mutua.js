// Progressive enhancement only: every page works without this file.
(function () {
  "use strict";

  function say(grid, template, start, end) {
    var status = grid.querySelector("[data-grid-status]");
    if (!status || !template) { return; }
    status.textContent = template.replace("%(start)s", start).replace("%(end)s", end);
  }

  // The availability grid (mutua/core/widgets.py AvailabilityGrid): one composite widget with a
  // single tab stop. Arrow keys move (Home/End: start/end of the row; Ctrl+Home/End: first/last hour),
  // space ticks the box under focus, Shift+arrows choose a rectangle that space then ticks or unticks
  // as a whole. The checkboxes stay native, so the form submits them as it does without this script.
  function enhanceGrid(grid) {
    var table = grid.querySelector("table");
    if (!table || !table.tBodies.length) { return; }
    var boxes = [];
    Array.prototype.forEach.call(table.tBodies[0].rows, function (row, r) {
      var line = [];
      Array.prototype.forEach.call(row.querySelectorAll("input[type=checkbox]"), function (box, c) {
        box.setAttribute("data-r", r);
        box.setAttribute("data-c", c);
        box.tabIndex = -1;
        line.push(box);
      });
      boxes.push(line);
    });
    if (!boxes.length || !boxes[0].length) { return; }
    var rows = boxes.length, cols = boxes[0].length;
    var here = { r: 0, c: 0 };
    var anchor = null; // where a Shift+arrow range started
    var swallowSpace = false;

    // The first ticked box is the way in, so a person returning lands on their own choice.
    outer: for (var r0 = 0; r0 < rows; r0++) {
      for (var c0 = 0; c0 < cols; c0++) {
        if (boxes[r0][c0].checked) { here = { r: r0, c: c0 }; break outer; }
      }
    }
    boxes[here.r][here.c].tabIndex = 0;

    table.setAttribute("role", "grid");
    var keys = document.getElementById(grid.id + "_keys");
    if (keys) {
      keys.hidden = false;
      table.setAttribute("aria-describedby", (table.getAttribute("aria-describedby") || "") + " " + keys.id);
    }
    var tools = grid.querySelector(".grid-tools");
    if (tools) { tools.hidden = false; }

    function name(box) {
      var label = grid.querySelector('label[for="' + box.id + '"]');
      return label ? label.textContent : box.value;
    }

    function range() {
      if (!anchor) { return null; }
      return {
        top: Math.min(anchor.r, here.r), bottom: Math.max(anchor.r, here.r),
        left: Math.min(anchor.c, here.c), right: Math.max(anchor.c, here.c)
      };
    }

    function each(area, fn) {
      for (var r = area.top; r <= area.bottom; r++) {
        for (var c = area.left; c <= area.right; c++) { fn(boxes[r][c]); }
      }
    }

    function paint() {
      var area = range();
      boxes.forEach(function (line) {
        line.forEach(function (box) { box.parentNode.classList.remove("in-range"); });
      });
      if (area) { each(area, function (box) { box.parentNode.classList.add("in-range"); }); }
    }

    function moveTo(r, c) {
      r = Math.max(0, Math.min(rows - 1, r));
      c = Math.max(0, Math.min(cols - 1, c));
      boxes[here.r][here.c].tabIndex = -1;
      here = { r: r, c: c };
      var box = boxes[r][c];
      box.tabIndex = 0;
      box.focus();
    }

    table.addEventListener("focusin", function (event) {
      var box = event.target;
      if (!box.hasAttribute || !box.hasAttribute("data-r")) { return; }
      boxes[here.r][here.c].tabIndex = -1;
      here = { r: Number(box.getAttribute("data-r")), c: Number(box.getAttribute("data-c")) };
      box.tabIndex = 0;
    });

    table.addEventListener("keydown", function (event) {
      if (!event.target.hasAttribute || !event.target.hasAttribute("data-r")) { return; }
      var r = here.r, c = here.c;
      switch (event.key) {
        case "ArrowUp": r -= 1; break;
        case "ArrowDown": r += 1; break;
        case "ArrowLeft": c -= 1; break;
        case "ArrowRight": c += 1; break;
        case "Home": c = 0; if (event.ctrlKey) { r = 0; } break;
        case "End": c = cols - 1; if (event.ctrlKey) { r = rows - 1; } break;
        case "PageUp": r -= 4; break;
        case "PageDown": r += 4; break;
        case " ":
        case "Spacebar": {
          var area = range();
          if (area && (area.top !== area.bottom || area.left !== area.right)) {
            // The whole range at once: tick them all, or untick them all when all were ticked.
            event.preventDefault();
            swallowSpace = true;
            var all = true;
            each(area, function (box) { all = all && box.checked; });
            each(area, function (box) { box.checked = !all; });
            say(grid, grid.getAttribute(all ? "data-say-unticked" : "data-say-ticked"),
              name(boxes[area.top][area.left]), name(boxes[area.bottom][area.right]));
            anchor = null;
            paint();
          }
          return;
        }
        default: return;
      }
      event.preventDefault();
      if (event.shiftKey && event.key.indexOf("Arrow") === 0) {
        if (!anchor) { anchor = { r: here.r, c: here.c }; }
        moveTo(r, c);
        paint();
        var area2 = range();
        say(grid, grid.getAttribute("data-say-range"),
          name(boxes[area2.top][area2.left]), name(boxes[area2.bottom][area2.right]));
      } else {
        anchor = null;
        paint();
        moveTo(r, c);
      }
    });

    // The browser ticks a checkbox when the space bar comes up; a range was already handled.
    table.addEventListener("keyup", function (event) {
      if (swallowSpace && (event.key === " " || event.key === "Spacebar")) {
        event.preventDefault();
        swallowSpace = false;
      }
    });
    table.addEventListener("click", function (event) {
      if (event.target.hasAttribute && event.target.hasAttribute("data-r") && event.detail === 0 && swallowSpace) {
        event.preventDefault();
        swallowSpace = false;
      }
    });

    var copy = grid.querySelector("[data-grid-copy]");
    if (copy) {
      copy.addEventListener("click", function () {
        // Columns are the days, Monday first: Monday's ticks become Tuesday's to Friday's.
        for (var r = 0; r < rows; r++) {
          for (var c = 1; c <= 4 && c < cols; c++) { boxes[r][c].checked = boxes[r][0].checked; }
        }
        var status = grid.querySelector("[data-grid-status]");
        if (status) { status.textContent = grid.getAttribute("data-say-copied"); }
      });
    }
  }

  document.addEventListener("DOMContentLoaded", function () {
    // Move focus to the error summary so screen-reader and keyboard users hear what to fix.
    var summary = document.getElementById("error-summary");
    if (summary) { summary.focus(); }
    Array.prototype.forEach.call(document.querySelectorAll("[data-availability-grid]"), enhanceGrid);
    // Folded filters (a phone shows results first) open by themselves where there is room.
    if (window.matchMedia && window.matchMedia("(min-width: 48em)").matches) {
      Array.prototype.forEach.call(document.querySelectorAll("details[data-open-wide]"), function (d) {
        d.open = true;
      });
    }
  });
})();
