package signatures

import "testing"

func TestEmbeddedCompiles(t *testing.T) {
	c, err := Embedded()
	if err != nil {
		t.Fatal(err)
	}
	if n := len(c.Services()); n < 40 {
		t.Errorf("embedded catalog has %d services, want at least 40", n)
	}
}

func TestMatchDomain(t *testing.T) {
	c, err := Embedded()
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct{ name, want string }{
		{"chatgpt.com", "openai-chatgpt"},
		{"ChatGPT.com.", "openai-chatgpt"},
		{"ab.chatgpt.com", "openai-chatgpt"},
		{"api.openai.com", "openai-api"},
		{"cdn.openai.com", "openai"},
		{"chatgpt.com.evil.example", ""},
		{"notchatgpt.com", ""},
		{"google.com", ""},
		{"www.google.com", ""},
		{"gemini.google.com", "google-gemini"},
		{"gemini.com", ""},
		{"github.com", ""},
		{"api.githubcopilot.com", "github-copilot"},
		{"foo.hf.space", "huggingface-spaces"},
		{"", ""},
		{".", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := ""
			if s := c.MatchDomain(tc.name); s != nil {
				got = s.ID
			}
			if got != tc.want {
				t.Errorf("MatchDomain(%q) = %q, want %q", tc.name, got, tc.want)
			}
		})
	}
}

func TestMatchProcess(t *testing.T) {
	c, err := Embedded()
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		p    Process
		want string
	}{
		{"ollama", Process{OS: "linux", Exe: "/usr/local/bin/ollama", Args: []string{"ollama", "serve"}}, "ollama"},
		{"ollama look-alike", Process{OS: "linux", Exe: "/usr/bin/ollama-exporter"}, ""},
		{"claude code", Process{OS: "linux", Exe: "/usr/lib/node_modules/@anthropic-ai/claude-code/bin/claude"}, "anthropic-claude-code"},
		{"gemini via node", Process{OS: "linux", Exe: "/usr/bin/node", Args: []string{"node", "/usr/lib/node_modules/@google/gemini-cli/bundle/gemini.js"}}, "google-gemini-cli"},
		{"plain node", Process{OS: "linux", Exe: "/usr/bin/node", Args: []string{"node", "server.js"}}, ""},
		{"user named jan", Process{OS: "linux", Exe: "/usr/bin/bash", Name: "bash"}, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := ""
			if s := c.MatchProcess(tc.p); s != nil {
				got = s.ID
			}
			if got != tc.want {
				t.Errorf("MatchProcess = %q, want %q", got, tc.want)
			}
		})
	}
}

func BenchmarkMatchDomain(b *testing.B) {
	c, err := Embedded()
	if err != nil {
		b.Fatal(err)
	}
	names := []string{"chatgpt.com", "www.example.com", "Api.OpenAI.com", "a.b.c.d.cdn.example.net", "gemini.google.com"}
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		c.MatchDomain(names[i%len(names)])
	}
}
