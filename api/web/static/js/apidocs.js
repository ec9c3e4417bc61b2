// Starts Swagger UI or ReDoc on /docs and /redoc from the app's own copies (no CDN, no inline script, so the
// pages' Content-Security-Policy holds). The OpenAPI address comes from the page's data-openapi attribute.
const root = document.getElementById("api-docs");
const url = root.dataset.openapi;
if (root.dataset.viewer === "redoc") {
  window.Redoc.init(url, { hideDownloadButton: false }, root);
} else {
  window.SwaggerUIBundle({
    url,
    dom_id: "#api-docs",
    deepLinking: true,
    persistAuthorization: true,
    oauth2RedirectUrl: window.location.origin + "/docs/oauth2-redirect",
    presets: [window.SwaggerUIBundle.presets.apis],
    layout: "BaseLayout",
  });
}
