#!/usr/bin/env node
// A salestrack client over the HTTP/JSON API (docs/http.md) with nothing but Node 18+'s built-in
// fetch: it appends a batch with retries, reads a board, then follows the board live (a Connect
// server stream) until Ctrl-C or SIGTERM.
//
//   SALESTRACK_TOKEN=st_... node client.mjs --http http://127.0.0.1:8080 \
//       --rep rep-li --unit east --deal acme:1200000 --deal globex:800000
import { randomUUID } from "node:crypto";
import { parseArgs } from "node:util";

const { values: args } = parseArgs({
  options: {
    http: { type: "string", default: process.env.SALESTRACK_HTTP ?? "http://127.0.0.1:8080" },
    token: { type: "string", default: process.env.SALESTRACK_TOKEN ?? "" },
    rep: { type: "string" },
    unit: { type: "string" },
    metric: { type: "string", default: "sales_amount" },
    deal: { type: "string", multiple: true, default: [] },
    "batch-id": { type: "string", default: randomUUID() },
    "signed-at": { type: "string" },
  },
});
if (!args.rep || !args.unit) {
  console.error("usage: client.mjs --rep REP --unit UNIT [--deal CUSTOMER:AMOUNT]...");
  process.exit(2);
}

const headers = { "Content-Type": "application/json" };
if (args.token) headers.Authorization = `Bearer ${args.token}`;
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// A Connect error: its code ("unavailable", ...) and the daemon's message.
class CallError extends Error {
  constructor(code, message, retryAfterMs) {
    super(`${code}: ${message}`);
    this.code = code;
    this.retryAfterMs = retryAfterMs;
  }
}

// One unary call: the request's JSON in, the response's JSON out, a CallError on refusal.
async function call(method, request) {
  const response = await fetch(`${args.http}/salestrack.v1.${method}`, {
    method: "POST",
    headers,
    body: JSON.stringify(request),
  });
  const body = await response.json();
  if (!response.ok) {
    const after = response.headers.get("Retry-After-Ms");
    throw new CallError(body.code, body.message, after === null ? null : Number(after));
  }
  return body;
}

// Appends with retries. The request is built once and resent as it is: a retry of a batch that
// was stored but whose answer was lost comes back as duplicates, never stored twice.
async function appendWithRetries(request) {
  const deadline = Date.now() + 60_000;
  for (let attempt = 1; ; attempt++) {
    let wait;
    try {
      return { response: await call("LogService/Append", request), attempts: attempt };
    } catch (e) {
      if (e instanceof CallError) {
        // Retry what the daemon says to: shutting down, or a limit with its hint.
        if (e.code === "unavailable") wait = 100 * attempt;
        else if (e.code === "resource_exhausted" && e.retryAfterMs !== null) wait = e.retryAfterMs;
        else throw e;
        console.log(`retry after ${e.code} in ${wait} ms`);
      } else {
        wait = 100 * attempt; // Not reachable (the daemon is down or restarting).
        console.log(`retry after unreachable in ${wait} ms`);
      }
    }
    if (Date.now() + wait > deadline) throw new Error("gave up after 60 s");
    await sleep(wait);
  }
}

const signedAt = args["signed-at"] ?? new Date().toISOString();
const events = args.deal.map((deal, i) => {
  const [customer, amount] = deal.split(":");
  return {
    eventId: `${args["batch-id"]}-${i}`,
    occurredAt: signedAt,
    repId: args.rep,
    contractSigned: { contractId: `${args["batch-id"]}-${i}`, customerId: customer, amount },
  };
});
if (events.length > 0) {
  const { response, attempts } = await appendWithRetries({ events });
  console.log(`appended ${events.length} events: seqs ${response.seqs.join(" ")}, ` +
              `${response.duplicates} duplicates, ${attempts} attempts`);
}

const board = { unitId: args.unit, metric: args.metric, period: { kind: "MONTH" } };
const now = await call("LeaderboardService/GetLeaderboard", { board, top: 10 });
console.log(`board ${args.unit} ${args.metric} at seq ${now.seq}:`);
for (const e of now.entries) console.log(`  #${e.rank} ${e.memberId} ${e.value}`);

// Follow the board: a Connect server stream, one enveloped request, enveloped messages back
// (flags byte, 4-byte big-endian length, JSON); flags 2 is the end of the stream.
const stop = new AbortController();
for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => stop.abort());
const json = new TextEncoder().encode(JSON.stringify({ board }));
const envelope = new Uint8Array(5 + json.length);
new DataView(envelope.buffer).setUint32(1, json.length);
envelope.set(json, 5);
try {
  const response = await fetch(`${args.http}/salestrack.v1.LeaderboardService/SubscribeLeaderboard`, {
    method: "POST",
    headers: { ...headers, "Content-Type": "application/connect+json" },
    body: envelope,
    signal: stop.signal,
  });
  let pending = new Uint8Array(0);
  for await (const chunk of response.body) {
    const joined = new Uint8Array(pending.length + chunk.length);
    joined.set(pending);
    joined.set(chunk, pending.length);
    pending = joined;
    while (pending.length >= 5) {
      const length = new DataView(pending.buffer, pending.byteOffset).getUint32(1);
      if (pending.length < 5 + length) break;
      const flags = pending[0];
      const message = JSON.parse(new TextDecoder().decode(pending.subarray(5, 5 + length)));
      pending = pending.subarray(5 + length);
      if (flags & 2) {
        if (message.error) throw new CallError(message.error.code, message.error.message, null);
        continue;
      }
      const moves = message.entries.map((e) => `${e.memberId} #${e.rank}`).join(", ");
      console.log(`${message.kind} ${message.reason} at seq ${message.seq}: ${moves}`);
    }
  }
} catch (e) {
  if (!stop.signal.aborted) throw e;
}
console.log("stopped");
