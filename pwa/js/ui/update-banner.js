// "A new version is ready" with a "Reload to update" button: code is never swapped under a user
// who may be halfway through writing a report.
export function showUpdateBanner(banner, apply) {
  const button = banner.querySelector("#update-reload");
  button.addEventListener("click", () => {
    button.disabled = true;
    apply();
  }, { once: true });
  banner.hidden = false;
}
