// Behaviour the pages' markup asks for by data attribute. Loaded from /static
// (never inline), so the Content-Security-Policy can allow scripts from 'self' only.
document.addEventListener("click", (event) => {
  if (event.target.closest("[data-print]")) window.print();
});
// The console's menu scrolls sideways on a phone: show where the reader is.
document.addEventListener("DOMContentLoaded", () => {
  const current = document.querySelector(".staff-nav a[aria-current='page']");
  if (current) current.scrollIntoView({ block: "nearest", inline: "center" });
});
