// The embeddable player's "play from" button (web/templates/embed.html): a click is what lets a browser play,
// also inside another site's frame, so the button seeks to the link's moment and plays. Without this file
// the native player still starts there (the sources carry #t=).
(function () {
  "use strict";
  var audio = document.getElementById("player");
  var button = document.getElementById("play-from");
  if (!audio || !button) return;
  var t = parseFloat(button.getAttribute("data-t"));
  if (!isFinite(t) || t < 0) return;
  button.hidden = false;
  button.addEventListener("click", function () {
    var go = function () {
      audio.currentTime = t;
      var p = audio.play();
      if (p && p.catch) p.catch(function () {});
    };
    if (audio.readyState >= 1) { go(); return; }
    audio.addEventListener("loadedmetadata", go, { once: true });
    if (audio.networkState === audio.NETWORK_EMPTY) audio.load();
  });
})();
