#!/usr/bin/env node
// @ts-check
// Asks trtc-gateway for one call's record (get call record) and prints it as
// one JSON line: the local twin of Tencent's get_record_by_callid, answered
// from the gateway's log by CallService/GetCallRecord. With --timeline it
// asks CallService/GetCall instead: every member with its state, the timeline
// of member changes, the record once ended, and the coverage that says
// whether the log held the whole story.
//
// Exit status 0 on an answer, 1 on a gRPC error (NOT_FOUND when the log holds
// no end of the call — Tencent's 101050), 2 on bad usage. The bearer token,
// when needed, is read from TRTCGW_TOKEN.

import { parseArgs } from "node:util";
import { toJsonString } from "@bufbuild/protobuf";
import { Code, ConnectError, createClient } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { CallService, GetCallRecordResponseSchema, GetCallResponseSchema } from "@trtc-gateway/sdk";

const DEFAULT_ADDR = "localhost:9090";

const USAGE = `usage: get-call-record.js [--addr HOST:PORT] [--timeline] SDK_APP_ID CALL_ID

  --addr HOST:PORT   gateway gRPC address (env TRTCGW_GRPC_ADDR, default ${DEFAULT_ADDR})
  --timeline         GetCall: members, timeline and coverage instead of the record`;

async function main() {
  let parsed;
  try {
    parsed = parseArgs({
      allowPositionals: true,
      options: { addr: { type: "string" }, timeline: { type: "boolean" }, help: { type: "boolean" } },
    });
  } catch (err) {
    process.stderr.write(`get-call-record: ${err instanceof Error ? err.message : err}\n${USAGE}\n`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const app = Number(positionals[0]);
  if (positionals.length !== 2 || !Number.isInteger(app) || app <= 0 || app >= 2 ** 32) {
    process.stderr.write(`get-call-record: need a SdkAppid and a call id\n${USAGE}\n`);
    return 2;
  }
  const addr = values.addr ?? process.env.TRTCGW_GRPC_ADDR ?? DEFAULT_ADDR;
  const baseUrl = /^https?:\/\//.test(addr) ? addr : `http://${addr}`;
  const client = createClient(CallService, createGrpcTransport({ baseUrl }));
  const token = process.env.TRTCGW_TOKEN;
  /** @type {Record<string, string>} */
  const headers = token ? { authorization: `Bearer ${token}` } : {};
  const request = { sdkAppId: app, callId: positionals[1] };
  try {
    if (values.timeline) {
      const answer = await client.getCall(request, { headers, timeoutMs: 30_000 });
      process.stdout.write(`${toJsonString(GetCallResponseSchema, answer)}\n`);
    } else {
      const answer = await client.getCallRecord(request, { headers, timeoutMs: 30_000 });
      process.stdout.write(`${toJsonString(GetCallRecordResponseSchema, answer)}\n`);
    }
    return 0;
  } catch (err) {
    const e = ConnectError.from(err);
    process.stderr.write(`get-call-record: ${Code[e.code]}: ${e.rawMessage}\n`);
    return 1;
  }
}

process.exitCode = await main();
