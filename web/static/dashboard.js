// The signed-in dashboard, live: the indicators service's revision events (relayed by this app
// at /tablero/stream) trigger a fetch of the figures and charts drawn on the server
// (/tablero/cifras), sent with the ETag last received so an unchanged answer is a 304.
// Without this script the page still shows the figures as they were when it was drawn.
"use strict";

(function () {
  const live = document.getElementById("live");
  const figures = document.getElementById("figures");
  if (!live || !figures || !window.EventSource) return;
  const messages = JSON.parse(document.getElementById("messages").textContent);
  const logframe = encodeURIComponent(live.dataset.logframe);
  let tag = "";
  let loading = false;
  let again = false;

  function stamp() {
    const now = new Date(), two = (n) => String(n).padStart(2, "0");
    const when = `${two(now.getDate())}/${two(now.getMonth() + 1)}/${now.getFullYear()} ` +
      `${two(now.getHours())}:${two(now.getMinutes())}:${two(now.getSeconds())}`;
    document.getElementById("updated").textContent = "· " + messages.updated.replace("{when}", when);
  }

  async function load() {
    if (loading) { again = true; return; }
    loading = true;
    try {
      const headers = tag ? { "If-None-Match": tag } : {};
      const answer = await fetch(`/tablero/cifras?logframe=${logframe}`,
        { headers, cache: "no-store", credentials: "same-origin" });
      if (answer.status === 200) {
        tag = answer.headers.get("ETag") || "";
        figures.innerHTML = await answer.text();
        document.body.dataset.loads = String(Number(document.body.dataset.loads || 0) + 1);
        stamp();
      } else if (answer.status === 304) {
        stamp();
      }
    } catch (err) {
      // A dropped connection: the stream reconnects and the next revision loads again.
    } finally {
      loading = false;
      if (again) { again = false; load(); }
    }
  }

  const source = new EventSource(`/tablero/stream?logframe=${logframe}`);
  source.addEventListener("revision", (e) => {
    document.body.dataset.revision = JSON.parse(e.data).revision;
    load();
  });
  source.onopen = () => {
    live.classList.add("on");
    document.getElementById("live-state").textContent = messages.on;
  };
  source.onerror = () => {  // EventSource reconnects by itself
    live.classList.remove("on");
    document.getElementById("live-state").textContent = messages.off;
  };
  window.addEventListener("pagehide", () => source.close());
})();
