// MathJax settings for pymdownx.arithmatex's generic mode: typeset only its spans and blocks.
// Loaded before javascripts/mathjax/tex-mml-chtml.js, which the docs build copies in from the
// django-static-mathjax package (see docs_tools/mathjax_offline.py): no CDN, works offline.
window.MathJax = {
  tex: {
    inlineMath: [["\\(", "\\)"]],
    displayMath: [["\\[", "\\]"]],
    processEscapes: true,
    processEnvironments: true,
  },
  options: {
    ignoreHtmlClass: ".*|",
    processHtmlClass: "arithmatex",
  },
};
