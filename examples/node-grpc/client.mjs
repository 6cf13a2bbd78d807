#!/usr/bin/env node
// A salestrack client over gRPC with @grpc/grpc-js: append a rep's deals with retries, read the
// team board and the rep's KPIs, then follow the board and print rank changes until Ctrl-C (or
// SIGTERM). The same program as examples/python/client.py, line for line in what it prints.
//
//   (cd examples/node-grpc && npm ci)
//   SALESTRACK_TOKEN=st_... node examples/node-grpc/client.mjs --server 127.0.0.1:7411 \
//       --rep rep-li --unit team-east --deal cust-1:300000 --deal cust-2:200000
//
// The stubs are made at run time from the tree's protos (@grpc/proto-loader): nothing generated
// is kept.
import { randomUUID } from "node:crypto";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";

import grpc from "@grpc/grpc-js";
import protoLoader from "@grpc/proto-loader";

const { values: args } = parseArgs({
  options: {
    server: { type: "string", default: "127.0.0.1:7411" },
    token: { type: "string", default: process.env.SALESTRACK_TOKEN ?? "" },
    rep: { type: "string" },
    unit: { type: "string" },
    metric: { type: "string", default: "sales_amount" },
    deal: { type: "string", multiple: true, default: [] },
    "batch-id": { type: "string", default: randomUUID() },
    "signed-at": { type: "string" },
    protos: { type: "string", default: fileURLToPath(new URL("../../proto", import.meta.url)) },
  },
});
if (!args.rep || !args.unit) {
  console.error("usage: client.mjs --rep REP --unit UNIT [--deal CUSTOMER:AMOUNT]...");
  process.exit(2);
}

// int64 fields (amounts, counts) as decimal strings: a JS number is exact only to 2^53.
const definitions = protoLoader.loadSync(
  ["salestrack/v1/log_service.proto", "salestrack/v1/kpi_service.proto",
   "salestrack/v1/leaderboard_service.proto"],
  { includeDirs: [args.protos], longs: String, enums: String, defaults: true, oneofs: true });
const v1 = grpc.loadPackageDefinition(definitions).salestrack.v1;

// Errors after which the same request may succeed. DEADLINE_EXCEEDED too: the batch may have been
// stored without the answer arriving, and resending the same event ids is then a no-op.
const TRANSIENT = [grpc.status.UNAVAILABLE, grpc.status.RESOURCE_EXHAUSTED,
                   grpc.status.DEADLINE_EXCEEDED];
const GIVE_UP_AFTER_MS = 60_000;
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// One atomic batch: a ContractSigned per deal. Built once, so every retry resends exactly the same
// events (same ids, same content) and the daemon stores them once.
function dealsRequest() {
  // The daemon takes microsecond precision; a Date has milliseconds.
  const at = args["signed-at"] ? new Date(args["signed-at"]) : new Date();
  if (Number.isNaN(at.getTime())) throw new Error(`--signed-at: not an instant: ${args["signed-at"]}`);
  const occurredAt = { seconds: String(Math.floor(at.getTime() / 1000)),
                       nanos: (at.getTime() % 1000) * 1_000_000 };
  return {
    events: args.deal.map((deal, i) => {
      const split = deal.lastIndexOf(":");
      const amount = deal.slice(split + 1);
      if (split < 1 || !/^[0-9]+$/.test(amount)) throw new Error(`--deal: not CUSTOMER:AMOUNT: ${deal}`);
      const eventId = `${args["batch-id"]}-${i}`;
      return {
        eventId, repId: args.rep, occurredAt,
        contractSigned: { contractId: eventId, customerId: deal.slice(0, split), amount },
      };
    }),
  };
}

// A unary call as a promise.
const unary = (client, method, request, metadata, options = {}) =>
  new Promise((resolve, reject) => {
    client[method](request, metadata, options, (err, reply) => (err ? reject(err) : resolve(reply)));
  });

async function appendWithRetry(log, request, metadata) {
  const giveUpAt = Date.now() + GIVE_UP_AFTER_MS;
  let backoffMs = 100;
  for (let attempt = 1; ; attempt++) {
    try {
      const reply = await unary(log, "Append", request, metadata, { deadline: Date.now() + 10_000 });
      return { reply, attempt };
    } catch (err) {
      const hint = err.metadata?.get("retry-after-ms")[0];
      const hintMs = hint === undefined ? null : String(hint);
      // RESOURCE_EXHAUSTED without a wait hint means "too big" (max-batch-events): the same
      // request can never pass, so split it instead of retrying.
      const retryable = TRANSIENT.includes(err.code) && /^[0-9]*$/.test(hintMs ?? "0") &&
                        !(err.code === grpc.status.RESOURCE_EXHAUSTED && hintMs === null);
      const waitMs = hintMs ? Number(hintMs) : backoffMs;
      if (!retryable || Date.now() + waitMs > giveUpAt) throw err;
      console.log(`retry after ${grpc.status[err.code]} in ${waitMs} ms${hintMs ? " (the daemon's hint)" : ""}`);
      await sleep(waitMs);
      backoffMs = Math.min(backoffMs * 2, 2000);
    }
  }
}

// Board values are doubles; counts and money are exact integers in them.
const number = (value) => String(value);
const rank = (entry) => (entry.rank ? `#${entry.rank}` : "unranked");

// Plaintext, for a daemon on loopback; with TLS, use grpc.credentials.combineChannelCredentials(
// grpc.credentials.createSsl(...), grpc.credentials.createFromMetadataGenerator(...)) instead of
// this metadata. A daemon that comes back is retried within a second, not after grpc-js's default
// reconnect backoff (up to two minutes).
const metadata = new grpc.Metadata();
metadata.set("authorization", `Bearer ${args.token}`);
const credentials = grpc.credentials.createInsecure();
const options = { "grpc.initial_reconnect_backoff_ms": 100, "grpc.max_reconnect_backoff_ms": 1000 };
const log = new v1.LogService(args.server, credentials, options);
const kpis = new v1.KpiService(args.server, credentials, options);
const boards = new v1.LeaderboardService(args.server, credentials, options);
const board = { unitId: args.unit, metric: args.metric, period: { kind: "MONTH" } };

const { reply, attempt } = await appendWithRetry(log, dealsRequest(), metadata);
console.log(`appended ${reply.seqs.length} events: seqs ${reply.seqs.join(" ")}, ` +
            `${reply.duplicates} duplicates, ${attempt} attempts`);

// A query waits for the append it follows: the board already counts these deals.
const top = await unary(boards, "GetLeaderboard", { board }, metadata);
console.log(`board ${args.unit} ${args.metric} at seq ${top.seq}:`);
for (const e of top.entries) console.log(`  ${rank(e)} ${e.memberId} ${number(e.value)}`);

const figures = await unary(kpis, "GetKpis",
                            { subject: { repId: args.rep }, period: { kind: "MONTH" } }, metadata);
const shown = figures.metrics
  .filter((m) => (m.kind === "COUNT" || m.kind === "MONEY") && m.integer !== "0")
  .map((m) => `${m.name}=${m.integer}`);
console.log(`kpis ${args.rep} at seq ${figures.seq}: ${shown.join(" ")}`);

// Ctrl-C and SIGTERM cancel the call; the loop below then ends with CANCELLED.
const updates = boards.SubscribeLeaderboard({ board }, metadata);
for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => updates.cancel());
try {
  for await (const u of updates) {
    if (u.kind === "SNAPSHOT") {
      console.log(`following ${args.unit} ${args.metric} from seq ${u.seq} ` +
                  `(${u.reason}, ${u.entries.length} entries; Ctrl-C stops)`);
      continue;
    }
    for (const e of u.entries) {
      if (!e.wasPresent) {
        console.log(`seq ${u.seq}: ${e.memberId} new -> ${rank(e)} (${number(e.value)})`);
      } else if (e.rank !== e.previousRank) {
        const before = e.previousRank ? `#${e.previousRank}` : "unranked";
        console.log(`seq ${u.seq}: ${e.memberId} ${before} -> ${rank(e)} (${number(e.value)})`);
      }
    }
    for (const member of u.removed) console.log(`seq ${u.seq}: ${member} left the board`);
  }
} catch (err) {
  if (err.code !== grpc.status.CANCELLED) throw err;
}
for (const client of [log, kpis, boards]) client.close();
console.log("stopped");
