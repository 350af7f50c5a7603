// "Print" buttons (data-print): a listener from a file, where an inline
// handler (onclick, hx-on) would need the CSP to allow eval.
document.addEventListener("click", function (event) {
  if (event.target.closest("[data-print]")) window.print();
});
