// A salestrack client: append a rep's deals, read the team board and the rep's KPIs, then follow
// the board and print rank changes until Ctrl-C (or SIGTERM).
//
//   (cd examples/node && npm ci)
//   SALESTRACK_TOKEN=st_... node examples/node/client.js --server 127.0.0.1:7411 \
//       --rep rep-li --unit team-east --deal cust-1:300000 --deal cust-2:200000
'use strict';

const crypto = require('node:crypto');
const path = require('node:path');
const { parseArgs } = require('node:util');
const grpc = require('@grpc/grpc-js');
const protoLoader = require('@grpc/proto-loader');

// The protos are loaded as they are at run time: no generated code to keep in step.
const definition = protoLoader.loadSync(
  ['salestrack/v1/log_service.proto', 'salestrack/v1/kpi_service.proto',
    'salestrack/v1/leaderboard_service.proto'],
  {
    includeDirs: [path.join(__dirname, '../../proto')],
    keepCase: true, // Field names as in the .proto (rep_id, not repId).
    longs: String, // int64 and uint64 as decimal strings: exact past 2^53.
    enums: String,
    defaults: true,
  });
const v1 = grpc.loadPackageDefinition(definition).salestrack.v1;

// Errors after which the same request may succeed. DEADLINE_EXCEEDED too: the batch may have been
// stored without the answer arriving, and resending the same event ids is then a no-op.
const TRANSIENT = [grpc.status.UNAVAILABLE, grpc.status.RESOURCE_EXHAUSTED,
  grpc.status.DEADLINE_EXCEEDED];
const GIVE_UP_AFTER_MS = 60000;

const { values: args } = parseArgs({
  options: {
    server: { type: 'string', default: '127.0.0.1:7411' },
    token: { type: 'string', default: process.env.SALESTRACK_TOKEN || '' },
    rep: { type: 'string' }, // The rep whose deals these are.
    unit: { type: 'string' }, // The unit whose board to show.
    metric: { type: 'string', default: 'sales_amount' },
    deal: { type: 'string', multiple: true, default: [] }, // CUSTOMER:AMOUNT (minor units).
    // Event ids are BATCH-ID-0, -1, ...: the same id again is a no-op.
    'batch-id': { type: 'string', default: crypto.randomUUID() },
    'signed-at': { type: 'string' }, // RFC 3339 instant of the deals (default: now).
  },
});
if (!args.rep || !args.unit) {
  console.error('usage: client.js --rep REP --unit UNIT [--deal CUSTOMER:AMOUNT]... ' +
                '[--server HOST:PORT] [--token TOKEN] [--batch-id ID] [--signed-at RFC3339]');
  process.exit(2);
}

// One atomic batch: a ContractSigned per deal. Built once, so every retry resends exactly the same
// events (same ids, same content) and the daemon stores them once.
function dealsRequest() {
  const ms = args['signed-at'] ? Date.parse(args['signed-at']) : Date.now();
  const occurredAt = { seconds: String(Math.floor(ms / 1000)), nanos: (ms % 1000) * 1e6 };
  return {
    events: args.deal.map((deal, i) => {
      const [customer, amount] = [deal.slice(0, deal.lastIndexOf(':')),
        deal.slice(deal.lastIndexOf(':') + 1)];
      const id = `${args['batch-id']}-${i}`;
      return {
        event_id: id, rep_id: args.rep, occurred_at: occurredAt,
        contract_signed: { contract_id: id, customer_id: customer, amount },
      };
    }),
  };
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// Calls a unary method as a promise.
function call(client, method, request, metadata, options = {}) {
  return new Promise((resolve, reject) => {
    client[method](request, metadata, options, (err, reply) => (err ? reject(err) : resolve(reply)));
  });
}

async function appendWithRetry(log, request, metadata) {
  const giveUpAt = Date.now() + GIVE_UP_AFTER_MS;
  let backoffMs = 100;
  for (let attempt = 1; ; attempt++) {
    try {
      const reply = await call(log, 'Append', request, metadata, { deadline: Date.now() + 10000 });
      return { reply, attempt };
    } catch (err) {
      const hint = err.metadata ? err.metadata.get('retry-after-ms')[0] : undefined;
      // RESOURCE_EXHAUSTED without a wait hint means "too big" (max-batch-events): the same
      // request can never pass, so split it instead of retrying.
      const retryable = TRANSIENT.includes(err.code) &&
        !(err.code === grpc.status.RESOURCE_EXHAUSTED && hint === undefined);
      const waitMs = hint !== undefined ? Number(hint) : backoffMs;
      if (!retryable || !(waitMs >= 0) || Date.now() + waitMs > giveUpAt) throw err;
      const name = Object.keys(grpc.status).find((k) => grpc.status[k] === err.code);
      console.log(`retry after ${name} in ${waitMs} ms${hint !== undefined ? " (the daemon's hint)" : ''}`);
      await sleep(waitMs);
      backoffMs = Math.min(backoffMs * 2, 2000);
    }
  }
}

const rank = (rank) => (rank ? `#${rank}` : 'unranked');

async function main() {
  // Plaintext, for a daemon on loopback; with TLS, use grpc.credentials.combineChannelCredentials
  // with createSsl() and an access-token call credential instead of this metadata.
  const metadata = new grpc.Metadata();
  metadata.set('authorization', `Bearer ${args.token}`);
  const log = new v1.LogService(args.server, grpc.credentials.createInsecure());
  // The other services share the log client's channel (one connection).
  const channelOverride = log.getChannel();
  const kpis = new v1.KpiService(args.server, null, { channelOverride });
  const boards = new v1.LeaderboardService(args.server, null, { channelOverride });
  const board = { unit_id: args.unit, metric: args.metric, period: { kind: 'MONTH' } };

  const { reply, attempt } = await appendWithRetry(log, dealsRequest(), metadata);
  console.log(`appended ${reply.seqs.length} events: seqs ${reply.seqs.join(' ')}, ` +
              `${reply.duplicates} duplicates, ${attempt} attempts`);

  // A query waits for the append it follows: the board already counts these deals.
  const top = await call(boards, 'GetLeaderboard', { board }, metadata);
  console.log(`board ${args.unit} ${args.metric} at seq ${top.seq}:`);
  // Board values are doubles; counts and money are exact integers in them.
  for (const e of top.entries) console.log(`  ${rank(e.rank)} ${e.member_id} ${e.value}`);

  const figures = await call(kpis, 'GetKpis',
    { subject: { rep_id: args.rep }, period: { kind: 'MONTH' } }, metadata);
  const shown = figures.metrics
    .filter((m) => ['COUNT', 'MONEY'].includes(m.kind) && m.integer !== '0')
    .map((m) => `${m.name}=${m.integer}`);
  console.log(`kpis ${args.rep} at seq ${figures.seq}: ${shown.join(' ')}`);

  const updates = boards.SubscribeLeaderboard({ board }, metadata);
  // Ctrl-C and SIGTERM cancel the call; it then ends with CANCELLED.
  process.on('SIGINT', () => updates.cancel());
  process.on('SIGTERM', () => updates.cancel());
  updates.on('data', (u) => {
    if (u.kind === 'SNAPSHOT') {
      console.log(`following ${args.unit} ${args.metric} from seq ${u.seq} ` +
                  `(${u.reason}, ${u.entries.length} entries; Ctrl-C stops)`);
      return;
    }
    for (const e of u.entries) {
      if (!e.was_present) {
        console.log(`seq ${u.seq}: ${e.member_id} new -> ${rank(e.rank)} (${e.value})`);
      } else if (e.rank !== e.previous_rank) {
        console.log(`seq ${u.seq}: ${e.member_id} ${rank(e.previous_rank)} -> ${rank(e.rank)} ` +
                    `(${e.value})`);
      }
    }
    for (const member of u.removed) console.log(`seq ${u.seq}: ${member} left the board`);
  });
  await new Promise((resolve, reject) => {
    updates.on('error', (err) => (err.code === grpc.status.CANCELLED ? resolve() : reject(err)));
    updates.on('end', resolve);
  });
  channelOverride.close();
  console.log('stopped');
}

main().catch((err) => {
  console.error(`error: ${err.message}`);
  process.exit(1);
});
