#!/usr/bin/env node
// @ts-check
// Subscribes to trtc-gateway's event stream and prints each event as one JSON
// line: protobuf's canonical JSON, so 64-bit numbers arrive as exact decimal
// strings, enums by name and timestamps in RFC 3339. Heartbeats are skipped.
// When the stream breaks it reconnects with exponential backoff and resumes
// after the last sequence it printed, in the same epoch, so nothing is missed
// or repeated. SIGINT or SIGTERM ends it cleanly with exit status 0.

import { parseArgs } from "node:util";
import { toJsonString } from "@bufbuild/protobuf";
import { Code, ConnectError, createClient } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { EventSchema, EventService, EventTypeSchema } from "@trtc-gateway/sdk";

const DEFAULT_ADDR = "localhost:9090";
const EXIT_OK = 0;
const EXIT_FATAL = 1;
const EXIT_USAGE = 2;

// Codes after which the same request can only fail again: report and stop.
const FATAL_CODES = new Set([
  Code.InvalidArgument,
  Code.OutOfRange,
  Code.FailedPrecondition,
  Code.Unauthenticated,
  Code.PermissionDenied,
  Code.Unimplemented,
  Code.NotFound,
]);

const USAGE = `usage: subscribe.js [flags]

Print trtc-gateway events as JSON lines, resuming after reconnects.

  --addr HOST:PORT          gateway gRPC address (env TRTCGW_GRPC_ADDR, default ${DEFAULT_ADDR})
  --event-type TYPE         only these event types, e.g. CALL_STARTED or EVENT_TYPE_CALL_ENDED
  --callback-command CMD    only these Tencent commands, e.g. Call.CallbackAfterEndCall
  --sdk-app-id ID           only these SdkAppids
  --call-id ID              only these calls
  --room-id ID              only these rooms
  --user-account ACCOUNT    only events that name one of these users
  --after-sequence N        start by replaying the events after sequence N (default: live tail)
  --epoch EPOCH             the epoch --after-sequence belongs to
  --max-events N            exit after printing N events (default 0: never)
  --max-backoff SECONDS     longest wait between reconnect attempts (default 10)

Filter flags may repeat or take comma-separated values; values of one flag are
OR'ed, different flags are AND'ed. The bearer token, when needed, is read from
TRTCGW_TOKEN.`;

class UsageError extends Error {}

/** @param {string} message */
function log(message) {
  process.stderr.write(`node-subscriber: ${message}\n`);
}

/**
 * Flattens repeated flags whose values may also be comma-separated.
 * @param {string[] | undefined} values
 * @returns {string[]}
 */
function splitValues(values) {
  return (values ?? []).flatMap((v) => v.split(",")).map((v) => v.trim()).filter((v) => v !== "");
}

/**
 * Accepts CALL_ENDED, EVENT_TYPE_CALL_ENDED (any case) or the number.
 * @param {string} text
 * @returns {number}
 */
function parseEventType(text) {
  const values = EventTypeSchema.values.filter((v) => v.number !== 0);
  if (/^\d+$/.test(text)) {
    const value = values.find((v) => v.number === Number(text));
    if (value) return value.number;
  } else {
    let name = text.toUpperCase().replaceAll("-", "_");
    if (!name.startsWith("EVENT_TYPE_")) name = `EVENT_TYPE_${name}`;
    const value = values.find((v) => v.name === name);
    if (value) return value.number;
  }
  const known = values.map((v) => v.localName).join(", ");
  throw new UsageError(`unknown event type "${text}" (one of ${known})`);
}

/**
 * @param {string} flag
 * @param {string | undefined} text
 * @param {bigint} max
 * @returns {bigint | undefined}
 */
function parseUint(flag, text, max) {
  if (text === undefined) return undefined;
  if (!/^\d+$/.test(text) || BigInt(text) > max) {
    throw new UsageError(`${flag} must be a whole number up to ${max}, got "${text}"`);
  }
  return BigInt(text);
}

/** @param {string[]} argv */
function parseOptions(argv) {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    allowPositionals: false,
    options: {
      addr: { type: "string", default: process.env.TRTCGW_GRPC_ADDR || DEFAULT_ADDR },
      "event-type": { type: "string", multiple: true },
      "callback-command": { type: "string", multiple: true },
      "sdk-app-id": { type: "string", multiple: true },
      "call-id": { type: "string", multiple: true },
      "room-id": { type: "string", multiple: true },
      "user-account": { type: "string", multiple: true },
      "after-sequence": { type: "string" },
      epoch: { type: "string", default: "" },
      "max-events": { type: "string", default: "0" },
      "max-backoff": { type: "string", default: "10" },
      help: { type: "boolean", short: "h" },
    },
  });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    process.exit(EXIT_OK);
  }
  const maxBackoff = Number(values["max-backoff"]);
  if (!(maxBackoff > 0)) throw new UsageError("--max-backoff must be a positive number of seconds");
  const addr = values.addr ?? DEFAULT_ADDR;
  return {
    addr,
    baseUrl: /^https?:\/\//.test(addr) ? addr : `http://${addr}`,
    filter: {
      eventTypes: splitValues(values["event-type"]).map(parseEventType),
      callbackCommands: splitValues(values["callback-command"]),
      sdkAppIds: splitValues(values["sdk-app-id"]).map((v) => Number(parseUint("--sdk-app-id", v, 0xffffffffn))),
      callIds: splitValues(values["call-id"]),
      roomIds: splitValues(values["room-id"]),
      userAccounts: splitValues(values["user-account"]),
    },
    afterSequence: parseUint("--after-sequence", values["after-sequence"], 0xffffffffffffffffn),
    epoch: values.epoch ?? "",
    maxEvents: Number(parseUint("--max-events", values["max-events"], BigInt(Number.MAX_SAFE_INTEGER))),
    maxBackoffMs: maxBackoff * 1000,
  };
}

/**
 * Resolves after ms, or at once when signal aborts.
 * @param {number} ms
 * @param {AbortSignal} signal
 */
function sleep(ms, signal) {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve(undefined);
    const timer = setTimeout(done, ms);
    signal.addEventListener("abort", done, { once: true });
    function done() {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve(undefined);
    }
  });
}

/**
 * Subscribes until stopped, a fatal error, or maxEvents; returns the exit status.
 * @param {ReturnType<typeof parseOptions>} opts
 * @param {AbortSignal} stop
 */
async function run(opts, stop) {
  const client = createClient(EventService, createGrpcTransport({ baseUrl: opts.baseUrl }));
  const token = process.env.TRTCGW_TOKEN;
  /** @type {Record<string, string>} */
  const headers = token ? { authorization: `Bearer ${token}` } : {};
  // The cursor: what to resume after when the stream has to be reopened.
  let lastSequence = opts.afterSequence;
  let epoch = opts.epoch;
  let printed = 0;
  let attempt = 0;

  while (!stop.aborted) {
    // One controller per stream, so reaching maxEvents can end it too.
    const streamAbort = new AbortController();
    const onStop = () => streamAbort.abort();
    stop.addEventListener("abort", onStop, { once: true });
    log(`subscribing to ${opts.addr}${lastSequence === undefined ? "" : ` after sequence ${lastSequence}`}`);
    try {
      const stream = client.subscribe(
        { ...opts.filter, afterSequence: lastSequence, epoch },
        { signal: streamAbort.signal, headers },
      );
      for await (const res of stream) {
        attempt = 0;
        if (res.kind.case !== "event") continue; // heartbeat: the stream is alive, nothing to print
        const event = res.kind.value;
        process.stdout.write(`${toJsonString(EventSchema, event)}\n`);
        printed++;
        lastSequence = event.sequence;
        epoch = event.epoch;
        if (opts.maxEvents > 0 && printed >= opts.maxEvents) {
          streamAbort.abort();
          return EXIT_OK;
        }
      }
      log("stream ended by the gateway");
    } catch (err) {
      if (stop.aborted) break;
      const cerr = ConnectError.from(err);
      if (FATAL_CODES.has(cerr.code)) {
        log(`subscribe failed: ${Code[cerr.code]}: ${cerr.rawMessage}`);
        return EXIT_FATAL;
      }
      log(`stream broke: ${Code[cerr.code]}: ${cerr.rawMessage}`);
    } finally {
      stop.removeEventListener("abort", onStop);
    }
    attempt++;
    const delay = Math.min(opts.maxBackoffMs, 200 * 2 ** Math.min(attempt - 1, 16)) * (0.5 + Math.random() / 2);
    log(`reconnecting in ${(delay / 1000).toFixed(2)}s`);
    await sleep(delay, stop);
  }
  log("stopped");
  return EXIT_OK;
}

async function main() {
  let opts;
  try {
    opts = parseOptions(process.argv.slice(2));
  } catch (err) {
    if (err instanceof UsageError || (err instanceof Error && "code" in err && String(err.code).startsWith("ERR_PARSE_ARGS"))) {
      process.stderr.write(`${err.message}\n\n${USAGE}\n`);
      return EXIT_USAGE;
    }
    throw err;
  }
  const stop = new AbortController();
  process.once("SIGINT", () => stop.abort());
  process.once("SIGTERM", () => stop.abort());
  // The reader went away (e.g. `| head`): stop quietly.
  process.stdout.on("error", (err) => {
    if (/** @type {NodeJS.ErrnoException} */ (err).code === "EPIPE") stop.abort();
    else throw err;
  });
  return run(opts, stop.signal);
}

// Exit explicitly: the HTTP/2 session to the gateway would otherwise keep Node alive.
process.exit(await main());
