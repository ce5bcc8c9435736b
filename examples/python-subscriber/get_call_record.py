#!/usr/bin/env python3
"""Ask trtc-gateway for one call's record and print it as one JSON line.

The local twin of Tencent's get_record_by_callid: CallService/GetCallRecord
answers from the gateway's log, without Tencent's 200 requests/s limit.
With --timeline it asks CallService/GetCall instead: every member with its
state, the timeline of member changes, the record once the call ended, and
the coverage that says whether the log held the whole story.

Exit status 0 on an answer, 1 on a gRPC error (NOT_FOUND when the log holds
no end of the call — Tencent's 101050), 2 on bad usage. The bearer token,
when needed, is read from TRTCGW_TOKEN.
"""

from __future__ import annotations

import argparse
import os
import sys
from typing import List

import grpc
from google.protobuf import json_format

from trtc.gateway.v1 import call_service_pb2, call_service_pb2_grpc

DEFAULT_ADDR = "localhost:9090"


def parse_args(argv: List[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="Print a call's record (get call record) as JSON.")
    parser.add_argument("sdk_app_id", type=int, help="the SdkAppid of the call's application")
    parser.add_argument("call_id", help="the CallId, as in the call's callbacks")
    parser.add_argument(
        "--addr",
        default=os.environ.get("TRTCGW_GRPC_ADDR", DEFAULT_ADDR),
        help=f"gateway gRPC address (env TRTCGW_GRPC_ADDR, default {DEFAULT_ADDR})",
    )
    parser.add_argument("--timeline", action="store_true", help="GetCall: members, timeline and coverage")
    args = parser.parse_args(argv)
    if not 0 < args.sdk_app_id < 2**32:
        parser.error(f"sdk_app_id {args.sdk_app_id} is not a SdkAppid")
    return args


def main(argv: List[str]) -> int:
    args = parse_args(argv)
    metadata = []
    token = os.environ.get("TRTCGW_TOKEN", "")
    if token:
        metadata.append(("authorization", f"Bearer {token}"))
    with grpc.insecure_channel(args.addr) as channel:
        stub = call_service_pb2_grpc.CallServiceStub(channel)
        try:
            if args.timeline:
                answer = stub.GetCall(
                    call_service_pb2.GetCallRequest(sdk_app_id=args.sdk_app_id, call_id=args.call_id),
                    metadata=metadata,
                    timeout=30,
                )
            else:
                answer = stub.GetCallRecord(
                    call_service_pb2.GetCallRecordRequest(sdk_app_id=args.sdk_app_id, call_id=args.call_id),
                    metadata=metadata,
                    timeout=30,
                )
        except grpc.RpcError as err:
            print(f"get_call_record: {err.code().name}: {err.details()}", file=sys.stderr)
            return 1
    print(json_format.MessageToJson(answer, indent=None))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
