// The customer's card, for a merchant on Stripe: Stripe.js's Card Element
// takes the number in this browser and sends it to Stripe; this page only
// ever posts the PaymentMethod id Stripe gives back.
(function () {
  "use strict";
  var mount = document.getElementById("card-element");
  if (!mount || typeof Stripe === "undefined") return;
  var form = mount.closest("form");
  var field = document.getElementById("payment-method");
  var stripe = Stripe(mount.dataset.publishableKey);
  // Our own words, in the page's language (the page sets them on the mount).
  var words = {
    notConfirmed: mount.dataset.wordsNotConfirmed || "Your bank did not confirm the payment. Try again.",
    notSetUp: mount.dataset.wordsNotSetUp || "The card could not be set up. Try again.",
    notAccepted: mount.dataset.wordsNotAccepted || "The card was not accepted. Try again.",
  };
  var card = stripe.elements().create("card");
  card.mount(mount);
  // A card kept while the page asked about a large tip (a PaymentMethod id the
  // page drew back into the form) pays, unless the customer types another.
  card.on("change", function (event) {
    if (event && event.empty) return;
    field.value = "";
    var kept = document.getElementById("card-kept");
    if (kept) kept.hidden = true;
  });

  function say(words) {
    var shown = document.getElementById("pay-error");
    if (!shown) {
      shown = document.createElement("p");
      shown.id = "pay-error";
      shown.className = "field-error";
      shown.setAttribute("role", "alert");
      mount.after(shown);
    }
    shown.textContent = words;
  }

  // The card asked its holder to confirm (3-D Secure): Stripe.js shows its
  // bank's check; Stripe's event then books the payment on our side.
  if (mount.dataset.confirmSecret) {
    stripe.confirmCardPayment(mount.dataset.confirmSecret).then(function (result) {
      if (result.error) {
        say(result.error.message || words.notConfirmed);
      } else {
        window.location.assign(mount.dataset.confirmedUrl);
      }
    });
  }

  // A reward that pays the whole bill (the server's sum, kept current by the
  // live poll in #pay-left) with no tip asked leaves nothing to charge: the
  // form is sent without a card, as the payment takes it.
  function nothingToCharge() {
    var left = document.getElementById("pay-left");
    if (!left || left.dataset.left !== "0") return false;
    var tip = form.querySelector("input[name=tip]:checked");
    if (!tip || tip.value === "0") return true;
    if (tip.value === "custom") {
      var custom = document.getElementById("custom_tip");
      return !custom || /^[0\s.,]*$/.test(custom.value.trim());
    }
    // A suggested tip is a share of the bill before the reward: something to charge.
    var amount = document.getElementById("tip-amount-" + tip.value);
    return !!amount && amount.dataset.amount === "0";
  }

  form.addEventListener("submit", function (event) {
    if (field.value) return; // the PaymentMethod is ready: post it
    if (nothingToCharge()) return;
    event.preventDefault();
    var button = form.querySelector("button[type=submit]");
    button.disabled = true;
    fetch(mount.dataset.setupUrl, { method: "POST", credentials: "same-origin" })
      .then(function (answer) { return answer.json(); })
      .then(function (setup) {
        if (!setup.client_secret) throw new Error(words.notSetUp);
        return stripe.confirmCardSetup(setup.client_secret, { payment_method: { card: card } });
      })
      .then(function (result) {
        if (result.error) throw new Error(result.error.message || words.notAccepted);
        var pm = result.setupIntent.payment_method;
        field.value = typeof pm === "string" ? pm : pm.id;
        form.submit();
      })
      .catch(function (error) {
        button.disabled = false;
        say(error.message || words.notAccepted);
      });
  });
})();
