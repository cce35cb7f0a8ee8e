// Starts Swagger UI on the API documentation page (kept out of the HTML so that the page needs
// no inline script).
window.addEventListener("load", function () {
  window.ui = SwaggerUIBundle({
    url: "/api/v1/openapi.json",
    dom_id: "#swagger-ui",
    deepLinking: true,
  });
});
