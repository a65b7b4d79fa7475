// Audit a GraphQL endpoint against the GraphQL-over-HTTP spec; print the results as JSON on stdout.
// Usage: node audit.mjs http://127.0.0.1:8000/graphql
import { auditServer } from 'graphql-http';

const url = process.argv[2];
if (!url) {
  console.error('usage: node audit.mjs <graphql url>');
  process.exit(2);
}

async function describe(result) {
  const described = { id: result.id, name: result.name, status: result.status };
  if (result.status !== 'ok') {
    described.reason = result.reason;
    described.responseStatus = result.response.status;
    described.responseContentType = result.response.headers.get('content-type');
    // The audit may already have read the body; the status and reason then say enough.
    described.responseBody = result.response.bodyUsed ? null : await result.response.text();
  }
  return described;
}

const results = await Promise.all((await auditServer({ url })).map(describe));
const summary = { ok: 0, notice: 0, warn: 0, error: 0 };
for (const result of results) summary[result.status] += 1;
console.log(JSON.stringify({ summary, results }, null, 2));
