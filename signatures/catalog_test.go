package signatures

import (
	"testing"
)

func embeddedCatalog(t testing.TB) *Catalog {
	t.Helper()
	c, err := Embedded()
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestEmbeddedBreadth(t *testing.T) {
	c := embeddedCatalog(t)
	perCategory := map[string]int{}
	for _, s := range c.Services() {
		perCategory[s.Category]++
	}
	if n := len(c.Services()); n < 250 {
		t.Errorf("embedded catalog has %d services, want at least 250", n)
	}
	// The categories the issue names must each have services.
	for _, cat := range []string{"chat_assistant", "coding_assistant", "model_api", "agent_platform", "ai_search",
		"image_video", "voice_audio", "meeting_assistant", "writing_assistant", "model_hub", "aggregator",
		"local_runtime", "saas_ai_feature", "user_content"} {
		if perCategory[cat] == 0 {
			t.Errorf("no service in category %s", cat)
		}
	}
	t.Logf("%d services: %v", len(c.Services()), perCategory)
}

func TestMatchDomain(t *testing.T) {
	c := embeddedCatalog(t)
	tests := []struct{ name, want string }{
		{"chatgpt.com", "openai-chatgpt"},
		{"ChatGPT.com.", "openai-chatgpt"},
		{"ab.chatgpt.com", "openai-chatgpt"},
		{"api.openai.com", "openai-api"},
		{"API.OpenAI.COM", "openai-api"},
		{"cdn.openai.com", "openai"},
		{"openaiassets.blob.core.windows.net", "openai"},
		{"x.openaiassets.blob.core.windows.net", ""},
		{"claude.ai", "anthropic-claude"},
		{"api.anthropic.com", "anthropic-api"},
		{"gemini.google.com", "google-gemini"},
		{"generativelanguage.googleapis.com", "google-gemini-api"},
		{"api.githubcopilot.com", "github-copilot"},
		{"bedrock-runtime.eu-west-1.amazonaws.com", "aws-bedrock"},
		{"foo.hf.space", "huggingface-spaces"},
		{"my-app.lovable.app", "lovable-apps"},
		{"deepseek.com", "deepseek"},
		// precision: the look-alikes and shared platforms of the issue
		{"google.com", ""},
		{"www.google.com", ""},
		{"github.com", ""},
		{"raw.githubusercontent.com", ""},
		{"gemini.com", ""},
		{"exchange.gemini.com", ""},
		{"chatgpt.com.evil.example", ""},
		{"notchatgpt.com", ""},
		{"chatgpt.co", ""},
		{"microsoft.com", ""},
		{"s3.amazonaws.com", ""},
		{"d111111abcdef8.cloudfront.net", ""},
		{"bedrock.example.com", ""},
		{"jan.example.com", ""},
		{"host.livekit.cloud", ""},
		{"browser-intake-datadoghq.com", ""},
		{"", ""},
		{".", ""},
		{"..", ""},
		{"com", ""},
		{"a..chatgpt.com", "openai-chatgpt"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := id(c.MatchDomain(tc.name)); got != tc.want {
				t.Errorf("MatchDomain(%q) = %q, want %q", tc.name, got, tc.want)
			}
		})
	}
}

func id(s *Service) string {
	if s == nil {
		return ""
	}
	return s.ID
}

func TestRuleDomainsRefused(t *testing.T) {
	tests := []struct {
		domain      string
		userContent bool
		ok          bool
	}{
		{"google.com", false, false},
		{"github.com", false, false},
		{"amazonaws.com", false, false},
		{"cloudfront.net", false, false},
		{"com", false, false},
		{"co.uk", false, false},
		{"blob.core.windows.net", false, false},
		{"vercel.app", true, false},
		{"hf.space", false, false},
		{"hf.space", true, true},
		{"github.io", true, true},
		{"gemini.google.com", false, true},
		{"Chatgpt.com", false, false},
		{"-a.com", false, false},
		{"a_b.com", false, false},
	}
	for _, tc := range tests {
		err := checkRuleDomain(tc.domain, tc.userContent)
		if (err == nil) != tc.ok {
			t.Errorf("checkRuleDomain(%q, userContent=%v) = %v, want ok=%v", tc.domain, tc.userContent, err, tc.ok)
		}
	}
}

func TestMatchProcess(t *testing.T) {
	c := embeddedCatalog(t)
	tests := []struct {
		name string
		p    Process
		want string
	}{
		{"ollama", Process{OS: "linux", Exe: "/usr/local/bin/ollama", Args: []string{"ollama", "serve"}}, "ollama"},
		{"ollama look-alike", Process{OS: "linux", Exe: "/usr/bin/ollama-exporter"}, ""},
		{"ollama windows", Process{OS: "windows", Exe: `C:\Users\a\AppData\Local\Programs\Ollama\ollama.exe`}, "ollama"},
		{"claude code native in npm package", Process{OS: "linux", Name: "claude", Exe: "/usr/lib/node_modules/@anthropic-ai/claude-code/bin/claude.exe"}, "anthropic-claude-code"},
		{"claude code native installer", Process{OS: "linux", Name: "2.1.37", Exe: "/home/ann/.local/share/claude/versions/2.1.37", Args: []string{"claude"}}, "anthropic-claude-code"},
		{"claude code windows npm", Process{OS: "windows", Exe: `C:\Users\a\AppData\Roaming\npm\node_modules\@anthropic-ai\claude-code\bin\claude.exe`}, "anthropic-claude-code"},
		{"some other claude binary", Process{OS: "linux", Exe: "/usr/local/bin/claude"}, ""},
		{"claude desktop mac", Process{OS: "darwin", Exe: "/Applications/Claude.app/Contents/MacOS/Claude"}, "anthropic-claude"},
		{"claude desktop electron helper", Process{OS: "darwin", Exe: "/Applications/Claude.app/Contents/Frameworks/Claude Helper (Renderer).app/Contents/MacOS/Claude Helper (Renderer)"}, "anthropic-claude"},
		{"claude helper by bundle id", Process{OS: "darwin", BundleID: "com.anthropic.claudefordesktop.helper.Renderer"}, "anthropic-claude"},
		{"bundle id look-alike", Process{OS: "darwin", BundleID: "com.anthropic.claudefordesktopx"}, ""},
		{"chatgpt appx", Process{OS: "windows", AppX: "OpenAI.ChatGPT-Desktop_2p2nqsd0c76g0", Exe: `C:\Program Files\WindowsApps\OpenAI.ChatGPT-Desktop_1.2025.16.0_x64__2p2nqsd0c76g0\app\ChatGPT.exe`}, "openai-chatgpt"},
		{"chatgpt windows exe", Process{OS: "windows", Exe: `C:\Program Files\WindowsApps\OpenAI.ChatGPT-Desktop_1.2025.16.0_x64__2p2nqsd0c76g0\app\ChatGPT.exe`}, "openai-chatgpt"},
		{"codex cli native", Process{OS: "linux", Exe: "/usr/lib/node_modules/@openai/codex/vendor/x86_64-unknown-linux-musl/codex/codex"}, "openai-codex"},
		{"codex via node", Process{OS: "linux", Exe: "/usr/bin/node", Args: []string{"node", "/usr/lib/node_modules/@openai/codex/bin/codex.js"}}, "openai-codex"},
		{"codex app-server", Process{OS: "linux", Exe: "/home/a/.vscode/extensions/openai.chatgpt-0.4.12-linux-x64/bin/linux-x86_64/codex", Args: []string{"codex", "app-server"}}, "openai-codex"},
		{"codex app-server elsewhere", Process{OS: "darwin", Exe: "/opt/homebrew/bin/codex", Args: []string{"codex", "app-server", "--listen"}}, "openai-codex"},
		{"other codex without evidence", Process{OS: "linux", Exe: "/usr/local/bin/codex", Args: []string{"codex", "app-serverx"}}, ""},
		{"copilot cli MainThread", Process{OS: "linux", Name: "MainThread", Exe: "/home/a/.nvm/versions/node/v22/lib/node_modules/@github/copilot/node_modules/@github/copilot-linux-x64/copilot"}, "github-copilot"},
		{"copilot cli npm loader", Process{OS: "linux", Name: "MainThread", Exe: "/usr/bin/node", Args: []string{"node", "/usr/lib/node_modules/@github/copilot/npm-loader.js"}}, "github-copilot"},
		{"aws copilot is not github", Process{OS: "linux", Exe: "/usr/local/bin/copilot", Args: []string{"copilot", "app", "init"}}, ""},
		{"gemini via node", Process{OS: "linux", Exe: "/usr/bin/node", Args: []string{"node", "--no-warnings", "/usr/lib/node_modules/@google/gemini-cli/bundle/gemini.js"}}, "google-gemini-cli"},
		{"gemini.js elsewhere", Process{OS: "linux", Exe: "/usr/bin/node", Args: []string{"node", "/srv/app/gemini.js"}}, ""},
		{"plain node", Process{OS: "linux", Exe: "/usr/bin/node", Args: []string{"node", "server.js"}}, ""},
		{"vllm serve", Process{OS: "linux", Exe: "/opt/venv/bin/python3", Args: []string{"python3", "/opt/venv/bin/vllm", "serve", "model"}}, "vllm"},
		{"vllm other subcommand", Process{OS: "linux", Exe: "/opt/venv/bin/vllm", Args: []string{"vllm", "bench"}}, ""},
		{"cursor mac helper", Process{OS: "darwin", Exe: "/Applications/Cursor.app/Contents/Frameworks/Cursor Helper (GPU).app/Contents/MacOS/Cursor Helper (GPU)"}, "cursor"},
		{"terminal app is nothing", Process{OS: "darwin", Exe: "/System/Applications/Utilities/Terminal.app/Contents/MacOS/Terminal"}, ""},
		{"user named jan", Process{OS: "linux", Exe: "/usr/bin/bash", Name: "bash", Args: []string{"-bash"}}, ""},
		{"process named jan on linux", Process{OS: "linux", Exe: "/home/jan/bin/jan", Name: "jan"}, ""},
		{"jan on mac", Process{OS: "darwin", Exe: "/Applications/Jan.app/Contents/MacOS/Jan"}, "jan"},
		{"empty", Process{}, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := id(c.MatchProcess(tc.p)); got != tc.want {
				t.Errorf("MatchProcess(%+v) = %q, want %q", tc.p, got, tc.want)
			}
		})
	}
}

func TestExtensionsAndPorts(t *testing.T) {
	c := embeddedCatalog(t)
	if got := id(c.MatchExtension("github.copilot")); got != "github-copilot" {
		t.Errorf("MatchExtension(github.copilot) = %q", got)
	}
	if got := id(c.MatchExtension("anthropic.claude-code")); got != "anthropic-claude-code" {
		t.Errorf("MatchExtension(anthropic.claude-code) = %q", got)
	}
	if got := c.ServicesOnPort(11434); len(got) != 1 || got[0].ID != "ollama" {
		t.Errorf("ServicesOnPort(11434) = %v", got)
	}
}

func TestRisk(t *testing.T) {
	c := embeddedCatalog(t)
	tests := []struct {
		id   string
		want int
	}{
		{"openai-chatgpt", 45},     // by_default 30 + enterprise 0 + US 5 + SOC 2 0 + account-free 10
		{"openai-api", 5},          // no 0 + 0 + US 5 + 0 + account 0
		{"deepseek", 85},           // by_default 30 + none 15 + CN 30 + none 10 + account 0
		{"ollama", 20},             // local 10 + account-free 10
		{"huggingface-spaces", 55}, // everything unknown: 20 + 10 + 10 + 10 + 5
	}
	for _, tc := range tests {
		if s := c.Lookup(tc.id); s == nil || s.Risk != tc.want {
			t.Errorf("risk of %s = %v, want %d", tc.id, s, tc.want)
		}
	}
	for _, s := range c.Services() {
		if s.Risk < 0 || s.Risk > 100 {
			t.Errorf("%s: risk %d outside 0-100", s.ID, s.Risk)
		}
	}
}

func TestBrowserExtensions(t *testing.T) {
	c := embeddedCatalog(t)
	for ext, want := range map[string]string{
		"kbfnbcaeplbcioakkpcpgfkobkghlhen": "grammarly",
		"fcoeoabgfenejglbffodgkkbkcdhcgfn": "anthropic-claude",
		"difoiogjjojoaoomphldepapgpbgkhkb": "sider",
		"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa": "",
	} {
		if got := id(c.MatchExtension(ext)); got != want {
			t.Errorf("MatchExtension(%s) = %q, want %q", ext, got, want)
		}
	}
}

func TestContainsSegments(t *testing.T) {
	tests := []struct {
		path string
		pat  []string
		want bool
	}{
		{"/usr/lib/node_modules/@openai/codex/bin/codex.js", []string{"@openai", "codex", "bin"}, true},
		{"/usr/lib/node_modules/@openai/codex-x/bin", []string{"@openai", "codex", "bin"}, false},
		{"/usr/lib/node_modules/@openai/codex-x/bin", []string{"@openai", "codex-*"}, true},
		{"C:/Users/A/AppData/Local/AnthropicClaude/app-1.0/claude.exe", []string{"anthropicclaude"}, true},
		{"/home/a/.vscode/extensions/openai.chatgpt-0.4.1-linux-x64/bin", []string{"extensions", "openai.chatgpt-*"}, true},
		{"/home/a/.vscode/extensions/openai.chatgptx/bin", []string{"extensions", "openai.chatgpt-*"}, false},
		{"/a/b", []string{"b", "c"}, false},
		{"/a/b/", []string{"b"}, true},
		{"", []string{"a"}, false},
		{"/x/notcursor/y", []string{"cursor"}, false},
	}
	for _, tc := range tests {
		if got := containsSegments(tc.path, tc.pat); got != tc.want {
			t.Errorf("containsSegments(%q, %q) = %v, want %v", tc.path, tc.pat, got, tc.want)
		}
	}
}
