// CSE case management: page behaviour, loaded as <script type="module"> at the
// end of <body>. There is no inline script anywhere (the Content-Security-Policy
// forbids it), so the body classes that GOV.UK's page template sets with an
// inline script are set here. Browsers without ES modules never run this file
// and get the plain, fully working HTML.
import { initAll as initGovukFrontend } from "./govuk-frontend.min.js";
import { initAll as initMojFrontend } from "./moj-frontend.min.js";
import { initAutosave } from "./autosave.js";
import { initTimeoutWarning } from "./timeout-warning.js";

if ("noModule" in HTMLScriptElement.prototype) {
  document.body.classList.add("js-enabled", "govuk-frontend-supported");
}

initGovukFrontend();
initMojFrontend();
document.querySelectorAll('[data-module="app-autosave"]').forEach(initAutosave);
document.querySelectorAll('[data-module="app-timeout-warning"]').forEach(initTimeoutWarning);
