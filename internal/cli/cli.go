// Package cli holds the client subcommands of the trtc-gateway binary:
// tail (follow the event stream), send (post one callback as Tencent would),
// simulate (post realistic traffic), and calls and rooms (query the state
// the gateway derives from its log). With no subcommand the binary
// serves; cmd/trtc-gateway dispatches here first.
//
// Every flag of a subcommand can also be set with TRTCGW_<FLAG>, the flag's
// name in capitals with dashes as underscores, as for the server; a flag on
// the command line wins.
package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"

	"golang.org/x/term"
)

// Env is what a subcommand may touch of the process: its streams and
// environment. Tests give their own.
type Env struct {
	Stdin          io.Reader
	Stdout, Stderr io.Writer
	// Getenv reads an environment variable.
	Getenv func(string) string
	// IsTerminal reports whether a stream (Stdin, Stdout, Stderr) is a
	// terminal: colour and progress lines are written only to one.
	IsTerminal func(stream any) bool
}

// OSEnv is the process's own streams and environment.
func OSEnv() Env {
	return Env{Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr, Getenv: os.Getenv, IsTerminal: isTerminal}
}

func isTerminal(stream any) bool {
	f, ok := stream.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// command is one subcommand.
type command struct {
	name, summary string
	run           func(ctx context.Context, env Env, args []string) error
}

// commands is every subcommand, in the order help lists them.
var commands = []command{
	{"tail", "follow the event stream: one line per event, or JSON lines", runTail},
	{"send", "post one callback (a file or stdin) as Tencent would, and print the answer", runSend},
	{"simulate", "post realistic callback traffic at a rate, and summarise the answers", runSimulate},
	{"calls", "get a call (members, timeline, record) or list call records (CallService)", runCalls},
	{"rooms", "get a live room and its online members, or list live rooms (RoomService)", runRooms},
}

// IsCommand reports whether name is a subcommand.
func IsCommand(name string) bool {
	for _, c := range commands {
		if c.name == name {
			return true
		}
	}
	return false
}

// CommandsHelp lists the subcommands, for the server's usage text.
func CommandsHelp() string {
	var b strings.Builder
	tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
	for _, c := range commands {
		fmt.Fprintf(tw, "  %s\t%s\n", c.name, c.summary)
	}
	tw.Flush()
	return b.String()
}

// usageError is a mistake in the command line: exit status 2.
type usageError struct{ err error }

func (e usageError) Error() string { return e.err.Error() }
func (e usageError) Unwrap() error { return e.err }

func usagef(format string, args ...any) error { return usageError{fmt.Errorf(format, args...)} }

// Main runs subcommand name with args, prints any error to env.Stderr, and
// returns the process's exit status: 0 on success and for --help, 2 for a
// mistake in the command line, 1 for every other failure.
func Main(ctx context.Context, env Env, name string, args []string) int {
	for _, c := range commands {
		if c.name != name {
			continue
		}
		err := c.run(ctx, env, args)
		var ue usageError
		switch {
		case err == nil || errors.Is(err, flag.ErrHelp):
			return 0
		case errors.As(err, &ue):
			fmt.Fprintf(env.Stderr, "trtc-gateway %s: %v\n(see trtc-gateway %s --help)\n", name, err, name)
			return 2
		default:
			fmt.Fprintf(env.Stderr, "trtc-gateway %s: %v\n", name, err)
			return 1
		}
	}
	fmt.Fprintf(env.Stderr, "trtc-gateway: unknown command %q\n", name)
	return 2
}

// newFlagSet is a subcommand's flag set whose -help prints usage (what the
// command does and its examples), the flags and the environment convention.
func newFlagSet(env Env, name, usage string) *flag.FlagSet {
	fs := flag.NewFlagSet("trtc-gateway "+name, flag.ContinueOnError)
	fs.SetOutput(env.Stderr)
	fs.Usage = func() {
		w := fs.Output()
		fmt.Fprintln(w, strings.TrimSpace(usage))
		fmt.Fprintln(w, "\nFlags:")
		fs.PrintDefaults()
		fmt.Fprintf(w, "\nEvery flag can also be set with TRTCGW_<FLAG> (capitals, dashes as\nunderscores, e.g. %s); the command line wins.\n", EnvName(firstFlag(fs)))
	}
	return fs
}

func firstFlag(fs *flag.FlagSet) string {
	name := "addr"
	fs.VisitAll(func(f *flag.Flag) {
		if f.Name == "url" || f.Name == "addr" {
			name = f.Name
		}
	})
	return name
}

// parse reads the flags, which may come before or after the arguments
// ("calls get ID --json"; "--" ends the flags), then the environment for
// every flag not given. fs.Args() are the arguments afterwards.
func parse(fs *flag.FlagSet, env Env, args []string) error {
	var positional []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return err
			}
			// The flag package has printed the problem and the usage already.
			return usageError{err}
		}
		rest := fs.Args()
		if len(rest) == 0 {
			break
		}
		if len(args) > len(rest) && args[len(args)-len(rest)-1] == "--" {
			positional = append(positional, rest...)
			break
		}
		positional = append(positional, rest[0])
		args = rest[1:]
	}
	if err := fs.Parse(append([]string{"--"}, positional...)); err != nil {
		return usageError{err}
	}
	if err := ApplyEnv(fs, env.Getenv); err != nil {
		return usageError{err}
	}
	return nil
}

// EnvName is the environment variable that sets a flag: TRTCGW_ and the
// flag's name in capitals, dashes as underscores.
func EnvName(flagName string) string {
	return "TRTCGW_" + strings.ToUpper(strings.ReplaceAll(flagName, "-", "_"))
}

// ApplyEnv sets every flag of fs not given on the command line from its
// TRTCGW_* variable. Its errors name the variable; they quote its value only
// for flags that hold no secret.
func ApplyEnv(fs *flag.FlagSet, getenv func(string) string) error {
	given := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { given[f.Name] = true })
	var err error
	fs.VisitAll(func(f *flag.Flag) {
		if err != nil || given[f.Name] {
			return
		}
		name := EnvName(f.Name)
		if v := getenv(name); v != "" {
			if e := fs.Set(f.Name, v); e != nil {
				if _, secret := f.Value.(*secretFlag); secret {
					err = fmt.Errorf("%s: %w", name, e)
				} else {
					err = fmt.Errorf("%s=%q: %w", name, v, e)
				}
			}
		}
	})
	return err
}
