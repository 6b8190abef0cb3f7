// The flow board fetches its rows again every few seconds and swaps them in, so a wall
// screen or a tablet stays current without reloading. Without JavaScript the page is the
// same, current as of its last load.
(function () {
  "use strict";

  document.addEventListener("DOMContentLoaded", function () {
    var board = document.getElementById("flow-board");
    if (!board) {
      return;
    }
    var url = board.getAttribute("data-refresh-url");
    var seconds = Number(board.getAttribute("data-refresh-seconds")) || 20;
    var stale = document.getElementById("board-stale");

    function swap(html) {
      // Keep the keyboard where it was: buttons carry ids that survive the swap.
      var focused = document.activeElement;
      var focusedId = focused && board.contains(focused) ? focused.id : "";
      board.innerHTML = html;
      if (focusedId) {
        var again = document.getElementById(focusedId);
        if (again) {
          again.focus();
        }
      }
    }

    function refresh() {
      if (document.hidden) {
        window.setTimeout(refresh, seconds * 1000);
        return;
      }
      fetch(url, { credentials: "same-origin", cache: "no-store", headers: { Accept: "text/html" } })
        .then(function (response) {
          if (response.redirected || response.status === 403) {
            // Logged out or the session expired: the full page shows the login.
            window.location.reload();
            return null;
          }
          if (!response.ok) {
            throw new Error("status " + response.status);
          }
          return response.text();
        })
        .then(function (html) {
          if (html !== null) {
            swap(html);
            if (stale) {
              stale.hidden = true;
            }
          }
        })
        .catch(function () {
          if (stale) {
            stale.hidden = false;
          }
        })
        .then(function () {
          window.setTimeout(refresh, seconds * 1000);
        });
    }

    window.setTimeout(refresh, seconds * 1000);
  });
})();
