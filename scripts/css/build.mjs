// The Bootstrap rules that the site's pages use, for static/css/bootstrap.subset.css.
// Run by scripts/css/build.sh (make css), which passes the paths below in the environment.
//
// PurgeCSS keeps a rule when one of its class names appears as a word in the content: the site's
// templates, the Python code that writes classes (forms, template tags), its scripts, and the
// templates of the packages that draw its forms (crispy-bootstrap5, django-filter, two-factor).
// The safelist holds the classes written from a variable: alert-{{ message.tags }}.
import { readFileSync, writeFileSync } from "node:fs";
import { PurgeCSS } from "purgecss";

const { BOOTSTRAP_CSS, SITE_PACKAGES, OUTPUT, BOOTSTRAP_VERSION } = process.env;
const packages = ["crispy_bootstrap5", "crispy_forms", "django_filters", "two_factor"];

const [result] = await new PurgeCSS().purge({
  css: [BOOTSTRAP_CSS],
  content: [
    "templates/**/*.html",
    "*/**/*.py",
    "static/js/*.js",
    ...packages.map((name) => `${SITE_PACKAGES}/${name}/templates/**/*.html`),
  ],
  skippedContentGlobs: [".venv/**", "node_modules/**", "**/node_modules/**", "bench/**", "tests/**", "**/migrations/**"],
  safelist: { standard: [/^alert-/], greedy: [] },
  keyframes: true,
});

// No source map (the subset has none), and @charset first, as CSS wants it.
const css = result.css
  .replace(/\/\*# sourceMappingURL=[^*]*\*\/\s*$/, "")
  .replace(/^@charset "UTF-8";/, "")
  .trim();
const header =
  `/* Bootstrap ${BOOTSTRAP_VERSION} (MIT licence, from django-bootstrap-static), only the rules the site's pages use.\n` +
  `   Made by scripts/css/build.sh (make css): do not edit, run it again after adding a Bootstrap class to a template. */\n`;
writeFileSync(OUTPUT, `@charset "UTF-8";\n${header}${css}\n`);
const before = readFileSync(BOOTSTRAP_CSS).length;
console.log(`${OUTPUT}: ${(css.length / 1024).toFixed(1)} Ko (Bootstrap entier : ${(before / 1024).toFixed(1)} Ko)`);
