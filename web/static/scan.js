// Scan a voucher's QR with the phone's camera where the browser reads QR codes itself
// (the BarcodeDetector API: Chrome on Android, among others). Elsewhere the button never
// shows and the clinic types the code, as before. Nothing is fetched: no library, no asset.
(function () {
  "use strict";
  var button = document.getElementById("scan");
  if (!button || !("BarcodeDetector" in window) || !navigator.mediaDevices) return;
  var text = JSON.parse(document.getElementById("messages").textContent);
  var video = document.getElementById("scan-video");
  var status = document.getElementById("scan-status");
  var stop = document.getElementById("scan-stop");
  var stream = null, timer = null;

  function end(message) {
    if (timer) { clearInterval(timer); timer = null; }
    if (stream) { stream.getTracks().forEach(function (t) { t.stop(); }); stream = null; }
    video.hidden = true; stop.hidden = true; button.hidden = false;
    status.textContent = message || "";
  }

  function start() {
    var detector = new window.BarcodeDetector({ formats: ["qr_code"] });
    navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" }, audio: false })
      .then(function (media) {
        stream = media;
        video.srcObject = media;
        video.hidden = false; stop.hidden = false; button.hidden = true;
        status.textContent = text.scan_aim;
        return video.play();
      })
      .then(function () {
        timer = setInterval(function () {
          detector.detect(video).then(function (found) {
            if (!found.length || !stream) return;
            end(text.scan_read);
            document.getElementById("code").value = found[0].rawValue;
            document.getElementById("look-up").requestSubmit();
          }).catch(function () { /* a frame not ready yet: the next one */ });
        }, 300);
      })
      .catch(function () { end(text.scan_denied); });
  }

  window.BarcodeDetector.getSupportedFormats().then(function (formats) {
    if (formats.indexOf("qr_code") < 0) return;
    button.hidden = false;
    button.addEventListener("click", start);
    stop.addEventListener("click", function () { end(""); });
  });
})();
