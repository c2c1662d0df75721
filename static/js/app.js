// Small behaviours declared in the markup, so that no template needs an inline script or an on...= handler
// (the Content-Security-Policy allows scripts from 'self' only):
//   data-action="print"     a button that prints the page
//   data-select-on-focus    an input whose text is selected when it gets focus (a token to copy)
//   data-copy="<input id>"  a button that copies that input's text to the clipboard (a calendar link)
(function () {
  document.addEventListener('click', function (event) {
    var target = event.target.closest && event.target.closest('[data-action="print"]');
    if (target) { event.preventDefault(); window.print(); }
    var copy = event.target.closest && event.target.closest('[data-copy]');
    if (copy) {
      event.preventDefault();
      var input = document.getElementById(copy.getAttribute('data-copy'));
      if (!input) { return; }
      input.select();
      var done = function () { copy.textContent = 'Copied'; };
      if (navigator.clipboard && navigator.clipboard.writeText) {
        navigator.clipboard.writeText(input.value).then(done, function () { document.execCommand('copy'); done(); });
      } else { document.execCommand('copy'); done(); }
    }
  });
  document.addEventListener('focusin', function (event) {
    var target = event.target;
    if (target && target.hasAttribute && target.hasAttribute('data-select-on-focus') && target.select) {
      target.select();
    }
  });
})();
