// Shows the limb symmetry index (injured / uninjured x 100) as the clinician types. The server computes it again.
(function () {
  var inj = document.querySelector('[data-lsi="strength_injured_n"]');
  var unj = document.querySelector('[data-lsi="strength_uninjured_n"]');
  var out = document.querySelector('[data-lsi-output]');
  if (!inj || !unj || !out) return;
  var value = out.querySelector('[data-lsi-value]');
  function update() {
    var a = parseFloat(inj.value), b = parseFloat(unj.value);
    if (a > 0 && b > 0) {
      var lsi = Math.round((a / b) * 1000) / 10;
      value.textContent = lsi.toFixed(1) + ' %' + (lsi > 200 ? ' (check the values)' : '');
      out.hidden = false;
    } else { out.hidden = true; }
  }
  inj.addEventListener('input', update); unj.addEventListener('input', update); update();
})();
