// canhgiac console: the print buttons (the only script; no data leaves the page).
document.querySelectorAll("[data-print]").forEach(function (b) {
  b.addEventListener("click", function () { window.print(); });
});
