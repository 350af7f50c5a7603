// Behaviour the pages' markup asks for by data attribute. Loaded from /static
// (never inline), so the Content-Security-Policy can allow scripts from 'self' only.
document.addEventListener("click", (event) => {
  if (event.target.closest("[data-print]")) window.print();
});
