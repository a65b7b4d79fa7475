// Starts GraphiQL on /graphql with subscriptions over WebSocket (graphql-transport-ws) on the same URL.
// Loaded from the page as a file: the page's Content-Security-Policy allows no inline script.
(function () {
  const url = window.location.origin + window.location.pathname;
  const subscriptionUrl = url.replace(/^http/, "ws");
  const fetcher = GraphiQL.createFetcher({ url: url, subscriptionUrl: subscriptionUrl });
  const root = ReactDOM.createRoot(document.getElementById("graphiql"));
  root.render(React.createElement(GraphiQL, {
    fetcher: fetcher,
    defaultEditorToolsVisibility: true,
    isHeadersEditorEnabled: true,
    shouldPersistHeaders: false,
  }));
})();
