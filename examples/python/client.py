"""A salestrack client: append a rep's deals, read the team board and the rep's KPIs, then follow
the board and print rank changes until Ctrl-C (or SIGTERM).

Needs the stubs on PYTHONPATH (generate_stubs.sh) and Debian's python3-grpcio:

    examples/python/generate_stubs.sh /tmp/st-py
    PYTHONPATH=/tmp/st-py /usr/bin/python3 examples/python/client.py --server 127.0.0.1:7411 \
        --rep rep-li --unit team-east --deal cust-1:300000 --deal cust-2:200000
"""

import argparse
import datetime
import os
import signal
import sys
import time
import uuid

import grpc
from google.protobuf import timestamp_pb2
from salestrack.v1 import events_pb2
from salestrack.v1 import kpi_service_pb2
from salestrack.v1 import kpi_service_pb2_grpc
from salestrack.v1 import leaderboard_service_pb2 as board_pb2
from salestrack.v1 import leaderboard_service_pb2_grpc as board_grpc
from salestrack.v1 import log_service_pb2
from salestrack.v1 import log_service_pb2_grpc

# Errors after which the same request may succeed. DEADLINE_EXCEEDED too: the batch may have been
# stored without the answer arriving, and resending the same event ids is then a no-op.
TRANSIENT = (grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.RESOURCE_EXHAUSTED,
             grpc.StatusCode.DEADLINE_EXCEEDED)
GIVE_UP_AFTER_S = 60


def parse_args():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--server", default="127.0.0.1:7411")
    p.add_argument("--token", default=os.environ.get("SALESTRACK_TOKEN", ""),
                   help="API key (default: $SALESTRACK_TOKEN)")
    p.add_argument("--rep", required=True, help="the rep whose deals these are")
    p.add_argument("--unit", required=True, help="the unit whose board to show")
    p.add_argument("--metric", default="sales_amount")
    p.add_argument("--deal", action="append", default=[], metavar="CUSTOMER:AMOUNT",
                   help="a signed contract, amount in minor units (repeatable)")
    p.add_argument("--batch-id", default=uuid.uuid4().hex,
                   help="event ids are BATCH-ID-0, -1, ...: the same id again is a no-op")
    p.add_argument("--signed-at", help="RFC 3339 instant of the deals (default: now)")
    return p.parse_args()


def deals_request(args):
    """One atomic batch: a ContractSigned per deal. Built once, so every retry resends exactly the
    same events (same ids, same content) and the daemon stores them once."""
    signed_at = timestamp_pb2.Timestamp()
    if args.signed_at:
        signed_at.FromJsonString(args.signed_at)
    else:
        # The daemon takes microsecond precision; datetime has exactly that.
        signed_at.FromDatetime(datetime.datetime.now(datetime.timezone.utc))
    request = log_service_pb2.AppendRequest()
    for i, deal in enumerate(args.deal):
        customer, amount = deal.rsplit(":", 1)
        event = request.events.add(event_id=f"{args.batch_id}-{i}", rep_id=args.rep)
        event.occurred_at.CopyFrom(signed_at)
        event.contract_signed.contract_id = event.event_id
        event.contract_signed.customer_id = customer
        event.contract_signed.amount = int(amount)
    return request


def append_with_retry(log, request, metadata):
    give_up_at = time.monotonic() + GIVE_UP_AFTER_S
    backoff_s = 0.1
    attempt = 1
    while True:
        try:
            return log.Append(request, metadata=metadata, timeout=10), attempt
        except grpc.RpcError as err:
            hint_ms = dict(err.trailing_metadata() or ()).get("retry-after-ms")
            # RESOURCE_EXHAUSTED without a wait hint means "too big" (max-batch-events): the same
            # request can never pass, so split it instead of retrying.
            retryable = err.code() in TRANSIENT and (hint_ms or "0").isdigit() and not (
                err.code() == grpc.StatusCode.RESOURCE_EXHAUSTED and hint_ms is None)
            wait_s = int(hint_ms) / 1000 if hint_ms else backoff_s
            if not retryable or time.monotonic() + wait_s > give_up_at:
                raise
            why = " (the daemon's hint)" if hint_ms else ""
            print(f"retry after {err.code().name} in {wait_s * 1000:.0f} ms{why}")
            time.sleep(wait_s)
            backoff_s = min(backoff_s * 2, 2.0)
            attempt += 1


def number(value):
    """Board values are doubles; counts and money are exact integers in them."""
    return str(int(value)) if value.is_integer() else str(value)


def rank(entry):
    return f"#{entry.rank}" if entry.rank else "unranked"


def main():
    args = parse_args()
    # Plaintext, for a daemon on loopback; with TLS, use grpc.secure_channel and
    # grpc.access_token_call_credentials instead of this metadata.
    metadata = (("authorization", f"Bearer {args.token}"),)
    board = board_pb2.BoardRef(unit_id=args.unit, metric=args.metric,
                               period=events_pb2.Period(kind=events_pb2.MONTH))
    with grpc.insecure_channel(args.server) as channel:
        log = log_service_pb2_grpc.LogServiceStub(channel)
        kpis = kpi_service_pb2_grpc.KpiServiceStub(channel)
        boards = board_grpc.LeaderboardServiceStub(channel)

        reply, attempts = append_with_retry(log, deals_request(args), metadata)
        print(f"appended {len(reply.seqs)} events: seqs {' '.join(map(str, reply.seqs))}, "
              f"{reply.duplicates} duplicates, {attempts} attempts")

        # A query waits for the append it follows: the board already counts these deals.
        top = boards.GetLeaderboard(board_pb2.GetLeaderboardRequest(board=board), metadata=metadata)
        print(f"board {args.unit} {args.metric} at seq {top.seq}:")
        for e in top.entries:
            print(f"  {rank(e)} {e.member_id} {number(e.value)}")

        figures = kpis.GetKpis(kpi_service_pb2.GetKpisRequest(
            subject=kpi_service_pb2.Subject(rep_id=args.rep),
            period=events_pb2.Period(kind=events_pb2.MONTH)), metadata=metadata)
        exact = kpi_service_pb2.MetricValue.COUNT, kpi_service_pb2.MetricValue.MONEY
        shown = [f"{m.name}={m.integer}" for m in figures.metrics
                 if m.kind in exact and m.integer != 0]
        print(f"kpis {args.rep} at seq {figures.seq}: {' '.join(shown)}")

        # Ctrl-C and SIGTERM cancel the call; the loop below then ends with CANCELLED.
        updates = boards.SubscribeLeaderboard(
            board_pb2.SubscribeLeaderboardRequest(board=board), metadata=metadata)
        signal.signal(signal.SIGINT, lambda *_: updates.cancel())
        signal.signal(signal.SIGTERM, lambda *_: updates.cancel())
        try:
            for u in updates:
                if u.kind == board_pb2.LeaderboardUpdate.SNAPSHOT:
                    name = board_pb2.LeaderboardUpdate.Reason.Name(u.reason)
                    print(f"following {args.unit} {args.metric} from seq {u.seq} "
                          f"({name}, {len(u.entries)} entries; Ctrl-C stops)")
                    continue
                for e in u.entries:
                    if not e.was_present:
                        print(f"seq {u.seq}: {e.member_id} new -> {rank(e)} ({number(e.value)})")
                    elif e.rank != e.previous_rank:
                        before = f"#{e.previous_rank}" if e.previous_rank else "unranked"
                        print(f"seq {u.seq}: {e.member_id} {before} -> {rank(e)} "
                              f"({number(e.value)})")
                for member in u.removed:
                    print(f"seq {u.seq}: {member} left the board")
        except grpc.RpcError as err:
            if err.code() != grpc.StatusCode.CANCELLED:
                raise
    print("stopped")


if __name__ == "__main__":
    sys.stdout.reconfigure(line_buffering=True)  # Each line as it happens, even into a pipe.
    main()
