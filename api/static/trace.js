// The trace page: bring the highlighted passage into view once the page is parsed.
(function () {
  "use strict";
  var passage = document.getElementById("passage");
  if (passage && typeof passage.scrollIntoView === "function") {
    passage.scrollIntoView({ block: "center" });
  }
})();
