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
// The tab page's payment form asks for a card only when the payment charges
// something: a reward that pays the whole bill (what is left, the server's sum
// in #pay-left, kept current by the live poll) with no tip is used without one.
// Without this script the page leaves the choice to the server, which asks for
// the card beside its field when one is needed.
const tipIsChosen = (form) => {
  const tip = form.querySelector("input[name=tip]:checked");
  if (!tip || tip.value === "0") return false;
  if (tip.value === "custom") {
    // Anything but a zero, even text the server will refuse, is a tip to charge.
    const typed = (document.getElementById("custom_tip") || { value: "" }).value.trim();
    return typed !== "" && !/^[0\s.,]*$/.test(typed);
  }
  const amount = document.getElementById(`tip-amount-${tip.value}`);
  return !amount || amount.dataset.amount !== "0";
};
const askForCardOnlyWhenCharged = () => {
  const card = document.querySelector("#pay input#card");
  if (!card) return;
  const left = document.getElementById("pay-left");
  card.required = !left || left.dataset.left !== "0" || tipIsChosen(card.form);
};
document.addEventListener("DOMContentLoaded", askForCardOnlyWhenCharged);
document.addEventListener("change", askForCardOnlyWhenCharged);
document.addEventListener("input", askForCardOnlyWhenCharged);
// The live poll swaps #pay-left out of band once a reward is chosen.
document.addEventListener("htmx:afterSettle", askForCardOnlyWhenCharged);
document.addEventListener("htmx:oobAfterSwap", askForCardOnlyWhenCharged);
