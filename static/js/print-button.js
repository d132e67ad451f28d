/* « Imprimer ce résumé » buttons (data-print): hidden without JavaScript, where the page says to
   print from the browser's menu instead; with it, they open the browser's print dialog. */
(function () {
  "use strict";

  function start() {
    document.querySelectorAll("[data-print]").forEach(function (button) {
      button.hidden = false;
      button.addEventListener("click", function () {
        window.print();
      });
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
