#!/usr/bin/env python3
"""Seeds a temporary fuzz corpus for one target from the repository's own
test data (string literals of the unit tests, the e2e sample messages) and,
when present, the team's ../shared/conformance suites. Nothing written here
is committed: scripts/fuzz.sh passes a temporary directory.

    Fuzz/seed.py <target> <corpus-directory>
"""
import hashlib
import os
import re
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SHARED = os.path.join(os.path.dirname(ROOT), "shared", "conformance")
MAX_SEEDS = 400
MAX_SIZE = 64 * 1024

# Swift string literals, single-line and multi-line ("""...""").
MULTI = re.compile(r'"""\n(.*?)\n\s*"""', re.S)
SINGLE = re.compile(r'"((?:[^"\\\n]|\\.)*)"')


def unescape(text):
    text = re.sub(r"\\u\{([0-9a-fA-F]+)\}", lambda m: chr(int(m.group(1), 16)), text)
    for escape, char in (("\\r", "\r"), ("\\n", "\n"), ("\\t", "\t"), ("\\0", "\0"), ('\\"', '"')):
        text = text.replace(escape, char)
    return text.replace("\\\\", "\\")


def swift_strings(directory):
    for base, _, files in os.walk(os.path.join(ROOT, directory)):
        for name in sorted(files):
            if not name.endswith(".swift"):
                continue
            with open(os.path.join(base, name), encoding="utf-8", errors="replace") as f:
                source = f.read()
            for match in MULTI.finditer(source):
                lines = match.group(1).split("\n")
                indent = min((len(l) - len(l.lstrip()) for l in lines if l.strip()), default=0)
                yield unescape("\n".join(l[indent:] for l in lines)).replace("\n", "\r\n")
            for match in SINGLE.finditer(source):
                if "\\(" not in match.group(1):
                    yield unescape(match.group(1))


def shared_files(subdirectory, suffixes):
    top = os.path.join(SHARED, subdirectory)
    for base, _, files in os.walk(top):
        for name in sorted(files):
            if name.endswith(suffixes):
                with open(os.path.join(base, name), "rb") as f:
                    yield f.read()


def yaml_scalars(subdirectory, pattern):
    """Values of matching lines in the shared YAML suites (no YAML parser:
    this is seed material, not a reading of the suites)."""
    for data in shared_files(subdirectory, (".yml", ".yaml")):
        for line in data.decode("utf-8", "replace").splitlines():
            match = re.search(pattern, line)
            if match:
                yield match.group(1).strip().strip("'\"")


def e2e_heredocs(marker):
    """The here-documents ending in `marker` of the end-to-end scripts
    (sample messages, configurations)."""
    directory = os.path.join(ROOT, "tests", "e2e")
    for name in sorted(os.listdir(directory)):
        with open(os.path.join(directory, name), encoding="utf-8", errors="replace") as f:
            source = f.read()
        for block in re.findall(r"<<'?" + marker + r"'?\n(.*?)\n" + marker + r"\n", source, re.S):
            yield block.replace("\n", "\r\n") if marker == "MSG" else block


def select(strings, predicate):
    for text in strings:
        if predicate(text):
            yield text


def seeds(target):
    tests = lambda: swift_strings("Tests")
    lower = lambda t: t.lower()
    if target in ("milter-commands", "milter-responses"):
        # The protocol tests build packets in code; the committed corpus
        # holds wire captures. Text seeds still give the decoder payloads.
        yield from select(tests(), lambda t: len(t) < 200)
    elif target == "header-fields":
        yield from select(tests(), lambda t: ":" in t and "\n" in t)
        for data in shared_files("dkim", (".msg", ".message", ".eml", ".mbox")):
            yield data
        yield from e2e_heredocs("MSG")
    elif target == "addresses":
        yield from select(tests(), lambda t: "@" in t)
    elif target == "dkim-tags":
        yield from select(tests(), lambda t: re.search(r"\b[a-z]{1,2}=", t) and ";" in t)
    elif target == "dkim-key":
        for text in select(tests(), lambda t: "p=" in t or "k=" in t):
            yield "\x10" + text
        for data in shared_files("dkim", (".txt", ".dns", ".key")):
            yield b"\x10" + data
    elif target == "spf-record":
        yield from select(tests(), lambda t: lower(t).startswith("v=spf1"))
        yield from select(yaml_scalars("spf", r"(v=spf1.*)"), lambda t: True)
    elif target == "spf-macro":
        yield from (t + "\nuser" for t in select(tests(), lambda t: "%{" in t or "%%" in t))
        yield from (m + "\nstrong-bad" for m in re.findall(r"%\{[^}]*\}[^ '\"]*", "\n".join(yaml_scalars("spf", r"(.*%\{.*)"))))
    elif target == "dmarc-record":
        yield from select(tests(), lambda t: "dmarc1" in lower(t))
    elif target == "auth-results":
        yield from select(tests(), lambda t: ";" in t and "=" in t)
    elif target == "arc":
        yield from select(tests(), lambda t: "arc-" in lower(t) and ":" in t and "\n" in t)
        for data in shared_files("arc", (".yml", ".yaml")):
            for block in re.findall(rb"message:\s*\|\n((?:      .*\n|\n)+)", data):
                yield b"\r\n".join(line[6:] for line in block.split(b"\n"))
        yield from e2e_heredocs("MSG")
    elif target == "dns-answer":
        return  # binary wire captures only: the committed corpus
    elif target == "ipc-frame":
        # The report rows of the tests, framed as the worker sends them.
        for text in select(tests(), lambda t: t.lstrip().startswith("{")):
            payload = text.encode("utf-8")
            yield len(payload + b"_").to_bytes(4, "big") + b"\x01" + payload
    elif target == "spamd-reply":
        yield from select(tests(), lambda t: t.startswith("SPAMD/"))
    elif target == "rspamd-reply":
        # The tests' JSON bodies, each as rspamd's HTTP reply carries it.
        for body in select(tests(), lambda t: t.lstrip().startswith("{")):
            data = body.encode("utf-8")
            yield b"HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: %d\r\n\r\n" % len(data) + data
        yield from select(tests(), lambda t: t.startswith("HTTP/1."))
    elif target == "clamd-reply":
        for line in select(tests(), lambda t: t.startswith("stream: ") or "ERROR" in t or t.startswith("PONG")):
            yield line.encode("utf-8").replace(b"\\0", b"\0")
    elif target == "bimi-svg":
        # The indicators of the tests (SVG documents).
        yield from select(tests(), lambda t: t.lstrip().startswith("<svg"))
    elif target == "bimi-http-response":
        # Answers as a logo server sends them: the tests' SVGs framed by
        # Content-Length and by chunks.
        for body in select(tests(), lambda t: t.lstrip().startswith("<svg")):
            data = body.encode("utf-8")
            yield b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n" % len(data) + data
            yield b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n%x\r\n" % len(data) + data + b"\r\n0\r\n\r\n"
        yield b"HTTP/1.0 302 Found\r\nLocation: https://x/\r\n\r\n"
    elif target == "blocker-toml":
        # The rule files of the tests and the e2e's hand-written rule.
        yield from select(tests(), lambda t: "=" in t and ("[" in t or "\n" in t))
        yield from e2e_heredocs("TOML")
    elif target == "smtp-data":
        # The tests' DATA contents, behind a piece-size byte.
        for text in select(tests(), lambda t: "\r\n" in t or "\n." in t):
            yield "\x05" + text
    elif target == "smtp-session":
        yield from select(tests(), lambda t: re.match(r"(?i)(ehlo|lhlo|helo|mail from:|rcpt to:|xforward|\d\d\d[ -])", t))
    elif target == "config-json":
        yield from select(tests(), lambda t: t.lstrip().startswith("{"))
        yield from (t for t in e2e_heredocs("CONF") if t.lstrip().startswith("{"))
        etc = os.path.join(ROOT, "etc")
        for base, _, files in os.walk(etc):
            for name in sorted(files):
                if name.endswith(".json"):
                    with open(os.path.join(base, name), "rb") as f:
                        yield f.read()
    else:
        sys.exit("seed.py: unknown target " + target)


def main():
    target, corpus = sys.argv[1], sys.argv[2]
    os.makedirs(corpus, exist_ok=True)
    written = set()
    for seed in seeds(target):
        data = seed.encode("utf-8") if isinstance(seed, str) else seed
        if not data or len(data) > MAX_SIZE:
            continue
        digest = hashlib.sha1(data).hexdigest()
        if digest in written:
            continue
        written.add(digest)
        with open(os.path.join(corpus, "seed-" + digest), "wb") as f:
            f.write(data)
        if len(written) >= MAX_SEEDS:
            break


if __name__ == "__main__":
    main()
