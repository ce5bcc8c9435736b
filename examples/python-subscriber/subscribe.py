#!/usr/bin/env python3
"""Subscribe to trtc-gateway's event stream and print each event as one JSON line.

The subscriber asks EventService/Subscribe for the events that match its filter,
writes each one to stdout in protobuf's canonical JSON (64-bit numbers as
decimal strings, enums by name, timestamps in RFC 3339), and skips heartbeats.
When the stream breaks it reconnects with exponential backoff and resumes after
the last sequence it printed, in the same epoch, so nothing is missed or
repeated. SIGINT or SIGTERM ends it cleanly with exit status 0.

Needs the generated SDK (pip install ./gen/python) and grpcio; see README.md.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import signal
import sys
import time
from typing import Iterable, List, Optional

import grpc
from google.protobuf import json_format

from trtc.gateway.v1 import enums_pb2, event_service_pb2, event_service_pb2_grpc

DEFAULT_ADDR = "localhost:9090"

# Codes after which the same request can only fail again: report and stop.
FATAL_CODES = frozenset(
    {
        grpc.StatusCode.INVALID_ARGUMENT,
        grpc.StatusCode.OUT_OF_RANGE,
        grpc.StatusCode.FAILED_PRECONDITION,
        grpc.StatusCode.UNAUTHENTICATED,
        grpc.StatusCode.PERMISSION_DENIED,
        grpc.StatusCode.UNIMPLEMENTED,
        grpc.StatusCode.NOT_FOUND,
    }
)

EXIT_OK = 0
EXIT_FATAL = 1
EXIT_USAGE = 2


def split_values(values: Optional[Iterable[str]]) -> List[str]:
    """Flattens repeated flags whose values may also be comma-separated."""
    out: List[str] = []
    for value in values or []:
        out.extend(part.strip() for part in value.split(",") if part.strip())
    return out


def parse_event_type(text: str) -> int:
    """Accepts CALL_ENDED, EVENT_TYPE_CALL_ENDED (any case) or the number."""
    if text.isdigit():
        number = int(text)
        if number not in enums_pb2.EventType.values():
            raise ValueError(f"unknown event type {text}")
        return number
    name = text.upper().replace("-", "_")
    if not name.startswith("EVENT_TYPE_"):
        name = "EVENT_TYPE_" + name
    try:
        return enums_pb2.EventType.Value(name)
    except ValueError:
        known = ", ".join(n[len("EVENT_TYPE_"):] for n in enums_pb2.EventType.keys()[1:])
        raise ValueError(f"unknown event type {text!r} (one of {known})") from None


def parse_args(argv: List[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Print trtc-gateway events as JSON lines, resuming after reconnects.",
        epilog="Filter flags may repeat or take comma-separated values; values of one "
        "flag are OR'ed, different flags are AND'ed. The bearer token, when needed, "
        "is read from TRTCGW_TOKEN.",
    )
    parser.add_argument(
        "--addr",
        default=os.environ.get("TRTCGW_GRPC_ADDR", DEFAULT_ADDR),
        help=f"gateway gRPC address host:port (env TRTCGW_GRPC_ADDR, default {DEFAULT_ADDR})",
    )
    parser.add_argument("--event-type", action="append", metavar="TYPE",
                        help="only these event types, e.g. CALL_STARTED or EVENT_TYPE_CALL_ENDED")
    parser.add_argument("--callback-command", action="append", metavar="CMD",
                        help="only these Tencent commands, e.g. Call.CallbackAfterEndCall")
    parser.add_argument("--sdk-app-id", action="append", metavar="ID", help="only these SdkAppids")
    parser.add_argument("--call-id", action="append", metavar="ID", help="only these calls")
    parser.add_argument("--room-id", action="append", metavar="ID", help="only these rooms")
    parser.add_argument("--user-account", action="append", metavar="ACCOUNT",
                        help="only events that name one of these users")
    parser.add_argument("--after-sequence", type=int, metavar="N",
                        help="start by replaying the events after sequence N (default: live tail)")
    parser.add_argument("--epoch", default="", help="the epoch --after-sequence belongs to")
    parser.add_argument("--max-events", type=int, default=0, metavar="N",
                        help="exit after printing N events (default 0: never)")
    parser.add_argument("--max-backoff", type=float, default=10.0, metavar="SECONDS",
                        help="longest wait between reconnect attempts (default 10)")
    args = parser.parse_args(argv)

    try:
        args.event_types = [parse_event_type(t) for t in split_values(args.event_type)]
        args.sdk_app_ids = [int(v) for v in split_values(args.sdk_app_id)]
    except ValueError as err:
        parser.error(str(err))
    if any(not 0 <= v < 2**32 for v in args.sdk_app_ids):
        parser.error("--sdk-app-id must fit in 32 bits")
    if args.after_sequence is not None and args.after_sequence < 0:
        parser.error("--after-sequence must not be negative")
    if args.max_events < 0:
        parser.error("--max-events must not be negative")
    if args.max_backoff <= 0:
        parser.error("--max-backoff must be positive")
    return args


class Stopped(BaseException):
    """Raised by the SIGINT/SIGTERM handler to unwind the subscribe loop.

    It derives from BaseException, like KeyboardInterrupt, so no ``except
    Exception`` on the way up swallows it; gRPC's blocking iterator wakes up
    regularly so that such an exception is raised promptly.
    """


class Subscriber:
    """Holds the cursor (last sequence and epoch) across reconnects."""

    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.last_sequence: Optional[int] = args.after_sequence
        self.epoch: str = args.epoch
        self.printed = 0
        self.stopping = False
        token = os.environ.get("TRTCGW_TOKEN", "")
        self.metadata = [("authorization", f"Bearer {token}")] if token else []

    def stop(self, *_: object) -> None:
        """Signal handler: unwind once; a second signal during cleanup is ignored."""
        if not self.stopping:
            self.stopping = True
            raise Stopped()

    def request(self) -> event_service_pb2.SubscribeRequest:
        args = self.args
        req = event_service_pb2.SubscribeRequest(
            event_types=args.event_types,
            callback_commands=split_values(args.callback_command),
            sdk_app_ids=args.sdk_app_ids,
            call_ids=split_values(args.call_id),
            room_ids=split_values(args.room_id),
            user_accounts=split_values(args.user_account),
            epoch=self.epoch,
        )
        if self.last_sequence is not None:
            req.after_sequence = self.last_sequence
        return req

    def run(self) -> int:
        channel = grpc.insecure_channel(self.args.addr)
        stub = event_service_pb2_grpc.EventServiceStub(channel)
        try:
            return self._loop(stub)
        except Stopped:
            log("stopped")
            return EXIT_OK
        finally:
            channel.close()  # also cancels a call still open

    def _loop(self, stub: event_service_pb2_grpc.EventServiceStub) -> int:
        """Subscribes, prints, and resubscribes after breaks; returns the exit status."""
        attempt = 0
        while True:
            req = self.request()
            resume = f" after sequence {req.after_sequence}" if req.HasField("after_sequence") else ""
            log(f"subscribing to {self.args.addr}{resume}")
            call = stub.Subscribe(req, metadata=self.metadata)
            try:
                for res in call:
                    attempt = 0
                    if res.WhichOneof("kind") != "event":
                        continue  # heartbeat: the stream is alive, nothing to print
                    self.emit(res.event)
                    if self.args.max_events and self.printed >= self.args.max_events:
                        return EXIT_OK
                log("stream ended by the gateway")
            except grpc.RpcError as err:
                code = err.code()
                if code in FATAL_CODES:
                    log(f"subscribe failed: {code.name}: {err.details()}")
                    return EXIT_FATAL
                log(f"stream broke: {code.name}: {err.details()}")
            finally:
                call.cancel()
            attempt += 1
            delay = min(self.args.max_backoff, 0.2 * 2 ** min(attempt - 1, 16))
            delay *= random.uniform(0.5, 1.0)
            log(f"reconnecting in {delay:.2f}s")
            time.sleep(delay)

    def emit(self, event) -> None:
        """Prints one event and moves the cursor past it."""
        line = json.dumps(json_format.MessageToDict(event), ensure_ascii=False, separators=(",", ":"))
        sys.stdout.write(line + "\n")
        sys.stdout.flush()
        self.printed += 1
        self.last_sequence = event.sequence
        self.epoch = event.epoch


def log(message: str) -> None:
    print(f"python-subscriber: {message}", file=sys.stderr, flush=True)


def main(argv: List[str]) -> int:
    args = parse_args(argv)
    subscriber = Subscriber(args)
    signal.signal(signal.SIGINT, subscriber.stop)
    signal.signal(signal.SIGTERM, subscriber.stop)
    try:
        return subscriber.run()
    except Stopped:  # a signal during the final cleanup
        return EXIT_OK
    except BrokenPipeError:
        # The reader went away (e.g. `| head`): nothing left to print to; point
        # stdout at /dev/null so the interpreter's final flush does not fail too.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_OK


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
