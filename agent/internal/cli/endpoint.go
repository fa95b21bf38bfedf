package cli

import (
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/shadowai/shadowai/agent/internal/endpoint"
	"github.com/shadowai/shadowai/agent/internal/observe"
	"github.com/shadowai/shadowai/agent/internal/privacy"
	"github.com/shadowai/shadowai/signatures"
)

// userHashKeyEnv names the environment variable holding the key of
// --hash-users, kept out of the command line (and so out of ps).
const userHashKeyEnv = "SHADOWAI_USER_HASH_KEY"

// endpointFlags are the flags of the endpoint sensors.
type endpointFlags struct {
	root      string
	hashUsers bool
}

func (f *endpointFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&f.root, "root", "", "read proc/, etc/passwd and home directories under this directory instead of this host's (a fake host or a mounted image)")
	fs.BoolVar(&f.hashUsers, "hash-users", false, "replace user names by a hash (keyed by $"+userHashKeyEnv+" when set) and strip user names from home paths")
}

func (f *endpointFlags) sensors(cat *signatures.Catalog, e env) (*endpoint.Sensors, error) {
	if f.root != "" {
		if fi, err := os.Stat(f.root); err != nil || !fi.IsDir() {
			return nil, usageError(fmt.Sprintf("--root %q is not a directory: give the directory that holds proc/, etc/ and home/", f.root))
		}
	}
	return endpoint.New(cat, endpoint.Options{
		Root: f.root, Log: e.log(),
		Privacy: privacy.Options{HashUsers: f.hashUsers, Key: os.Getenv(userHashKeyEnv)},
	}), nil
}

func scanProcesses(e env, w *observe.Writer, s *endpoint.Sensors) error {
	obs, st, err := s.Processes(time.Now())
	if werr := writeAll(w, obs); werr != nil {
		return werr
	}
	if obs == nil && err != nil {
		return err
	}
	p := st.Procs
	fmt.Fprintf(e.stderr, "scanned %d processes: %d AI apps, %d AI runtimes listening (%d on a runtime's port but not that runtime); skipped %d that exited, %d unreadable; %d without executable path, %d command lines cut at 64 KiB, %d names with invalid UTF-8\n",
		p.Processes, len(obs)-len(filterSource(obs, observe.Listener)), st.Listeners.Confirmed, st.Listeners.Unconfirmed,
		p.Vanished, p.Unreadable, p.NoExe, p.Truncated, p.BadEncoding)
	return err
}

func scanInventory(e env, w *observe.Writer, s *endpoint.Sensors) error {
	obs, st, err := s.Inventory(time.Now())
	if err != nil {
		return err
	}
	if err := writeAll(w, obs); err != nil {
		return err
	}
	x := st.Extensions
	fmt.Fprintf(e.stderr, "scanned %d home directories: %d IDE and %d browser extensions, %d model stores; %d AI findings; skipped %d damaged metadata files, %d unreadable folders\n",
		x.Homes, x.IDE, x.Browser, st.Stores.Stores, len(obs), x.Damaged, x.Unreadable+st.Stores.Unreadable)
	return nil
}

func writeAll(w *observe.Writer, obs []observe.Observation) error {
	for i := range obs {
		if err := w.Write(&obs[i]); err != nil {
			return fmt.Errorf("writing output: %w", err)
		}
	}
	return nil
}

func filterSource(obs []observe.Observation, src observe.Source) []observe.Observation {
	var out []observe.Observation
	for _, o := range obs {
		if o.Source == src {
			out = append(out, o)
		}
	}
	return out
}

// attributionSummary says how many network observations were credited to
// a process of this host.
func attributionSummary(w io.Writer, s *endpoint.Sensors) {
	st, err := s.AttributionStats()
	if err != nil || st.Lookups == 0 {
		return
	}
	fmt.Fprintf(w, "attributed %d of %d network observations to a process of this host (%d from exited processes)\n", st.Hits, st.Lookups, st.FromCache)
}
