package signatures

import (
	"sync"
	"testing"
	"testing/fstest"
)

// TestLiveSwapWhileMatching swaps catalogs while goroutines match (run
// with -race): every lookup sees one catalog or the other, never a mix.
func TestLiveSwapWhileMatching(t *testing.T) {
	a := embeddedCatalog(t)
	tree := fstest.MapFS{"vendors/x.yaml": {Data: []byte(
		"vendor: X\nservices:\n  - {id: x, name: X, category: chat_assistant, domains: [chatgpt.com], sources: {domains: https://x.example/}}\n")}}
	b, err := Load(tree, "2")
	if err != nil {
		t.Fatal(err)
	}
	live := NewLive(a)
	var wg sync.WaitGroup
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 2000 {
				if s := live.MatchDomain("chatgpt.com"); s == nil || s.ID != "openai-chatgpt" && s.ID != "x" {
					t.Errorf("matched %v", s)
					return
				}
			}
		}()
	}
	for i := range 200 {
		if i%2 == 0 {
			live.Swap(b)
		} else {
			live.Swap(a)
		}
	}
	wg.Wait()
	if live.Swap(b); live.Version() != b.Version() || id(live.MatchDomain("chatgpt.com")) != "x" {
		t.Errorf("after the swap: version %q", live.Version())
	}
}
