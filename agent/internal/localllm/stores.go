package localllm

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"time"

	"github.com/shadowai/shadowai/agent/internal/observe"
	"github.com/shadowai/shadowai/agent/internal/users"
)

// MaxFiles bounds one store's walk; a store with more files is reported
// with the size so far and AttrTruncated.
const MaxFiles = 1_000_000

// store is where a runtime keeps models, relative to a home directory.
type store struct {
	service string
	os      string // "" for every OS
	rel     string
}

// stores are the runtimes' documented default model locations. Custom
// locations (OLLAMA_MODELS, HF_HOME, LM Studio's setting) are per process
// environment and are not guessed.
var stores = []store{
	{"ollama", "", ".ollama/models"},
	{"huggingface", "", ".cache/huggingface/hub"},
	{"lm-studio", "", ".lmstudio/models"},
	{"lm-studio", "", ".cache/lm-studio/models"},
	{"llama-cpp", "linux", ".cache/llama.cpp"},
	{"llama-cpp", "darwin", "Library/Caches/llama.cpp"},
	{"llama-cpp", "windows", "AppData/Local/llama.cpp"},
	{"gpt4all", "linux", ".local/share/nomic.ai/GPT4All"},
	{"gpt4all", "darwin", "Library/Application Support/nomic.ai/GPT4All"},
	{"gpt4all", "windows", "AppData/Local/nomic.ai/GPT4All"},
	{"jan", "linux", ".local/share/Jan/data/models"},
	{"jan", "darwin", "Library/Application Support/Jan/data/models"},
	{"jan", "windows", "AppData/Roaming/Jan/data/models"},
}

// StoreStats counts what a model store scan did.
type StoreStats struct {
	Homes, Stores int
	// Unreadable directories inside stores, skipped.
	Unreadable int
}

// Stores reports every model store under the given homes.
func Stores(cat Catalog, homes []users.User, t time.Time) ([]observe.Observation, StoreStats) {
	st := StoreStats{Homes: len(homes)}
	var out []observe.Observation
	for _, h := range homes {
		for _, s := range stores {
			if s.os != "" && s.os != runtime.GOOS {
				continue
			}
			svc := cat.Lookup(s.service)
			dir := filepath.Join(h.Dir, filepath.FromSlash(s.rel))
			if svc == nil || !isDir(dir) {
				continue
			}
			size, files, truncated := measure(dir, &st)
			st.Stores++
			o := observe.Observation{
				Time: t, Source: observe.ModelStore, Service: svc, User: h.Name,
				Attrs: map[string]string{AttrPath: filepath.Join(h.Home, filepath.FromSlash(s.rel)), AttrBytes: strconv.FormatInt(size, 10), AttrFiles: strconv.Itoa(files)},
			}
			if truncated {
				o.Attrs[AttrTruncated] = "true"
			}
			out = append(out, o)
		}
	}
	return out, st
}

func isDir(p string) bool {
	fi, err := os.Stat(p)
	return err == nil && fi.IsDir()
}

// measure sums the sizes of the regular files under dir from their
// directory entries. Symbolic links are not followed (the Hugging Face
// cache links snapshots to blobs, which are counted once), so loops are
// harmless.
func measure(dir string, st *StoreStats) (size int64, files int, truncated bool) {
	errStop := errors.New("stop")
	filepath.WalkDir(dir, func(_ string, d fs.DirEntry, err error) error {
		if err != nil {
			st.Unreadable++
			return nil
		}
		if !d.Type().IsRegular() {
			return nil
		}
		if files >= MaxFiles {
			truncated = true
			return errStop
		}
		if fi, err := d.Info(); err == nil {
			size += fi.Size()
			files++
		}
		return nil
	})
	return size, files, truncated
}
