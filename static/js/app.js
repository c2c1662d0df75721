// Small behaviours declared in the markup, so that no template needs an inline script or an on...= handler
// (the Content-Security-Policy allows scripts from 'self' only):
//   data-action="print"     a button that prints the page
//   data-select-on-focus    an input whose text is selected when it gets focus (a token to copy)
(function () {
  document.addEventListener('click', function (event) {
    var target = event.target.closest && event.target.closest('[data-action="print"]');
    if (target) { event.preventDefault(); window.print(); }
  });
  document.addEventListener('focusin', function (event) {
    var target = event.target;
    if (target && target.hasAttribute && target.hasAttribute('data-select-on-focus') && target.select) {
      target.select();
    }
  });
})();
