// The scan station's enhancements. Without JavaScript the page still works:
// a USB scanner or the keyboard fills the input and Enter submits it.
"use strict";

(() => {
  // The scan input keeps the focus, so a scanner's keystrokes always land
  // in it (autofocus alone is skipped by some browsers on back/forward).
  const code = document.getElementById("code");
  if (code && (document.activeElement === document.body || document.activeElement === null)) code.focus();

  // Contents checklist: a ticked line is all present; unticking it shows its
  // counts and moves the focus there.
  document.querySelectorAll("[data-line]").forEach((line) => {
    const box = line.querySelector("[data-present]");
    const counts = line.querySelector("[data-counts]");
    if (!box || !counts) return;
    const sync = () => { counts.hidden = box.checked; };
    box.addEventListener("change", () => {
      sync();
      if (!box.checked) counts.querySelector("input").focus();
    });
    sync();
  });

  // Camera: read a kit's QR label and submit it as if it had been typed.
  const wrap = document.getElementById("camera");
  const form = document.getElementById("scan-form");
  if (!wrap || !form || !navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) return;
  const toggle = document.getElementById("camera-toggle");
  const view = document.getElementById("camera-view");
  const video = document.getElementById("camera-video");
  const status = document.getElementById("camera-status");
  const input = code;
  const canvas = document.createElement("canvas");
  let stream = null;
  let detector = null;
  wrap.hidden = false;

  // BarcodeDetector is fast and native where it exists (Android, macOS,
  // ChromeOS); elsewhere the vendored jsQR decodes frames from a canvas.
  const makeDetector = async () => {
    if ("BarcodeDetector" in window) {
      try {
        const formats = await window.BarcodeDetector.getSupportedFormats();
        if (formats.includes("qr_code")) return new window.BarcodeDetector({ formats: ["qr_code"] });
      } catch (e) { /* fall through to jsQR */ }
    }
    return null;
  };

  const decodeFrame = async () => {
    if (detector) {
      const codes = await detector.detect(video);
      return codes.length ? codes[0].rawValue : null;
    }
    if (typeof window.jsQR !== "function" || !video.videoWidth) return null;
    canvas.width = video.videoWidth;
    canvas.height = video.videoHeight;
    const ctx = canvas.getContext("2d", { willReadFrequently: true });
    ctx.drawImage(video, 0, 0, canvas.width, canvas.height);
    const img = ctx.getImageData(0, 0, canvas.width, canvas.height);
    const code = window.jsQR(img.data, img.width, img.height, { inversionAttempts: "dontInvert" });
    return code ? code.data : null;
  };

  const stop = () => {
    if (stream) stream.getTracks().forEach((t) => t.stop());
    stream = null;
    view.hidden = true;
    toggle.setAttribute("aria-expanded", "false");
    toggle.textContent = "Use the camera";
  };

  const look = async () => {
    if (!stream) return;
    try {
      const text = await decodeFrame();
      if (text) {
        status.textContent = "Read " + text;
        stop();
        input.value = text;
        form.requestSubmit();
        return;
      }
    } catch (e) {
      status.textContent = "Could not read the camera: " + e.message;
    }
    setTimeout(look, 120);
  };

  toggle.addEventListener("click", async () => {
    if (stream) { stop(); input.focus(); return; }
    try {
      stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" }, audio: false });
    } catch (e) {
      status.textContent = "The camera is not available: " + e.message + ". Type the tag instead.";
      view.hidden = false;
      return;
    }
    detector = await makeDetector();
    video.srcObject = stream;
    view.hidden = false;
    toggle.setAttribute("aria-expanded", "true");
    toggle.textContent = "Stop the camera";
    status.textContent = "Point the camera at the kit's QR label.";
    await video.play();
    look();
  });
})();
