// Behaviour the pages' markup asks for by data attribute. Loaded from /static
// (never inline), so the Content-Security-Policy can allow scripts from 'self' only.
document.addEventListener("click", (event) => {
  if (event.target.closest("[data-print]")) window.print();
});
// The console's menu scrolls sideways on a phone: show where the reader is.
// Sideways only: scrollIntoView would also scroll the page back up to the menu,
// away from a refused field that autofocus brought into view further down.
document.addEventListener("DOMContentLoaded", () => {
  const current = document.querySelector(".staff-nav a[aria-current='page']");
  const menu = current && current.closest("ul");
  if (!menu) return;
  const at = current.getBoundingClientRect();
  const box = menu.getBoundingClientRect();
  menu.scrollLeft += at.left - box.left - (box.width - at.width) / 2;
});
// A link to a folded part of a page (a reminder's "Something not right?" is
// /t/{token}#concern) opens the fold it points at, not just the page above it.
const openLinkedFold = () => {
  const target = location.hash.length > 1 && document.getElementById(location.hash.slice(1));
  if (!target) return;
  const fold = target.matches("details") ? target : target.querySelector("details") || target.closest("details");
  if (fold && !fold.open) {
    fold.open = true;
    target.scrollIntoView({ block: "start" });
  }
};
document.addEventListener("DOMContentLoaded", openLinkedFold);
window.addEventListener("hashchange", openLinkedFold);
