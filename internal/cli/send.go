package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
)

const sendUsage = `
Usage: trtc-gateway send [flags] [FILE]

Post one callback — FILE, or stdin when FILE is absent or "-" — to the
gateway or any URL, as Tencent would, and print the answer. The exit status
is 0 only when it was accepted (HTTP 200 and ActionStatus OK).

The body decides the family. An IM-style callback (TUICallKit, TUILiveKit:
the body has CallbackCommand) goes with the query parameters SdkAppid,
CallbackCommand, contenttype, ClientIP and OptPlatform, plus Sign and
RequestTime when a --webhook-token is given. A TRTC room or media event (the
body has EventGroupId and no CallbackCommand) goes with no query parameters
and the headers SdkAppId and, with --trtc-key, Sign.

Examples:
  trtc-gateway send --sdk-app-id 1400000001 start-call.json
  echo '{"CallbackCommand":"Live.CallbackAfterCreateRoom","EventTime":1740464128807}' | trtc-gateway send --sdk-app-id 1400000001
  TRTCGW_WEBHOOK_TOKEN=1400000001=secret trtc-gateway send --sdk-app-id 1400000001 end-call.json
  trtc-gateway send --sdk-app-id 1400000001 --trtc-key 123654 --url https://example.com/trtc room-event.json
`

func runSend(ctx context.Context, env Env, args []string) error {
	fs := newFlagSet(env, "send", sendUsage)
	var wf webhookFlags
	wf.register(fs)
	var app appsFlag
	fs.Var(&app, "sdk-app-id", "the SdkAppid the callback is from (required)")
	command := fs.String("command", "", "CallbackCommand for the query; default: the body's CallbackCommand")
	clientIP := fs.String("client-ip", "127.0.0.1", "ClientIP query parameter: the end user's address")
	platform := fs.String("platform", "RESTAPI", "OptPlatform query parameter: RESTAPI, Web, Android, iOS, Windows, Mac, iPad or Unknown")
	if err := parse(fs, env, args); err != nil {
		return err
	}
	if len(app) != 1 {
		return usagef("--sdk-app-id: give exactly one SdkAppid (or TRTCGW_SDK_APP_ID)")
	}
	if fs.NArg() > 1 {
		return usagef("one callback at a time: got %d files", fs.NArg())
	}
	p, err := wf.poster()
	if err != nil {
		return err
	}
	body, err := readBody(env, fs.Arg(0))
	if err != nil {
		return err
	}
	trtc, bodyCommand, err := classify(body)
	if err != nil {
		return err
	}
	var a answer
	if trtc && *command == "" {
		a, err = p.postTRTC(ctx, app[0], body)
	} else {
		cmd := *command
		if cmd == "" {
			cmd = bodyCommand
		}
		if cmd == "" {
			return errors.New("bad input: the body has neither CallbackCommand nor EventGroupId; give --command")
		}
		a, err = p.postIM(ctx, imParams{app: app[0], command: cmd, clientIP: *clientIP, platform: *platform}, body)
	}
	if err != nil {
		return fmt.Errorf("post to %s: %w", wf.url, err)
	}
	fmt.Fprintf(env.Stdout, "%s\n", bytes.TrimSpace(a.body))
	if !a.ok {
		return fmt.Errorf("not accepted: %s", a)
	}
	return nil
}

// readBody reads the callback from a file, or stdin for "" and "-".
func readBody(env Env, name string) ([]byte, error) {
	var b []byte
	var err error
	if name == "" || name == "-" {
		if env.IsTerminal != nil && env.IsTerminal(env.Stdin) {
			return nil, usagef("give a callback file, or pipe one to stdin")
		}
		b, err = io.ReadAll(io.LimitReader(env.Stdin, 64<<20))
		name = "stdin"
	} else {
		b, err = os.ReadFile(name)
	}
	if err != nil {
		return nil, fmt.Errorf("bad input: %w", err)
	}
	if len(bytes.TrimSpace(b)) == 0 {
		return nil, fmt.Errorf("bad input: %s is empty", name)
	}
	return b, nil
}

// classify tells a TRTC family-2 body (EventGroupId, no CallbackCommand)
// from an IM-family one, and returns the body's CallbackCommand.
func classify(body []byte) (trtc bool, command string, err error) {
	var top map[string]json.RawMessage
	if err := json.Unmarshal(body, &top); err != nil {
		var syn *json.SyntaxError
		if errors.As(err, &syn) {
			return false, "", fmt.Errorf("bad input: not JSON at byte %d: %v", syn.Offset, err)
		}
		return false, "", fmt.Errorf("bad input: a callback is a JSON object: %v", err)
	}
	if raw, ok := top["CallbackCommand"]; ok {
		if err := json.Unmarshal(raw, &command); err != nil {
			return false, "", errors.New("bad input: CallbackCommand is not a string")
		}
		return false, command, nil
	}
	_, trtc = top["EventGroupId"]
	return trtc, "", nil
}
