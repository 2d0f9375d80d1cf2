// The office's QR screen at the door (templates/attendance/meeting_qr.html). Plain JS, no third-party code.
//
// Polls the JSON endpoint (data-code-url) a little after the code's 30-second window ends, and every few
// seconds for the live count: swaps in the new QR code (inline SVG made by the server) without reloading.
// A failed poll shows a note and retries; the previous code stays valid for one more window meanwhile.
(function () {
  "use strict";
  var box = document.getElementById("qr");
  if (!box) return;
  var url = box.getAttribute("data-code-url");
  var code = document.getElementById("qr-code");
  var count = document.getElementById("qr-count");
  var expected = document.getElementById("qr-expected");
  var windowNote = document.getElementById("qr-window");
  var statusLine = document.getElementById("qr-status");
  var shown = null;
  var COUNT_EVERY = 5; // seconds

  function schedule(seconds) {
    window.setTimeout(poll, Math.max(0.5, seconds) * 1000);
  }

  function show(state) {
    if (code && state.svg && state.url !== shown) {
      code.innerHTML = state.svg;
      shown = state.url;
    }
    count.textContent = state.count;
    expected.textContent = state.expected;
    if (windowNote) {
      windowNote.hidden = !!state.open;
      if (!state.open) {
        windowNote.textContent = state.before ? windowNote.getAttribute("data-msg-before")
          : windowNote.getAttribute("data-msg-after");
      }
    }
    statusLine.textContent = "";
  }

  function poll() {
    var xhr = new XMLHttpRequest();
    xhr.open("GET", url);
    xhr.setRequestHeader("Accept", "application/json");
    xhr.timeout = 8000;
    xhr.onload = function () {
      if (xhr.status !== 200) return failed();
      var state;
      try { state = JSON.parse(xhr.responseText); } catch (e) { return failed(); }
      show(state);
      // the next poll: just after the code changes, or sooner for the count
      schedule(Math.min(COUNT_EVERY, state.seconds_left + 0.3));
    };
    xhr.onerror = xhr.ontimeout = failed;
    xhr.send();
  }

  function failed() {
    statusLine.textContent = box.getAttribute("data-msg-failed");
    schedule(3);
  }

  poll();
})();
