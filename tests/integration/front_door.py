#!/usr/bin/env python3
"""Attacks on cpshared's front door (issue 9), for test_front_door.sh.

Standard library only; loopback only. Each subcommand sends one kind of attack
to the daemon at 127.0.0.1:PORT, prints what it measured, and exits 1 when the
daemon fails the bound.

  front_door.py [--tls CERT] PORT CHECK [args]

CHECKs: health, attack, cap, huge-length, chunked-flood, bad-chunk, te-gzip,
pipeline, range, trickle.
"""
import json
import os
import resource
import select
import socket
import ssl
import statistics
import subprocess
import sys
import time

HOST = "127.0.0.1"
ATTACKER = "127.0.0.2"  # Linux routes all of 127/8 to loopback
TLS_CTX = None


def fail(msg):
    print(f"FAIL: {msg}", file=sys.stderr)
    sys.exit(1)


def wrap(sock):
    if TLS_CTX is None:
        return sock
    return TLS_CTX.wrap_socket(sock, server_hostname=HOST)


def connect(port, source=None, timeout=5.0, tls=True):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.settimeout(timeout)
    if source:
        s.bind((source, 0))
    s.connect((HOST, port))
    return wrap(s) if tls else s


class Reader:
    """HTTP/1.1 responses off one socket, keeping what follows the current one."""

    def __init__(self, sock):
        self.sock, self.buf = sock, b""

    def _more(self):
        try:
            chunk = self.sock.recv(65536)
        except (ConnectionResetError, ssl.SSLError, BrokenPipeError, TimeoutError):
            chunk = b""  # closed, reset, or no answer in time: no (more) response
        self.buf += chunk
        return bool(chunk)

    def response(self, timeout=5.0):
        """(status, headers dict (lower-case names), body) or None when the
        connection closed first."""
        self.sock.settimeout(timeout)
        while b"\r\n\r\n" not in self.buf:
            if not self._more():
                return None
        head, self.buf = self.buf.split(b"\r\n\r\n", 1)
        lines = head.decode("latin-1").split("\r\n")
        status = int(lines[0].split()[1])
        headers = {}
        for line in lines[1:]:
            k, v = line.split(":", 1)
            headers[k.strip().lower()] = v.strip()
        length = int(headers.get("content-length", "0"))
        while len(self.buf) < length:
            if not self._more():
                break
        body, self.buf = self.buf[:length], self.buf[length:]
        return status, headers, body


def read_response(s, timeout=5.0):
    return Reader(s).response(timeout)


def try_recv(s):
    """What a socket select() called readable holds: bytes, b"" at a close, or
    None when nothing for the application came (a TLS 1.3 session ticket)."""
    blocking = s.getblocking()
    s.setblocking(False)
    try:
        return s.recv(65536)
    except (ssl.SSLWantReadError, BlockingIOError):
        return None
    except OSError:
        return b""
    finally:
        s.setblocking(blocking)


def request(port, raw, source=None, timeout=5.0):
    s = connect(port, source)
    s.sendall(raw)
    r = read_response(s, timeout)
    s.close()
    return r


def get(path):
    return f"GET {path} HTTP/1.1\r\nHost: {HOST}\r\n\r\n".encode()


def health_latency(port):
    t = time.monotonic()
    r = request(port, get("/api/v1/health"), timeout=10)
    took = time.monotonic() - t
    if r is None or r[0] != 200:
        fail(f"health did not answer 200 within 10 s (got {r and r[0]})")
    return took


def error_code(r):
    try:
        return json.loads(r[2])["error"]["code"]
    except Exception:
        return None


# --- checks


def check_attack(port, seconds, slow_n, idle_n, list_cmd):
    """SLOW_N connections sending a byte every 2 s and IDLE_N idle ones, all
    from 127.0.0.2 and reopened as the daemon closes them, for SECONDS; health
    from 127.0.0.1 every 0.25 s and `cpshare list` (LIST_CMD) every 2 s must
    each answer within 1 s. The list's bound is on what the attack adds: the
    CLI's own cost (process start, reading the session; several hundred ms in
    the ASan build on a busy CI machine) is measured first, with no attack, and
    added to the 1 s."""
    own = 0.0
    if list_cmd:
        for _ in range(3):
            t = time.monotonic()
            p = subprocess.run(list_cmd, shell=True, capture_output=True, text=True)
            own = max(own, time.monotonic() - t)
            if p.returncode != 0:
                fail(f"`{list_cmd}` failed before the attack: {p.stdout} {p.stderr}")
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, 65536), hard))
    conns = {}  # socket -> kind
    opened = refused = 0

    def open_one(kind):
        nonlocal opened
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.setblocking(False)
        s.bind((ATTACKER, 0))
        try:
            s.connect((HOST, port))
        except BlockingIOError:
            pass
        conns[s] = kind
        opened += 1

    for _ in range(slow_n):
        open_one("slow")
    for _ in range(idle_n):
        open_one("idle")
    slow_line = b"GET /api/v1/health HTTP/1.1\r\nHost: x\r\nX-Slow: " + b"a" * 4000
    sent = {}
    reopen = []  # closed by the daemon: opened again at the next 2 s round
    health, lists = [], []
    start = time.monotonic()
    next_trickle = next_health = next_list = start
    while time.monotonic() - start < seconds:
        now = time.monotonic()
        if now >= next_trickle:
            next_trickle = now + 2.0
            for kind in reopen:
                open_one(kind)
            reopen.clear()
            for s, kind in list(conns.items()):
                if kind != "slow":
                    continue
                i = sent.get(s, 0)
                try:
                    s.send(slow_line[i % len(slow_line):i % len(slow_line) + 1])
                    sent[s] = i + 1
                except (BlockingIOError, InterruptedError):
                    pass
                except OSError:
                    pass  # closed by the daemon: reaped below
        # Reap what the daemon closed (429 over the cap, 408 past the deadline) and reopen it.
        r, _, _ = select.select(list(conns), [], [], 0)
        for s in r:
            try:
                got = s.recv(4096)
            except OSError:
                got = b""
            if got.startswith(b"HTTP/1.1 429") or (TLS_CTX and not got):
                refused += 1  # over TLS an extra connection is closed before the handshake
            if not got or got.startswith(b"HTTP/1.1 "):
                reopen.append(conns.pop(s))
                sent.pop(s, None)
                s.close()
        if now >= next_health and now - start > 1.0:
            next_health = now + 0.25
            health.append(health_latency(port))
        if list_cmd and now >= next_list and now - start > 1.5:
            next_list = now + 2.0
            t = time.monotonic()
            p = subprocess.run(list_cmd, shell=True, capture_output=True, text=True)
            took = time.monotonic() - t
            if p.returncode != 0:
                fail(f"`{list_cmd}` failed under attack: {p.stdout} {p.stderr}")
            lists.append(took)
        time.sleep(0.01)
    for s in conns:
        s.close()
    health.sort()
    p50 = statistics.median(health)
    p99 = health[min(len(health) - 1, int(len(health) * 0.99))]
    print(f"attack from {ATTACKER}: {slow_n} slow + {idle_n} idle connections held for {seconds} s "
          f"({opened} opened, {refused} refused at once over the per-address cap: "
          f"{'closed, as are failed handshakes' if TLS_CTX else '429'})")
    print(f"health from {HOST} under attack: {len(health)} requests, median {p50 * 1000:.1f} ms, "
          f"p99 {p99 * 1000:.1f} ms, max {health[-1] * 1000:.1f} ms")
    if lists:
        print(f"logged-in `cpshare list` under attack: {len(lists)} runs, max {max(lists) * 1000:.1f} ms "
              f"(with no attack, at most {own * 1000:.1f} ms)")
    if health[-1] >= 1.0:
        fail(f"health took {health[-1]:.2f} s under attack (bound: 1 s)")
    if lists and max(lists) >= 1.0 + own:
        fail(f"`cpshare list` took {max(lists):.2f} s under attack "
             f"(bound: 1 s more than its {own:.2f} s with no attack)")
    if refused == 0 and idle_n + slow_n > 32:
        fail("no connection was refused over the per-address cap")


def check_cap(port, cap):
    """CAP connections from 127.0.0.2 are served; the next one gets 429 with
    Retry-After at once (plain) or is closed (TLS); 127.0.0.1 still answers."""
    held = [connect(port, ATTACKER) for _ in range(cap)]
    time.sleep(0.3)
    t = time.monotonic()
    s = connect(port, ATTACKER, tls=False)
    try:
        got = s.recv(4096)
    except OSError:
        got = b""
    took = time.monotonic() - t
    if TLS_CTX is None:
        if not got.startswith(b"HTTP/1.1 429"):
            fail(f"connection {cap + 1} from one address got {got[:40]!r}, expected 429")
        head, body = got.split(b"\r\n\r\n", 1)
        if b"Retry-After: " not in head:
            fail("the 429 has no Retry-After")
        if json.loads(body)["error"]["code"] != "RATE_LIMITED":
            fail(f"the 429's body is {body!r}")
    elif got:
        fail(f"connection {cap + 1} over TLS got {got[:40]!r}, expected a close")
    if took > 1.0:
        fail(f"the refusal took {took:.2f} s")
    print(f"connection {cap + 1} from {ATTACKER}: {'429 RATE_LIMITED' if TLS_CTX is None else 'closed'} "
          f"in {took * 1000:.1f} ms")
    # The held ones still work.
    held[0].sendall(get("/api/v1/health"))
    r = read_response(held[0])
    if not r or r[0] != 200:
        fail("a connection under the cap was not served")
    health_latency(port)
    for h in held:
        h.close()


def check_huge_length(port):
    t = time.monotonic()
    s = connect(port)
    s.sendall(b"POST /api/v1/users HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
              b"Content-Length: 100000000000\r\n\r\n{")
    r = read_response(s)
    took = time.monotonic() - t
    if not r or r[0] != 413 or error_code(r) != "PAYLOAD_TOO_LARGE":
        fail(f"Content-Length: 100000000000 got {r and r[0]} {r and r[2]!r}")
    if took >= 1.0:
        fail(f"the 413 took {took:.2f} s")
    print(f"Content-Length: 100000000000: 413 PAYLOAD_TOO_LARGE in {took * 1000:.1f} ms")


def check_chunked_flood(port, mib):
    """A chunked body of MIB MiB, sent as fast as the daemon reads: 413 once
    8 MiB have been read, long before the end."""
    s = connect(port)
    s.sendall(b"POST /api/v1/users HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
              b"Transfer-Encoding: chunked\r\n\r\n")
    chunk = b"10000\r\n" + b"a" * 0x10000 + b"\r\n"
    total = mib * 16  # 64 KiB chunks
    sent = 0
    t = time.monotonic()
    s.setblocking(False)
    pending = b""
    answer = None
    while True:
        r, w, _ = select.select([s], [s] if sent < total or pending else [], [], 10)
        if r:
            got = try_recv(s)
            if got is not None:
                s.setblocking(True)
                reader = Reader(s)
                reader.buf = got
                answer = reader.response()
                break
        if not r and not w:
            fail("no answer to the chunked flood within 10 s")
        if w:
            if not pending:
                pending = chunk if sent < total else b"0\r\n\r\n"
            try:
                n = s.send(pending)
            except BlockingIOError:
                continue
            except OSError:
                s.setblocking(True)
                answer = read_response(s)
                break
            pending = pending[n:]
            if not pending:
                sent += 1
    took = time.monotonic() - t
    if not answer or answer[0] != 413 or error_code(answer) != "PAYLOAD_TOO_LARGE":
        fail(f"a {mib} MiB chunked body got {answer and answer[0]}, expected 413")
    print(f"chunked body of {mib} MiB: 413 PAYLOAD_TOO_LARGE after {sent * 64 / 1024:.1f} MiB sent "
          f"(the rest never read) in {took * 1000:.0f} ms")
    if sent * 64 / 1024 > 48:
        fail("the daemon read far past 8 MiB before refusing")


def check_refused_at_once(port, name, head, body, status, code):
    t = time.monotonic()
    s = connect(port)
    s.sendall(head + body)
    r = read_response(s)
    took = time.monotonic() - t
    if not r or r[0] != status or error_code(r) != code:
        fail(f"{name} got {r and r[0]} {r and r[2]!r}, expected {status} {code}")
    if took >= 1.0:
        fail(f"{name}: the refusal took {took:.2f} s")
    print(f"{name}: {status} {code} in {took * 1000:.1f} ms")


def check_pipeline(port):
    s = connect(port)
    s.sendall(get("/api/v1/health") + get("/api/v1/terms") +
              b"POST /api/v1/users HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
              b"Transfer-Encoding: chunked\r\n\r\n5\r\n{\"use\r\nb\r\nrname\":\"x\"}\r\n0\r\n\r\n" +
              get("/api/v1/health"))
    # The chunked registration is decoded (422: fields missing, not 400: unreadable).
    want = [(200, lambda d: "status" in d["data"]), (200, lambda d: "agreement" in d["data"]),
            (422, lambda d: d["error"]["code"] == "VALIDATION_FAILED"), (200, lambda d: "status" in d["data"])]
    reader = Reader(s)
    got = []
    for _ in want:
        r = reader.response()
        if r is None:
            fail(f"pipelined requests: only {len(got)} answers of {len(want)}")
        got.append((r[0], json.loads(r[2])))
    for i, ((status, ok), (gs, data)) in enumerate(zip(want, got)):
        if gs != status or not ok(data):
            fail(f"pipelined answer {i + 1}: {gs} {data}, expected {status} (health, terms, 422, health)")
    print(f"{len(want)} pipelined requests in one write (one chunked): {len(got)} answers, in order")


def check_unreadable_closes(port):
    """A request httplib cannot read (a header line over its 8 KiB) gets 400
    and the connection closes: the bytes after it, which look like another
    request, are never answered (they would be a smuggled request)."""
    for name, raw in [
        ("a header line over 8 KiB", b"GET /api/v1/health HTTP/1.1\r\nHost: x\r\nX: " + b"a" * 8300 + b"\r\n"),
        ("a request line without a version", b"GET /x\r\n\r\n"),
    ]:
        s = connect(port)
        s.sendall(raw + b"GET /api/v1/smuggled HTTP/1.1\r\nHost: x\r\n\r\n")
        reader = Reader(s)
        first = reader.response()
        if not first or first[0] != 400:
            fail(f"{name}: got {first and first[0]}, expected 400")
        started = time.monotonic()
        second = reader.response(3.0)
        if second is not None:
            fail(f"{name}: the bytes after it were answered as a request ({second[0]})")
        if time.monotonic() - started > 2.0:
            fail(f"{name}: the connection stayed open {time.monotonic() - started:.1f} s after the 400")
        s.close()
        print(f"{name}: 400, then the connection closed; nothing after it was read as a request")


def check_range(port, ranges):
    doc = request(port, get("/api/v1/openapi.yaml"))
    raw = (f"GET /api/v1/openapi.yaml HTTP/1.1\r\nHost: x\r\nRange: bytes=" + ",".join(["0-"] * ranges) +
           "\r\n\r\n").encode()
    s = connect(port)
    s.sendall(raw)
    r = read_response(s, 10)
    if not r or r[0] != 200 or len(r[2]) != len(doc[2]) or r[2] != doc[2]:
        fail(f"Range with {ranges} ranges got {r and r[0]}, {r and len(r[2])} bytes (document: {len(doc[2])})")
    print(f"Range with {ranges} ranges ({len(raw)} byte request): one plain 200 of {len(r[2])} bytes")


def check_trickle(port, deadline):
    """Headers sent a byte a second: 408 (or a close) once DEADLINE s have
    passed since the first byte, not before."""
    s = connect(port)
    t = time.monotonic()
    line = b"GET /api/v1/health HTTP/1.1\r\nHost: x\r\nX-Trickle: " + b"a" * 100
    answer = b""
    i = 0
    while time.monotonic() - t < deadline + 5:
        try:
            s.send(line[i:i + 1])
        except OSError:
            break
        i += 1
        r, _, _ = select.select([s], [], [], 1.0)
        if r:
            answer = try_recv(s)
            if answer is not None:
                break
            answer = b""
    took = time.monotonic() - t
    if answer and not answer.startswith(b"HTTP/1.1 408"):
        fail(f"trickled headers got {answer[:40]!r}, expected 408 or a close")
    if took < deadline - 0.5 or took > deadline + 2:
        fail(f"trickled headers ended after {took:.1f} s, expected about {deadline} s")
    print(f"headers trickled a byte a second: {'408 REQUEST_TIMEOUT' if answer else 'closed'} after {took:.1f} s")


def main():
    global TLS_CTX
    args = sys.argv[1:]
    if args[0] == "--tls":
        TLS_CTX = ssl.create_default_context(cafile=args[1])
        args = args[2:]
    port, check, rest = int(args[0]), args[1], args[2:]
    if check == "health":
        print(f"health: {health_latency(port) * 1000:.1f} ms")
    elif check == "attack":
        check_attack(port, float(rest[0]), int(rest[1]), int(rest[2]), rest[3] if len(rest) > 3 else None)
    elif check == "cap":
        check_cap(port, int(rest[0]))
    elif check == "huge-length":
        check_huge_length(port)
    elif check == "chunked-flood":
        check_chunked_flood(port, int(rest[0]))
    elif check == "bad-chunk":
        check_refused_at_once(port, "chunk size -1",
                              b"POST /api/v1/users HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                              b"Transfer-Encoding: chunked\r\n\r\n", b"-1\r\n{}\r\n0\r\n\r\n", 400, "MALFORMED_REQUEST")
    elif check == "te-gzip":
        check_refused_at_once(port, "Transfer-Encoding: gzip",
                              b"POST /api/v1/users HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                              b"Transfer-Encoding: gzip\r\n\r\n", b"\x1f\x8b\x08\x00", 501, "NOT_IMPLEMENTED")
    elif check == "pipeline":
        check_pipeline(port)
    elif check == "unreadable":
        check_unreadable_closes(port)
    elif check == "range":
        check_range(port, int(rest[0]))
    elif check == "trickle":
        check_trickle(port, float(rest[0]))
    else:
        fail(f"unknown check {check}")


if __name__ == "__main__":
    main()
