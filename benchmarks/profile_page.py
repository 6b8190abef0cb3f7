"""Where one benchmarked page spends its time: Python and SQL, without load.

    DATABASE_URL=postgres://…/clinic_bench .venv/bin/python -m benchmarks.profile_page \
        "Home (frontdesk)" [--repeat 30] [--top 25] [--queries]

The page is chosen by (part of) its name in `make bench`'s table; benchmarks/page_fixtures.py
picks what it shows and logs in as its role, with production settings (DEBUG=0, cached
templates). Each request is timed once without the profiler; then cProfile runs over the
same number of requests. It prints the median request, the median time in SQL, and the
functions with the most cumulative time (`--queries`: the slowest queries of one request).
Nothing here is part of the suite or of CI.
"""

import argparse
import cProfile
import logging
import os
import pstats
import secrets
import statistics
import sys
import time


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("name", help="part of the page's name in the benchmark table")
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--sort", default="cumulative", help="cumulative or tottime")
    parser.add_argument("--queries", action="store_true", help="the slowest queries too")
    parser.add_argument("--show", type=int, default=10, help="how many queries --queries shows")
    args = parser.parse_args()
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "clinic.settings",
            "DEBUG": "0",
            "SECRET_KEY": os.environ.get("SECRET_KEY") or secrets.token_urlsafe(50),
            "HTTPS": "0",
            "ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
            "BENCH_BASELINE": "1",
        }
    )
    import django

    django.setup()
    logging.disable(logging.INFO)  # not a JSON line per request
    from django.core.management import call_command

    from benchmarks.page_fixtures import plan_pages

    call_command("collectstatic", interactive=False, verbosity=0)  # the manifest's names
    plan = plan_pages()
    baseline = {**plan["pages"][0], "name": "Baseline", "url": plan["baseline"]}
    pages = [
        page for page in [baseline, *plan["pages"]] if args.name.lower() in page["name"].lower()
    ]
    if not pages:
        raise SystemExit(f"No benchmarked page is called {args.name!r}.")
    for page in pages:
        profile(page, args)


def profile(page, args):
    from django.db import connection

    from benchmarks.page_fixtures import client_for
    from benchmarks.page_fixtures import request as fixtures_request

    client = client_for(page)
    timings = []

    def request():
        return fixtures_request(client, page)

    def timed(execute, sql, params, many, context):
        began = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            timings[-1].append((time.perf_counter() - began, sql))

    request()  # warm: templates compiled, caches filled
    walls = []
    with connection.execute_wrapper(timed):
        for _ in range(args.repeat):
            timings.append([])
            began = time.perf_counter()
            response = request()
            walls.append(time.perf_counter() - began)
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(args.repeat):
        request()
    profiler.disable()
    sql = [sum(t for t, _ in one) for one in timings]
    print(
        f"\n== {page['name']} ({response.status_code}, {len(response.content):,} bytes): "
        f"median {statistics.median(walls) * 1000:.1f} ms, "
        f"of it SQL {statistics.median(sql) * 1000:.1f} ms in {len(timings[-1])} queries"
    )
    if args.queries:
        for seconds, text in sorted(timings[-1], reverse=True)[: args.show]:
            print(f"  {seconds * 1000:7.2f} ms  {text[:300]}")
    stats = pstats.Stats(profiler, stream=sys.stdout)
    stats.sort_stats(args.sort).print_stats(args.top)


if __name__ == "__main__":
    main()
