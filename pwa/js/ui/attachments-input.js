// Picking evidence for an incident: any file ("Attach file"), a photo or a video straight from
// the camera (`capture` inputs, so nothing passes through the gallery), and audio recorded in
// the app with MediaRecorder (kept in memory until the incident is saved, then encrypted).
import { formatBytes, t } from "../i18n.js";
import { el, liveRegion, say, uid } from "./dom.js";

function fileInput(labelKey, attrs) {
  const input = el("input", { type: "file", id: uid("file"), className: "file-input", ...attrs });
  const label = el("label", { for: input.id, className: "button file-label", i18n: labelKey });
  return { input, wrap: el("div", { className: "file-field" }, [label, input]) };
}

export function attachmentsInput() {
  const files = [];
  const list = el("ul", { className: "picked", "aria-labelledby": "" });
  const status = liveRegion("status");
  let recorder = null;
  let stream = null;

  function render() {
    list.replaceChildren(...files.map((file, index) => el("li", {}, [
      el("span", { className: "picked-name", text: `${file.name} (${formatBytes(file.size)})` }),
      el("button", {
        type: "button", className: "button small", i18n: "attach.remove",
        onclick: () => { files.splice(index, 1); render(); },
      }),
    ])));
  }

  function take(input) {
    input.addEventListener("change", () => {
      files.push(...input.files);
      input.value = "";
      render();
      say(status, "attach.added");
    });
  }

  const any = fileInput("attach.file", { multiple: true });
  const photo = fileInput("attach.photo", { accept: "image/*", capture: "environment" });
  const video = fileInput("attach.video", { accept: "video/*", capture: "environment" });
  [any, photo, video].forEach((f) => take(f.input));

  const record = el("button", { type: "button", className: "button", i18n: "attach.record" });
  const canRecord = typeof window.MediaRecorder === "function" && navigator.mediaDevices;
  record.hidden = !canRecord;
  record.addEventListener("click", async () => {
    if (recorder) {
      recorder.stop();
      return;
    }
    try {
      stream = await navigator.mediaDevices.getUserMedia({ audio: true });
    } catch {
      say(status, "attach.record.denied");
      return;
    }
    const chunks = [];
    recorder = new MediaRecorder(stream);
    recorder.addEventListener("dataavailable", (event) => { if (event.data.size) chunks.push(event.data); });
    recorder.addEventListener("stop", () => {
      stream.getTracks().forEach((track) => track.stop());
      const type = recorder.mimeType || "audio/webm";
      const stamp = new Date().toISOString().replace(/[:.]/g, "-");
      files.push(new File(chunks, `${t("attach.record.name")}-${stamp}.${type.includes("ogg") ? "ogg" : "webm"}`, { type }));
      recorder = null;
      stream = null;
      record.dataset.i18n = "attach.record";
      record.textContent = t("attach.record");
      render();
      say(status, "attach.record.done");
    });
    recorder.start(1000);
    record.dataset.i18n = "attach.record.stop";
    record.textContent = t("attach.record.stop");
    say(status, "attach.record.on");
  });

  const legendId = uid("legend");
  list.setAttribute("aria-labelledby", legendId);
  const node = el("fieldset", { className: "attachments" }, [
    el("legend", { id: legendId, i18n: "attach.legend" }),
    el("p", { className: "hint", i18n: "attach.hint" }),
    any.wrap, photo.wrap, video.wrap, record,
    list,
    status,
  ]);
  return {
    node,
    files: () => files.slice(),
    dispose() {
      if (recorder && recorder.state !== "inactive") recorder.stop();
      if (stream) stream.getTracks().forEach((track) => track.stop());
      files.length = 0;
    },
  };
}
