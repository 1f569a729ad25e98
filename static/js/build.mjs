// Front-end build: `npm run build`.
//
// Compiles static/scss/app.scss to static/build/app.css with Dart Sass, and
// copies what pages need at run time from node_modules into static/build/
// (git-ignored). No bundler: the scripts are the packages' own ES-module builds.
// GOV.UK Frontend's fonts are deliberately not copied: GDS Transport is only for
// services on GOV.UK.
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import * as sass from "sass";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");
const modules = join(root, "node_modules");
const out = join(root, "static", "build");
const govuk = join(modules, "govuk-frontend", "dist", "govuk");
const moj = join(modules, "@ministryofjustice", "frontend", "moj");

rmSync(out, { recursive: true, force: true });
mkdirSync(join(out, "assets", "images"), { recursive: true });

// Stylesheet. Both load paths are needed: MOJ Frontend loads GOV.UK Frontend as
// "node_modules/govuk-frontend/...", relative to the project root.
const { css } = sass.compile(join(root, "static", "scss", "app.scss"), {
  style: "compressed",
  sourceMap: false,
  loadPaths: [modules, root],
  // Warnings raised inside the packages (deprecations they have yet to act on)
  // are theirs to fix; warnings from our own Sass are shown.
  quietDeps: true,
  logger: {
    warn(message, { stack = "" }) {
      // Our partials are static/scss/_*.scss; app.scss only loads modules.
      if (stack.includes("static/scss/_")) console.warn(`Sass warning: ${message}\n${stack}`);
    },
  },
});
if (css.includes("GDS Transport")) {
  throw new Error("app.css mentions GDS Transport: check $moj-font-family.");
}
writeFileSync(join(out, "app.css"), css);

// Scripts (with their source maps: Django's manifest storage follows the
// sourceMappingURL comments and fails if a map is missing).
const copies = [
  [join(govuk, "govuk-frontend.min.js"), "govuk-frontend.min.js"],
  [join(govuk, "govuk-frontend.min.js.map"), "govuk-frontend.min.js.map"],
  [join(moj, "moj-frontend.min.js"), "moj-frontend.min.js"],
  [join(moj, "moj-frontend.min.js.map"), "moj-frontend.min.js.map"],
  [join(root, "static", "js", "app.js"), "app.js"],
  [join(root, "static", "js", "autosave.js"), "autosave.js"],
  [join(root, "static", "js", "form-snapshot.js"), "form-snapshot.js"],
  [join(root, "static", "js", "timeout-warning.js"), "timeout-warning.js"],
  // Images: GOV.UK's (favicons etc.) then MOJ's, which app.css references.
  [join(govuk, "assets", "images"), join("assets", "images")],
  [join(moj, "assets", "images"), join("assets", "images")],
];
for (const [from, to] of copies) {
  if (!existsSync(from)) throw new Error(`Missing ${from}: run npm install.`);
  cpSync(from, join(out, to), { recursive: true });
}

// Every image the stylesheet points at must now exist.
const referenced = readFileSync(join(out, "app.css"), "utf8").matchAll(
  /url\("?\/static\/build\/([^")]+)"?\)/g,
);
const missing = [...referenced]
  .map((match) => match[1])
  .filter((path) => !existsSync(join(out, path)));
if (missing.length) throw new Error(`app.css refers to missing files: ${missing.join(", ")}`);

console.log(`Built ${out}`);
