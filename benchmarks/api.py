"""Mini-program API: `GET /api/v1/alumni?q=` vs the bare lookup, and vs a bare Flask endpoint.

The API side is the real thing under `alumni-bot serve --workers 2` (gunicorn gthread, 8 threads)
on PostgreSQL with 1,000,000 alumni: bearer token check, the bound searcher, the shared 30-an-hour
search limit, the lookup, privacy, the search log, one commit. The baseline is a bare Flask app
under the same gunicorn settings that answers one captured page of that JSON from memory. wrk
drives both with 16 connections; the sides alternate for several rounds and medians are reported,
because the machine is shared.

The floor, `floor`, does the same search work without the API around it: a bare Flask endpoint
(gunicorn 'api:floor()', same settings) that calls the same lookup function
(`handlers.directory.lookup.search_alumni`) on the same pool (`models.db.make_engine`, one
transaction a request), for the same searcher and query, and returns the hits as JSON. The searcher's
classes are read once at its start (the token says who asks), so it has no token check, no searcher
query, no rate limit, no search log, no page marker and no spectree. The API's target ratio is to it.

A third side, `me`, is the same server answering `GET /api/v1/me` with the same tokens: the API's
floor without a search (token, user, records, one commit), to tell the foundation's cost from the
lookup's.

Each request goes out as a different bound alumnus (thousands are created for the run and removed
after), so the 30-searches-an-hour limit is exercised, not tripped; non-2xx answers are counted.

    python benchmarks/api.py [--database URL] [--redis URL] [--alumni 1000000] [--seconds 20]
                             [--connections 16] [--rounds 3] [--users 6000]
                             [--baseline CHECKOUT --baseline-database URL]
    python benchmarks/api.py --profile 400 [--cprofile FILE]

`--baseline` runs the API of the code before too (`git archive main | tar -x -C DIR`), first on
the path of its server, on a database of its own (built the same way, same roster seed),
alternating with the others in the same run: api@base. Its ratio is to the same floor (this
checkout's lookup: a baseline whose lookup differs needs a run of its own).

`--profile N` skips the servers and wrk: it sends N searches and N `GET /me` through the app
in-process (Flask's test client, the same database and Redis) and reports, per request, the CPU
time of this process and the PostgreSQL and Redis round trips, so a change can be judged on a
busy machine; `bare` is a constant answer from the same app (Flask and the test client alone).
`--cprofile FILE` also writes the searches' cProfile statistics.

The first run builds the roster (gen-roster + import-roster) into the database if it holds fewer
than --alumni records. Needs wrk, PostgreSQL and Redis.
"""

from __future__ import annotations

import argparse
import json
import os
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
import urllib.parse
import urllib.request
import uuid
from pathlib import Path

HERE = Path(__file__).parent
BASELINE_JSON = "BENCH_API_BASELINE_JSON"

LUA = r"""
local tokens = {%(tokens)s}
local queries = {%(queries)s}
local counter = 0
local threads = 0

function setup(thread)
  thread:set("tid", threads)
  threads = threads + 1
end

request = function()
  counter = counter + 1
  local n = counter * 2 + tid
  local token = tokens[(n %% #tokens) + 1]
  local query = queries[(n %% #queries) + 1]
  return wrk.format("GET", "%(path)s" .. query, {["Authorization"] = "Bearer " .. token})
end
"""
PATHS = {"bare": "/api/v1/alumni?q=", "floor": "/api/v1/alumni?q=", "api": "/api/v1/alumni?q=",
         "me": "/api/v1/me?"}
VIEWERS_JSON = "BENCH_API_VIEWERS_JSON"


def baseline():
    """The bare Flask app (gunicorn 'api:baseline()'): one page of JSON from memory."""
    from flask import Flask, Response

    body = Path(os.environ[BASELINE_JSON]).read_bytes()
    app = Flask("baseline")

    @app.get("/api/v1/alumni")
    def alumni() -> Response:
        return Response(body, mimetype="application/json")

    return app


def floor():
    """The bare lookup endpoint (gunicorn 'api:floor()'): search_alumni on the app's kind of pool."""
    from flask import Flask, Response, request

    from handlers.directory.lookup import QueryError, search_alumni
    from models.db import make_engine, make_session_factory

    viewers = load_viewers(Path(os.environ[VIEWERS_JSON]))
    sessions = make_session_factory(make_engine(os.environ["ALUMNI_BOT_DATABASE_URL"]))
    app = Flask("floor")

    @app.get("/api/v1/alumni")
    def alumni() -> Response | tuple:
        viewer = viewers.get(request.headers.get("Authorization", "").removeprefix("Bearer "))
        if viewer is None:
            return {"error": "unknown token"}, 401
        try:
            with sessions.begin() as session:
                result = search_alumni(session, viewer, request.args.get("q", ""), page=1)
        except QueryError as exc:
            return {"error": str(exc)}, 422
        return Response(json.dumps(page_json(result), ensure_ascii=False),
                        mimetype="application/json")

    return app


def page_json(result) -> dict:
    """What the API answers for a page, built the plain way."""
    return {"items": [{"id": h.alumnus_id, "name": h.name, "degree": h.degree,
                       "graduation_year": h.graduation_year, "college": h.college, "major": h.major,
                       "city": h.city, "employer": h.employer} for h in result.hits],
            "page": result.page, "per_page": result.per_page, "has_more": result.has_more}


def save_viewers(env: dict, ids: list[int], tokens: list[str], path: Path) -> Path:
    """Each token's (or openid's) searcher as the lookup sees them (their classes), for the floors
    to look up."""
    from handlers.directory.searching import load_viewer
    from models.db import make_engine, make_session_factory

    engine = make_engine(env["ALUMNI_BOT_DATABASE_URL"])
    with make_session_factory(engine)() as session:
        viewers = {}
        for user_id, token in zip(ids, tokens, strict=True):
            viewer = load_viewer(session, user_id)
            viewers[token] = [user_id, sorted(viewer.classes, key=str)]
    engine.dispose()
    path.write_text(json.dumps(viewers, ensure_ascii=False), encoding="utf-8")
    return path


def load_viewers(path: Path) -> dict:
    from handlers.directory.lookup import Viewer

    return {token: Viewer(wechat_user_id=user_id, classes=frozenset(tuple(c) for c in classes))
            for token, (user_id, classes) in json.loads(path.read_text(encoding="utf-8")).items()}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_up(url: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url, timeout=1)
            return
        except urllib.error.HTTPError:
            return  # it answers
        except (urllib.error.URLError, OSError):
            time.sleep(0.2)  # not listening yet
    raise RuntimeError(f"server at {url} did not come up")


def run_wrk(url: str, seconds: int, connections: int, script: Path) -> dict:
    out = subprocess.run(["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", "-s",
                          str(script), url], capture_output=True, text=True, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))

    def pct(p: str) -> float:
        value, unit = re.search(rf"\s{p}%\s+([\d.]+)(us|ms|s)", out).groups()
        return float(value) * {"us": 0.001, "ms": 1, "s": 1000}[unit]

    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    total = int(re.search(r"(\d+) requests in", out).group(1))
    return {"rps": rps, "p50": pct("50"), "p99": pct("99"),
            "non2xx": int(errors.group(1)) if errors else 0, "requests": total}


def start(cmd: list[str], env: dict, cwd: Path) -> subprocess.Popen:
    return subprocess.Popen([str(c) for c in cmd], env=env, cwd=cwd, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, start_new_session=True)


def stop(process: subprocess.Popen) -> None:
    os.killpg(process.pid, signal.SIGTERM)
    process.wait(timeout=30)


def ensure_database(url: str) -> None:
    """Create the benchmark's database if the server does not have it yet."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    target = make_url(url)
    admin = create_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        exists = connection.scalar(text("SELECT 1 FROM pg_database WHERE datname = :n"),
                                   {"n": target.database})
        if not exists:
            connection.execute(text(f'CREATE DATABASE "{target.database}"'))
    admin.dispose()


def ensure_roster(env: dict, count: int, work: Path) -> int:
    from sqlalchemy import func, select

    from models import Alumnus
    from models.db import make_engine

    bin_dir = Path(sys.executable).parent
    subprocess.run([bin_dir / "alumni-bot", "init-db"], env=env, check=True, capture_output=True)
    engine = make_engine(env["ALUMNI_BOT_DATABASE_URL"])
    with engine.connect() as connection:
        have = connection.scalar(select(func.count()).select_from(Alumnus))
    if have < count:
        csv = work / "roster.csv"
        print(f"building the roster: {count} alumni (the database holds {have}) ...", flush=True)
        subprocess.run([bin_dir / "alumni-bot", "gen-roster", str(count), csv], env=env, check=True)
        subprocess.run([bin_dir / "alumni-bot", "import-roster", csv], env=env, check=True)
        with engine.connect() as connection:
            have = connection.scalar(select(func.count()).select_from(Alumnus))
    engine.dispose()
    return have


def make_searchers(env: dict, users: int, run: str) -> tuple[list[int], list[str]]:
    """`users` WechatUsers, each bound to an unbound alumnus, and a token for each."""
    from datetime import UTC, datetime

    from sqlalchemy import bindparam, insert, select, update

    from models import Alumnus, WechatUser
    from models.db import make_engine
    from wechat_bot.api.tokens import TokenService
    from wechat_bot.store import Keys, connect_store

    engine = make_engine(env["ALUMNI_BOT_DATABASE_URL"])
    now = datetime.now(UTC)
    with engine.begin() as connection:
        ids = list(connection.scalars(insert(WechatUser).returning(WechatUser.id), [
            {"openid": f"bench-{run}-{i}", "subscribed": True, "created_at": now}
            for i in range(users)]))
        free = list(connection.scalars(select(Alumnus.id).where(Alumnus.wechat_user_id.is_(None))
                                       .order_by(Alumnus.id).limit(users)))
        connection.execute(
            update(Alumnus).where(Alumnus.id == bindparam("alumnus"))
            .values(wechat_user_id=bindparam("user"), bound_at=bindparam("at")),
            [{"alumnus": a, "user": u, "at": now} for a, u in zip(free, ids, strict=True)])
    engine.dispose()
    store = connect_store(env["ALUMNI_BOT_REDIS_URL"])
    service = TokenService(env["ALUMNI_BOT_APP_SECRET_KEY"], store,
                           Keys(env["ALUMNI_BOT_REDIS_KEY_PREFIX"]))
    return ids, [service.issue(user_id).token for user_id in ids]


def remove_searchers(env: dict, ids: list[int]) -> None:
    from sqlalchemy import delete, update

    from models import Alumnus, SearchLog, WechatUser
    from models.db import make_engine

    engine = make_engine(env["ALUMNI_BOT_DATABASE_URL"])
    with engine.begin() as connection:
        connection.execute(update(Alumnus).where(Alumnus.wechat_user_id.in_(ids))
                           .values(wechat_user_id=None, bound_at=None))
        connection.execute(delete(SearchLog).where(SearchLog.wechat_user_id.in_(ids)))
        connection.execute(delete(WechatUser).where(WechatUser.id.in_(ids)))
    engine.dispose()
    remove_keys(env)  # tokens, limits, the queued search log


def remove_keys(env: dict) -> None:
    """The run's Redis keys (its ALUMNI_BOT_REDIS_KEY_PREFIX), and no one else's."""
    from wechat_bot.store import connect_store

    store = connect_store(env["ALUMNI_BOT_REDIS_URL"])
    for key in store.scan_iter(match=f"{env['ALUMNI_BOT_REDIS_KEY_PREFIX']}*", count=1000):
        store.delete(key)


def sample_queries(env: dict, count: int = 300) -> list[str]:
    """What alumni type: names, full pinyin, initials + year, a name + year, from the roster."""
    from sqlalchemy import func, select

    from models import Alumnus
    from models.db import make_engine

    engine = make_engine(env["ALUMNI_BOT_DATABASE_URL"])
    with engine.connect() as connection:
        rows = connection.execute(
            select(Alumnus.name, Alumnus.search_pinyin, Alumnus.search_initials,
                   Alumnus.graduation_year)
            .where(Alumnus.id.in_(select(Alumnus.id).order_by(func.random()).limit(count)))).all()
    engine.dispose()
    queries = []
    for i, (name, pinyin, initials, year) in enumerate(rows):
        queries.append([name, pinyin, f"{initials} {year}", f"{name} {year}"][i % 4])
    return queries


def lua_list(values: list[str]) -> str:
    return ", ".join(json.dumps(v) for v in values)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database", default="postgresql+psycopg://postgres@127.0.0.1:5432/alumni_bench")
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/14")
    parser.add_argument("--alumni", type=int, default=1_000_000)
    parser.add_argument("--seconds", type=int, default=20)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--users", type=int, default=6000,
                        help="bound searchers; each may search 30 times an hour")
    parser.add_argument("--profile", type=int, default=0, metavar="N",
                        help="in-process instead: N requests per side, CPU and round trips each")
    parser.add_argument("--cprofile", type=Path, help="with --profile: write cProfile stats here")
    parser.add_argument("--baseline", type=Path, metavar="CHECKOUT",
                        help="also run the API on this checkout of the code before (api@base), "
                             "alternating in the same run")
    parser.add_argument("--baseline-database", default=None,
                        help="with --baseline: the baseline's own database (its migrations may differ)")
    args = parser.parse_args()
    if not args.profile and not shutil.which("wrk"):
        sys.exit("wrk is needed: apt-get install wrk")
    if args.baseline and not args.baseline_database:
        sys.exit("--baseline needs --baseline-database")
    sys.path.insert(0, str(HERE.parent))

    work = Path(tempfile.mkdtemp(prefix="bench-api-"))
    run = uuid.uuid4().hex[:8]
    env = {**os.environ,
           "ALUMNI_BOT_CONFIG": "",
           "ALUMNI_BOT_DATABASE_URL": args.database,
           "ALUMNI_BOT_REDIS_URL": args.redis,
           "ALUMNI_BOT_REDIS_KEY_PREFIX": f"bench-api-{run}:",
           "ALUMNI_BOT_APP_SECRET_KEY": f"bench-{run}",
           "ALUMNI_BOT_WECHAT_TOKEN": f"bench-{run}"}  # `serve` refuses the demo token
    envs = {"": env}
    if args.baseline and not args.profile:  # its own code first on the path, its own database
        envs["@base"] = {**env, "PYTHONPATH": str(args.baseline.resolve()),
                         "ALUMNI_BOT_DATABASE_URL": args.baseline_database,
                         "ALUMNI_BOT_REDIS_KEY_PREFIX": f"bench-api-{run}-base:"}
    if args.profile:
        args.users = min(args.users, args.profile + 50)
    searchers = {}
    try:
        for code, code_env in envs.items():
            ensure_database(code_env["ALUMNI_BOT_DATABASE_URL"])
            alumni = ensure_roster(code_env, args.alumni, work)  # gen-roster's fixed seed: the same
            searchers[code] = make_searchers(code_env, args.users, run)
        ids, tokens = searchers[""]
        queries = [urllib.parse.quote(q) for q in sample_queries(env)]
        for code, code_env in envs.items():
            code_env[VIEWERS_JSON] = str(save_viewers(code_env, *searchers[code],
                                                      work / f"viewers{code}.json"))
        if args.profile:
            return profile_in_process(env, tokens, queries, args.profile, args.cprofile,
                                      Path(env[VIEWERS_JSON]))
        scripts = {}
        for code in envs:
            for side, path in PATHS.items():
                scripts[side + code] = work / f"{side}{code}.lua"
                scripts[side + code].write_text(LUA % {"tokens": lua_list(searchers[code][1]),
                                                       "queries": lua_list(queries), "path": path},
                                                encoding="utf-8")
        results = compare(args, envs, work, scripts, tokens[-1], queries[0])
    finally:
        for code, (ids, _) in searchers.items():
            remove_searchers(envs[code], ids)
        shutil.rmtree(work, ignore_errors=True)

    results = {{"me": "me*"}.get(name, name): r for name, r in results.items()}
    print(f"{alumni} alumni on PostgreSQL; medians of {args.rounds} alternating runs of "
          f"{args.seconds} s, {args.connections} connections")
    print(f"{'':12}{'req/s':>10}{'p50 ms':>10}{'p99 ms':>10}{'non-2xx':>10}{'x floor':>10}")
    for name, r in results.items():
        floor_ = results["floor"]
        print(f"{name:12}{r['rps']:>10.0f}{r['p50']:>10.2f}{r['p99']:>10.2f}{r['non2xx']:>10.0f}"
              f"{r['rps'] / floor_['rps']:>10.2f}")
    for code in envs:
        api, floor_, bare = results[f"api{code}"], results["floor"], results["bare"]
        print(f"ratio api{code}/floor: {api['rps'] / floor_['rps']:.2f}x  (target >= 0.5x; "
              f"p99 {api['p99']:.0f} ms, target < 100 ms), api{code}/bare: "
              f"{api['rps'] / bare['rps']:.2f}x, floor/bare: {floor_['rps'] / bare['rps']:.2f}x")
    print("floor: the same search_alumni on the same kind of pool, in a bare Flask endpoint")
    print("* me: GET /api/v1/me with the same tokens, the API's floor without a search (token, user, "
          "records, one commit)")


class RoundTrips:
    """Counts what one request costs in round trips: PostgreSQL statements (a pool pre-ping,
    BEGIN and COMMIT each count, as psycopg sends each on its own) and Redis commands sent
    (a pipeline counts once)."""

    def __init__(self, engine) -> None:
        import redis.connection
        from sqlalchemy import event

        self.pg = self.redis = 0
        pre_ping = engine.pool._pre_ping

        def statement(*_args) -> None:
            self.pg += 1

        def checkout(*_args) -> None:
            self.pg += int(bool(pre_ping))

        event.listen(engine, "before_cursor_execute", statement)
        event.listen(engine, "begin", statement)
        event.listen(engine, "commit", statement)
        event.listen(engine, "checkout", checkout)
        original = redis.connection.AbstractConnection.send_packed_command
        counter = self

        def send_packed_command(connection, command, check_health=True):
            counter.redis += 1
            return original(connection, command, check_health)

        redis.connection.AbstractConnection.send_packed_command = send_packed_command


def profile_in_process(env: dict, tokens: list[str], queries: list[str], n: int,
                       cprofile: Path | None, viewers_file: Path) -> None:
    """N searches and N GET /me through the WSGI app in this process: CPU and round trips each."""
    import cProfile

    os.environ.update(env)
    from flask import Response, request

    from handlers.directory.lookup import search_alumni
    from wechat_bot import create_app

    app = create_app()
    page = b'{"items": [], "page": 1, "per_page": 10, "has_more": false}'
    app.add_url_rule("/bench/bare", "bench_bare", lambda: Response(page, mimetype="application/json"))
    runtime = app.extensions["alumni_bot"]
    viewers = load_viewers(viewers_file)

    def bench_floor() -> Response:  # the floor's view, on this app's own pool
        viewer = viewers[request.headers["Authorization"].removeprefix("Bearer ")]
        with runtime.sessions.begin() as session:
            result = search_alumni(session, viewer, request.args["q"], page=1)
        return Response(json.dumps(page_json(result), ensure_ascii=False), mimetype="application/json")

    app.add_url_rule("/bench/floor", "bench_floor", bench_floor)
    trips = RoundTrips(runtime.engine)
    client = app.test_client()
    # bare: a constant answer from this same app, the floor of Flask and the test client;
    # floor: the bare lookup endpoint's view (search_alumni on the same pool) in this same app.
    sides = {"bare": "/bench/bare?q=", "floor": "/bench/floor?q=", "api": "/api/v1/alumni?q=",
             "me": "/api/v1/me?"}
    for side, path in sides.items():
        for i in range(20):  # warm up: pools, caches, imports
            client.get(path + queries[i % len(queries)],
                       headers={"Authorization": f"Bearer {tokens[-1 - i % 20]}"})
        profiler = cProfile.Profile() if cprofile and side == "api" else None
        best = None
        for _ in range(3):  # the quietest of three passes: the machine is shared
            trips.pg = trips.redis = 0
            cpu, wall, statuses = time.process_time(), time.perf_counter(), {}
            if profiler:
                profiler.enable()
            for i in range(n):
                answer = client.get(path + queries[i % len(queries)],
                                    headers={"Authorization": f"Bearer {tokens[i]}"})
                statuses[answer.status_code] = statuses.get(answer.status_code, 0) + 1
            if profiler:
                profiler.disable()
            cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
            if best is None or cpu < best[0]:
                best = (cpu, wall, trips.pg, trips.redis, statuses)
        if profiler:
            profiler.dump_stats(cprofile)
        cpu, wall, pg, rd, statuses = best
        print(f"{side:5} {n} requests: CPU {cpu / n * 1000:.2f} ms, wall {wall / n * 1000:.2f} ms, "
              f"PostgreSQL {pg / n:.1f}, Redis {rd / n:.1f} round trips each; "
              f"statuses {statuses}")
    runtime.close()


def compare(args, envs: dict, work: Path, scripts: dict[str, Path], probe_token: str,
            probe_query: str) -> dict:
    bin_dir = Path(sys.executable).parent
    gunicorn = [bin_dir / "gunicorn", "-w", "2", "-k", "gthread", "--threads", "8", "-b"]
    servers = {}  # name: (command, port, working folder, environment)
    for code, env in envs.items():
        api_port, floor_port = free_port(), free_port()
        if not code:  # the floor runs this checkout's lookup, for the baseline's API too
            servers["floor"] = ([*gunicorn, f"127.0.0.1:{floor_port}", "api:floor()"], floor_port,
                                HERE, env)
        servers[f"api{code}"] = ([bin_dir / "alumni-bot", "serve", "--host", "127.0.0.1", "--port",
                                  str(api_port), "--workers", "2", "--threads", "8"], api_port, work,
                                 env)
        if not code:
            servers["me"] = servers["api"]
    bare_port, env = free_port(), envs[""]
    env = {**env, BASELINE_JSON: str(capture_page(env, servers["api"], probe_token, probe_query, work))}
    servers = {"bare": ([*gunicorn, f"127.0.0.1:{bare_port}", "api:baseline()"], bare_port, HERE, env),
               **servers}
    runs: dict[str, list[dict]] = {name: [] for name in servers}
    for _ in range(args.rounds):  # alternate, so a noisy moment hurts every side alike
        for name, (cmd, port, cwd, side_env) in servers.items():
            process = start(cmd, side_env, cwd)
            try:
                wait_up(f"http://127.0.0.1:{port}/api/v1/alumni")
                url = f"http://127.0.0.1:{port}"
                run_wrk(url, 3, args.connections, scripts[name])  # warm up
                runs[name].append(run_wrk(url, args.seconds, args.connections, scripts[name]))
            finally:
                stop(process)
            r = runs[name][-1]
            print(f"  {name:12} {r['rps']:8.0f} req/s  p50 {r['p50']:7.2f}  p99 {r['p99']:7.2f}  "
                  f"non-2xx {r['non2xx']}  load {os.getloadavg()[0]:.1f}", flush=True)
    return {name: {k: statistics.median(r[k] for r in rs) for k in rs[0]} for name, rs in runs.items()}


def capture_page(env: dict, api_server, token: str, query: str, work: Path) -> Path:
    """One real answer of the API, for the baseline to serve."""
    cmd, port, cwd, _ = api_server
    process = start(cmd, env, cwd)
    try:
        wait_up(f"http://127.0.0.1:{port}/api/v1/alumni")
        request = urllib.request.Request(f"http://127.0.0.1:{port}/api/v1/alumni?q={query}",
                                         headers={"Authorization": f"Bearer {token}"})
        body = urllib.request.urlopen(request, timeout=10).read()
    finally:
        stop(process)
    path = work / "page.json"
    path.write_bytes(body)
    return path


if __name__ == "__main__":
    main()
