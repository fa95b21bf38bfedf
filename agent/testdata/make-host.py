#!/usr/bin/env python3
"""Writes host/: a fake Linux host (node_exporter-style fixture) for the
endpoint sensor tests: /proc with processes, sockets and fds, /etc/passwd,
and home directories with IDE extensions, browser profiles and model stores.

    python3 make-host.py        # rewrites host/ beside this script

Every case the sensors must handle has a process or a file here; the
comments say which.
"""
import io, json, os, shutil, zipfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.join(HERE, "host")
BTIME = 1764000000

def w(path, data, mode=None):
    p = os.path.join(ROOT, path.lstrip("/"))
    os.makedirs(os.path.dirname(p), exist_ok=True)
    with open(p, "wb") as f:
        f.write(data if isinstance(data, bytes) else data.encode())
    if mode is not None:
        os.chmod(p, mode)

def link(path, target):
    p = os.path.join(ROOT, path.lstrip("/"))
    os.makedirs(os.path.dirname(p), exist_ok=True)
    os.symlink(target, p)

def proc(pid, comm, ppid, uid, exe, args, start=1000, fds=()):
    d = "proc/%d" % pid
    w(d + "/stat", "%d (%s) S %d %d %d 0 -1 4194560 100 0 0 0 1 1 0 0 20 0 1 0 %d 1000000 100 18446744073709551615\n"
      % (pid, comm, ppid, pid, pid, start))
    w(d + "/status", "Name:\t%s\nUmask:\t0022\nState:\tS (sleeping)\nTgid:\t%d\nPid:\t%d\nPPid:\t%d\nUid:\t%d\t%d\t%d\t%d\nGid:\t%d\t%d\t%d\t%d\n"
      % (comm, pid, pid, ppid, uid, uid, uid, uid, uid, uid, uid, uid))
    w(d + "/comm", comm + "\n")
    w(d + "/cmdline", b"".join((a if isinstance(a, bytes) else a.encode()) + b"\0" for a in args))
    if exe is not None:
        link(d + "/exe", exe)
    os.makedirs(os.path.join(ROOT, d, "fd"), exist_ok=True)
    for n, inode in fds:
        link("%s/fd/%d" % (d, n), "socket:[%d]" % inode)

def hexaddr4(ip, port):
    a = bytes(int(x) for x in ip.split("."))
    return "%08X:%04X" % (int.from_bytes(a, "little"), port)

def hexaddr6(ip16, port):
    words = [int.from_bytes(ip16[i:i+4], "little") for i in range(0, 16, 4)]
    return "".join("%08X" % x for x in words) + ":%04X" % port

TCP_HDR = "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n"
TCP6_HDR = "  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n"

def sockline(i, local, remote, st, uid, inode):
    return "%4d: %s %s %s 00000000:00000000 00:00000000 00000000 %5d        0 %d 1 0000000000000000 100 0 0 10 0\n" % (i, local, remote, st, uid, inode)

def main():
    shutil.rmtree(ROOT, ignore_errors=True)
    w("proc/stat", "cpu  1 2 3 4 5 6 7 0 0 0\nbtime %d\nprocesses 900\n" % BTIME)
    w("etc/passwd", "\n".join([
        "root:x:0:0:root:/root:/bin/bash",
        "daemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin",
        "nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin",
        "ollama:x:998:998::/usr/share/ollama:/bin/false",
        "alice:x:1000:1000:Alice:/home/alice:/bin/bash",
        "bob:x:1001:1001:Bob:/home/bob:/bin/bash",
        "jan:x:1002:1002:Jan (a person, not the Jan app):/home/jan:/bin/bash",
        "broken line without fields",
        "",
    ]))
    # Processes.
    proc(1, "systemd", 0, 0, "/usr/lib/systemd/systemd", ["/sbin/init"], start=1)
    proc(2, "kthreadd", 0, 0, None, [], start=1)  # kernel thread: no exe, no cmdline
    proc(100, "ollama", 1, 998, "/usr/local/bin/ollama", ["/usr/local/bin/ollama", "serve"], fds=[(3, 5001)])
    proc(101, "ollama-exporte", 1, 0, "/usr/local/bin/ollama-exporter", ["/usr/local/bin/ollama-exporter", "--web.listen-address=:9101"], fds=[(3, 5002)])  # look-alike
    proc(110, "llama-server", 1, 1001, b"/opt/\xff\xfellama/llama-server", [b"/opt/\xff\xfellama/llama-server", "-m", "/home/bob/models/q4.gguf"], fds=[(3, 5003), (4, 5004)])  # odd encoding
    proc(200, "claude", 1, 1000, "/home/alice/.npm-global/lib/node_modules/@anthropic-ai/claude-code/bin/claude",
         ["claude", "--model", "opus", "write the launch plan for Project Falcon"], fds=[(20, 6001)])  # native CLI inside an npm package
    proc(210, "node", 1, 1001, "/usr/bin/node", ["node", "/usr/lib/node_modules/@google/gemini-cli/bundle/gemini.js", "-p", "summarise salaries.xlsx"], fds=[(21, 6002)])
    proc(220, "MainThread", 1, 1000, "/usr/bin/node", ["node", "/home/alice/.npm-global/lib/node_modules/@github/copilot/index.js", "--banner"])  # Copilot CLI renames its thread
    proc(300, "code", 1, 1000, "/usr/share/code/code", ["/usr/share/code/code"])
    proc(301, "code", 300, 1000, "/usr/share/code/code", ["/usr/share/code/code", "--type=utility", "--utility-sub-type=node.mojom.NodeService"])
    proc(230, "codex", 301, 1000, "/home/alice/.npm-global/lib/node_modules/@openai/codex/vendor/x86_64-unknown-linux-musl/codex/codex",
         ["/home/alice/.npm-global/lib/node_modules/@openai/codex/vendor/x86_64-unknown-linux-musl/codex/codex", "app-server"])  # Codex app-server under VS Code
    proc(400, "cursor", 1, 1000, "/usr/share/cursor/cursor", ["/usr/share/cursor/cursor", "--no-sandbox"])  # Electron: one app, four processes
    proc(401, "cursor", 400, 1000, "/usr/share/cursor/cursor", ["/usr/share/cursor/cursor", "--type=zygote", "--no-zygote-sandbox"])
    proc(402, "cursor", 401, 1000, "/usr/share/cursor/cursor", ["/usr/share/cursor/cursor", "--type=renderer", "--lang=en-US"])
    proc(403, "cursor", 400, 1000, "/usr/share/cursor/cursor", ["/usr/share/cursor/cursor", "--type=gpu-process"])
    proc(410, "cursor", 1, 1001, "/usr/share/cursor/cursor", ["/usr/share/cursor/cursor"])  # same app, another user
    proc(420, "cursor", 1, 1001, "/usr/share/cursor/cursor", ["/usr/share/cursor/cursor", "--type=renderer"])  # orphan helpers: one app
    proc(421, "cursor", 1, 1001, "/usr/share/cursor/cursor", ["/usr/share/cursor/cursor", "--type=gpu-process"])
    proc(600, "ollama", 1, 4242, "/usr/local/bin/ollama", ["ollama", "run", "x" * 70000])  # huge command line, unknown uid
    proc(700, "bash", 1, 1002, "/usr/bin/bash", ["-bash"])  # a user named jan
    proc(701, "jan", 1, 1002, "/usr/local/bin/jan", ["jan", "--help"])  # a Linux tool named jan, not the Jan app
    proc(800, "python3", 1, 1001, "/usr/bin/python3.12", ["python3", "-m", "http.server", "1234"], fds=[(3, 5005)])  # unconfirmed listener on LM Studio's port
    # Bad entries: vanished (status gone), unreadable (status is a directory), malformed stat.
    w("proc/500/stat", "500 (gone) S 1 500 500 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 5 0 0\n")
    w("proc/501/status/.keep", "")
    w("proc/501/stat", "501 (locked) S 1 501 501 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 5 0 0\n")
    w("proc/502/stat", "garbage")
    w("proc/502/status", "")
    # Sockets: LISTEN is 0A, ESTABLISHED 01; UDP 07 is unconnected.
    lo6 = bytes(15) + b"\x01"
    any6 = bytes(16)
    w("proc/net/tcp", TCP_HDR
      + sockline(0, hexaddr4("127.0.0.1", 11434), hexaddr4("0.0.0.0", 0), "0A", 998, 5001)
      + sockline(1, hexaddr4("0.0.0.0", 9101), hexaddr4("0.0.0.0", 0), "0A", 0, 5002)
      + sockline(2, hexaddr4("0.0.0.0", 8080), hexaddr4("0.0.0.0", 0), "0A", 1001, 5003)
      + sockline(3, hexaddr4("0.0.0.0", 1234), hexaddr4("0.0.0.0", 0), "0A", 1001, 5005)
      + sockline(4, hexaddr4("10.0.0.5", 50000), hexaddr4("160.79.104.10", 443), "01", 1000, 6001)
      + "   5: this line is malformed\n")
    w("proc/net/tcp6", TCP6_HDR
      + sockline(0, hexaddr6(any6, 8080), hexaddr6(any6, 0), "0A", 1001, 5004)
      + sockline(1, hexaddr6(lo6, 41000), hexaddr6(lo6, 11434), "01", 1000, 6003))
    w("proc/net/udp", TCP_HDR
      + sockline(0, hexaddr4("10.0.0.5", 40000), hexaddr4("10.0.0.1", 53), "01", 1001, 6002))
    w("proc/net/udp6", TCP6_HDR)
    homes()

def vsix(base, publisher, name, version):
    w(base + "/%s.%s-%s/package.json" % (publisher.lower(), name, version),
      json.dumps({"name": name, "publisher": publisher, "version": version, "displayName": name}))

def jar(path, plugin_id, name):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("META-INF/plugin.xml", "<idea-plugin>\n  <id>%s</id>\n  <name>%s</name>\n  <version>1.5.0</version>\n</idea-plugin>\n" % (plugin_id, name))
        z.writestr("com/example/Main.class", b"\xca\xfe\xba\xbe")
    w(path, buf.getvalue())

def chrome(base, profile, ext_id, version, name):
    w("%s/%s/Extensions/%s/%s/manifest.json" % (base, profile, ext_id, version),
      json.dumps({"manifest_version": 3, "name": name, "version": version.split("_")[0]}))

def homes():
    a = "/home/alice"
    vsix(a + "/.vscode/extensions", "GitHub", "copilot", "1.250.0")
    vsix(a + "/.vscode/extensions", "ms-python", "python", "2025.1.0")  # not AI
    vsix(a + "/.vscode/extensions", "Continue", "continue", "1.0.5")
    w(a + "/.vscode/extensions/broken.ext-1.0.0/package.json", "{not json")  # falls back to the folder name
    w(a + "/.vscode/extensions/.obsolete", "{}")
    vsix(a + "/.cursor/extensions", "GitHub", "copilot-chat", "0.30.0")
    jar(a + "/.local/share/JetBrains/IntelliJIdea2025.1/github-copilot-intellij/lib/github-copilot-intellij-1.5.0.jar", "com.github.copilot", "GitHub Copilot")
    jar(a + "/.local/share/JetBrains/IntelliJIdea2025.1/markdown/lib/markdown.jar", "org.intellij.plugins.markdown", "Markdown")
    w(a + "/.local/share/JetBrains/IntelliJIdea2025.1/broken-plugin/lib/broken.jar", b"PK\x03\x04 not a zip")
    chrome(a + "/.config/google-chrome", "Default", "ejcfepkfckglbmecfcjkjhkpakkbmgol", "1.2.0_0", "__MSG_appName__")
    chrome(a + "/.config/google-chrome", "Profile 1", "cjpalhdlnbpafiamejdnhcphjbkeiagm", "1.60.0_0", "uBlock Origin")  # not AI
    w(a + "/.mozilla/firefox/profiles.ini", "[Profile0]\nName=default-release\nPath=abcd1234.default-release\n")
    w(a + "/.mozilla/firefox/abcd1234.default-release/extensions.json", json.dumps({"schemaVersion": 36, "addons": [
        {"id": "{b8a8c7d5-0c7b-4f5e-9b1a-000000000001}", "version": "2.1", "type": "extension", "location": "app-profile", "active": True, "defaultLocale": {"name": "Sider AI"}},
        {"id": "default-theme@mozilla.org", "version": "1.4", "type": "theme", "location": "app-builtin", "active": True},
        {"id": "uBlock0@raymondhill.net", "version": "1.60", "type": "extension", "location": "app-profile", "active": True},
    ]}))
    w(a + "/.mozilla/firefox/zzzz.broken/extensions.json", "{\"addons\": [")  # damaged: skipped and counted
    w(a + "/.ollama/models/manifests/registry.ollama.ai/library/llama3.2/latest", "{}" * 50)
    w(a + "/.ollama/models/blobs/sha256-aaaa", b"\0" * 4096)
    w(a + "/.ollama/models/blobs/sha256-bbbb", b"\0" * 1000)
    w(a + "/.cache/huggingface/hub/models--gpt2/blobs/0123abcd", b"\0" * 2048)
    link(a + "/.cache/huggingface/hub/models--gpt2/snapshots/main/model.safetensors", "../../blobs/0123abcd")  # counted once
    link(a + "/.cache/huggingface/hub/models--gpt2/snapshots/loop", ".")  # a loop is not followed
    b = "/home/bob"
    vsix(b + "/.windsurf/extensions", "Codeium", "windsurfPyright", "1.0.0")
    chrome(b + "/.config/BraveSoftware/Brave-Browser", "Default", "ejcfepkfckglbmecfcjkjhkpakkbmgol", "1.3.0_0", "ChatGPT")
    chrome(b + "/.config/microsoft-edge", "Default", "camppjleccjaphfdbohjdohecfnoikec", "4.0.0_0", "Merlin")
    w(b + "/.lmstudio/models/lmstudio-community/qwen/qwen-q4.gguf", b"\0" * 3000)
    w("/home/jan/.bashrc", "# jan is a person\n")
    w("/usr/share/ollama/.ollama/models/blobs/sha256-cccc", b"\0" * 5000)  # the ollama service account's store
    vsix("/home/ldapuser/.vscode/extensions", "GitHub", "copilot", "1.200.0")  # a home without a passwd entry

if __name__ == "__main__":
    main()
