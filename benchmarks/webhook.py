"""Webhook throughput and latency: the bot's 帮助 and 查找 beside a bare echo and a WeRoBot bot.

Every side runs under the same gunicorn settings (`alumni-bot serve --workers 2`: gthread,
8 threads) and is driven by the same wrk load (16 connections, a fresh MsgId each time, so the
bot's dedup never short-cuts the work). The sides, in one run:

- echo: bare Flask + wechatpy (benchmarks/echo_app.py): check the signature, parse, reply;
- echo+claim: the same plus one Redis SET NX EX of the MsgId (the least a deduplicating webhook does);
- werobot: a WeRoBot bot answering 帮助 with the bot's own help text (benchmarks/werobot_app.py),
  the peer a user would pick instead of this project (`pip install -e '.[bench]'`);
- help: the bot answering 帮助 from 500 unbound senders;
- search: the bot answering `查找 <word>` from --searchers bound alumni, enough that none reaches
  the 30-searches-an-hour limit (each bot start has its own Redis prefix, so the count restarts),
  the words drawn from the roster: a surname, a full name, pinyin, initials, a year, a city, a
  college, an employer, an eighth each;
- echo+claim+lookup: echo+claim answering the same `查找` messages with the bot's own lookup and
  page text on the same database and pool kind, the searchers' classes read once at its start:
  the floor of any deduplicating webhook that searches this directory (benchmarks/echo_app.py);
- help@base, search@base (--baseline CHECKOUT): the bot of the code before, its checkout first on
  the servers' path, on a database of its own (--baseline-database with PostgreSQL).

The bot's database holds --alumni imported alumni (gen-roster + import-roster), every fifth made
public (--public-share). Run by hand:

    python benchmarks/webhook.py [--seconds 20] [--rounds 3] [--connections 16] [--alumni 20000]
                                 [--database URL] [--redis URL] [--sides help,search]
                                 [--baseline CHECKOUT [--baseline-database URL]]

    python benchmarks/webhook.py --cpu 1000 [--redis URL] [--alumni 20000] [--database URL]

`--cpu N` runs no servers and no wrk: it calls each WSGI app in this process N times per batch
(echo, echo+claim, werobot and the bot's help with 帮助; the bot's search and echo+claim+lookup
with the searches, on the same roster and Redis) and reports the process CPU per message, the best
of 5 batches: what each costs its worker, free of wrk's and the neighbours' share of the cores.

Needs wrk (apt-get install wrk) and, for `--workers 2`, a real Redis (default 127.0.0.1:6379/15).
Without --database the bot runs on a fresh SQLite file; with a PostgreSQL URL the database is
created if missing, the roster built once and kept, and the run's searchers removed after.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import random
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(1, str(HERE))

from api import ensure_database, ensure_roster, remove_searchers, save_viewers

from wechat_bot.webhook.crypto import signature

TOKEN = "bench-token"
SEARCHES_PER_HOUR = 30  # the directory's default searches_per_hour
# MsgIds must never repeat, within a run or across runs against the same Redis: wrk's Lua has an
# unseeded math.random, and its threads count alike, so each id is the run's own number, the
# thread's number and the thread's counter.
LUA = r"""
local threads = 0
function setup(thread)
  thread:set("tid", threads)
  threads = threads + 1
end

local senders = {SENDERS}
local words = {WORDS}
counter = 0
request = function()
  counter = counter + 1
  local n = counter * 2 + tid
  local id = string.format("RUN_ID%d%09d", tid, counter)
  local body = "<xml><ToUserName><![CDATA[gh_bench]]></ToUserName><FromUserName><![CDATA["
    .. senders[(n % #senders) + 1] .. "]]></FromUserName><CreateTime>1700000000</CreateTime>"
    .. "<MsgType><![CDATA[text]]></MsgType><Content><![CDATA[" .. words[(n % #words) + 1]
    .. "]]></Content><MsgId>" .. id .. "</MsgId></xml>"
  return wrk.format("POST", nil, {["Content-Type"] = "text/xml"}, body)
end
"""
VISITORS = [f"o-bench-{n}" for n in range(500)]  # who sends 帮助: unbound, as most senders are
KINDS = ("surname", "name", "pinyin", "initials", "year", "city", "college", "employer")


def signed_query(token: str = TOKEN, openid: str = "o") -> str:
    """Signed now: the bot refuses a timestamp older than wechat.timestamp_tolerance_seconds (300 s),
    so each wrk run gets its own (and --seconds must stay under that)."""
    stamp = str(int(time.time()))
    return f"signature={signature(token, stamp, 'n')}&timestamp={stamp}&nonce=n&openid={openid}"


def text_xml(sender: str, content: str, msg_id: int, created: int = 1700000000) -> bytes:
    """A text message as WeChat posts it (plain mode)."""
    return (f"<xml><ToUserName><![CDATA[gh_bench]]></ToUserName><FromUserName><![CDATA[{sender}]]>"
            f"</FromUserName><CreateTime>{created}</CreateTime><MsgType><![CDATA[text]]></MsgType>"
            f"<Content><![CDATA[{content}]]></Content><MsgId>{msg_id}</MsgId></xml>").encode()


def scan_xml(sender: str, scene: str, created: int) -> bytes:
    """A follower scanning a parametric QR code (PROTOCOL.md: SCAN, EventKey = the scene). Events
    carry no MsgId: WeChat's retries are told apart by sender + CreateTime."""
    return (f"<xml><ToUserName><![CDATA[gh_bench]]></ToUserName><FromUserName><![CDATA[{sender}]]>"
            f"</FromUserName><CreateTime>{created}</CreateTime><MsgType><![CDATA[event]]></MsgType>"
            f"<Event><![CDATA[SCAN]]></Event><EventKey><![CDATA[{scene}]]></EventKey>"
            f"<Ticket><![CDATA[bench-ticket]]></Ticket></xml>").encode()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_up(url: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url, timeout=1)
            return
        except urllib.error.HTTPError:
            return  # it answers (the echo app has no page at /)
        except Exception:
            time.sleep(0.2)
    raise RuntimeError(f"server at {url} did not come up")


def write_script(path: Path, senders: list[str], words: list[str]) -> Path:
    lua = (LUA.replace("RUN_ID", str(random.randrange(100_000, 999_999)))
           .replace("{SENDERS}", "{" + ", ".join(json.dumps(s) for s in senders) + "}")
           .replace("{WORDS}", "{" + ", ".join(json.dumps(w, ensure_ascii=False) for w in words) + "}"))
    path.write_text(lua, encoding="utf-8")
    return path


def run_wrk(url: str, seconds: int, connections: int, script: Path) -> dict:
    out = subprocess.run(["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", "-s", str(script),
                          url], capture_output=True, text=True, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))

    def pct(p: str) -> float:
        value, unit = re.search(rf"\s{p}%\s+([\d.]+)(us|ms|s)", out).groups()
        return float(value) * {"us": 0.001, "ms": 1, "s": 1000}[unit]

    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    total = int(re.search(r"(\d+) requests in", out).group(1))
    return {"rps": rps, "p50": pct("50"), "p99": pct("99"), "non2xx": int(errors.group(1)) if errors else 0,
            "requests": total}


def start(cmd: list[str], env: dict, cwd: Path) -> subprocess.Popen:
    return subprocess.Popen([str(c) for c in cmd], env=env, cwd=cwd, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, start_new_session=True)


def stop(process: subprocess.Popen) -> None:
    os.killpg(process.pid, signal.SIGTERM)
    process.wait(timeout=20)


def make_public(env: dict, share: float) -> None:
    """Every (1/share)th record public, the rest as imported (classmates only), as lookup.py does."""
    from sqlalchemy import text

    from models.db import make_engine

    modulus = round(1 / share) if share else 0
    engine = make_engine(env["ALUMNI_BOT_DATABASE_URL"])
    with engine.begin() as connection:
        total = connection.scalar(text("SELECT count(*) FROM alumnus"))
        public = connection.scalar(text("SELECT count(*) FROM alumnus WHERE privacy = 'public'"))
        wanted = connection.scalar(text("SELECT count(*) FROM alumnus WHERE id % :m = 0"),
                                   {"m": modulus}) if modulus else 0
        if public != wanted:
            print(f"making every {modulus or 'no'}th of {total} records public ...", flush=True)
            connection.execute(text("UPDATE alumnus SET privacy = 'classmates' WHERE privacy = 'public'"))
            if modulus:
                connection.execute(text("UPDATE alumnus SET privacy = 'public' WHERE id % :m = 0"),
                                   {"m": modulus})
            connection.execute(text("ANALYZE alumnus"))
    engine.dispose()


def bind_searchers(env: dict, count: int, run: str,
                   years: list[int] | None = None) -> tuple[list[int], list[str]]:
    """`count` WeChat users (openids bench-<run>-<n>), each bound to an alumnus no one holds (of
    those graduated in `years`, when given: fewer when the roster has fewer)."""
    from datetime import UTC, datetime

    from sqlalchemy import bindparam, insert, select, update

    from models import Alumnus, WechatUser
    from models.db import make_engine

    openids = [f"bench-{run}-{i}" for i in range(count)]
    engine = make_engine(env["ALUMNI_BOT_DATABASE_URL"])
    now = datetime.now(UTC)
    with engine.begin() as connection:
        unbound = select(Alumnus.id).where(Alumnus.wechat_user_id.is_(None))
        if years is not None:
            unbound = unbound.where(Alumnus.graduation_year.in_(years))
        free = list(connection.scalars(unbound.order_by(Alumnus.id).limit(count)))
        openids = openids[:len(free)]
        ids = list(connection.scalars(insert(WechatUser).returning(WechatUser.id), [
            {"openid": openid, "subscribed": True, "created_at": now} for openid in openids]))
        connection.execute(
            update(Alumnus).where(Alumnus.id == bindparam("alumnus"))
            .values(wechat_user_id=bindparam("user"), bound_at=bindparam("at")),
            [{"alumnus": a, "user": u, "at": now} for a, u in zip(free, ids, strict=True)])
    engine.dispose()
    return ids, openids


def sample_words(env: dict, count: int = 401) -> list[str]:
    """What alumni search for, from random records: KINDS in turn (count is odd, so both wrk
    threads, one on even request numbers and one on odd, see every kind)."""
    from sqlalchemy import func, select

    from handlers.directory.surnames import split_surname
    from models import Alumnus
    from models.db import make_engine

    engine = make_engine(env["ALUMNI_BOT_DATABASE_URL"])
    with engine.connect() as connection:
        rows = connection.execute(
            select(Alumnus.name, Alumnus.search_pinyin, Alumnus.search_initials,
                   Alumnus.graduation_year, Alumnus.city, Alumnus.college, Alumnus.employer)
            .where(Alumnus.id.in_(select(Alumnus.id).order_by(func.random()).limit(count * 2)))).all()
    engine.dispose()
    words = []
    for name, pinyin, initials, year, city, college, employer in rows:
        kind = KINDS[len(words) % len(KINDS)]
        word = {"surname": split_surname(name)[0], "name": name, "pinyin": pinyin,
                "initials": initials, "year": str(year) if year else None, "city": city,
                "college": college, "employer": employer}[kind]
        if word:
            words.append(word)
        if len(words) == count:
            break
    return words


def post(url: str, sender: str, content: str) -> str:
    """One signed text message; the reply's text."""
    body = text_xml(sender, content, random.randrange(10**15, 10**16))
    request = urllib.request.Request(f"{url}?{signed_query()}", data=body,
                                     headers={"Content-Type": "text/xml"})
    xml = urllib.request.urlopen(request, timeout=10).read().decode()
    found = re.search(r"<Content><!\[CDATA\[(.*?)\]\]></Content>", xml, re.DOTALL)
    return found.group(1) if found else xml


def probe(cmd: list, port: int, cwd: Path, env: dict, searchers: list[str], words: list[str],
          work: Path) -> Path:
    """Start the bot once: keep its help text (for WeRoBot), and show one search of each kind."""
    process = start(cmd, env, cwd)
    try:
        wait_up(f"http://127.0.0.1:{port}/healthz")
        url = f"http://127.0.0.1:{port}/wechat"
        help_text = post(url, "o-bench-probe", "帮助")
        for k, word in enumerate(words[:len(KINDS)]):
            answer = post(url, searchers[k], f"查找 {word}")
            print(f"  probe {KINDS[k]:9} 查找 {word}: {answer.splitlines()[0][:60]}"
                  f"{' …' if len(answer.splitlines()) > 1 else ''}")
    finally:
        stop(process)
    path = work / "help.txt"
    path.write_text(help_text, encoding="utf-8")
    return path


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=int, default=20)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--database", default=None, help="default: a SQLite file in a temp folder")
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/15")
    parser.add_argument("--rounds", type=int, default=3,
                        help="alternate the sides this many times; medians are reported")
    parser.add_argument("--alumni", type=int, default=20_000)
    parser.add_argument("--public-share", type=float, default=0.2)
    parser.add_argument("--searchers", type=int, default=4000,
                        help="bound alumni the searches are spread over (30 an hour each)")
    parser.add_argument("--sides", default="echo,echo+claim,werobot,help,search,echo+claim+lookup",
                        help="which sides to run, comma-separated")
    parser.add_argument("--baseline", type=Path, metavar="CHECKOUT",
                        help="also run the bot's help and search on this checkout of the code before "
                             "(help@base, search@base), on a database of its own")
    parser.add_argument("--baseline-database", default=None,
                        help="with --baseline and --database: the baseline's (its migrations may differ)")
    parser.add_argument("--cpu", type=int, default=0, metavar="N",
                        help="in process instead: CPU per message of each app, best of 5 batches of N")
    args = parser.parse_args()
    if args.cpu:
        return cpu_per_message(args)
    if not shutil.which("wrk"):
        sys.exit("wrk is needed: apt-get install wrk")
    if args.baseline and args.database and not args.baseline_database:
        sys.exit("--baseline with --database needs --baseline-database")
    sides = args.sides.split(",")
    if args.baseline:
        sides += [f"{side}@base" for side in ("help", "search") if side in sides]

    work = Path(tempfile.mkdtemp(prefix="bench-webhook-"))
    run = uuid.uuid4().hex[:8]
    prefix = f"bench-wh-{run}:"
    env = {**os.environ,
           "ALUMNI_BOT_CONFIG": "",
           "ALUMNI_BOT_DATABASE_URL": args.database or f"sqlite:///{work}/bench.db",
           "ALUMNI_BOT_REDIS_URL": args.redis,
           "ALUMNI_BOT_REDIS_KEY_PREFIX": prefix,
           "ALUMNI_BOT_WECHAT_TOKEN": TOKEN,
           "ALUMNI_BOT_APP_SECRET_KEY": "bench"}
    envs = {"": env}
    if args.baseline:  # its own code first on the path, its own database
        envs["@base"] = {**env, "PYTHONPATH": str(args.baseline.resolve()),
                         "ALUMNI_BOT_DATABASE_URL": args.baseline_database or f"sqlite:///{work}/base.db"}
    bound = {}
    try:
        for code, code_env in envs.items():
            if args.database:
                ensure_database(code_env["ALUMNI_BOT_DATABASE_URL"])
            alumni = ensure_roster(code_env, args.alumni, work)  # gen-roster's fixed seed: the same
            make_public(code_env, args.public_share)
            bound[code] = bind_searchers(code_env, args.searchers, run)
        ids, searchers = bound[""]
        words = sample_words(env)
        env["ECHO_LOOKUP_VIEWERS"] = str(save_viewers(env, ids, searchers, work / "viewers.json"))
        results = compare(args, envs, work, sides, searchers, words, prefix)
    finally:
        for code, (ids, _) in bound.items():
            remove_searchers(envs[code], ids)
        shutil.rmtree(work, ignore_errors=True)
    report(args, results, alumni)


def cpu_per_message(args) -> None:
    """Each app called in this process: CPU µs per message, best of 5 batches (see the docstring)."""
    import importlib
    import itertools

    from werkzeug.test import EnvironBuilder

    work = Path(tempfile.mkdtemp(prefix="bench-webhook-cpu-"))
    (work / "help.txt").write_text("帮助", encoding="utf-8")
    run = uuid.uuid4().hex[:8]
    prefix = f"bench-wh-cpu-{run}:"
    os.environ.update({"ALUMNI_BOT_CONFIG": "",
                       "ALUMNI_BOT_DATABASE_URL": args.database or f"sqlite:///{work}/bench.db",
                       "ALUMNI_BOT_REDIS_URL": args.redis, "ALUMNI_BOT_REDIS_KEY_PREFIX": prefix,
                       "ALUMNI_BOT_WECHAT_TOKEN": TOKEN, "ALUMNI_BOT_APP_SECRET_KEY": "bench",
                       "BENCH_WEROBOT_HELP": str(work / "help.txt")})
    env = dict(os.environ)
    if args.database:
        ensure_database(args.database)
    alumni = ensure_roster(env, args.alumni, work)
    make_public(env, args.public_share)
    user_ids, searchers = bind_searchers(env, args.searchers, run)
    searches = [f"查找 {w}" for w in sample_words(env)]
    viewers = save_viewers(env, user_ids, searchers, work / "viewers.json")
    from wechat_bot import create_app

    def echo(claim: bool, lookup: bool = False):  # echo_app reads its environment once, at import
        for name in ("ECHO_CLAIM_REDIS_URL", "ECHO_LOOKUP_VIEWERS"):
            os.environ.pop(name, None)
        if claim:
            os.environ["ECHO_CLAIM_REDIS_URL"] = args.redis
        if lookup:
            os.environ["ECHO_LOOKUP_VIEWERS"] = str(viewers)
        return importlib.reload(importlib.import_module("echo_app")).app

    # name: (made just before it is measured, who sends, what): the echo's module is reloaded
    apps = {"echo": (lambda: echo(False), VISITORS, ["帮助"]),
            "echo+claim": (lambda: echo(True), VISITORS, ["帮助"]),
            "werobot": (lambda: importlib.import_module("werobot_app").app, VISITORS, ["帮助"]),
            "help": (create_app, VISITORS, ["帮助"]),
            "search": (None, searchers, searches),
            "echo+claim+lookup": (lambda: echo(True, lookup=True), searchers, searches)}
    bot = None
    ids = itertools.count(random.randrange(10**14, 10**15) * 10)
    query = signed_query()

    def message(senders: list[str], texts: list[str]) -> dict:  # built before a batch is timed
        n = next(ids)
        body = text_xml(senders[n % len(senders)], texts[n % len(texts)], n)
        return EnvironBuilder(path="/wechat", method="POST", query_string=query, data=body,
                              content_type="text/xml").get_environ()

    def call(app, environ: dict) -> None:
        status = []
        b"".join(app(environ, lambda s, h, e=None: status.append(s)))
        assert status[0].startswith("200"), status

    database = "PostgreSQL" if args.database else "SQLite"
    print(f"CPU µs per message, in process, best of 5 batches of {args.cpu}; {alumni} alumni on "
          f"{database} (load {os.getloadavg()[0]:.1f})")
    try:
        for name, (make, senders, texts) in apps.items():
            app = bot if make is None else make()
            if name == "help":
                bot = app
            for _ in range(200):
                call(app, message(senders, texts))
            best = float("inf")
            for _ in range(5):
                batch = [message(senders, texts) for _ in range(args.cpu)]
                started = time.process_time()
                for environ in batch:
                    call(app, environ)
                best = min(best, (time.process_time() - started) / args.cpu)
            print(f"  {name:18} {best * 1e6:7.0f} µs")
    finally:
        if bot is not None:
            bot.extensions["alumni_bot"].close()
        remove_searchers(env, user_ids)  # and the run's Redis keys
        shutil.rmtree(work, ignore_errors=True)


def compare(args, envs: dict, work: Path, sides: list[str], searchers: list[str], words: list[str],
            prefix: str) -> dict:
    bin_dir = Path(sys.executable).parent
    ports = {side: free_port() for side in sides}
    gunicorn = [bin_dir / "gunicorn", "-w", "2", "-k", "gthread", "--threads", "8", "-b"]

    def bot(port: int) -> list:
        return [bin_dir / "alumni-bot", "serve", "--host", "127.0.0.1", "--port", str(port),
                "--workers", "2", "--threads", "8"]

    lookup_env = {**envs[""], "ECHO_CLAIM_REDIS_URL": args.redis}
    envs = {code: {k: v for k, v in e.items() if k != "ECHO_LOOKUP_VIEWERS"} for code, e in envs.items()}
    env = {**envs[""], "ALUMNI_BOT_REDIS_KEY_PREFIX": prefix + "probe:"}
    port = free_port()
    env["BENCH_WEROBOT_HELP"] = str(probe(bot(port), port, work, env, searchers, words, work))
    if "@base" in envs:
        print("  the baseline's bot:")
        probe(bot(port), port, work, {**envs["@base"], "ALUMNI_BOT_REDIS_KEY_PREFIX": prefix + "probe-base:"},
              searchers, words, work)
    searches = [f"查找 {w}" for w in words]
    # name: (command, working folder, environment, who sends, what they send)
    servers = {
        "echo": (["echo_app:app"], HERE, env, VISITORS, ["帮助"]),
        "echo+claim": (["echo_app:app"], HERE, {**env, "ECHO_CLAIM_REDIS_URL": args.redis}, VISITORS,
                       ["帮助"]),
        "werobot": (["werobot_app:app"], HERE, env, VISITORS, ["帮助"]),
        "echo+claim+lookup": (["echo_app:app"], HERE, lookup_env, searchers, searches),
    }
    for code, code_env in envs.items():
        servers[f"help{code}"] = (None, work, code_env, VISITORS, ["帮助"])
        servers[f"search{code}"] = (None, work, code_env, searchers, searches)
    runs: dict[str, list[dict]] = {name: [] for name in sides}
    for number in range(args.rounds):  # alternate, so a noisy moment hurts every side alike
        for name in sides:
            app, cwd, side_env, senders, texts = servers[name]
            cmd = bot(ports[name]) if app is None else [*gunicorn, f"127.0.0.1:{ports[name]}", *app]
            # Each start of the bot counts searches afresh: its own Redis prefix.
            side_env = {**side_env, "ALUMNI_BOT_REDIS_KEY_PREFIX": f"{prefix}{number}{name}:"}
            script = write_script(work / f"{name}.lua", senders, texts)
            process = start(cmd, side_env, cwd)
            try:
                wait_up(f"http://127.0.0.1:{ports[name]}/healthz" if app is None
                        else f"http://127.0.0.1:{ports[name]}/")
                url = f"http://127.0.0.1:{ports[name]}/wechat?"
                warm = run_wrk(url + signed_query(), 3, args.connections, script)
                result = run_wrk(url + signed_query(), args.seconds, args.connections, script)
            finally:
                stop(process)
            if name.startswith("search"):
                most = math.ceil((warm["requests"] + result["requests"]) / len(senders))
                result["most"] = most
                if most > SEARCHES_PER_HOUR:
                    print(f"  warning: up to {most} searches per searcher in round {number + 1}: "
                          f"the hourly limit ({SEARCHES_PER_HOUR}) tripped; raise --searchers")
            runs[name].append(result)
            print(f"  round {number + 1} {name:18} {result['rps']:8.0f} msg/s  p50 {result['p50']:7.2f}"
                  f"  p99 {result['p99']:7.2f}  non-2xx {result['non2xx']}  load {os.getloadavg()[0]:.1f}",
                  flush=True)
    return {name: {k: statistics.median(r[k] for r in rs) for k in rs[0]} for name, rs in runs.items()}


def report(args, results: dict, alumni: int) -> None:
    database = "PostgreSQL" if args.database and args.database.startswith("postgres") else "SQLite"
    print(f"\n{alumni} alumni on {database}, {args.public_share:.0%} public; medians of {args.rounds} "
          f"alternating runs of {args.seconds} s, {args.connections} connections")

    def ratio(name: str, base: str) -> str:
        return f"{results[name]['rps'] / results[base]['rps']:.2f}" if name in results and base in results else ""

    print("| side | msg/s | p50 ms | p99 ms | non-2xx | × echo | × werobot | × help | × lookup floor |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for name, r in results.items():
        code = name[name.index("@"):] if "@" in name else ""
        print(f"| {name} | {r['rps']:.0f} | {r['p50']:.1f} | {r['p99']:.1f} | {r['non2xx']:.0f} | "
              f"{ratio(name, 'echo')} | {ratio(name, 'werobot')} | {ratio(name, 'help' + code)} | "
              f"{ratio(name, 'echo+claim+lookup')} |")
    for code in ("", "@base"):
        search, help_ = results.get(f"search{code}"), results.get(f"help{code}")
        if search and help_:
            print(f"search{code} / help{code}: {search['rps'] / help_['rps']:.2f}x throughput "
                  f"(target >= 0.5x), p99 {search['p99'] / help_['p99']:.2f}x help's (target <= 2x); "
                  f"at most {search['most']:.0f} searches per searcher per bot start")
        floor_ = results.get("echo+claim+lookup")
        if floor_ and help_:
            print(f"  its floor, echo+claim+lookup / help{code}: {floor_['rps'] / help_['rps']:.2f}x "
                  f"throughput, p99 {floor_['p99'] / help_['p99']:.2f}x help's")
        if help_ and "werobot" in results:
            print(f"help{code} / werobot: {help_['rps'] / results['werobot']['rps']:.2f}x (target >= 1.0x)")
    if "help" in results and "echo" in results:
        print(f"help / echo: {results['help']['rps'] / results['echo']['rps']:.2f}x, "
              f"help / echo+claim: {ratio('help', 'echo+claim') or '-'}x")


if __name__ == "__main__":
    main()
