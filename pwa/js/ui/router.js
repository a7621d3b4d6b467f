// One screen at a time. A screen is a function (ctx, params) -> {node, dispose?}; showing one
// disposes the previous (revoking its blob URLs, stopping recorders) and moves focus to the new
// screen's heading so screen reader users hear where they are. Right after the heading comes the
// screen's Help (ui/help.js), added here so that every screen gets it the same way; the next Tab
// from the heading reaches it.
import { screenHelp } from "./help.js";

export function createRouter(container, { beforeShow = () => {} } = {}) {
  let current = null;
  let first = true;

  function show(name, screen, ctx, params = {}) {
    if (current && current.dispose) {
      try { current.dispose(); } catch (error) { console.warn("dispose failed:", error.name); }
    }
    beforeShow(name);
    const result = screen(ctx, params);
    current = result;
    result.node.dataset.screen = name;
    container.replaceChildren(result.node);
    const heading = result.node.querySelector("h2");
    if (heading) {
      const help = screenHelp(name);
      if (help) heading.after(help);
      heading.tabIndex = -1;
      if (!first) heading.focus();
    }
    first = false;
    window.scrollTo(0, 0);
    return result;
  }

  return {
    show,
    get current() { return current; },
    clear() {
      if (current && current.dispose) current.dispose();
      current = null;
      container.replaceChildren();
    },
  };
}
